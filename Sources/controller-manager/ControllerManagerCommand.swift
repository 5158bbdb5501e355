import APIMachinery
import ArgumentParser
import Client
import Component
import Controllers
import Foundation

/// `controller-manager`: runs the cluster's controllers against the apiserver, with
/// kube-controller-manager's flag names, leader-elected on `kube-system/kube-controller-manager`.
@main
struct ControllerManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller-manager",
        abstract: "Skiff's controller-manager: the deployment, replicaset, endpoints, endpointslice, garbage collector, namespace, podgc, disruption, serviceaccount and root CA controllers (kube-controller-manager compatible)."
    )

    @Option(help: "Path to a kubeconfig (else $KUBECONFIG, ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Controllers to run: '*' for the defaults, 'foo' to enable, '-foo' to disable (comma-separated). Known: \(ControllerManager.known.joined(separator: ", ")).")
    var controllers = "*"

    @Option(help: "ReplicaSets synced at once.")
    var concurrentReplicasetSyncs = 5

    @Option(help: "ReplicationControllers synced at once.")
    var concurrentRcSyncs = 5

    @Option(help: "StatefulSets synced at once.")
    var concurrentStatefulsetSyncs = 5

    @Option(help: "Endpoints mirrored into EndpointSlices at once.")
    var mirroringConcurrentServiceEndpointSyncs = 5

    @Option(help: "Addresses of one Endpoints subset mirrored into EndpointSlices at most (also the size of a mirrored slice).")
    var mirroringMaxEndpointsPerSubset = 1000

    @Option(help: "Deployments synced at once.")
    var concurrentDeploymentSyncs = 5

    @Option(help: "Services whose Endpoints are synced at once.")
    var concurrentEndpointSyncs = 5

    @Option(help: "Services whose EndpointSlices are synced at once.")
    var concurrentServiceEndpointSyncs = 5

    @Option(help: "Namespaces emptied at once.")
    var concurrentNamespaceSyncs = 10

    @Option(help: "Namespaces given their service accounts at once.")
    var concurrentServiceaccountTokenSyncs = 5

    @Option(help: "CronJobs synced at once.")
    var concurrentCronJobSyncs = 5

    @Option(help: "Garbage collector workers.")
    var concurrentGcSyncs = 20

    @Option(name: .customLong("kube-api-qps"), help: "Requests per second to the apiserver (client-side token bucket, as kube-controller-manager's).")
    var kubeAPIQps: Double = 20

    @Option(name: .customLong("kube-api-burst"), help: "Requests allowed in a burst above --kube-api-qps.")
    var kubeAPIBurst: Int = 30

    @Option(help: "Give every Node a pod range from --cluster-cidr (true|false).")
    var allocateNodeCidrs = false

    @Option(help: "The cluster's pod range (IPv4 CIDR) that Node pod ranges are cut from.")
    var clusterCidr = ""

    @Option(help: "Prefix length of each Node's pod range.")
    var nodeCidrMaskSize = 24

    @Option(help: "The Service range (CIDR), kept out of Node pod ranges.")
    var serviceClusterIpRange = ""

    @Option(help: "ResourceQuotas synced at once.")
    var concurrentResourceQuotaSyncs = 5

    @Option(help: "How often every ResourceQuota's usage is recalculated in full (Go duration).")
    var resourceQuotaSyncPeriod = "5m0s"

    @Option(help: "How long a node may go without a kubelet heartbeat or Lease renewal before it is marked unhealthy (Go duration).")
    var nodeMonitorGracePeriod = "40s"

    @Option(help: "How long a node that never reported may stay silent before it is marked unhealthy (Go duration).")
    var nodeStartupGracePeriod = "1m0s"

    @Option(help: "How often every node's health is checked (Go duration).")
    var nodeMonitorPeriod = "5s"

    @Option(help: "Nodes per second given a NoExecute taint in a healthy zone.")
    var nodeEvictionRate = 0.1

    @Option(help: "Nodes per second given a NoExecute taint in a zone mostly down (0 below --large-cluster-size-threshold nodes).")
    var secondaryNodeEvictionRate = 0.01

    @Option(help: "Nodes a zone needs for the secondary eviction rate to apply.")
    var largeClusterSizeThreshold = 50

    @Option(help: "Fraction of not-ready nodes (more than two) that makes a zone mostly down.")
    var unhealthyZoneThreshold = 0.55

    @Option(help: "DaemonSets synced at once.")
    var concurrentDaemonsetSyncs = 2

    @Option(help: "Jobs synced at once.")
    var concurrentJobSyncs = 5

    @Option(help: "Terminated pods kept before the oldest are deleted (0: never delete them).")
    var terminatedPodGcThreshold = 12_500

    @Option(help: "CA bundle published as the kube-root-ca.crt ConfigMap in every namespace.")
    var rootCaFile: String?

    @Option(help: "Run only while holding the leader-election Lease (true|false).")
    var leaderElect = true

    @Option(help: "Lease duration for leader election (Go duration, e.g. 15s).")
    var leaderElectLeaseDuration = "15s"

    @Option(help: "Time the leader keeps retrying a renewal before giving up (e.g. 10s).")
    var leaderElectRenewDeadline = "10s"

    @Option(help: "Time between acquire/renew attempts (e.g. 2s).")
    var leaderElectRetryPeriod = "2s"

    @Option(help: "Name of the leader-election Lease.")
    var leaderElectResourceName = "kube-controller-manager"

    @Option(help: "Namespace of the leader-election Lease.")
    var leaderElectResourceNamespace = "kube-system"

    @Option(help: "Address of the /healthz and /metrics endpoint (plain HTTP until authentication lands).")
    var bindAddress = "127.0.0.1"

    @Option(help: "Port of the /healthz and /metrics endpoint.")
    var securePort = 10257

    @Option(name: .customLong("v"), help: "Log verbosity as klog: 0 leadership and errors, 2 controller actions, 4 and above trace.")
    var verbosity = 0

    func validate() throws {
        let unknown = ControllerManager.unknown(in: selection)
        if !unknown.isEmpty {
            throw ValidationError("--controllers: unknown controllers \(unknown.joined(separator: ", ")); known: \(ControllerManager.known.joined(separator: ", "))")
        }
    }

    /// A Go duration flag (`15s`, `1m30s`) as a Swift duration.
    static func duration(_ text: String, flag: String) throws -> Swift.Duration {
        do {
            return .nanoseconds(try APIMachinery.Duration(parsing: text).nanoseconds)
        } catch {
            throw ValidationError("\(flag): \(error)")
        }
    }

    var selection: [String] {
        controllers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        let component = Component.bootstrap(name: "controller-manager", verbosity: verbosity)
        let logger = component.logger
        var options = ControllerManager.Options()
        options.controllers = selection
        options.concurrentReplicaSetSyncs = concurrentReplicasetSyncs
        options.concurrentRCSyncs = concurrentRcSyncs
        options.concurrentEndpointSliceMirroringSyncs = mirroringConcurrentServiceEndpointSyncs
        options.mirroringMaxEndpointsPerSubset = mirroringMaxEndpointsPerSubset
        options.concurrentStatefulSetSyncs = concurrentStatefulsetSyncs
        options.concurrentDeploymentSyncs = concurrentDeploymentSyncs
        options.concurrentEndpointSyncs = concurrentEndpointSyncs
        options.concurrentEndpointSliceSyncs = concurrentServiceEndpointSyncs
        options.concurrentNamespaceSyncs = concurrentNamespaceSyncs
        options.concurrentServiceAccountSyncs = concurrentServiceaccountTokenSyncs
        options.concurrentGCSyncs = concurrentGcSyncs
        options.concurrentCronJobSyncs = concurrentCronJobSyncs
        options.concurrentJobSyncs = concurrentJobSyncs
        options.concurrentDaemonSetSyncs = concurrentDaemonsetSyncs
        options.nodeLifecycle.gracePeriod = Int64(try Self.duration(nodeMonitorGracePeriod, flag: "--node-monitor-grace-period").components.seconds)
        options.nodeLifecycle.startupGracePeriod = Int64(try Self.duration(nodeStartupGracePeriod, flag: "--node-startup-grace-period").components.seconds)
        options.nodeLifecycle.monitorPeriod = try Self.duration(nodeMonitorPeriod, flag: "--node-monitor-period")
        options.nodeLifecycle.evictionRate = nodeEvictionRate
        options.nodeLifecycle.secondaryEvictionRate = secondaryNodeEvictionRate
        options.nodeLifecycle.largeClusterThreshold = largeClusterSizeThreshold
        options.nodeLifecycle.unhealthyZoneThreshold = unhealthyZoneThreshold
        options.concurrentResourceQuotaSyncs = concurrentResourceQuotaSyncs
        options.resourceQuotaSyncPeriod = try Self.duration(resourceQuotaSyncPeriod, flag: "--resource-quota-sync-period")
        if allocateNodeCidrs {
            guard !clusterCidr.isEmpty else { throw ValidationError("--allocate-node-cidrs needs --cluster-cidr") }
            options.nodeIPAM = .init(clusterCIDR: clusterCidr, maskSize: nodeCidrMaskSize, serviceCIDR: serviceClusterIpRange)
        }
        options.rootCAFile = rootCaFile
        options.terminatedPodGCThreshold = terminatedPodGcThreshold
        let leaseDuration = try Self.duration(leaderElectLeaseDuration, flag: "--leader-elect-lease-duration")
        let renewDeadline = try Self.duration(leaderElectRenewDeadline, flag: "--leader-elect-renew-deadline")
        let retryPeriod = try Self.duration(leaderElectRetryPeriod, flag: "--leader-elect-retry-period")

        var restConfig = try Kubeconfig.load(explicitPath: kubeconfig).restConfig()
        restConfig.userAgent = ClientLibrary.userAgent(component: "controller-manager")
        guard kubeAPIQps > 0, kubeAPIBurst > 0 else { throw ValidationError("--kube-api-qps and --kube-api-burst must be positive") }
        options.apiRateLimit = (kubeAPIQps, kubeAPIBurst)
        // Informers, events and leader election share this client; each controller's writes
        // go through its own rate-limited view of it (ControllerManager).
        let rest = try RESTClient(config: restConfig)
        let clock = SystemClock()
        let recorders = ["replicaset-controller", "deployment-controller", "garbage-collector-controller", "job-controller", "cronjob-controller", "node-ipam-controller", "node-controller", "daemonset-controller"].map { name in
            (name, EventRecorder(sink: RESTEventSink(rest: rest), component: name, clock: clock))
        }
        let byName = Dictionary(uniqueKeysWithValues: recorders)
        let informers = SharedInformerFactory(rest: rest, clock: clock)
        let manager = ControllerManager(
            rest: rest, informers: informers, events: { name in byName[name] ?? byName["replicaset-controller"]! },
            clock: clock, logger: logger, options: options, metrics: component.metrics)
        let runner = LeaderElectedRunner(
            rest: rest,
            config: LeaderElectionConfig(
                identity: "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())",
                leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod,
                releaseOnCancel: true, name: leaderElectResourceName),
            namespace: leaderElectResourceNamespace, enabled: leaderElect, logger: logger,
            onLeadership: { _ in })
        component.health.add("leaderElection", .livez) { runner.healthProblem() }

        let server = try await StatusServer(host: bindAddress, port: securePort, health: component.health, metrics: component.metrics)
        logger.info("serving /healthz and /metrics", metadata: ["address": "http://\(bindAddress):\(server.port)"])
        let controllers = CancellableService {
            await withTaskGroup(of: Void.self) { group in
                for (_, recorder) in recorders { group.addTask { await recorder.run() } }
                await runner.run {
                    do {
                        try await manager.run()
                    } catch {
                        logger.error("controllers stopped", metadata: ["error": "\(error)"])
                    }
                }
                for (_, recorder) in recorders { recorder.shutDown() }
                await group.waitForAll()
            }
        }
        try await component.run(services: [server.service, controllers])
        do {
            try await rest.shutdown()
        } catch {
            logger.warning("REST client did not shut down cleanly", metadata: ["error": "\(error)"])
        }
        if runner.lostLeadership { throw ExitCode(1) }
    }
}
