/// Combines rate limiters: a key waits for the longest of their delays, its requeue count is
/// the largest of theirs, and `forget` reaches all of them.
import Component

public struct MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let limiters: [any RateLimiter<Key>]

    public init(_ limiters: [any RateLimiter<Key>]) {
        self.limiters = limiters
    }

    public init(_ limiters: any RateLimiter<Key>...) {
        self.limiters = limiters
    }

    /// client-go's default controller rate limiter: per-key exponential backoff from 5 ms to
    /// 1000 s, and an overall token bucket of 10 qps with a burst of 100 on `clock`.
    public static func defaultController(
        clock: any ComponentClock = SystemClock()
    ) -> MaxOfRateLimiter<Key> {
        MaxOfRateLimiter(
            ItemExponentialFailureRateLimiter<Key>(
                baseDelay: .milliseconds(5), maxDelay: .seconds(1000)),
            BucketRateLimiter<Key>(qps: 10, burst: 100, clock: clock)
        )
    }

    public func when(_ key: Key) -> Duration {
        limiters.map { $0.when(key) }.max() ?? .zero
    }

    public func forget(_ key: Key) {
        for limiter in limiters { limiter.forget(key) }
    }

    public func numRequeues(_ key: Key) -> Int {
        limiters.map { $0.numRequeues(key) }.max() ?? 0
    }
}
