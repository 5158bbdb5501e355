#if canImport(Glibc)
import Component
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one time source of every Skiff process: workqueue delays, rate limiters, reflectors,
/// leader election, event stamps, the scheduler's queue, the apiserver's timestamps and the
/// kvstore's request deadlines read time only through it, so tests step time with `ManualClock`
/// instead of sleeping.
///
/// Contract: `now` (monotonic) never goes backwards; `wallNow` is the wall time Kubernetes
/// writes into objects and may jump on a real clock (it moves exactly with `now` on a manual
/// one); `sleep(until:)` returns once `now >= deadline` (at once if it already is) and throws
/// `CancellationError` if the calling task is cancelled first.
public protocol ComponentClock: Sendable {
    /// The current monotonic instant: measure durations and deadlines with it.
    var now: ContinuousClock.Instant { get }
    /// The current wall time: stamp objects with it.
    var wallNow: WallTime { get }
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension ComponentClock {
    /// Suspends for `duration` on this clock.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.advanced(by: duration))
    }
}

/// The real clock: `ContinuousClock` (monotonic, keeps counting while the machine sleeps) and
/// `CLOCK_REALTIME`.
public struct SystemClock: ComponentClock {
    public init() {}

    public var now: ContinuousClock.Instant { ContinuousClock.now }

    public var wallNow: WallTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallTime(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline, tolerance: nil)
    }
}
