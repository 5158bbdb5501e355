import RaftCore

/// Raft's view of this member's log and snapshot: entries and hard state in memory, but the
/// snapshot's data left in its file and read back only when Raft asks for it (to send it to
/// a follower that is too far behind) — a snapshot is as large as the whole store, and
/// nothing else needs it in memory.
///
/// Contract: `createSnapshot` and `applySnapshot` must only be given snapshots whose file
/// `snapshots` holds or is about to hold; until the file exists `snapshot()` answers
/// `snapshotTemporarilyUnavailable` and the leader tries again later.
final class RaftLogStorage: RaftStorage {
    private let memory = MemoryStorage()
    private let snapshots: SnapshotStore

    init(snapshots: SnapshotStore) { self.snapshots = snapshots }

    func initialState() -> (Raft.HardState, Raft.Configuration) { memory.initialState() }
    func entries(from low: Raft.Index, to high: Raft.Index, maxBytes: Int) throws(Raft.StorageError) -> [Raft.Entry] {
        try memory.entries(from: low, to: high, maxBytes: maxBytes)
    }
    func term(at index: Raft.Index) throws(Raft.StorageError) -> Raft.Term { try memory.term(at: index) }
    var firstIndex: Raft.Index { memory.firstIndex }
    var lastIndex: Raft.Index { memory.lastIndex }

    func snapshot() throws(Raft.StorageError) -> Raft.Snapshot {
        let metadata = try memory.snapshot().metadata
        guard metadata.index > 0 else { return Raft.Snapshot() }
        guard let stored = snapshots.load(metadata) else { throw .snapshotTemporarilyUnavailable }
        return stored
    }

    func setHardState(_ state: Raft.HardState) { memory.setHardState(state) }
    func append(_ entries: [Raft.Entry]) { memory.append(entries) }
    func compact(through index: Raft.Index) { memory.compact(through: index) }

    /// Replaces the log with a snapshot (restart, or a follower catching up); its data stays on disk.
    func applySnapshot(_ snapshot: Raft.Snapshot) {
        memory.applySnapshot(Raft.Snapshot(metadata: snapshot.metadata, data: []))
    }

    /// Records that a snapshot of the applied state at `index` exists (or is being written).
    func createSnapshot(at index: Raft.Index, configuration: Raft.Configuration) {
        memory.createSnapshot(at: index, configuration: configuration, data: [])
    }
}
