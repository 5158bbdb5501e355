import RaftCore

/// Holds the one canonical history and checks every node against it on every step.
///
/// Checked: at most one leader per term; a new leader's log holds every committed entry;
/// any two logs that agree on an index's term agree on everything before it; each index is
/// applied as the same entry everywhere, in order, without gaps; a node's commit index never
/// decreases (in memory, and on disk across restarts); snapshots match the history; every
/// acknowledged write is in the history; linearizable reads see every write acknowledged
/// before they started.
struct SafetyChecker {
    private(set) var violations: [String] = []
    private var leaders: [Raft.Term: Raft.NodeID] = [:]
    /// The canonical history: term and payload digest of each applied index, and the chain digest.
    private(set) var history: [Raft.Index: (term: Raft.Term, chain: UInt64)] = [:]
    private(set) var historyEnd: Raft.Index = 0
    private var durableCommit: [Raft.NodeID: Raft.Index] = [:]
    /// Acknowledged writes: payload → index.
    private(set) var acknowledged: [[UInt8]: Raft.Index] = [:]
    private(set) var maxAcknowledgedIndex: Raft.Index = 0

    mutating func fail(_ message: String) {
        if violations.count < 20 { violations.append(message) }
    }

    mutating func observeRole(node: SimNode, raft: RaftNode<MemoryStorage>, now: UInt64) {
        guard raft.role == .leader else { return }
        if let existing = leaders[raft.term], existing != node.id {
            fail("t=\(now): two leaders in term \(raft.term): \(existing) and \(node.id)")
        }
        if leaders[raft.term] == nil {
            leaders[raft.term] = node.id
            // Leader completeness: everything applied anywhere is in the new leader's log.
            for index in stride(from: historyEnd, to: 0, by: -1) {
                guard let entry = history[index], let term = raft.term(at: index) else { break }
                if term != entry.term {
                    fail("t=\(now): leader \(node.id) of term \(raft.term) lacks committed entry \(index) (has term \(term), history \(entry.term))")
                    break
                }
            }
        }
    }

    mutating func observeCommit(node: SimNode, raft: RaftNode<MemoryStorage>, now: UInt64) {
        if raft.commitIndex < node.commitSeen {
            fail("t=\(now): node \(node.id) commit went back from \(node.commitSeen) to \(raft.commitIndex)")
        }
        node.commitSeen = max(node.commitSeen, raft.commitIndex)
    }

    mutating func observePersistedHardState(node: Raft.NodeID, _ state: Raft.HardState, now: UInt64) {
        if state.commit < durableCommit[node, default: 0] {
            fail("t=\(now): node \(node) persisted commit \(state.commit) below \(durableCommit[node, default: 0])")
        }
        durableCommit[node] = max(durableCommit[node, default: 0], state.commit)
    }

    /// A node applies `entry` after `previousChain`; returns the new chain digest.
    mutating func observeApply(node: SimNode, entry: Raft.Entry, now: UInt64) -> UInt64 {
        if entry.index != node.appliedIndex + 1 {
            fail("t=\(now): node \(node.id) applied \(entry.index) after \(node.appliedIndex)")
        }
        let chain = SimNode.chain(node.digest, entry)
        if let known = history[entry.index] {
            if known.term != entry.term || known.chain != chain {
                fail("t=\(now): node \(node.id) applied a different entry at \(entry.index) (term \(entry.term), history term \(known.term))")
            }
        } else {
            if entry.index != historyEnd + 1 {
                fail("t=\(now): history gap: index \(entry.index) applied first after \(historyEnd)")
            }
            history[entry.index] = (entry.term, chain)
            historyEnd = max(historyEnd, entry.index)
        }
        return chain
    }

    mutating func observeSnapshotRestore(node: Raft.NodeID, index: Raft.Index, digest: UInt64, now: UInt64) {
        guard index > 0 else { return }
        if let known = history[index], known.chain != digest {
            fail("t=\(now): node \(node) restored a snapshot at \(index) that differs from the history")
        }
    }

    mutating func acknowledgeWrite(_ payload: [UInt8], index: Raft.Index) {
        acknowledged[payload] = index
        maxAcknowledgedIndex = max(maxAcknowledgedIndex, index)
    }

    mutating func observeRead(node: Raft.NodeID, servedIndex: Raft.Index, requiredIndex: Raft.Index, now: UInt64) {
        if servedIndex < requiredIndex {
            fail("t=\(now): stale read at node \(node): served state \(servedIndex), but a write at \(requiredIndex) was acknowledged before the read began")
        }
    }

    /// Log matching over every pair of running nodes.
    mutating func checkLogMatching(_ nodes: [SimNode], now: UInt64) {
        let live = nodes.compactMap { n in n.raft.map { (n.id, $0) } }
        for i in live.indices {
            for j in live.indices where j > i {
                let (a, ra) = live[i]
                let (b, rb) = live[j]
                var index = min(ra.lastIndex, rb.lastIndex)
                // Find the highest index where both hold the same term …
                while index > 0 {
                    guard let ta = ra.term(at: index), let tb = rb.term(at: index) else { index = 0; break }
                    if ta == tb { break }
                    index -= 1
                }
                // … then every earlier index both still hold must agree too.
                var k = index
                while k > 0, let ta = ra.term(at: k), let tb = rb.term(at: k) {
                    if ta != tb {
                        fail("t=\(now): log matching broken between \(a) and \(b): agree at \(index) but differ at \(k)")
                        break
                    }
                    k -= 1
                }
            }
        }
    }

    /// After convergence: acknowledged writes are all in the history.
    mutating func checkAcknowledged(payloadAt: (Raft.Index) -> [UInt8]?) {
        for (payload, index) in acknowledged.sorted(by: { $0.value < $1.value }) {
            if history[index] == nil || payloadAt(index) != payload {
                fail("acknowledged write at index \(index) is missing from the final history")
            }
        }
    }
}
