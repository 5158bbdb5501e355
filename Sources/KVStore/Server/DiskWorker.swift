import Dispatch
import RaftCore

/// The member's disk: WAL appends, fsyncs and snapshot files, done on a thread of their own
/// so the member keeps taking proposals and peer messages while an fsync is under way.
/// The Ready loop calls it one request at a time, so the WAL sees a single writer.
final class DiskWorker: @unchecked Sendable {
    private let wal: WriteAheadLog
    private let snapshots: SnapshotStore
    private let queue = DispatchQueue(label: "kvstore.disk")
    /// Snapshot files are written beside the WAL, so a large one does not hold up appends.
    private let snapshotQueue = DispatchQueue(label: "kvstore.snapshot")

    init(wal: WriteAheadLog, snapshots: SnapshotStore) {
        self.wal = wal
        self.snapshots = snapshots
    }

    /// Durably records a received snapshot (file, then WAL marker), entries and hard state.
    func persist(entries: [Raft.Entry], hardState: Raft.HardState?, snapshot: Raft.Snapshot?) async throws {
        try await run(on: queue) { [wal, snapshots] in
            if let snapshot {
                try snapshots.save(snapshot)
                try wal.appendSnapshotMarker(index: snapshot.metadata.index, term: snapshot.metadata.term)
            }
            try wal.append(entries: entries, hardState: hardState)
            try wal.sync()
        }
    }

    /// Writes a snapshot file of the applied state, `encode` handing its data over piece by
    /// piece (on the snapshot queue, so WAL appends go on meanwhile).
    func writeSnapshot(
        _ metadata: Raft.SnapshotMetadata, encode: @escaping @Sendable (_ sink: ([UInt8]) throws -> Void) throws -> Void
    ) async throws {
        try await run(on: snapshotQueue) { [snapshots] in try snapshots.save(metadata, data: encode) }
    }

    /// Records a written snapshot in the WAL and releases the segments it covers.
    func recordSnapshot(_ metadata: Raft.SnapshotMetadata) async throws {
        try await run(on: queue) { [wal] in
            try wal.appendSnapshotMarker(index: metadata.index, term: metadata.term)
            try wal.sync()
            try wal.releaseSegments(through: metadata.index)
        }
    }

    private func run(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try work()
                    c.resume()
                } catch {
                    c.resume(throwing: error)
                }
            }
        }
    }
}

/// Used by one writer at a time (the Ready loop, through `DiskWorker`'s serial queue).
extension WriteAheadLog: @unchecked Sendable {}
