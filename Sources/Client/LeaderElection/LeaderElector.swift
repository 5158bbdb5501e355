import Component
import Logging
import Synchronization

/// Leader election over a `LeaseLock`, with client-go's `tools/leaderelection` behaviour:
///
/// - **Acquire**: try at once, then every `retryPeriod` stretched by up to `jitterFactor` (1.2)
///   of itself with the injected jitter source. An absent lock is created; a released one (empty
///   holder) is taken at once; one held by someone else is taken only after `leaseDuration` has
///   passed on this candidate's clock without the record changing. Taking over increments
///   `leaderTransitions`; renewing keeps it and the original `acquireTime`.
/// - **Lead**: `onStartedLeading` runs in a child task. The lease is renewed every
///   `retryPeriod`; the leader first tries an optimistic update with the resourceVersion it last
///   wrote, then falls back to read-and-update. A renewal round that has not succeeded within
///   `renewDeadline` (attempts every `retryPeriod`, a hung attempt abandoned at the deadline)
///   ends leadership. Because `renewDeadline < leaseDuration`, the leader stops before any
///   candidate may take over.
/// - **Stop**: when leadership ends (lost or `run` cancelled), `isLeader()` turns false, the
///   `onStartedLeading` task is cancelled and awaited, then — with `releaseOnCancel` — the lease
///   is released (empty holder, 1 s duration, transitions kept) so another candidate may take it
///   at once, and finally `onStoppedLeading` is called and `run` returns.
/// - `onNewLeader` is called whenever the observed holder changes to a new identity.
///
/// The elector is single-use per `run` at a time; `run` returns after leadership ends or when
/// the calling task is cancelled while still campaigning.
public final class LeaderElector: Sendable {
    /// What the election loop is doing, for tests that step a `ManualClock`.
    enum Phase: Sendable, Equatable {
        case notStarted
        case working
        /// Paused between attempts until the instant.
        case waiting(until: ContinuousClock.Instant)
        case stopped
    }

    private struct Locked {
        var core: LeaderElectionState
        var leading = false
        var running = false
        var phase = Phase.notStarted
    }

    public let config: LeaderElectionConfig
    private let lock: any LeaseLock
    private let callbacks: LeaderCallbacks
    private let clock: any ComponentClock
    private let logger: Logger
    private let jitter: @Sendable () -> Double
    private let state: Mutex<Locked>

    /// An elector for `config` competing over `lock`.
    /// - Parameters:
    ///   - clock: measures lease expiry, retry periods and the renew deadline.
    ///   (its wall time stamps `acquireTime` / `renewTime` in the record).
    ///   - logger: failed reads and writes of the lock, at debug level (client-go logs them at V(4)).
    ///   - jitter: returns a value in `0..<1`; acquire retries wait
    ///     `retryPeriod * (1 + 1.2 * jitter())`. Values outside the range are clamped.
    /// - Throws: the config's first `LeaderElectionConfigError`.
    public init(
        config: LeaderElectionConfig,
        lock: any LeaseLock,
        callbacks: LeaderCallbacks,
        clock: any ComponentClock = SystemClock(),
        logger: Logger = Logger(label: "leader-election", factory: { _ in SwiftLogNoOpLogHandler() }),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(LeaderElectionConfigError) {
        self.logger = logger
        try config.validate()
        self.config = config
        self.lock = lock
        self.callbacks = callbacks
        self.clock = clock
        self.jitter = jitter
        state = Mutex(Locked(core: LeaderElectionState(
            identity: config.identity, leaseDurationSeconds: config.leaseDurationSeconds)))
    }

    // MARK: Accessors

    /// Whether this candidate currently leads: true from a successful acquire until leadership
    /// ends (it turns false before the leading task is cancelled).
    public func isLeader() -> Bool { state.withLock { $0.leading } }

    /// The holder of the last observed record, or nil when none has been observed or the lease
    /// was released. May lag the lock by up to one retry period.
    public func currentLeader() -> String? { state.withLock { $0.core.observedHolder } }

    /// client-go's `Check`: false when this candidate leads but its lease was last renewed more
    /// than `leaseDuration + maxTolerableExpiredLease` ago (a stuck elector); true otherwise.
    public func isHealthy(maxTolerableExpiredLease: Duration) -> Bool {
        let now = clock.now
        return state.withLock { s in
            guard s.leading, let observedTime = s.core.observedTime else { return true }
            return now - observedTime <= config.leaseDuration + maxTolerableExpiredLease
        }
    }

    var phase: Phase { state.withLock { $0.phase } }

    // MARK: Run

    /// Campaigns, leads and stops as described on the type; returns when leadership has ended
    /// or the task was cancelled while campaigning. Calls `onStoppedLeading` once on return.
    public func run() async {
        let started = state.withLock { s -> Bool in
            guard !s.running else { return false }
            s.running = true
            s.phase = .working
            return true
        }
        precondition(started, "LeaderElector.run is already running")
        if await acquire() {
            state.withLock { $0.leading = true }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.callbacks.onStartedLeading() }
                await renew()
                state.withLock { $0.leading = false }
                group.cancelAll()
                await group.waitForAll()
            }
            if config.releaseOnCancel {
                // Released from a fresh task: the lock's calls must not see our cancellation.
                await Task { await self.release() }.value
            }
        }
        await callbacks.onStoppedLeading()
        state.withLock { s in
            s.running = false
            s.phase = .stopped
        }
    }

    /// Tries until the lease is acquired (true) or the task is cancelled (false).
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            let acquired = await tryAcquireOrRenew()
            reportNewLeader()
            if acquired { return true }
            let factor = 1 + LeaderElectionConfig.jitterFactor * min(max(jitter(), 0), 1)
            guard await pause(until: clock.now.advanced(by: config.retryPeriod * factor)) else { return false }
        }
        return false
    }

    /// Renews every `retryPeriod`; returns when a round fails to renew within `renewDeadline`
    /// or the task is cancelled.
    private func renew() async {
        while !Task.isCancelled {
            let deadline = clock.now.advanced(by: config.renewDeadline)
            var renewed = false
            while !Task.isCancelled {
                renewed = await race(deadline: deadline) { await self.tryAcquireOrRenew() } ?? false
                reportNewLeader()
                if renewed || clock.now >= deadline { break }
                let next = min(clock.now.advanced(by: config.retryPeriod), deadline)
                guard await pause(until: next), clock.now < deadline else { break }
            }
            guard renewed else { return }
            guard await pause(until: clock.now.advanced(by: config.retryPeriod)) else { return }
        }
    }

    /// Writes the released record if this candidate is the observed holder; a failed or hung
    /// write is abandoned after `renewDeadline`.
    private func release() async {
        guard let (record, resourceVersion) = state.withLock({ $0.core.releaseRecord(wallNow: clock.wallNow) })
        else { return }
        let issued = clock.now
        let identity = config.identity
        let released = await race(deadline: issued.advanced(by: config.renewDeadline)) {
            var version = resourceVersion
            var record = record
            // A renewal cancelled in flight may still have landed, making the first write a
            // conflict: re-read, and release again while the lease is still ours.
            for _ in 0..<3 {
                if let written = await self.attempt("release", { try await self.lock.update(record, resourceVersion: version) }) {
                    self.state.withLock { $0.core.wrote(record, resourceVersion: written, now: issued) }
                    return true
                }
                guard !Task.isCancelled else { return false }
                let current: VersionedLeaderElectionRecord?
                do {
                    current = try await self.lock.get()
                } catch {
                    self.logger.debug("cannot read the lock to release it", metadata: ["lock": "\(self.lock.lockDescription)", "error": "\(error)"])
                    return false
                }
                guard let current, current.record.holderIdentity == identity else { return false }
                version = current.resourceVersion
                record.leaderTransitions = current.record.leaderTransitions
            }
            return false
        } ?? false
        if released {
            reportNewLeader()
        }
    }

    /// One attempt (client-go's `tryAcquireOrRenew`); true when this candidate now holds the
    /// lease.
    private func tryAcquireOrRenew() async -> Bool {
        let start = clock.now
        let fastPath = state.withLock { $0.core.fastPathRenewal(now: start, wallNow: clock.wallNow) }
        if let (record, resourceVersion) = fastPath {
            if let written = await attempt("renew", { try await self.lock.update(record, resourceVersion: resourceVersion) }) {
                state.withLock { $0.core.wrote(record, resourceVersion: written, now: start) }
                return true
            }
            if Task.isCancelled { return false }
        }
        let read: VersionedLeaderElectionRecord?
        do {
            read = try await lock.get()
        } catch {
            logger.debug("cannot read the lock", metadata: ["lock": "\(lock.lockDescription)", "error": "\(error)"])
            return false
        }
        let now = clock.now
        let wallNow = clock.wallNow
        let decision = state.withLock { $0.core.decide(after: read, now: now, wallNow: wallNow) }
        let record: LeaderElectionRecord
        let written: String
        switch decision {
        case .heldByOther:
            return false
        case .create(let fresh):
            guard let version = await attempt("create", { try await self.lock.create(fresh) }) else { return false }
            (record, written) = (fresh, version)
        case .update(let next, let resourceVersion):
            guard let version = await attempt("acquire", { try await self.lock.update(next, resourceVersion: resourceVersion) }) else { return false }
            (record, written) = (next, version)
        }
        state.withLock { $0.core.wrote(record, resourceVersion: written, now: now) }
        return true
    }

    // MARK: Helpers

    /// A write of the lock: its new resourceVersion, or nil (logged) when it failed, as when
    /// another candidate wrote first.
    private func attempt(_ what: String, _ write: () async throws -> String) async -> String? {
        do {
            return try await write()
        } catch {
            logger.debug("lock write failed", metadata: ["lock": "\(lock.lockDescription)", "write": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    private func reportNewLeader() {
        if let leader = state.withLock({ $0.core.leaderToReport() }) {
            callbacks.onNewLeader(leader)
        }
    }

    /// Sleeps until `deadline`; false when cancelled.
    private func pause(until deadline: ContinuousClock.Instant) async -> Bool {
        state.withLock { $0.phase = .waiting(until: deadline) }
        defer { state.withLock { $0.phase = .working } }
        do {
            try await clock.sleep(until: deadline)
            return true
        } catch {
            return false
        }
    }

    /// Runs `operation` until it finishes or `deadline` passes on the clock, whichever is first;
    /// nil when the deadline (or cancellation) came first, in which case `operation` is
    /// cancelled and awaited.
    private func race(
        deadline: ContinuousClock.Instant,
        _ operation: @escaping @Sendable () async -> Bool
    ) async -> Bool? {
        let clock = self.clock
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                try? await clock.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
