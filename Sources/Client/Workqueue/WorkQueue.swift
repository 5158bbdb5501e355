import Component
import Synchronization

/// A work queue of keys for controllers, with client-go's contracts:
///
/// - **Fair**: keys are handed out in the order they were added (FIFO).
/// - **Stingy**: a key added again while it waits is queued once; a key is never handed to two
///   workers at once. A key added while it is being processed is queued again when `done(_:)`
///   is called for it, not before, so it is processed again afterwards.
/// - **Blocking get**: `get()` suspends until a key is available and returns `nil` once the
///   queue is shut down and empty. Every key from `get()` must be passed to `done(_:)`.
/// - **Shutdown**: after `shutDown()` adds are ignored, `get()` still returns the keys already
///   queued and then `nil`; `shutDownWithDrain()` also waits until every key handed out has
///   been marked done.
/// - **Delays** (`add(_:after:)`): a key is added once its delay has elapsed on the injected
///   `ComponentClock`; delays for a key that is already waiting keep the earliest ready time.
/// - **Rate limiting** (`addRateLimited(_:)`, `forget(_:)`, `numRequeues(_:)`): the delay
///   comes from a `RateLimiter`, by default `MaxOfRateLimiter.defaultController`.
///
/// All methods are safe to call from any task; none blocks a thread for longer than a short
/// critical section. The logic lives in the pure `WorkQueueState`; this class is its shell.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Timer {
        let deadline: ContinuousClock.Instant
        let generation: UInt64
        let task: Task<Void, Never>
    }

    private struct Locked {
        var core = WorkQueueState<Key>()
        var nextID: UInt64 = 0
        /// The task that sleeps until the earliest delayed key is due.
        var timer: Timer?
    }

    private let state = Mutex(Locked())
    /// The clock that times delays.
    public let clock: any ComponentClock
    /// The rate limiter behind `addRateLimited(_:)`.
    public let rateLimiter: any RateLimiter<Key>

    /// A queue timed by `clock` whose rate-limited adds use `rateLimiter` (by default
    /// `MaxOfRateLimiter.defaultController(clock:)`: per-key exponential backoff from 5 ms to
    /// 1000 s, under an overall 10 qps token bucket with a burst of 100).
    public init(
        clock: any ComponentClock = SystemClock(),
        rateLimiter: (any RateLimiter<Key>)? = nil
    ) {
        self.clock = clock
        self.rateLimiter = rateLimiter ?? MaxOfRateLimiter<Key>.defaultController(clock: clock)
    }

    deinit {
        state.withLock { $0.timer?.task.cancel() }
    }

    // MARK: Queue

    /// Marks `key` as needing processing (see the type's contract). Ignored after shutdown.
    public func add(_ key: Key) {
        let now = clock.now
        let wakeups = state.withLock { s -> WorkQueueWakeups<Key> in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.promoteDelayed(now: now, &wakeups)
            s.core.add(key, &wakeups)
            return wakeups
        }
        wakeups.resume()
    }

    /// The number of keys waiting to be handed out (not counting keys being processed or keys
    /// whose delay has not elapsed).
    public var len: Int {
        let now = clock.now
        let (count, wakeups) = state.withLock { s -> (Int, WorkQueueWakeups<Key>) in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.promoteDelayed(now: now, &wakeups)
            return (s.core.readyCount, wakeups)
        }
        wakeups.resume()
        return count
    }

    /// Whether `shutDown()` or `shutDownWithDrain()` has been called.
    public var isShuttingDown: Bool { state.withLock { $0.core.isShuttingDown } }

    /// The oldest queued key, now marked as being processed; suspends while none is queued.
    /// Returns `nil` once the queue is shut down and nothing is queued, or when the calling
    /// task is cancelled. The caller must call `done(_:)` with the key when it is finished.
    public func get() async -> Key? {
        if Task.isCancelled { return nil }
        let now = clock.now
        typealias FastPath = (WorkQueueState<Key>.GetResult, UInt64, WorkQueueWakeups<Key>)
        let (result, id, wakeups) = state.withLock { s -> FastPath in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.promoteDelayed(now: now, &wakeups)
            s.nextID += 1
            return (s.core.get(), s.nextID, wakeups)
        }
        wakeups.resume()
        switch result {
        case .key(let key): return key
        case .shutDown: return nil
        case .empty: break
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let wakeups = state.withLock { s -> WorkQueueWakeups<Key> in
                    var wakeups = WorkQueueWakeups<Key>()
                    if Task.isCancelled {
                        wakeups.getters.append((continuation, nil))
                    } else {
                        s.core.get(id: id, continuation: continuation, &wakeups)
                    }
                    return wakeups
                }
                wakeups.resume()
            }
        } onCancel: {
            let wakeups = state.withLock { s -> WorkQueueWakeups<Key> in
                var wakeups = WorkQueueWakeups<Key>()
                s.core.cancelGetter(id: id, &wakeups)
                return wakeups
            }
            wakeups.resume()
        }
    }

    /// Marks `key` (returned by `get()`) as processed. If it was added while being processed it
    /// is queued again now. Ignored for keys that are not being processed.
    public func done(_ key: Key) {
        let wakeups = state.withLock { s -> WorkQueueWakeups<Key> in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.done(key, &wakeups)
            return wakeups
        }
        wakeups.resume()
    }

    /// Stops the queue: later adds are ignored, keys waiting for a delay are dropped, `get()`
    /// returns the keys already queued and then `nil`, and a pending `shutDownWithDrain()`
    /// stops waiting. Idempotent.
    public func shutDown() {
        let (wakeups, timer) = state.withLock { s -> (WorkQueueWakeups<Key>, Task<Void, Never>?) in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.shutDown(&wakeups)
            defer { s.timer = nil }
            return (wakeups, s.timer?.task)
        }
        timer?.cancel()
        wakeups.resume()
    }

    /// Shuts the queue down like `shutDown()`, then waits until every key handed out by `get()`
    /// has been passed to `done(_:)` (keys still queued are not waited for). Workers must call
    /// `done`, or this waits forever unless `shutDown()` is called.
    public func shutDownWithDrain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (wakeups, timer) = state.withLock { s -> (WorkQueueWakeups<Key>, Task<Void, Never>?) in
                var wakeups = WorkQueueWakeups<Key>()
                s.core.shutDownWithDrain(continuation: continuation, &wakeups)
                defer { s.timer = nil }
                return (wakeups, s.timer?.task)
            }
            timer?.cancel()
            wakeups.resume()
        }
    }

    // MARK: Delays

    /// Adds `key` once `delay` has elapsed on the queue's clock (at once if `delay <= 0`).
    /// If the key already waits for a delay, the earlier ready time is kept. Ignored after
    /// shutdown.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else {
            add(key)
            return
        }
        let now = clock.now
        let (wakeups, cancelled) = state.withLock { s -> (WorkQueueWakeups<Key>, Task<Void, Never>?) in
            var wakeups = WorkQueueWakeups<Key>()
            s.core.promoteDelayed(now: now, &wakeups)
            s.core.add(key, readyAt: now.advanced(by: delay))
            return (wakeups, rearmTimer(&s))
        }
        cancelled?.cancel()
        wakeups.resume()
    }

    /// Makes sure a timer task sleeps until the earliest delayed key is due; returns a timer
    /// task that is no longer needed, for the caller to cancel outside the lock.
    private func rearmTimer(_ s: inout Locked) -> Task<Void, Never>? {
        guard !s.core.isShuttingDown, let next = s.core.earliestDelayed else {
            defer { s.timer = nil }
            return s.timer?.task
        }
        if let timer = s.timer, timer.deadline <= next { return nil }
        let previous = s.timer?.task
        s.nextID += 1
        let generation = s.nextID
        let clock = self.clock
        let task = Task { [weak self] in
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            self?.timerFired(generation: generation)
        }
        s.timer = Timer(deadline: next, generation: generation, task: task)
        return previous
    }

    private func timerFired(generation: UInt64) {
        let now = clock.now
        let (wakeups, cancelled) = state.withLock { s -> (WorkQueueWakeups<Key>, Task<Void, Never>?) in
            var wakeups = WorkQueueWakeups<Key>()
            guard s.timer?.generation == generation else { return (wakeups, nil) }
            s.timer = nil
            s.core.promoteDelayed(now: now, &wakeups)
            return (wakeups, rearmTimer(&s))
        }
        cancelled?.cancel()
        wakeups.resume()
    }

    // MARK: Test hooks

    /// Counts for tests: parked `get()` callers, pending drains, keys waiting for a delay, and
    /// keys being processed.
    var debugCounts: (getters: Int, drainers: Int, delayed: Int, processing: Int) {
        state.withLock { s in
            (s.core.getterCount, s.core.drainerCount, s.core.delayedCount, s.core.processing.count)
        }
    }
}
