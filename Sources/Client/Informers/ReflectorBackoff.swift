/// The reflector's retry delays: exponential in the number of consecutive failures, without
/// jitter, capped. The defaults are client-go's (800 ms, doubling, at most 30 s).
///
/// The n-th consecutive failure waits `min(initial * factor^(n-1), maximum)`. What counts as a
/// failure and what resets the count is described on `Reflector`.
public struct ReflectorBackoff: Sendable, Hashable {
    /// Delay after the first failure.
    public var initial: Duration
    /// Upper bound of any delay.
    public var maximum: Duration
    /// Growth per further consecutive failure (>= 1).
    public var factor: Double

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2) {
        precondition(initial >= .zero && maximum >= initial && factor >= 1, "invalid ReflectorBackoff")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
    }

    /// The delay before retrying after `failures` consecutive failures (zero when `failures` <= 0).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let initialNanoseconds = Self.nanoseconds(initial)
        let maximumNanoseconds = Self.nanoseconds(maximum)
        var delay = initialNanoseconds
        var step = 1
        while step < failures && delay < maximumNanoseconds {
            delay *= factor
            step += 1
        }
        return .nanoseconds(Int64(min(delay, maximumNanoseconds).rounded()))
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds / 1_000_000_000)
    }
}
