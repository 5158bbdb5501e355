import Component
import Synchronization

/// An overall token bucket, shared by all keys (client-go's `BucketRateLimiter` over
/// `rate.Limiter`): it holds up to `burst` tokens, starts full and refills at `qps` tokens per
/// second on the injected clock. Each `when` takes a token, reserving a future one when the
/// bucket is empty, so the first `burst` calls wait 0 and later ones are spaced `1/qps` apart.
/// It counts no failures: `numRequeues` is 0 and `forget` does nothing.
public final class BucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let qps: Double
    public let burst: Int
    private let clock: any ComponentClock

    private struct Bucket {
        /// Negative when future tokens are reserved.
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    private let bucket: Mutex<Bucket>

    public init(qps: Double = 10, burst: Int = 100, clock: any ComponentClock = SystemClock()) {
        precondition(qps > 0 && burst > 0, "qps and burst must be positive")
        self.qps = qps
        self.burst = burst
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(burst), last: clock.now))
    }

    public func when(_ key: Key) -> Duration {
        let now = clock.now
        let wait = bucket.withLock { bucket -> Double in
            if now > bucket.last {
                let refill = durationSeconds(now - bucket.last) * qps
                bucket.tokens = min(Double(burst), bucket.tokens + refill)
                bucket.last = now
            }
            bucket.tokens -= 1
            return bucket.tokens < 0 ? -bucket.tokens / qps : 0
        }
        guard wait > 0 else { return .zero }
        let nanoseconds = (wait * 1e9).rounded()
        guard nanoseconds < Double(Int64.max) else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanoseconds))
    }

    public func forget(_ key: Key) {}

    public func numRequeues(_ key: Key) -> Int { 0 }
}

private func durationSeconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) * 1e-18
}
