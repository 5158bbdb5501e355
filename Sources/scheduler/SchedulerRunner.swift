import Client
import Scheduler
import Synchronization

/// Runs the service under leader election (or alone when it is off): informers always, the
/// scheduling loop only while leading. Losing the lease ends the run (the process exits 1, as
/// kube-scheduler does, so no two schedulers ever bind at once); cancellation releases it.
final class SchedulerRunner: Sendable {
    let service: SchedulerService
    let rest: RESTClient
    let settings: SchedulerConfiguration
    let identity: String
    let log: @Sendable (String) -> Void
    private let elector = Mutex<LeaderElector?>(nil)
    private let lost = Mutex(false)

    init(service: SchedulerService, rest: RESTClient, settings: SchedulerConfiguration, identity: String, log: @escaping @Sendable (String) -> Void) {
        self.service = service
        self.rest = rest
        self.settings = settings
        self.identity = identity
        self.log = log
    }

    var lostLeadership: Bool { lost.withLock { $0 } }

    /// `/healthz`: unhealthy when leading with a lease not renewed for 20 s past its duration.
    func health() -> StatusServer.Response {
        if let elector = elector.withLock({ $0 }), !elector.isHealthy(maxTolerableExpiredLease: .seconds(20)) {
            return .init(status: 500, body: "leaderElection: the lease has not been renewed\n")
        }
        return .init(body: "ok")
    }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            await service.startBackground(in: &group)
            log("informers synced")
            let election = settings.leaderElection
            if election.leaderElect {
                await lead(election)
            } else {
                await service.runSchedulingLoop()
            }
            await service.shutDown()
            group.cancelAll()
        }
    }

    private func lead(_ election: SchedulerConfiguration.LeaderElection) async {
        let lock = RESTLeaseLock(rest: rest, namespace: election.resourceNamespace, name: election.resourceName)
        let config = LeaderElectionConfig(identity: identity, leaseDuration: election.leaseDuration,
                                          renewDeadline: election.renewDeadline, retryPeriod: election.retryPeriod,
                                          releaseOnCancel: true, name: election.resourceName)
        let wasLeading = Flag()
        let callbacks = LeaderCallbacks(
            onStartedLeading: { [service, log] in
                wasLeading.set()
                log("became leader of \(lock.lockDescription) as \(config.identity)")
                service.setLeader(true, lease: election.resourceName)
                await service.runSchedulingLoop()
            },
            onStoppedLeading: { [service, log] in
                service.setLeader(false, lease: election.resourceName)
                if wasLeading.isSet { log("stopped leading \(lock.lockDescription)") }
            },
            onNewLeader: { [log] holder in
                if holder != config.identity { log("the leader is \(holder)") }
            })
        do {
            let elector = try LeaderElector(config: config, lock: lock, callbacks: callbacks)
            self.elector.withLock { $0 = elector }
            await elector.run()
            // run returns when leadership ended or the task was cancelled; without cancellation it was lost.
            if !Task.isCancelled && wasLeading.isSet {
                lost.withLock { $0 = true }
                log("leader election lost")
            }
        } catch {
            log("leader election: \(error)")
            lost.withLock { $0 = true }
        }
    }
}

/// A boolean set once and read from any thread.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }

    /// Sets the flag; returns whether it was already set.
    func testAndSet() -> Bool {
        value.withLock { was in
            defer { was = true }
            return was
        }
    }
}
