extension WorkQueue {
    /// Adds `key` after the delay its rate limiter assigns (recording one more failure).
    /// Ignored after shutdown, though the limiter still counts the failure.
    public func addRateLimited(_ key: Key) {
        add(key, after: rateLimiter.when(key))
    }

    /// Tells the rate limiter to stop tracking `key`: its backoff starts over. Call it when the
    /// key was processed successfully or is given up; it does not remove the key from the queue.
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
    }

    /// How many times `key` has been rate-limited since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int {
        rateLimiter.numRequeues(key)
    }
}
