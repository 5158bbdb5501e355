@testable import RaftCore

/// One member of an `InteractionEnvironment`: its Raft state machine, its "disk" and a toy
/// application state (the payloads of the applied entries, in order).
final class InteractionNode {
    let id: Raft.NodeID
    let storage: MemoryStorage
    var raft: RaftNode<MemoryStorage>
    /// Payloads of the applied normal entries, oldest first.
    var state: [String] = []
    var appliedIndex: Raft.Index = 0
    /// Read states handed out by Raft, in order.
    var readStates: [Raft.ReadState] = []

    init(config: Raft.Config, storage: MemoryStorage) {
        id = config.id
        self.storage = storage
        raft = RaftNode(config: config, storage: storage)
        if let snapshot = try? storage.snapshot(), !snapshot.isEmpty { restore(snapshot) }
    }

    /// The application state as snapshot data.
    var snapshotData: [UInt8] { Array(state.joined(separator: ",").utf8) }

    func restore(_ snapshot: Raft.Snapshot) {
        state = String(decoding: snapshot.data, as: UTF8.self).split(separator: ",").map(String.init)
        appliedIndex = snapshot.metadata.index
    }

    /// Role, term and leader: what a state change is made of.
    struct Summary: Equatable {
        var role: Raft.Role
        var term: Raft.Term
        var leader: Raft.NodeID
    }

    var summary: Summary { Summary(role: raft.role, term: raft.term, leader: raft.leader) }
}
