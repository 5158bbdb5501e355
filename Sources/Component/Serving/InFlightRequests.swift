import Synchronization

/// Counts requests being handled and lets a graceful shutdown wait until none are, without
/// polling: the `leave` that reaches zero wakes the waiters.
public final class InFlightRequests: Sendable {
    private struct State {
        var count = 0
        var nextID = 0
        var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var count: Int { state.withLock { $0.count } }

    public func enter() { state.withLock { $0.count += 1 } }

    public func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.idleWaiters.removeAll() }
            return Array(state.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until no request is in flight or `timeout` passes on `clock`; returns whether
    /// none is.
    public func waitUntilIdle(timeout: Duration, clock: any ComponentClock) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let idle = self.state.withLock { state -> Bool in
                        if state.count == 0 { return true }
                        state.idleWaiters[id] = continuation
                        return false
                    }
                    if idle { continuation.resume() }
                }
            }
            group.addTask {
                // Cancelled when the requests finished first: nothing left to time.
                do { try await clock.sleep(for: timeout) } catch { return }
            }
            await group.next()
            group.cancelAll()
            // On a timeout this caller's waiter is still registered: wake it so the group ends.
            let waiter = self.state.withLock { $0.idleWaiters.removeValue(forKey: id) }
            waiter?.resume()
        }
        return count == 0
    }
}
