import RaftCore

/// One simulated member: its durable "disk" (`storage`), its volatile Raft state (nil while
/// crashed) and a tiny state machine, a hash chain over applied entries.
final class SimNode {
    let id: Raft.NodeID
    let storage: MemoryStorage
    var raft: RaftNode<MemoryStorage>?
    var incarnation: UInt64 = 0
    var restartAt: UInt64?
    /// Crash in the middle of the next disk write (a torn write).
    var crashDuringNextWrite = false
    /// Offset of this node's ticks within each 10 ms period.
    let tickPhase: UInt64

    // State machine.
    var appliedIndex: Raft.Index = 0
    var digest: UInt64 = 0
    var pendingReads: [Raft.ReadState] = []
    /// Highest commit index seen in this incarnation (must never go down).
    var commitSeen: Raft.Index = 0
    var lastRole: Raft.Role = .follower

    init(id: Raft.NodeID, voters: Set<Raft.NodeID>, tickPhase: UInt64) {
        self.id = id
        storage = MemoryStorage(voters: voters)
        self.tickPhase = tickPhase
    }

    var isUp: Bool { raft != nil }

    /// Snapshot payload: applied index and digest, 16 bytes.
    func snapshotData() -> [UInt8] { SimNode.encode(appliedIndex) + SimNode.encode(digest) }

    static func decodeSnapshot(_ data: [UInt8]) -> (Raft.Index, UInt64)? {
        guard data.count == 16 else { return nil }
        return (decode(data[0..<8]), decode(data[8..<16]))
    }

    static func encode(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }
    static func decode(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }

    /// The next link of the hash chain.
    static func chain(_ digest: UInt64, _ entry: Raft.Entry) -> UInt64 {
        var h = digest ^ 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) {
            h ^= v
            h = h &* 0x100_0000_01b3
        }
        mix(entry.index)
        mix(entry.term)
        mix(UInt64(entry.kind.rawValue))
        for b in entry.data { mix(UInt64(b)) }
        return h
    }
}
