import Synchronization
@testable import Client

/// Records which keys are being processed and whether a key was ever processed twice at once.
final class WorkqueueInFlightTracker: Sendable {
    private struct State {
        var inFlight: Set<String> = []
        var overlaps: [String] = []
        var maxConcurrent = 0
        var processed: [String] = []
    }

    private let state = Mutex(State())

    func enter(_ key: String) {
        state.withLock { s in
            if !s.inFlight.insert(key).inserted { s.overlaps.append(key) }
            s.maxConcurrent = max(s.maxConcurrent, s.inFlight.count)
            s.processed.append(key)
        }
    }

    func exit(_ key: String) {
        _ = state.withLock { $0.inFlight.remove(key) }
    }

    var overlaps: [String] { state.withLock { $0.overlaps } }
    var maxConcurrent: Int { state.withLock { $0.maxConcurrent } }
    var processed: [String] { state.withLock { $0.processed } }
}

/// Suspends arriving tasks until `parties` of them have arrived, then releases all.
final class WorkqueueBarrier: Sendable {
    private struct State {
        var arrived = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let parties: Int
    private let state = Mutex(State())

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let release = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.arrived += 1
                s.waiting.append(continuation)
                guard s.arrived >= parties else { return [] }
                defer { s.waiting.removeAll() }
                return s.waiting
            }
            for waiter in release { waiter.resume() }
        }
    }
}

/// A counter shared between test tasks.
final class WorkqueueCounter: Sendable {
    private let value = Mutex(0)

    /// Increments and returns the new value.
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
    var current: Int { value.withLock { $0 } }
}

struct WorkqueueTestError: Error {}

extension WorkQueue {
    /// Yields until `condition` holds for the queue's internal counts (no sleeping).
    func yield(
        until condition: ((getters: Int, drainers: Int, delayed: Int, processing: Int)) -> Bool
    ) async {
        while !condition(debugCounts) { await Task.yield() }
    }
}
