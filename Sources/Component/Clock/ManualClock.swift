import Component
import Synchronization

/// A `ComponentClock` for tests: time stands still until `advance(by:)` or `advance(to:)` moves
/// it; wall time moves with it, from `wall`.
///
/// Contract: `advance` sets `now` first, then removes every sleeper whose deadline has been
/// reached and resumes them in deadline order (ties in the order they began sleeping) before
/// it returns; sleepers with later deadlines stay asleep. Nothing ever waits on real time.
/// `waitForSleepers(_:)` lets a test wait until the code under test has started sleeping
/// (client-go's fake clock `HasWaiters`), so it knows an advance will be observed.
public final class ManualClock: ComponentClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: ContinuousClock.Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var watchers: [UInt64: Watcher] = [:]

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Watchers satisfied by the current number of sleepers, removed from the state.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            let ready = watchers.filter { $0.value.count <= sleepers.count }
            for id in ready.keys { watchers[id] = nil }
            return ready.sorted { $0.key < $1.key }.map(\.value.continuation)
        }
    }

    private let state: Mutex<State>
    private let origin: ContinuousClock.Instant
    private let wallOrigin: WallTime

    /// A clock standing at `now` (by default the real current instant) and at wall time `wall`
    /// (by default 2026-01-01T00:00:00Z).
    public init(now: ContinuousClock.Instant = .now, wall: WallTime = WallTime(nanosecondsSinceEpoch: 1_767_225_600_000_000_000)) {
        state = Mutex(State(now: now))
        origin = now
        wallOrigin = wall
    }

    public var now: ContinuousClock.Instant { state.withLock { $0.now } }

    public var wallNow: WallTime { wallOrigin.advanced(by: now - origin) }

    /// How many tasks are suspended in `sleep(until:)`.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline any sleeper waits for, if any.
    public var nextDeadline: ContinuousClock.Instant? {
        state.withLock { $0.sleepers.values.map(\.deadline).min() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enum Outcome { case ready, cancelled, asleep([CheckedContinuation<Void, Never>]) }
                let outcome = state.withLock { s -> Outcome in
                    if deadline <= s.now { return .ready }
                    if Task.isCancelled { return .cancelled }
                    s.sleepers[id] = Sleeper(id: id, deadline: deadline, continuation: continuation)
                    return .asleep(s.satisfiedWatchers())
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .asleep(let watchers): for watcher in watchers { watcher.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes the sleepers that are due.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock cannot go backwards")
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now.advanced(by: duration)
            return Self.removeDue(&s)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time forward to `instant` (no-op if it is not later than `now`) and wakes the
    /// sleepers that are due.
    public func advance(to instant: ContinuousClock.Instant) {
        let due = state.withLock { s -> [Sleeper] in
            if instant > s.now { s.now = instant }
            return Self.removeDue(&s)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until at least `count` tasks are asleep on this clock (returns at once if they
    /// already are, or if the calling task is cancelled).
    public func waitForSleepers(_ count: Int = 1) async {
        let id = state.withLock { $0.makeID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { s -> Bool in
                    if s.sleepers.count >= count || Task.isCancelled { return false }
                    s.watchers[id] = Watcher(count: count, continuation: continuation)
                    return true
                }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { $0.watchers.removeValue(forKey: id) }
            watcher?.continuation.resume()
        }
    }

    private static func removeDue(_ s: inout State) -> [Sleeper] {
        let due = s.sleepers.values
            .filter { $0.deadline <= s.now }
            .sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        for sleeper in due { s.sleepers[sleeper.id] = nil }
        return due
    }
}
