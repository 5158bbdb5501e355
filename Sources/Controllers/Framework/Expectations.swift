import Component
import Synchronization

/// What a controller is still waiting to see in its informer after its own creates and
/// deletes (client-go's `UIDTrackingControllerExpectations`): while a controller's
/// expectations are pending it must not act on the pods it counts, or a lagging informer
/// would make it create or delete twice.
///
/// Contract: `satisfied(key)` is true when nothing is recorded for `key`, when every
/// expected creation and deletion was observed (or lowered after a failed write), or when the
/// record is older than `ttl` (5 minutes, as upstream: a lost watch event must not wedge the
/// controller forever).
public final class ControllerExpectations: Sendable {
    struct Record {
        var adds: Int
        var deletes: Set<String>
        var since: ContinuousClock.Instant
    }

    public static let ttl: Duration = .seconds(300)
    private let clock: any ComponentClock
    private let records = Mutex<[String: Record]>([:])

    public init(clock: any ComponentClock) { self.clock = clock }

    public func satisfied(_ key: String) -> Bool {
        records.withLock { records in
            guard let record = records[key] else { return true }
            if record.adds <= 0 && record.deletes.isEmpty { return true }
            return clock.now - record.since > Self.ttl
        }
    }

    /// Records that `count` creations were just issued for `key` (replacing any record).
    public func expectCreations(_ key: String, _ count: Int) {
        records.withLock { $0[key] = Record(adds: count, deletes: [], since: clock.now) }
    }

    /// Records creations and deletions issued together by one sync (upstream's
    /// `SetExpectations`), replacing any record.
    public func expect(_ key: String, creations: Int, deletions: Set<String>) {
        records.withLock { $0[key] = Record(adds: creations, deletes: deletions, since: clock.now) }
    }

    /// Records that the objects `deleted` (cache keys) were just asked to go.
    public func expectDeletions(_ key: String, _ deleted: Set<String>) {
        records.withLock { $0[key] = Record(adds: 0, deletes: deleted, since: clock.now) }
    }

    /// One expected creation was seen in the informer, or will never be (a failed create).
    public func creationObserved(_ key: String) {
        records.withLock { records in records[key]?.adds -= 1 }
    }

    /// The object `deleted` was seen gone, or will not be (a failed delete).
    public func deletionObserved(_ key: String, _ deleted: String) {
        records.withLock { records in _ = records[key]?.deletes.remove(deleted) }
    }

    /// Forgets `key` (its owner is gone).
    public func delete(_ key: String) {
        records.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Outstanding creations and deletions of `key` (for logs and tests).
    public func pending(_ key: String) -> (adds: Int, deletes: Int)? {
        records.withLock { records in records[key].map { ($0.adds, $0.deletes.count) } }
    }
}
