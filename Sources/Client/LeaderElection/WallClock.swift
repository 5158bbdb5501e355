#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import APIMachinery

/// An instant on the wall clock: nanoseconds since 1970-01-01T00:00:00Z.
///
/// Wall time is what Kubernetes writes into objects (a Lease's `renewTime`, an Event's
/// `lastTimestamp`); it may jump. Durations that must not jump (lease expiry, delays) are
/// measured on a `ClientClock` instead.
public struct WallTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    /// Truncated to microseconds, as Kubernetes stores `MicroTime`.
    public var microTime: MicroTime {
        MicroTime(microsecondsSinceEpoch: Self.floorDivide(nanosecondsSinceEpoch, 1_000))
    }

    /// Truncated to seconds, as Kubernetes stores `Time`.
    public var time: Time { Time(secondsSinceEpoch: Self.floorDivide(nanosecondsSinceEpoch, 1_000_000_000)) }

    public func advanced(by duration: Swift.Duration) -> WallTime {
        WallTime(nanosecondsSinceEpoch: nanosecondsSinceEpoch &+ duration.wallNanoseconds)
    }

    public static func - (lhs: WallTime, rhs: WallTime) -> Swift.Duration {
        Swift.Duration.nanoseconds(lhs.nanosecondsSinceEpoch &- rhs.nanosecondsSinceEpoch)
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339 with microseconds.
    public var description: String { microTime.description }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - (divisor - 1)) / divisor
    }
}

/// The wall-clock source of the client library, injected like `ClientClock` so tests decide what
/// time objects are stamped with.
public struct WallClock: Sendable {
    private let read: @Sendable () -> WallTime

    /// A wall clock reading `read`.
    public init(_ read: @escaping @Sendable () -> WallTime) { self.read = read }

    /// The current wall time.
    public var now: WallTime { read() }

    /// The system's real-time clock (`CLOCK_REALTIME`).
    public static var system: WallClock {
        WallClock {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            return WallTime(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
        }
    }

    /// A wall clock that reads `start` now and then moves exactly as `clock` does (for tests
    /// with `ManualClock`: stepping the manual clock steps wall time too).
    public static func following(_ clock: any ClientClock, from start: WallTime) -> WallClock {
        let origin = clock.now
        return WallClock { start.advanced(by: clock.now - origin) }
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
