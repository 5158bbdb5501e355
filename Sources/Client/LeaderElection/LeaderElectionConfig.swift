/// Timing and identity of one `LeaderElector` (client-go's `LeaderElectionConfig`).
///
/// - `leaseDuration`: how long a candidate waits, measured on its own clock from the moment it
///   last saw the record change, before it may take over a lease held by someone else.
///   Written to the record in whole seconds.
/// - `renewDeadline`: how long the leader keeps retrying a failing renewal before it gives up
///   leadership. Must be shorter than `leaseDuration`, so a leader stops acting before any
///   candidate can consider its lease expired.
/// - `retryPeriod`: the pause between attempts (acquire attempts are jittered up to
///   `jitterFactor` times longer). `renewDeadline` must exceed `jitterFactor * retryPeriod`.
/// - `releaseOnCancel`: when `run` is cancelled while leading, write a released record (empty
///   holder) after the leading work has stopped, so a candidate can take over at once instead of
///   waiting for the lease to expire.
public struct LeaderElectionConfig: Sendable, Hashable {
    /// client-go's `JitterFactor`: acquire retries wait `retryPeriod * (1 + 1.2 * random)`.
    public static let jitterFactor = 1.2

    /// This candidate's identity, written as the lease holder; must be unique among candidates.
    public var identity: String
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration
    public var releaseOnCancel: Bool
    /// The lock's name, for logs.
    public var name: String

    /// Kubernetes' component defaults: 15 s lease, 10 s renew deadline, 2 s retry period;
    /// released on clean shutdown.
    public init(
        identity: String,
        leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2),
        releaseOnCancel: Bool = true,
        name: String = ""
    ) {
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
        self.name = name
    }

    /// `leaseDuration` in whole seconds, as written to the record.
    public var leaseDurationSeconds: Int { Int(leaseDuration.components.seconds) }

    /// Checks client-go's rules; throws the first one broken.
    public func validate() throws(LeaderElectionConfigError) {
        if identity.isEmpty { throw .emptyIdentity }
        if leaseDuration < .seconds(1) { throw .leaseDurationTooShort }
        if renewDeadline <= .zero { throw .renewDeadlineNotPositive }
        if retryPeriod <= .zero { throw .retryPeriodNotPositive }
        if leaseDuration <= renewDeadline { throw .leaseDurationNotGreaterThanRenewDeadline }
        if renewDeadline <= retryPeriod * Self.jitterFactor { throw .renewDeadlineTooShortForRetryPeriod }
    }
}

/// A `LeaderElectionConfig` that cannot work.
public enum LeaderElectionConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptyIdentity
    case leaseDurationTooShort
    case renewDeadlineNotPositive
    case retryPeriodNotPositive
    case leaseDurationNotGreaterThanRenewDeadline
    case renewDeadlineTooShortForRetryPeriod

    public var description: String {
        switch self {
        case .emptyIdentity: "leader election identity must not be empty"
        case .leaseDurationTooShort: "leaseDuration must be at least 1s"
        case .renewDeadlineNotPositive: "renewDeadline must be greater than zero"
        case .retryPeriodNotPositive: "retryPeriod must be greater than zero"
        case .leaseDurationNotGreaterThanRenewDeadline: "leaseDuration must be greater than renewDeadline"
        case .renewDeadlineTooShortForRetryPeriod: "renewDeadline must be greater than retryPeriod*JitterFactor"
        }
    }
}

/// What a `LeaderElector` calls as leadership changes.
///
/// - `onStartedLeading` runs in a child task once the lease is acquired; that task is cancelled
///   when leadership ends (lost or `run` cancelled) and must return promptly then — `run` waits
///   for it before releasing the lease, so guarded work never overlaps another leader's.
/// - `onStoppedLeading` is called exactly once when `run` returns, as client-go does — also when
///   `run` was cancelled before ever leading.
/// - `onNewLeader` is called with the holder's identity each time the observed holder changes to
///   a different non-empty identity (including the first one seen and this candidate itself). It
///   is called inline by the election loop, so it must be quick.
public struct LeaderCallbacks: Sendable {
    public var onStartedLeading: @Sendable () async -> Void
    public var onStoppedLeading: @Sendable () async -> Void
    public var onNewLeader: @Sendable (String) -> Void

    public init(
        onStartedLeading: @escaping @Sendable () async -> Void,
        onStoppedLeading: @escaping @Sendable () async -> Void = {},
        onNewLeader: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        self.onNewLeader = onNewLeader
    }
}
