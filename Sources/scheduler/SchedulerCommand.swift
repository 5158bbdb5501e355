import APIMachinery
import ArgumentParser
import Client
import Component
import Foundation
import Scheduler

/// `scheduler`: assigns pods to nodes through the apiserver, with kube-scheduler's flags.
@main
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Skiff's scheduler: watches pending pods and nodes and binds pods to nodes (kube-scheduler compatible)."
    )

    @Option(help: "Path to a kubeconfig (else $KUBECONFIG, ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Path to a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file.")
    var config: String?

    @Option(help: "Run only while holding the leader-election Lease (true|false).")
    var leaderElect: Bool?

    @Option(help: "Lease duration for leader election (Go duration, e.g. 15s).")
    var leaderElectLeaseDuration: String?

    @Option(help: "Time the leader keeps retrying a renewal before giving up (e.g. 10s).")
    var leaderElectRenewDeadline: String?

    @Option(help: "Time between acquire/renew attempts (e.g. 2s).")
    var leaderElectRetryPeriod: String?

    @Option(help: "Name of the leader-election Lease.")
    var leaderElectResourceName: String?

    @Option(help: "Namespace of the leader-election Lease.")
    var leaderElectResourceNamespace: String?

    @Option(help: "Identity in the Lease (default: hostname_random).")
    var identity: String?

    @Option(help: "Address of the /healthz and /metrics endpoint (plain HTTP until authentication lands).")
    var bindAddress = "127.0.0.1"

    @Option(help: "Port of the /healthz and /metrics endpoint.")
    var port = 10259

    @Option(name: .customLong("v"), help: "Log verbosity as klog: 0 leadership and errors, 2 every failed scheduling cycle, 4 and above trace.")
    var verbosity = 0

    func run() async throws {
        var settings = try config.map(SchedulerConfiguration.load(path:)) ?? SchedulerConfiguration()
        if let leaderElect { settings.leaderElection.leaderElect = leaderElect }
        if let text = leaderElectLeaseDuration { settings.leaderElection.leaseDuration = try SchedulerConfiguration.duration(text, "--leader-elect-lease-duration") }
        if let text = leaderElectRenewDeadline { settings.leaderElection.renewDeadline = try SchedulerConfiguration.duration(text, "--leader-elect-renew-deadline") }
        if let text = leaderElectRetryPeriod { settings.leaderElection.retryPeriod = try SchedulerConfiguration.duration(text, "--leader-elect-retry-period") }
        if let name = leaderElectResourceName { settings.leaderElection.resourceName = name }
        if let namespace = leaderElectResourceNamespace { settings.leaderElection.resourceNamespace = namespace }

        let component = Component.bootstrap(name: "scheduler", verbosity: verbosity)
        let logger = component.logger
        if bindAddress != "127.0.0.1" && bindAddress != "::1" && bindAddress != "localhost" {
            logger.warning("serving /healthz and /metrics without authentication", metadata: ["address": "\(bindAddress)"])
        }

        var restConfig = try Kubeconfig.load(explicitPath: kubeconfig ?? settings.kubeconfig).restConfig()
        restConfig.userAgent = ClientLibrary.userAgent(component: "scheduler")
        let rest = try RESTClient(config: restConfig)
        let service = try SchedulerService(rest: rest, configuration: settings, logger: logger, metrics: component.metrics)
        let election = settings.leaderElection
        let runner = LeaderElectedRunner(
            rest: rest,
            config: LeaderElectionConfig(
                identity: identity ?? "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())",
                leaseDuration: election.leaseDuration, renewDeadline: election.renewDeadline,
                retryPeriod: election.retryPeriod, releaseOnCancel: true, name: election.resourceName),
            namespace: election.resourceNamespace, enabled: election.leaderElect, logger: logger,
            onLeadership: { service.setLeader($0, lease: election.resourceName) })
        component.health.add("leaderElection", .livez) { runner.healthProblem() }
        component.health.add("informer-sync", .readyz) { service.hasSynced ? nil : "informers not synced" }

        let server = try await StatusServer(host: bindAddress, port: port, health: component.health, metrics: component.metrics)
        logger.info("serving /healthz and /metrics", metadata: [
            "address": "http://\(bindAddress):\(server.port)", "profiles": "\(service.schedulerNames.joined(separator: ","))",
        ])
        let scheduling = CancellableService {
            await withTaskGroup(of: Void.self) { group in
                await service.startBackground(in: &group)
                logger.info("informers synced")
                await runner.run { await service.runSchedulingLoop() }
                await service.shutDown()
                group.cancelAll()
            }
        }
        // The status server starts first and stops last; scheduling stops first, releasing the Lease.
        try await component.run(services: [server.service, scheduling])
        do {
            try await rest.shutdown()
        } catch {
            logger.warning("REST client did not shut down cleanly", metadata: ["error": "\(error)"])
        }
        if runner.lostLeadership { throw ExitCode(1) }
    }
}
