/// How a `Reflector` (and the `SharedInformer` around it) retries and resyncs.
public struct ReflectorOptions: Sendable {
    /// How often the store's objects are re-delivered to handlers as updates (old == new);
    /// `.zero` turns resync off. Resync never talks to the server.
    public var resyncPeriod: Duration
    /// Delays between failed attempts.
    public var backoff: ReflectorBackoff
    /// A watch that ends without error, without any event, sooner than this after it was
    /// opened counts as a failure (so a server that closes watches at once is not hammered).
    public var minimumWatchDuration: Duration
    /// Called with every error the reflector retries (list or watch failures, `expired`);
    /// for logging. Runs on the reflector's task: keep it short.
    public var onError: (@Sendable (any Error) -> Void)?

    public init(
        resyncPeriod: Duration = .zero,
        backoff: ReflectorBackoff = ReflectorBackoff(),
        minimumWatchDuration: Duration = .seconds(1),
        onError: (@Sendable (any Error) -> Void)? = nil
    ) {
        precondition(resyncPeriod >= .zero, "resyncPeriod must not be negative")
        self.resyncPeriod = resyncPeriod
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
        self.onError = onError
    }
}
