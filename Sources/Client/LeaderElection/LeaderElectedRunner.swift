import Logging
import Synchronization

/// Runs a component's active work under leader election on a `coordination.k8s.io` Lease, as
/// kube-scheduler and kube-controller-manager do: `work` runs only while this process holds
/// the Lease (or at once when election is off). Losing the Lease ends `run` with
/// `lostLeadership` set (the process must exit 1 so two leaders never act at once);
/// cancellation ends it too and releases the Lease, so a standby takes over at once.
public final class LeaderElectedRunner: Sendable {
    let rest: RESTClient
    let config: LeaderElectionConfig
    let namespace: String
    let enabled: Bool
    let logger: Logger
    let onLeadership: @Sendable (Bool) -> Void
    private let elector = Mutex<LeaderElector?>(nil)
    private let lost = Mutex(false)

    /// `config.name` is the Lease's name, in `namespace`; `enabled: false` runs `work` at once.
    public init(
        rest: RESTClient, config: LeaderElectionConfig, namespace: String, enabled: Bool, logger: Logger,
        onLeadership: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.rest = rest
        self.config = config
        self.namespace = namespace
        self.enabled = enabled
        self.logger = logger
        self.onLeadership = onLeadership
    }

    /// The leadership ended without cancellation (the Lease was lost or could not be taken part).
    public var lostLeadership: Bool { lost.withLock { $0 } }

    /// For `/healthz`: nil when healthy; a reason when leading with a lease not renewed for
    /// 20 s past its duration (upstream's `leaderElection` check).
    public func healthProblem() -> String? {
        if let elector = elector.withLock({ $0 }), !elector.isHealthy(maxTolerableExpiredLease: .seconds(20)) {
            return "the lease has not been renewed"
        }
        return nil
    }

    /// Runs `work` while leading; returns when leadership ends or the task is cancelled.
    public func run(_ work: @escaping @Sendable () async -> Void) async {
        guard enabled else {
            await work()
            return
        }
        let lock = RESTLeaseLock(rest: rest, namespace: namespace, name: config.name)
        let config = config
        let logger = logger
        let onLeadership = onLeadership
        let wasLeading = Mutex(false)
        let callbacks = LeaderCallbacks(
            onStartedLeading: {
                wasLeading.withLock { $0 = true }
                logger.info("became leader", metadata: ["lease": "\(lock.lockDescription)", "identity": "\(config.identity)"])
                onLeadership(true)
                await work()
            },
            onStoppedLeading: {
                onLeadership(false)
                if wasLeading.withLock({ $0 }) { logger.info("stopped leading", metadata: ["lease": "\(lock.lockDescription)"]) }
            },
            onNewLeader: { holder in
                if holder != config.identity { logger.info("new leader observed", metadata: ["lease": "\(lock.lockDescription)", "holder": "\(holder)"]) }
            })
        do {
            let elector = try LeaderElector(config: config, lock: lock, callbacks: callbacks, logger: logger)
            self.elector.withLock { $0 = elector }
            await elector.run()
            // run returns when leadership ended or the task was cancelled; without cancellation it was lost.
            if !Task.isCancelled && wasLeading.withLock({ $0 }) {
                lost.withLock { $0 = true }
                logger.error("leader election lost", metadata: ["lease": "\(lock.lockDescription)"])
            }
        } catch {
            logger.error("leader election failed", metadata: ["lease": "\(lock.lockDescription)", "error": "\(error)"])
            lost.withLock { $0 = true }
        }
    }
}
