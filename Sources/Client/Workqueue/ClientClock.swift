/// The time source of the client library: the workqueue's delays, the token bucket and the
/// controllers read time only through it, so tests can step time with `ManualClock` instead of
/// sleeping.
///
/// Contract: `now` never goes backwards; `sleep(until:)` returns once `now >= deadline`
/// (at once if it already is) and throws `CancellationError` if the calling task is cancelled
/// first.
public protocol ClientClock: Sendable {
    /// The current instant.
    var now: ContinuousClock.Instant { get }
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The real clock: `ContinuousClock` (monotonic, keeps counting while the machine sleeps).
public struct ContinuousClientClock: ClientClock {
    public init() {}

    public var now: ContinuousClock.Instant { ContinuousClock.now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline, tolerance: nil)
    }
}

extension ClientClock where Self == ContinuousClientClock {
    /// The real, monotonic clock.
    public static var continuous: ContinuousClientClock { ContinuousClientClock() }
}
