/// Decides how long a key waits before it is retried (client-go's `TypedRateLimiter`).
///
/// Contract: `when(_:)` records one more failure of `key` (for per-key limiters) and returns its
/// delay; `forget(_:)` stops tracking the key, whether it finally succeeded or was given up;
/// `numRequeues(_:)` is the number of failures recorded since the last `forget`.
/// Implementations are safe to call concurrently.
public protocol RateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable

    /// Records a failure of `key` and returns how long to wait before retrying it.
    func when(_ key: Key) -> Duration
    /// Stops tracking `key`.
    func forget(_ key: Key)
    /// The failures of `key` recorded since it was last forgotten.
    func numRequeues(_ key: Key) -> Int
}
