import APIServer
import Synchronization

/// A `KeyValueStore` in memory with etcd's semantics, for tests.
///
/// Contract:
/// - One revision counter for the whole store, starting at 1 (an empty etcd); every write
///   (create, update, delete) advances it by one and is recorded in the history.
/// - `update`/`delete` compare the key's modRevision with `expected` and throw
///   `StoreError.conflict(current:)` otherwise (current is nil for a missing key).
/// - `list` reads at the latest revision (0) or any revision since the last compaction,
///   in key byte order, from `start` inclusive, at most `limit` keys with `more` set when
///   others remain. Older revisions throw `compacted`, newer ones `futureRevision`.
/// - `watch` first delivers every recorded event at or after `fromRevision` (0: only new
///   ones), then each write as it happens, in revision order, one write per batch, with
///   previous values. From a compacted revision the stream ends with `compacted`.
///   `requestProgress()` yields `.progress(revision:)` at the current revision, after every
///   event already delivered. Compaction leaves running watches alone (they are in sync).
/// - Continuations are finished outside the lock (their termination handlers take it).
final class InMemoryStore: KeyValueStore {
    private typealias Continuation = AsyncThrowingStream<[StoreEvent], any Error>.Continuation

    private struct State {
        var revision: Int64 = 1
        var compactRevision: Int64 = 0
        var current: [String: StoredValue] = [:]
        /// Every put and delete, in revision order.
        var history: [StoreEvent] = []
        var watchers: [Int: (prefix: String, continuation: Continuation)] = [:]
        var nextWatcher = 0

        /// Records a write of `key` (nil value: a delete) at the next revision and hands it to
        /// the watchers of its key; returns that revision.
        mutating func commit(_ key: String, _ value: [UInt8]?) -> Int64 {
            revision += 1
            let previous = current[key]
            let event: StoreEvent
            if let value {
                let stored = StoredValue(key: key, value: value, modRevision: revision)
                current[key] = stored
                event = .put(stored, previous: previous)
            } else {
                current[key] = nil
                event = .delete(key: key, revision: revision, previous: previous)
            }
            history.append(event)
            for watcher in watchers.values where key.hasPrefix(watcher.prefix) {
                watcher.continuation.yield([event])
            }
            return revision
        }

        /// The keys and values as they were at `revision` (≤ the current revision).
        func snapshot(at revision: Int64) -> [String: StoredValue] {
            if revision == self.revision { return current }
            var values: [String: StoredValue] = [:]
            for event in history where event.revision <= revision {
                switch event {
                case .put(let value, _): values[value.key] = value
                case .delete(let key, _, _): values[key] = nil
                case .progress: break
                }
            }
            return values
        }
    }

    private let state = Mutex(State())

    init() {}

    // MARK: KeyValueStore

    func get(_ key: String) async throws -> (StoredValue?, revision: Int64) {
        state.withLock { state in (state.current[key], revision: state.revision) }
    }

    func list(prefix: String, from start: String?, revision: Int64, limit: Int) async throws -> (
        values: [StoredValue], revision: Int64, more: Bool
    ) {
        try state.withLock { state in
            if revision > state.revision { throw StoreError.futureRevision(revision) }
            if revision > 0 && revision < state.compactRevision {
                throw StoreError.compacted(requested: revision, compactRevision: state.compactRevision)
            }
            let at = revision == 0 ? state.revision : revision
            let first = Array((start ?? prefix).utf8)
            let matching = state.snapshot(at: at).values
                .filter { $0.key.hasPrefix(prefix) && !Array($0.key.utf8).lexicographicallyPrecedes(first) }
                .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            if limit > 0 && matching.count > limit {
                return (Array(matching.prefix(limit)), at, true)
            }
            return (matching, at, false)
        }
    }

    func currentRevision() async throws -> Int64 {
        state.withLock { $0.revision }
    }

    func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        try state.withLock { state in
            if state.current[key] != nil { throw StoreError.keyExists(key) }
            return state.commit(key, value)
        }
    }

    func update(_ key: String, value: [UInt8], expected: Int64) async throws -> Int64 {
        try state.withLock { state in
            guard let current = state.current[key], current.modRevision == expected else {
                throw StoreError.conflict(current: state.current[key])
            }
            return state.commit(key, value)
        }
    }

    func delete(_ key: String, expected: Int64) async throws -> Int64 {
        try state.withLock { state in
            guard let current = state.current[key], current.modRevision == expected else {
                throw StoreError.conflict(current: state.current[key])
            }
            return state.commit(key, nil)
        }
    }

    func watch(prefix: String, fromRevision: Int64) -> StoreWatch {
        let (events, continuation) = AsyncThrowingStream<[StoreEvent], any Error>.makeStream()
        let registered: Int? = state.withLock { state in
            if fromRevision > 0 && fromRevision < state.compactRevision { return nil }
            let start = fromRevision > 0 ? fromRevision : state.revision + 1
            for event in state.history where event.revision >= start {
                if case .put(let value, _) = event, !value.key.hasPrefix(prefix) { continue }
                if case .delete(let key, _, _) = event, !key.hasPrefix(prefix) { continue }
                continuation.yield([event])
            }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (prefix, continuation)
            return id
        }
        guard let id = registered else {
            let compactRevision = state.withLock { $0.compactRevision }
            continuation.finish(throwing: StoreError.compacted(requested: fromRevision, compactRevision: compactRevision))
            return StoreWatch(events: events, requestProgress: {}, cancel: {})
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return StoreWatch(
            events: events,
            requestProgress: { [weak self] in
                _ = self?.state.withLock { state in
                    state.watchers[id]?.continuation.yield([.progress(revision: state.revision)])
                }
            },
            cancel: { [weak self] in
                let removed = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
                removed?.continuation.finish()
            })
    }

    func compact(revision: Int64) async throws {
        try state.withLock { state in
            if revision > state.revision { throw StoreError.futureRevision(revision) }
            if revision <= state.compactRevision {
                throw StoreError.compacted(requested: revision, compactRevision: state.compactRevision)
            }
            state.compactRevision = revision
        }
    }

    // MARK: test controls

    /// Writes `json` at `key` whatever is there (create or unconditional update); returns the revision.
    @discardableResult
    func set(_ key: String, _ json: String) async throws -> Int64 {
        if let existing = try await get(key).0 {
            return try await update(key, value: Array(json.utf8), expected: existing.modRevision)
        }
        return try await create(key, value: Array(json.utf8))
    }

    /// Deletes `key` whatever its revision; returns the revision of the delete.
    @discardableResult
    func remove(_ key: String) async throws -> Int64 {
        guard let existing = try await get(key).0 else { throw StoreError.keyNotFound(key) }
        return try await delete(key, expected: existing.modRevision)
    }

    /// Ends every running watch with `error` (a dropped connection, or etcd cancelling a
    /// watch whose revision was compacted away).
    func failWatches(with error: any Error) {
        let ended = state.withLock { state in
            defer { state.watchers.removeAll() }
            return state.watchers.values.map(\.continuation)
        }
        for continuation in ended { continuation.finish(throwing: error) }
    }

    /// Number of watches running.
    var watchCount: Int { state.withLock { $0.watchers.count } }

    /// The value bytes at `key` as text, nil when absent.
    func text(at key: String) -> String? {
        state.withLock { $0.current[key].map { String(decoding: $0.value, as: UTF8.self) } }
    }
}
