import Synchronization

/// Per-key exponential backoff: the n-th failure of a key since it was last forgotten waits
/// `baseDelay * 2^(n-1)`, capped at `maxDelay` (defaults 5 ms and 1000 s, so 5 ms, 10 ms,
/// 20 ms, … up to 1000 s). Keys are independent; `forget` restarts a key at `baseDelay`.
/// Giving up after some number of failures is the caller's decision (`numRequeues`).
public final class ItemExponentialFailureRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let baseDelay: Duration
    public let maxDelay: Duration
    private let failures = Mutex<[Key: Int]>([:])

    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000)) {
        precondition(baseDelay >= .zero && maxDelay >= .zero, "delays must not be negative")
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public func when(_ key: Key) -> Duration {
        let exponent = failures.withLock { failures -> Int in
            let previous = failures[key, default: 0]
            failures[key] = previous + 1
            return previous
        }
        // Double exactly, stopping at the cap, so the result is exact and never overflows.
        var delay = baseDelay
        var doublings = 0
        while doublings < exponent && delay < maxDelay && delay > .zero {
            delay = delay * 2
            doublings += 1
        }
        return min(delay, maxDelay)
    }

    public func forget(_ key: Key) {
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }

    public func numRequeues(_ key: Key) -> Int {
        failures.withLock { $0[key, default: 0] }
    }
}
