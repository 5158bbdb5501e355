/// The log as the core sees it: persisted entries in `storage` plus entries not yet persisted
/// (`unstable`, handed to the driver through `Ready`), and the commit/apply cursors.
struct RaftLog<Storage: RaftStorage> {
    let storage: Storage
    /// Entries not yet persisted, starting at `unstableOffset`.
    private(set) var unstable: [Raft.Entry] = []
    private(set) var unstableOffset: Raft.Index
    /// A snapshot received from the leader, not yet persisted.
    private(set) var unstableSnapshot: Raft.Snapshot?
    private(set) var committed: Raft.Index
    /// Highest index handed to the application (in a `Ready`).
    private(set) var applying: Raft.Index
    /// Highest index the application has applied (acknowledged by `advance`).
    private(set) var applied: Raft.Index

    init(storage: Storage, committed: Raft.Index) {
        self.storage = storage
        unstableOffset = storage.lastIndex + 1
        let first = storage.firstIndex
        self.committed = max(committed, first - 1)
        applied = first - 1
        applying = first - 1
    }

    var firstIndex: Raft.Index {
        if let s = unstableSnapshot { return s.metadata.index + 1 }
        return storage.firstIndex
    }

    var lastIndex: Raft.Index {
        if let last = unstable.last { return last.index }
        if let s = unstableSnapshot { return s.metadata.index }
        return storage.lastIndex
    }

    var lastTerm: Raft.Term { (try? term(at: lastIndex)) ?? 0 }

    func term(at index: Raft.Index) throws(Raft.StorageError) -> Raft.Term {
        let dummy = firstIndex - 1
        guard index >= dummy else { throw .compacted }
        guard index <= lastIndex else { throw .unavailable }
        if index >= unstableOffset, !unstable.isEmpty {
            return unstable[Int(index - unstableOffset)].term
        }
        if let s = unstableSnapshot, index == s.metadata.index { return s.metadata.term }
        return try storage.term(at: index)
    }

    func matchTerm(_ index: Raft.Index, _ term: Raft.Term) -> Bool {
        (try? self.term(at: index)) == term
    }

    /// True if a log ending at (`index`, `term`) is at least as up to date as this one.
    func isUpToDate(index: Raft.Index, term: Raft.Term) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// Entries `[low, lastIndex]`, bounded by `maxBytes` (at least one).
    func entries(from low: Raft.Index, maxBytes: Int) throws(Raft.StorageError) -> [Raft.Entry] {
        guard low <= lastIndex else { return [] }
        return try slice(low, lastIndex + 1, maxBytes: maxBytes)
    }

    func slice(_ low: Raft.Index, _ high: Raft.Index, maxBytes: Int) throws(Raft.StorageError) -> [Raft.Entry] {
        guard low < high else { return [] }
        guard low >= firstIndex else { throw .compacted }
        guard high <= lastIndex + 1 else { throw .unavailable }
        var out: [Raft.Entry] = []
        if low < unstableOffset {
            out = try storage.entries(from: low, to: min(high, unstableOffset), maxBytes: maxBytes)
            // Storage stopped early on the size bound: return what fits.
            if Raft.Index(out.count) < min(high, unstableOffset) - low { return out }
        }
        if high > unstableOffset {
            var size = out.reduce(0) { $0 + $1.size }
            for i in Int(max(low, unstableOffset) - unstableOffset)..<Int(high - unstableOffset) {
                size += unstable[i].size
                if !out.isEmpty && size > maxBytes { break }
                out.append(unstable[i])
            }
        }
        return out
    }

    /// Follower side of an append: if the entry at `index` has `logTerm`, adds `entries`
    /// (dropping a conflicting suffix), advances commit, and returns the last new index.
    mutating func maybeAppend(index: Raft.Index, logTerm: Raft.Term, commit: Raft.Index, entries: [Raft.Entry]) -> Raft.Index? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + Raft.Index(entries.count)
        if let conflict = findConflict(entries) {
            precondition(conflict > committed, "entry \(conflict) conflicts with committed entry (commit \(committed))")
            append(Array(entries[Int(conflict - index - 1)...]))
        }
        self.commit(to: min(commit, lastNew))
        return lastNew
    }

    /// The first entry whose term differs from the log's (or is new), if any.
    private func findConflict(_ entries: [Raft.Entry]) -> Raft.Index? {
        for entry in entries where !matchTerm(entry.index, entry.term) { return entry.index }
        return nil
    }

    /// The largest index ≤ `index` whose term is ≤ `term`, with that term: where a leader
    /// and follower logs may agree (fast back-off).
    func findConflictByTerm(index: Raft.Index, term: Raft.Term) -> (Raft.Index, Raft.Term) {
        var i = index
        while true {
            guard let t = try? self.term(at: i) else { return (i, 0) }
            if t <= term { return (i, t) }
            if i == 0 { return (0, 0) }
            i -= 1
        }
    }

    /// Appends after truncating any suffix at or after the first new index.
    @discardableResult
    mutating func append(_ entries: [Raft.Entry]) -> Raft.Index {
        guard let first = entries.first else { return lastIndex }
        precondition(first.index > committed, "appending \(first.index) at or below commit \(committed)")
        let after = first.index
        if after == unstableOffset + Raft.Index(unstable.count) {
            unstable.append(contentsOf: entries)
        } else if after <= unstableOffset {
            // Replaces part of the persisted log: the driver will overwrite it.
            unstableOffset = after
            unstable = entries
        } else {
            unstable = Array(unstable[0..<Int(after - unstableOffset)]) + entries
        }
        return lastIndex
    }

    mutating func commit(to index: Raft.Index) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// Committed entries not yet handed out, bounded by `maxBytes`.
    func nextCommittedEntries(maxBytes: Int) -> [Raft.Entry] {
        let low = max(applying + 1, firstIndex)
        guard committed >= low else { return [] }
        return (try? slice(low, committed + 1, maxBytes: maxBytes)) ?? []
    }

    var hasNextCommittedEntries: Bool { committed > max(applying, firstIndex - 1) }

    mutating func acceptApplying(_ index: Raft.Index) { applying = max(applying, index) }

    mutating func appliedTo(_ index: Raft.Index) {
        guard index > applied else { return }
        applied = index
        applying = max(applying, index)
    }

    /// The driver persisted entries through (`index`, `term`).
    mutating func stableTo(index: Raft.Index, term: Raft.Term) {
        guard index >= unstableOffset, let t = try? self.term(at: index), t == term else { return }
        let n = Int(index - unstableOffset) + 1
        guard n <= unstable.count else { return }
        unstable.removeFirst(n)
        unstableOffset = index + 1
    }

    mutating func stableSnapshotTo(_ index: Raft.Index) {
        if let s = unstableSnapshot, s.metadata.index == index { unstableSnapshot = nil }
    }

    /// Replaces the log with a snapshot from the leader.
    mutating func restore(_ snapshot: Raft.Snapshot) {
        committed = snapshot.metadata.index
        unstableSnapshot = snapshot
        unstable = []
        unstableOffset = snapshot.metadata.index + 1
        applying = max(applying, snapshot.metadata.index)
    }

    func snapshot() throws(Raft.StorageError) -> Raft.Snapshot {
        if let s = unstableSnapshot { return s }
        return try storage.snapshot()
    }
}
