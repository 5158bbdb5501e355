/// The durable log as Raft reads it. The driver writes to it (after persisting a `Ready`);
/// the core only reads. Entries form a contiguous range `firstIndex...lastIndex`; everything
/// before `firstIndex` is covered by `snapshot()`.
public protocol RaftStorage: AnyObject {
    /// Hard state and configuration to start from (after a restart: what was persisted).
    func initialState() -> (Raft.HardState, Raft.Configuration)
    /// Entries `[low, high)`, at least one if any exist, at most about `maxBytes`.
    func entries(from low: Raft.Index, to high: Raft.Index, maxBytes: Int) throws(Raft.StorageError) -> [Raft.Entry]
    /// Term of entry `index`; `firstIndex - 1` answers the snapshot's term.
    func term(at index: Raft.Index) throws(Raft.StorageError) -> Raft.Term
    var firstIndex: Raft.Index { get }
    var lastIndex: Raft.Index { get }
    /// The most recent snapshot.
    func snapshot() throws(Raft.StorageError) -> Raft.Snapshot
}

/// An in-memory `RaftStorage`: the simulator's "disk" and the base of real drivers' caches.
/// Not thread-safe.
public final class MemoryStorage: RaftStorage {
    public private(set) var hardState = Raft.HardState()
    public private(set) var snapshotValue = Raft.Snapshot()
    /// `log[0]` is a sentinel holding the snapshot's index and term.
    private var log: [Raft.Entry] = [Raft.Entry(term: 0, index: 0)]

    public init() {}

    /// A storage bootstrapped with a configuration, as a new cluster's members start.
    public convenience init(voters: Set<Raft.NodeID>) {
        self.init()
        snapshotValue.metadata.configuration = .init(voters: voters)
    }

    public func initialState() -> (Raft.HardState, Raft.Configuration) {
        (hardState, snapshotValue.metadata.configuration)
    }

    public func setHardState(_ state: Raft.HardState) { hardState = state }

    public var firstIndex: Raft.Index { log[0].index + 1 }
    public var lastIndex: Raft.Index { log[0].index + UInt64(log.count - 1) }

    public func term(at index: Raft.Index) throws(Raft.StorageError) -> Raft.Term {
        let offset = log[0].index
        guard index >= offset else { throw .compacted }
        guard index - offset < UInt64(log.count) else { throw .unavailable }
        return log[Int(index - offset)].term
    }

    public func entries(from low: Raft.Index, to high: Raft.Index, maxBytes: Int) throws(Raft.StorageError) -> [Raft.Entry] {
        let offset = log[0].index
        guard low > offset else { throw .compacted }
        guard high <= lastIndex + 1 else { throw .unavailable }
        var out: [Raft.Entry] = []
        var size = 0
        for i in Int(low - offset)..<Int(high - offset) {
            size += log[i].size
            if !out.isEmpty && size > maxBytes { break }
            out.append(log[i])
        }
        return out
    }

    public func snapshot() throws(Raft.StorageError) -> Raft.Snapshot { snapshotValue }

    /// Appends entries, replacing any existing suffix they conflict with.
    public func append(_ entries: [Raft.Entry]) {
        guard let first = entries.first else { return }
        let offset = log[0].index
        // Entries already covered by the snapshot are skipped.
        let usable = first.index <= offset ? Array(entries.drop { $0.index <= offset }) : entries
        guard let start = usable.first?.index else { return }
        precondition(start <= lastIndex + 1, "log gap: appending \(start) after \(lastIndex)")
        log.removeSubrange(Int(start - offset)...)
        log.append(contentsOf: usable)
    }

    /// Replaces the whole log with a snapshot (a follower catching up).
    public func applySnapshot(_ snapshot: Raft.Snapshot) {
        snapshotValue = snapshot
        log = [Raft.Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the applied state at `index` (≤ last index); the log is kept.
    public func createSnapshot(at index: Raft.Index, configuration: Raft.Configuration, data: [UInt8]) {
        guard index > snapshotValue.metadata.index, index <= lastIndex, let term = try? term(at: index) else { return }
        snapshotValue = Raft.Snapshot(metadata: .init(index: index, term: term, configuration: configuration), data: data)
    }

    /// Drops entries up to and including `index` (which a snapshot must already cover).
    public func compact(through index: Raft.Index) {
        let offset = log[0].index
        guard index > offset, index <= lastIndex else { return }
        let keepFrom = Int(index - offset)
        log.removeSubrange(0..<keepFrom)
        log[0] = Raft.Entry(term: log[0].term, index: log[0].index)
    }

    /// Drops the last `count` entries: a torn write lost on a crash (simulation only).
    public func truncateSuffix(count: Int) {
        let n = min(count, log.count - 1)
        log.removeLast(n)
    }
}
