import APIMachinery
import Component

/// Kubernetes' time types from a clock's wall time.
extension WallTime: CustomStringConvertible {
    /// Truncated to microseconds, as Kubernetes stores `MicroTime`.
    public var microTime: MicroTime {
        MicroTime(microsecondsSinceEpoch: Self.floorDivide(nanosecondsSinceEpoch, 1_000))
    }

    /// Truncated to seconds, as Kubernetes stores `Time`.
    public var time: Time { Time(secondsSinceEpoch: Self.floorDivide(nanosecondsSinceEpoch, 1_000_000_000)) }

    /// RFC 3339 with microseconds.
    public var description: String { microTime.description }
}
