import Foundation

/// One stored key: its value bytes and the store revision that last modified it.
public struct StoredValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    public var modRevision: Int64

    public init(key: String, value: [UInt8], modRevision: Int64) {
        self.key = key
        self.value = value
        self.modRevision = modRevision
    }
}

/// A change seen by a store watch, in revision order.
public enum StoreEvent: Sendable, Hashable {
    /// Created or modified; `previous` is the value before (nil on create).
    case put(StoredValue, previous: StoredValue?)
    /// Deleted at `revision`; `previous` is the last value.
    case delete(key: String, revision: Int64, previous: StoredValue?)
    /// Nothing changed in range up to `revision` (a progress notification).
    case progress(revision: Int64)

    public var revision: Int64 {
        switch self {
        case .put(let value, _): value.modRevision
        case .delete(_, let revision, _): revision
        case .progress(let revision): revision
        }
    }
}

/// Why a store operation failed.
public enum StoreError: Error, Sendable, Hashable {
    /// Create of an existing key.
    case keyExists(String)
    /// The key does not exist.
    case keyNotFound(String)
    /// The key's modRevision is not the expected one; carries the current value (nil when deleted).
    case conflict(current: StoredValue?)
    /// The requested revision has been compacted away.
    case compacted(requested: Int64, compactRevision: Int64)
    /// The requested revision is newer than the store's.
    case futureRevision(Int64)
    /// The store could not be reached or answered an internal error.
    case unavailable(String)
}

/// What the apiserver needs from etcd (or the kvstore): compare-and-swap writes keyed by
/// modRevision, prefix lists at a revision, and a watch of a prefix from a revision.
public protocol KeyValueStore: Sendable {
    /// The value of `key` (nil when absent) and the store's current revision.
    func get(_ key: String) async throws -> (StoredValue?, revision: Int64)
    /// Keys under `prefix` from `start` (inclusive; nil = the prefix itself) in key order at
    /// `revision` (0 = latest), at most `limit` (0 = all); returns the revision the read was
    /// served at and whether more keys remain.
    func list(prefix: String, from start: String?, revision: Int64, limit: Int) async throws -> (
        values: [StoredValue], revision: Int64, more: Bool
    )
    /// The store's current revision (a linearizable read).
    func currentRevision() async throws -> Int64
    /// Creates `key`; throws `keyExists` when present. Returns the new modRevision.
    func create(_ key: String, value: [UInt8]) async throws -> Int64
    /// Replaces `key` if its modRevision is still `expected`; throws `conflict` otherwise.
    func update(_ key: String, value: [UInt8], expected: Int64) async throws -> Int64
    /// Deletes `key` if its modRevision is still `expected`; throws `conflict` otherwise.
    /// Returns the deletion revision.
    func delete(_ key: String, expected: Int64) async throws -> Int64
    /// Events under `prefix` with revision ≥ `fromRevision`, with previous values, plus progress
    /// notifications; `requestProgress()` on the returned handle asks for one now.
    func watch(prefix: String, fromRevision: Int64) -> StoreWatch
    /// Compacts history before `revision`.
    func compact(revision: Int64) async throws
}

/// A running store watch: its events, and a way to ask the store for a progress notification.
public struct StoreWatch: Sendable {
    public var events: AsyncThrowingStream<[StoreEvent], any Error>
    public var requestProgress: @Sendable () -> Void
    public var cancel: @Sendable () -> Void

    public init(
        events: AsyncThrowingStream<[StoreEvent], any Error>,
        requestProgress: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void
    ) {
        self.events = events
        self.requestProgress = requestProgress
        self.cancel = cancel
    }
}

/// The smallest key greater than every key with this prefix (etcd's range_end for a prefix).
func prefixRangeEnd(_ prefix: [UInt8]) -> [UInt8] {
    var end = prefix
    while let last = end.last {
        if last < 0xff {
            end[end.count - 1] = last + 1
            return end
        }
        end.removeLast()
    }
    return [0]
}
