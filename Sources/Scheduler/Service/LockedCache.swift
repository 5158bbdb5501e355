import Synchronization

/// The scheduler's `SchedulerCache` behind a lock, shared by the informer handlers and the
/// scheduling loop. Every access is one short critical section.
final class LockedCache: Sendable {
    private let mutex = Mutex(SchedulerCache())

    func withLock<R: Sendable, E: Error>(_ body: (SchedulerCache) throws(E) -> R) throws(E) -> R {
        try mutex.withLock { (cache: inout sending SchedulerCache) throws(E) -> R in try body(cache) }
    }
}
