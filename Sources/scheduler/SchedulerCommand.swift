import APIMachinery
import ArgumentParser
import Client
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

    @Option(name: .customLong("v"), help: "Log verbosity (0: errors and leadership; 2: every failed cycle).")
    var verbosity = 0

    func run() async throws {
        var settings = try config.map(SchedulerConfiguration.load(path:)) ?? SchedulerConfiguration()
        if let leaderElect { settings.leaderElection.leaderElect = leaderElect }
        if let text = leaderElectLeaseDuration { settings.leaderElection.leaseDuration = try SchedulerConfiguration.duration(text, "--leader-elect-lease-duration") }
        if let text = leaderElectRenewDeadline { settings.leaderElection.renewDeadline = try SchedulerConfiguration.duration(text, "--leader-elect-renew-deadline") }
        if let text = leaderElectRetryPeriod { settings.leaderElection.retryPeriod = try SchedulerConfiguration.duration(text, "--leader-elect-retry-period") }
        if let name = leaderElectResourceName { settings.leaderElection.resourceName = name }
        if let namespace = leaderElectResourceNamespace { settings.leaderElection.resourceNamespace = namespace }

        let verbosity = verbosity
        let log: @Sendable (String) -> Void = { line in
            let stamp = Date().formatted(.iso8601)
            FileHandle.standardError.write(Data("\(stamp) scheduler: \(line)\n".utf8))
        }
        let detail: @Sendable (String) -> Void = { line in if verbosity >= 2 { log(line) } }
        if bindAddress != "127.0.0.1" && bindAddress != "::1" && bindAddress != "localhost" {
            log("warning: serving /healthz and /metrics without authentication on \(bindAddress)")
        }

        var restConfig = try Kubeconfig.load(explicitPath: kubeconfig ?? settings.kubeconfig).restConfig()
        restConfig.userAgent = ClientLibrary.userAgent(component: "scheduler")
        let rest = try RESTClient(config: restConfig)
        let service = try SchedulerService(rest: rest, configuration: settings, log: detail)
        let identity = identity ?? "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
        let runner = SchedulerRunner(service: service, rest: rest, settings: settings, identity: identity, log: log)

        let server = try await StatusServer(host: bindAddress, port: port, routes: [
            "/healthz": { runner.health() },
            "/livez": { runner.health() },
            "/readyz": { service.hasSynced ? .init(body: "ok") : .init(status: 503, body: "informers not synced\n") },
            "/metrics": { .init(contentType: "text/plain; version=0.0.4; charset=utf-8", body: service.renderMetrics()) },
        ])
        log("serving /healthz and /metrics on http://\(bindAddress):\(server.port); profiles \(service.schedulerNames.joined(separator: ", "))")

        let main = Task { await runner.run() }
        SignalHandling.onTerminate {
            log("terminating")
            main.cancel()
        }
        await main.value
        await server.close()
        try? await rest.shutdown()
        if runner.lostLeadership { throw ExitCode(1) }
    }
}
