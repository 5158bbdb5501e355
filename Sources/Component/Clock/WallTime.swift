/// An instant on the wall clock: nanoseconds since 1970-01-01T00:00:00Z.
///
/// Wall time is what Kubernetes writes into objects (a Lease's `renewTime`, an Event's
/// `lastTimestamp`, `creationTimestamp`); it may jump. Durations that must not jump (lease
/// expiry, delays, deadlines) are measured on `ComponentClock.now` instead.
public struct WallTime: Sendable, Hashable, Comparable {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    /// Seconds since the epoch, as a `Double` (for Foundation's `Date`).
    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }

    public func advanced(by duration: Swift.Duration) -> WallTime {
        WallTime(nanosecondsSinceEpoch: nanosecondsSinceEpoch &+ duration.wallNanoseconds)
    }

    public static func - (lhs: WallTime, rhs: WallTime) -> Swift.Duration {
        Swift.Duration.nanoseconds(lhs.nanosecondsSinceEpoch &- rhs.nanosecondsSinceEpoch)
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// `value / divisor` rounded towards negative infinity.
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - (divisor - 1)) / divisor
    }
}

extension Swift.Duration {
    /// Whole nanoseconds, saturating at the bounds of `Int64`.
    var wallNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
