import DataDriven
@testable import RaftCore

/// A deterministic test bed for `RaftNode`: N members with in-memory storage, one FIFO queue
/// of messages in flight, and a driver that the script steps by hand (`process-ready`,
/// `deliver-msgs`, ticks) or lets run until quiet (`stabilize`). Every command returns the
/// lines it printed; see `execute(_:)` for the command list.
///
/// Besides printing, the environment watches two safety properties after every action: at
/// most one leader per term, and every member applying the same entry at each index. A
/// violation is reported by `takeViolations()` (and fails the script).
final class InteractionEnvironment {
    private(set) var nodes: [Raft.NodeID: InteractionNode] = [:]
    /// Messages sent and not yet delivered, oldest first.
    private(set) var queue: [Raft.Message] = []
    /// Members cut off from everyone: messages to or from them are dropped.
    private(set) var isolated: Set<Raft.NodeID> = []
    /// The configuration every member boots with (the shared "snapshot at index 0").
    private(set) var bootstrapVoters: Set<Raft.NodeID> = []
    private var preVote = true
    private var checkQuorum = true
    private var seed: UInt64 = 0
    private var mutation: Raft.Mutation?

    private var output: [String] = []
    private var indentation = ""
    /// `stabilize quiet=true`: print state changes only.
    private var quiet = false
    private var violations: [String] = []
    private var reportedViolations: Set<String> = []
    private var leaderOfTerm: [Raft.Term: Raft.NodeID] = [:]
    private var appliedEntries: [Raft.Index: (node: Raft.NodeID, entry: Raft.Entry)] = [:]

    /// Stops `stabilize` if the cluster never quiets down.
    static let maxStabilizeRounds = 500

    init() {}

    /// Runs one command and returns its output (never empty: "ok" when nothing was printed).
    ///
    /// Cluster:
    /// - `add-nodes N [prevote=true|false] [checkquorum=true|false] [seed=S] [mutation=M]`:
    ///   voters 1…N, election timeout 10 ticks (randomized in [10, 20) from the seed),
    ///   heartbeat 1 tick; `mutation` breaks a rule on purpose, to see the invariant checks fire.
    /// - `add-node ID`: a fresh member with an empty log and the bootstrap configuration.
    /// - `restart ID`: a crash; the node keeps only what `process-ready` persisted.
    /// Time:
    /// - `campaign ID`; `tick-election ID` (until its election timeout fires, or a leader's
    ///   check-quorum round); `tick-heartbeat ID`; `tick ID N`.
    /// Driver:
    /// - `process-ready [ID…]`: persist, queue messages, apply (configuration changes too),
    ///   collect read states, advance; every node with work if no ID is given.
    /// - `deliver-msgs [ID…] [drop=ID,…]`: deliver the queued messages of the given
    ///   recipients (of all, if neither IDs nor `drop` are given) and lose those to `drop`.
    /// - `stabilize [ID…] [quiet=true]`: `process-ready` and deliver until nothing is left;
    ///   `quiet` prints state changes only.
    /// Requests:
    /// - `propose ID DATA`, `propose-conf-change ID add|remove NODE`,
    ///   `transfer-leadership from=ID to=ID`, `read-index ID CTX`.
    /// Faults and storage:
    /// - `isolate ID` (messages to or from it are dropped), `heal`;
    ///   `compact ID INDEX` (snapshot the applied state, drop the log through INDEX).
    /// Inspection:
    /// - `status ID`, `raft-log ID`, `raft-state`.
    func execute(_ command: ScriptCommand) throws -> [String] {
        output = []
        indentation = ""
        quiet = false
        switch command.name {
        case "add-nodes": try addNodes(command)
        case "add-node": try addNode(command)
        case "restart": try restart(command)
        case "campaign": try campaign(command)
        case "tick-election": try tickElection(command)
        case "tick-heartbeat": try tickHeartbeat(command)
        case "tick": try tick(command)
        case "process-ready": try processReady(command)
        case "deliver-msgs": try deliverMessages(command)
        case "stabilize": try stabilize(command)
        case "propose": try propose(command)
        case "propose-conf-change": try proposeConfigurationChange(command)
        case "transfer-leadership": try transferLeadership(command)
        case "read-index": try readIndex(command)
        case "isolate": try isolate(command)
        case "heal": try heal(command)
        case "compact": try compact(command)
        case "status": try status(command)
        case "raft-log": try raftLog(command)
        case "raft-state": try raftState(command)
        default: throw ScriptError("unknown command \(command.name)")
        }
        return output.isEmpty ? ["ok"] : Self.collapsingRepeats(output)
    }

    /// Folds runs of identical lines (ten heartbeats from ten ticks) into `line (×N)`.
    static func collapsingRepeats(_ lines: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < lines.count {
            var j = i + 1
            while j < lines.count, lines[j] == lines[i] { j += 1 }
            out.append(j - i == 1 ? lines[i] : "\(lines[i]) (×\(j - i))")
            i = j
        }
        return out
    }

    /// Safety violations seen since the last call.
    func takeViolations() -> [String] {
        defer { violations = [] }
        return violations
    }

    // MARK: - Printing

    private func print(_ line: String) {
        if !quiet { output.append(indentation + line) }
    }

    /// A state change (role, term, leader, configuration): printed also in quiet mode.
    private func printEvent(_ line: String) { output.append((quiet ? "" : indentation) + line) }

    private func indented(_ body: () throws -> Void) rethrows {
        let saved = indentation
        indentation += "  "
        defer { indentation = saved }
        try body()
    }

    // MARK: - Nodes

    private func node(_ id: Raft.NodeID) throws -> InteractionNode {
        guard let node = nodes[id] else { throw ScriptError("no node \(id)") }
        return node
    }

    private func config(_ id: Raft.NodeID) -> Raft.Config {
        var config = Raft.Config(id: id)
        config.electionTicks = 10
        config.heartbeatTicks = 1
        config.preVote = preVote
        config.checkQuorum = checkQuorum
        config.randomSeed = seed
        config.mutation = mutation
        return config
    }

    /// Runs `body` on the node's Raft state and prints the state change it caused.
    private func act(_ node: InteractionNode, _ body: (inout RaftNode<MemoryStorage>) -> Void) {
        let before = node.summary
        body(&node.raft)
        if let change = TraceFormat.transition(node.id, from: before, to: node.summary) { printEvent(change) }
        observeRole(node)
    }

    /// Records a broken invariant once per script.
    private func violation(_ text: String) {
        if reportedViolations.insert(text).inserted { violations.append(text) }
    }

    private func observeRole(_ node: InteractionNode) {
        guard node.raft.role == .leader else { return }
        let term = node.raft.term
        if let other = leaderOfTerm[term], other != node.id {
            violation("two leaders in term \(term): \(other) and \(node.id)")
        } else {
            leaderOfTerm[term] = node.id
        }
    }

    private func addNodes(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1, options: ["prevote", "checkquorum", "seed", "mutation"])
        guard nodes.isEmpty else { throw ScriptError("add-nodes starts a cluster; use add-node to add a member") }
        let count = try command.int(at: 0)
        guard count > 0 else { throw ScriptError("add-nodes needs at least one node") }
        preVote = try command.bool(option: "prevote", default: true)
        checkQuorum = try command.bool(option: "checkquorum", default: true)
        seed = try command.uint(option: "seed", default: 0)
        if let name = command.options["mutation"] {
            guard name.count == 1, let m = Raft.Mutation(rawValue: name[0]) else {
                throw ScriptError("mutation must be one of \(Raft.Mutation.allCases.map(\.rawValue))")
            }
            mutation = m
        }
        bootstrapVoters = Set(1...Raft.NodeID(count))
        for id in bootstrapVoters.sorted() {
            nodes[id] = InteractionNode(config: config(id), storage: MemoryStorage(voters: bootstrapVoters))
        }
        print("voters=\(TraceFormat.ids(bootstrapVoters)) prevote=\(preVote) checkquorum=\(checkQuorum)")
    }

    private func addNode(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let id = try command.nodeID(at: 0)
        guard nodes[id] == nil else { throw ScriptError("node \(id) exists") }
        guard !bootstrapVoters.isEmpty else { throw ScriptError("add-nodes first") }
        // Bootstrapped like the founders: replaying the log from index 1 (or a snapshot from
        // the leader) then yields the current configuration.
        let node = InteractionNode(config: config(id), storage: MemoryStorage(voters: bootstrapVoters))
        nodes[id] = node
        print("added \(id): empty log, bootstrap voters=\(TraceFormat.ids(bootstrapVoters)), promotable=\(node.raft.isPromotable)")
    }

    /// A crash and restart: Raft state is rebuilt from storage, the state machine from the
    /// storage's snapshot (committed entries after it are applied again). Messages already
    /// in flight stay in flight.
    private func restart(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let old = try node(command.nodeID(at: 0))
        let node = InteractionNode(config: config(old.id), storage: old.storage)
        nodes[old.id] = node
        let raft = node.raft
        print(
            "\(node.id) restarted: \(TraceFormat.role(raft.role)) term=\(raft.term) vote=\(raft.vote) commit=\(raft.commitIndex)"
                + " log=\(raft.log.firstIndex)…\(raft.lastIndex) applied=\(node.appliedIndex)")
    }

    // MARK: - Time and elections

    private func campaign(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        act(try node(command.nodeID(at: 0))) { $0.campaign() }
    }

    private func tick(_ node: InteractionNode, times: Int) {
        print("\(node.id) ticks \(times) time\(times == 1 ? "" : "s")")
        act(node) { raft in for _ in 0..<times { raft.tick() } }
    }

    /// Ticks until the node's election timeout fires: a follower or candidate campaigns (if it
    /// may), a leader runs its check-quorum round.
    private func tickElection(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let node = try node(command.nodeID(at: 0))
        let raft = node.raft
        let timeout = raft.role == .leader || !raft.isPromotable ? raft.config.electionTicks : raft.randomizedElectionTimeout
        tick(node, times: max(1, timeout - raft.electionElapsed))
    }

    private func tickHeartbeat(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let node = try node(command.nodeID(at: 0))
        tick(node, times: node.raft.config.heartbeatTicks)
    }

    private func tick(_ command: ScriptCommand) throws {
        try command.expect(positional: 2...2)
        tick(try node(command.nodeID(at: 0)), times: try command.int(at: 1))
    }

    // MARK: - Ready handling and delivery

    private func processReady(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...Int.max)
        var ids = try command.nodeIDs()
        if ids.isEmpty { ids = nodes.keys.sorted().filter { nodes[$0]!.raft.hasReady } }
        for id in ids {
            let node = try node(id)
            print("> \(id) handling Ready")
            indented { handleReady(node) }
        }
    }

    /// Carries out one `Ready` in the documented order: persist, send, apply, advance.
    private func handleReady(_ node: InteractionNode) {
        guard node.raft.hasReady else {
            print("no Ready")
            return
        }
        let rd = node.raft.ready()
        if let soft = rd.softState { print("soft state: \(TraceFormat.role(soft.role)) leader=\(soft.leader)") }
        if let hard = rd.hardState { print("hard state: \(TraceFormat.hardState(hard))") }
        if let snapshot = rd.snapshot { print("snapshot: \(TraceFormat.snapshot(snapshot))") }
        if !rd.entries.isEmpty { print("entries: \(TraceFormat.entries(rd.entries))") }
        if !rd.committedEntries.isEmpty { print("committed: \(TraceFormat.entries(rd.committedEntries))") }

        // 1. Persist.
        if let snapshot = rd.snapshot { node.storage.applySnapshot(snapshot) }
        node.storage.append(rd.entries)
        if let hard = rd.hardState { node.storage.setHardState(hard) }

        // 2. Send.
        if !rd.messages.isEmpty {
            print("messages:")
            indented {
                for m in rd.messages {
                    if let reason = dropReason(m) {
                        print("\(m) (dropped: \(reason))")
                        indented { reportSnapshot(m, delivered: false) }
                    } else {
                        print("\(m)")
                        queue.append(m)
                    }
                }
            }
        }

        // 3. Apply.
        if let snapshot = rd.snapshot {
            node.restore(snapshot)
            print("restored snapshot \(snapshot.metadata.term)/\(snapshot.metadata.index): state=\(state(node))")
        }
        for entry in rd.committedEntries where entry.index > node.appliedIndex {
            apply(entry, on: node)
        }
        if !rd.readStates.isEmpty {
            print("read states: \(rd.readStates.map(TraceFormat.readState).joined(separator: ", "))")
            node.readStates += rd.readStates
        }

        // 4. Advance.
        node.raft.advance(rd)
    }

    private func apply(_ entry: Raft.Entry, on node: InteractionNode) {
        if let first = appliedEntries[entry.index] {
            if first.entry != entry {
                violation(
                    "\(node.id) applied \(TraceFormat.entry(entry)) but \(first.node) applied \(TraceFormat.entry(first.entry)) at index \(entry.index)")
            }
        } else {
            appliedEntries[entry.index] = (node.id, entry)
        }
        node.appliedIndex = entry.index
        switch entry.kind {
        case .normal:
            if !entry.data.isEmpty { node.state.append(String(decoding: entry.data, as: UTF8.self)) }
        case .configurationChange:
            guard let change = Raft.ConfigurationChange(encoded: entry.data) else {
                violation("undecodable configuration change at \(entry.index)")
                return
            }
            var configuration = Raft.Configuration()
            act(node) { configuration = $0.applyConfigurationChange(change) }
            printEvent("\(node.id) applied \(TraceFormat.change(change)): voters=\(TraceFormat.ids(configuration.voters))")
        }
    }

    private func dropReason(_ m: Raft.Message) -> String? {
        if isolated.contains(m.from) { return "\(m.from) is isolated" }
        if isolated.contains(m.to) { return "\(m.to) is isolated" }
        if nodes[m.to] == nil { return "no node \(m.to)" }
        return nil
    }

    /// Delivers every queued message to `id`, oldest first.
    private func deliver(to id: Raft.NodeID) {
        let mine = queue.filter { $0.to == id }
        queue.removeAll { $0.to == id }
        print("> \(id) receiving messages")
        indented {
            for m in mine {
                if let reason = dropReason(m) {
                    print("\(m) (dropped: \(reason))")
                    indented { reportSnapshot(m, delivered: false) }
                    continue
                }
                print("\(m)")
                indented {
                    act(nodes[id]!) { $0.step(m) }
                    reportSnapshot(m, delivered: true)
                }
            }
        }
    }

    private func drop(to id: Raft.NodeID) {
        let mine = queue.filter { $0.to == id }
        queue.removeAll { $0.to == id }
        print("> \(id) losing messages")
        indented {
            for m in mine {
                print("\(m) (dropped)")
                indented { reportSnapshot(m, delivered: false) }
            }
        }
    }

    /// The transport tells the sender of a snapshot whether it arrived, as a real one would.
    private func reportSnapshot(_ m: Raft.Message, delivered: Bool) {
        guard m.type == .snapshot, let sender = nodes[m.from] else { return }
        print("\(m.from) learns the snapshot to \(m.to) \(delivered ? "arrived" : "was lost")")
        act(sender) { $0.reportSnapshot(m.to, succeeded: delivered) }
    }

    private var recipients: [Raft.NodeID] { Set(queue.map(\.to)).sorted() }

    private func deliverMessages(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...Int.max, options: ["drop"])
        let dropped = try command.nodeIDs(option: "drop")
        var targets = try command.nodeIDs()
        if targets.isEmpty && command.options["drop"] == nil { targets = recipients }
        for id in dropped where queue.contains(where: { $0.to == id }) { drop(to: id) }
        for id in targets where queue.contains(where: { $0.to == id }) { deliver(to: id) }
    }

    private func stabilize(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...Int.max, options: ["quiet"])
        quiet = try command.bool(option: "quiet", default: false)
        let only = try command.nodeIDs()
        for id in only { _ = try node(id) }
        for _ in 0..<Self.maxStabilizeRounds {
            let members = only.isEmpty ? nodes.keys.sorted() : only
            var busy = false
            for id in members where nodes[id]!.raft.hasReady {
                busy = true
                print("> \(id) handling Ready")
                indented { handleReady(nodes[id]!) }
            }
            for id in only.isEmpty ? recipients : only where queue.contains(where: { $0.to == id }) {
                busy = true
                deliver(to: id)
            }
            if !busy { return }
        }
        throw ScriptError("not stable after \(Self.maxStabilizeRounds) rounds")
    }

    // MARK: - Requests

    private func propose(_ command: ScriptCommand) throws {
        try command.expect(positional: 2...2)
        let data = Array(command.positional[1].utf8)
        act(try node(command.nodeID(at: 0))) { raft in
            do { try raft.propose(data) } catch { output.append(indentation + "error: \(error)") }
        }
    }

    private func proposeConfigurationChange(_ command: ScriptCommand) throws {
        try command.expect(positional: 3...3)
        let kind: Raft.ConfigurationChange.Kind
        switch command.positional[1] {
        case "add": kind = .addNode
        case "remove": kind = .removeNode
        default: throw ScriptError("expected add or remove, got \(command.positional[1])")
        }
        let change = Raft.ConfigurationChange(kind, try command.nodeID(at: 2))
        act(try node(command.nodeID(at: 0))) { raft in
            do { try raft.proposeConfigurationChange(change) } catch { output.append(indentation + "error: \(error)") }
        }
    }

    private func transferLeadership(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...0, options: ["from", "to"])
        let target = try command.nodeID(option: "to")
        act(try node(command.nodeID(option: "from"))) { $0.transferLeadership(to: target) }
    }

    private func readIndex(_ command: ScriptCommand) throws {
        try command.expect(positional: 2...2)
        let context = Array(command.positional[1].utf8)
        act(try node(command.nodeID(at: 0))) { raft in
            do { try raft.readIndex(context: context) } catch { output.append(indentation + "error: \(error)") }
        }
    }

    // MARK: - Network and storage

    private func isolate(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let id = try command.nodeID(at: 0)
        _ = try node(id)
        isolated.insert(id)
        print("isolated: \(TraceFormat.ids(isolated))")
    }

    private func heal(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...0)
        isolated = []
        print("isolated: ()")
    }

    /// Snapshots the node's applied state and drops its log through `INDEX` (≤ applied).
    private func compact(_ command: ScriptCommand) throws {
        try command.expect(positional: 2...2)
        let node = try node(command.nodeID(at: 0))
        let index = Raft.Index(try command.int(at: 1))
        guard index <= node.appliedIndex else {
            throw ScriptError("cannot compact \(node.id) through \(index): applied only through \(node.appliedIndex)")
        }
        node.storage.createSnapshot(at: node.appliedIndex, configuration: node.raft.configuration, data: node.snapshotData)
        node.storage.compact(through: index)
        let snapshot = try node.storage.snapshot()
        print("snapshot: \(TraceFormat.snapshot(snapshot))")
        print("log: first=\(node.storage.firstIndex) last=\(node.storage.lastIndex)")
    }

    // MARK: - Inspection

    private func state(_ node: InteractionNode) -> String { "[" + node.state.joined(separator: " ") + "]" }

    private func status(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let node = try node(command.nodeID(at: 0))
        let raft = node.raft
        print(
            "\(node.id): \(TraceFormat.role(raft.role)) term=\(raft.term) vote=\(raft.vote) leader=\(raft.leader)"
                + (isolated.contains(node.id) ? " (isolated)" : ""))
        print("log: first=\(raft.log.firstIndex) last=\(raft.lastIndex) commit=\(raft.commitIndex) applied=\(raft.appliedIndex)")
        print("voters: \(TraceFormat.ids(raft.configuration.voters))")
        if raft.role == .leader {
            print("election: elapsed=\(raft.electionElapsed)/\(raft.config.electionTicks) heartbeat elapsed=\(raft.heartbeatElapsed)")
        } else {
            print("election: elapsed=\(raft.electionElapsed)/\(raft.randomizedElectionTimeout)")
        }
        print("state machine: applied=\(node.appliedIndex) \(state(node))")
        if !node.readStates.isEmpty {
            print("read states: \(node.readStates.map(TraceFormat.readState).joined(separator: ", "))")
        }
        guard raft.role == .leader else { return }
        if raft.transferee != Raft.none { print("transferring to \(raft.transferee)") }
        if !raft.pendingReadRequests.isEmpty { print("reads waiting for a commit in this term: \(raft.pendingReadRequests.count)") }
        print("progress:")
        indented {
            for (id, p) in raft.tracker.progress.sorted(by: { $0.key < $1.key }) {
                var s = "\(id): match=\(p.match) next=\(p.next) \(p.state)"
                if p.state == .snapshot { s += " pending=\(p.pendingSnapshot)" }
                if p.state == .replicate, p.inflights.count > 0 { s += " inflight=\(p.inflights.count)" }
                if id != node.id {
                    if p.isPaused { s += " paused" }
                    if p.recentActive { s += " active" }
                }
                print(s)
            }
        }
    }

    private func raftLog(_ command: ScriptCommand) throws {
        try command.expect(positional: 1...1)
        let node = try node(command.nodeID(at: 0))
        let log = node.raft.log
        if log.firstIndex > 1, let term = try? log.term(at: log.firstIndex - 1) {
            print("compacted through \(term)/\(log.firstIndex - 1)")
        }
        let entries = (try? log.entries(from: log.firstIndex, maxBytes: .max)) ?? []
        if entries.isEmpty { print("log is empty") }
        for entry in entries {
            var line = TraceFormat.entry(entry)
            if entry.index <= log.committed { line += " (committed)" }
            if entry.index >= log.unstableOffset { line += " (unstable)" }
            print(line)
        }
    }

    private func raftState(_ command: ScriptCommand) throws {
        try command.expect(positional: 0...0)
        for (id, node) in nodes.sorted(by: { $0.key < $1.key }) {
            let raft = node.raft
            print(
                "\(id): \(TraceFormat.role(raft.role)) term=\(raft.term) leader=\(raft.leader) commit=\(raft.commitIndex) applied=\(node.appliedIndex)"
                    + (isolated.contains(id) ? " (isolated)" : ""))
        }
    }
}
