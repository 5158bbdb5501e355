import APIMachinery
import Client
import Component
import Logging

/// The controllers one controller-manager process runs, chosen by `--controllers` as
/// kube-controller-manager chooses them, all sharing one informer factory.
public struct ControllerManager: Sendable {
    /// Settings from the command line.
    public struct Options: Sendable {
        public var controllers: [String] = ["*"]
        public var concurrentReplicaSetSyncs = 5
        public var concurrentRCSyncs = 5
        public var concurrentStatefulSetSyncs = 5
        public var concurrentDeploymentSyncs = 5
        public var concurrentEndpointSyncs = 5
        public var concurrentEndpointSliceSyncs = 5
        public var concurrentEndpointSliceMirroringSyncs = 5
        public var mirroringMaxEndpointsPerSubset = 1000
        public var concurrentNamespaceSyncs = 10
        public var concurrentServiceAccountSyncs = 5
        public var concurrentGCSyncs = 20
        public var concurrentDisruptionSyncs = 1
        public var concurrentCronJobSyncs = 5
        public var concurrentJobSyncs = 5
        public var concurrentDaemonSetSyncs = 2
        public var concurrentResourceQuotaSyncs = 5
        public var resourceQuotaSyncPeriod: Swift.Duration = .seconds(300)
        public var terminatedPodGCThreshold = 12_500
        public var rootCAFile: String?
        /// Pod ranges for Nodes (`--allocate-node-cidrs` with `--cluster-cidr`,
        /// `--node-cidr-mask-size`, `--service-cluster-ip-range`); nil: not allocated.
        public var nodeIPAM: NodeIPAM?
        public struct NodeIPAM: Sendable {
            public var clusterCIDR: String
            public var maskSize: Int
            public var serviceCIDR: String?
            public init(clusterCIDR: String, maskSize: Int, serviceCIDR: String?) {
                self.clusterCIDR = clusterCIDR
                self.maskSize = maskSize
                self.serviceCIDR = serviceCIDR
            }
        }
        /// Node health and taint eviction (`--node-monitor-grace-period`, `--node-monitor-period`,
        /// `--node-eviction-rate`, …).
        public var nodeLifecycle = NodeLifecycleController.Settings()
        /// Each controller's client-side limit (`--kube-api-qps`, `--kube-api-burst`); nil: none.
        public var apiRateLimit: (qps: Double, burst: Int)?
        public init() {}
    }

    /// Every controller this build knows, enabled by default unless listed in `disabledByDefault`.
    public static let known = [
        "clusterrole-aggregation", "cronjob", "daemonset", "deployment", "disruption", "endpoint", "endpointslice", "endpointslicemirroring", "garbagecollector", "job", "namespace", "nodeipam", "nodelifecycle", "podgc", "replicaset", "replicationcontroller", "resourcequota", "root-ca-cert-publisher", "serviceaccount", "statefulset", "ttl-after-finished",
    ]
    public static let disabledByDefault: Set<String> = []

    /// Whether `name` runs under `--controllers` `selection` (`*`, `foo`, `-foo`; the first
    /// matching entry wins, `*` enables the default set).
    public static func isEnabled(_ name: String, selection: [String]) -> Bool {
        var star = false
        for entry in selection {
            if entry == name { return true }
            if entry == "-\(name)" { return false }
            if entry == "*" { star = true }
        }
        return star && !disabledByDefault.contains(name)
    }

    /// Names in `selection` that are neither known controllers nor `*` (an error, as upstream).
    public static func unknown(in selection: [String]) -> [String] {
        selection.filter { entry in
            let name = entry.hasPrefix("-") ? String(entry.dropFirst()) : entry
            return entry != "*" && !known.contains(name)
        }
    }

    let informers: SharedInformerFactory
    let rest: RESTClient
    let events: @Sendable (String) -> any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    let options: Options
    let metrics: WorkQueueMetrics?

    public init(
        rest: RESTClient, informers: SharedInformerFactory, events: @escaping @Sendable (String) -> any EventEmitter,
        clock: any ComponentClock, logger: Logger, options: Options, metrics: MetricsRegistry? = nil
    ) {
        self.metrics = metrics.map(WorkQueueMetrics.init(registry:))
        self.rest = rest
        self.informers = informers
        self.events = events
        self.clock = clock
        self.logger = logger
        self.options = options
    }

    /// Starts the informers, waits for their caches and runs every enabled controller until
    /// the task is cancelled.
    public func run() async throws {
        // One token bucket per controller, as kube-controller-manager builds a client per
        // controller; `client` and `dynamic` are evaluated per use below.
        let limited = { [rest, options] in options.apiRateLimit.map { rest.withRateLimit(qps: $0.qps, burst: $0.burst) } ?? rest }
        var client: RESTControllerClient { RESTControllerClient(rest: limited()) }
        var dynamic: RESTDynamicClient { RESTDynamicClient(rest: limited()) }
        var runs: [@Sendable () async -> Void] = []
        func enabled(_ name: String) -> Bool {
            let on = Self.isEnabled(name, selection: options.controllers)
            if !on { logger.info("controller disabled", metadata: ["controller": "\(name)"]) }
            return on
        }
        if enabled("replicaset") {
            let replicaSets = informers.informer(AppsV1.ReplicaSet.self), pods = informers.informer(CoreV1.Pod.self)
            let controller = ReplicaSetController(
                replicaSets: replicaSets.lister, pods: pods.lister, client: client, events: events("replicaset-controller"),
                clock: clock, logger: logger)
            controller.register(replicaSets: replicaSets, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentReplicaSetSyncs, metrics: metrics) }
        }
        if enabled("replicationcontroller") {
            let controllers = informers.informer(CoreV1.ReplicationController.self), pods = informers.informer(CoreV1.Pod.self)
            let controller = ReplicationManager(
                replicaSets: controllers.lister, pods: pods.lister, client: client, events: events("replication-controller"),
                clock: clock, logger: logger)
            controller.register(replicaSets: controllers, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentRCSyncs, metrics: metrics) }
        }
        if enabled("statefulset") {
            let sets = informers.informer(AppsV1.StatefulSet.self), pods = informers.informer(CoreV1.Pod.self)
            let controller = StatefulSetController(
                sets: sets.lister, pods: pods.lister, claims: informers.informer(CoreV1.PersistentVolumeClaim.self).lister,
                revisions: informers.informer(AppsV1.ControllerRevision.self).lister, client: client,
                events: events("statefulset-controller"), clock: clock, logger: logger)
            controller.register(sets: sets, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentStatefulSetSyncs, metrics: metrics) }
        }
        if enabled("deployment") {
            let deployments = informers.informer(AppsV1.Deployment.self), replicaSets = informers.informer(AppsV1.ReplicaSet.self)
            let pods = informers.informer(CoreV1.Pod.self)
            let controller = DeploymentController(
                deployments: deployments.lister, replicaSets: replicaSets.lister, pods: pods.lister, client: client,
                events: events("deployment-controller"), clock: clock, logger: logger)
            controller.register(deployments: deployments, replicaSets: replicaSets, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentDeploymentSyncs, metrics: metrics) }
        }
        if enabled("endpoint") {
            let services = informers.informer(CoreV1.Service.self), pods = informers.informer(CoreV1.Pod.self)
            let endpoints = informers.informer(CoreV1.Endpoints.self)
            let controller = EndpointsController(
                services: services.lister, pods: pods.lister, endpoints: endpoints.lister, client: client, clock: clock, logger: logger)
            controller.register(services: services, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentEndpointSyncs, metrics: metrics) }
        }
        if enabled("endpointslice") {
            let services = informers.informer(CoreV1.Service.self), pods = informers.informer(CoreV1.Pod.self)
            let slices = informers.informer(DiscoveryV1.EndpointSlice.self)
            let controller = EndpointSliceController(
                services: services.lister, pods: pods.lister, slices: slices.lister, client: client, clock: clock, logger: logger)
            controller.register(services: services, pods: pods, slices: slices)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentEndpointSliceSyncs, metrics: metrics) }
        }
        if enabled("endpointslicemirroring") {
            let endpoints = informers.informer(CoreV1.Endpoints.self), services = informers.informer(CoreV1.Service.self)
            let slices = informers.informer(DiscoveryV1.EndpointSlice.self)
            let controller = EndpointSliceMirroringController(
                endpoints: endpoints.lister, services: services.lister, slices: slices.lister, client: client, clock: clock, logger: logger,
                maxEndpointsPerSubset: options.mirroringMaxEndpointsPerSubset)
            controller.register(endpoints: endpoints, services: services, slices: slices)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentEndpointSliceMirroringSyncs, metrics: metrics) }
        }
        if enabled("serviceaccount") {
            let namespaces = informers.informer(CoreV1.Namespace.self), accounts = informers.informer(CoreV1.ServiceAccount.self)
            let controller = ServiceAccountsController(
                namespaces: namespaces.lister, serviceAccounts: accounts.lister, client: client, clock: clock, logger: logger)
            controller.register(namespaces: namespaces, serviceAccounts: accounts)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentServiceAccountSyncs, metrics: metrics) }
        }
        if enabled("root-ca-cert-publisher") {
            if let path = options.rootCAFile {
                let bundle = try RootCAPublisher.readBundle(path)
                let namespaces = informers.informer(CoreV1.Namespace.self)
                let maps = informers.informer(CoreV1.ConfigMap.self, fieldSelector: "metadata.name=\(RootCAPublisher.configMapName)")
                let controller = RootCAPublisher(
                    bundle: bundle, namespaces: namespaces.lister, configMaps: maps.lister, client: client, clock: clock, logger: logger)
                controller.register(namespaces: namespaces, configMaps: maps)
                runs.append { [metrics] in await controller.run(workers: 1, metrics: metrics) }
            } else {
                logger.info("root-ca-cert-publisher needs --root-ca-file; not started")
            }
        }
        if enabled("disruption") {
            let budgets = informers.informer(PolicyV1.PodDisruptionBudget.self), pods = informers.informer(CoreV1.Pod.self)
            let controller = DisruptionController(
                budgets: budgets.lister, pods: pods.lister, replicaSets: informers.informer(AppsV1.ReplicaSet.self).lister,
                deployments: informers.informer(AppsV1.Deployment.self).lister, statefulSets: informers.informer(AppsV1.StatefulSet.self).lister,
                replicationControllers: informers.informer(CoreV1.ReplicationController.self).lister, client: client, clock: clock, logger: logger)
            controller.register(budgets: budgets, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentDisruptionSyncs, metrics: metrics) }
        }
        if enabled("job") {
            let jobs = informers.informer(BatchV1.Job.self), pods = informers.informer(CoreV1.Pod.self)
            let controller = JobController(
                jobs: jobs.lister, pods: pods.lister, client: client, events: events("job-controller"), clock: clock, logger: logger)
            controller.register(jobs: jobs, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentJobSyncs, metrics: metrics) }
        }
        if enabled("ttl-after-finished") {
            let jobs = informers.informer(BatchV1.Job.self)
            let controller = TTLAfterFinishedController(
                jobs: jobs.lister, client: client, clock: clock, logger: logger)
            controller.register(jobs: jobs)
            runs.append { [metrics] in await controller.run(workers: 5, metrics: metrics) }
        }
        if enabled("cronjob") {
            let cronJobs = informers.informer(BatchV1.CronJob.self), jobs = informers.informer(BatchV1.Job.self)
            let controller = CronJobController(
                cronJobs: cronJobs.lister, jobs: jobs.lister, client: client,
                events: events("cronjob-controller"), clock: clock, logger: logger)
            controller.register(cronJobs: cronJobs, jobs: jobs)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentCronJobSyncs, metrics: metrics) }
        }
        if enabled("nodeipam") {
            if let ipam = options.nodeIPAM {
                let nodes = informers.informer(CoreV1.Node.self)
                let controller = try NodeIPAMController(
                    nodes: nodes.lister, client: client, events: events("node-ipam-controller"), clusterCIDR: ipam.clusterCIDR,
                    maskSize: ipam.maskSize, serviceCIDR: ipam.serviceCIDR, clock: clock, logger: logger)
                controller.register(nodes: nodes)
                runs.append { [metrics] in await controller.run(metrics: metrics) }
            } else {
                logger.info("nodeipam allocates no pod ranges without --allocate-node-cidrs")
            }
        }
        if enabled("resourcequota") {
            let quotas = informers.informer(CoreV1.ResourceQuota.self), pods = informers.informer(CoreV1.Pod.self)
            let services = informers.informer(CoreV1.Service.self), claims = informers.informer(CoreV1.PersistentVolumeClaim.self)
            let configMaps = informers.informer(CoreV1.ConfigMap.self), secrets = informers.informer(CoreV1.Secret.self)
            let controllers = informers.informer(CoreV1.ReplicationController.self)
            let controller = ResourceQuotaController(
                quotas: quotas.lister, pods: pods.lister, services: services.lister, claims: claims.lister, configMaps: configMaps.lister,
                secrets: secrets.lister, replicationControllers: controllers.lister, dynamic: dynamic, client: client,
                resyncPeriod: options.resourceQuotaSyncPeriod, clock: clock, logger: logger)
            controller.register(
                quotas: quotas, pods: pods, services: services, claims: claims, configMaps: configMaps, secrets: secrets,
                replicationControllers: controllers)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentResourceQuotaSyncs, metrics: metrics) }
        }
        if enabled("nodelifecycle") {
            let nodes = informers.informer(CoreV1.Node.self), pods = informers.informer(CoreV1.Pod.self)
            let leases = informers.informer(CoordinationV1.Lease.self)
            let controller = NodeLifecycleController(
                nodes: nodes.lister, leases: leases.lister, pods: pods.lister, client: client, events: events("node-controller"),
                settings: options.nodeLifecycle, clock: clock, logger: logger)
            controller.register(nodes: nodes, pods: pods)
            runs.append { [metrics] in await controller.run(workers: 5, metrics: metrics) }
        }
        if enabled("daemonset") {
            let sets = informers.informer(AppsV1.DaemonSet.self), nodes = informers.informer(CoreV1.Node.self)
            let pods = informers.informer(CoreV1.Pod.self), revisions = informers.informer(AppsV1.ControllerRevision.self)
            let controller = DaemonSetController(
                daemonSets: sets.lister, nodes: nodes.lister, pods: pods.lister, revisions: revisions.lister, client: client,
                events: events("daemonset-controller"), clock: clock, logger: logger)
            controller.register(daemonSets: sets, nodes: nodes, pods: pods)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentDaemonSetSyncs, metrics: metrics) }
        }
        if enabled("clusterrole-aggregation") {
            let roles = informers.informer(RBACV1.ClusterRole.self)
            let controller = ClusterRoleAggregationController(clusterRoles: roles.lister, client: client, clock: clock, logger: logger)
            controller.register(clusterRoles: roles)
            runs.append { [metrics] in await controller.run(workers: 5, metrics: metrics) }
        }
        if enabled("podgc") {
            let pods = informers.informer(CoreV1.Pod.self), nodes = informers.informer(CoreV1.Node.self)
            let nodeClient = rest.resource(CoreV1.Node.self)
            let controller = PodGCController(
                pods: pods.lister, nodes: nodes.lister, client: client,
                nodeExists: { name in
                    do {
                        _ = try await nodeClient.get(name)
                        return true
                    } catch let error as StatusError where error.isNotFound {
                        return false
                    }
                },
                threshold: options.terminatedPodGCThreshold, clock: clock, logger: logger)
            runs.append { await controller.run() }
        }
        if enabled("namespace") {
            let namespaces = informers.informer(CoreV1.Namespace.self)
            let controller = NamespaceController(namespaces: namespaces.lister, client: dynamic, statusClient: client, clock: clock, logger: logger)
            controller.register(namespaces: namespaces)
            runs.append { [options, metrics] in await controller.run(workers: options.concurrentNamespaceSyncs, metrics: metrics) }
        }
        if enabled("garbagecollector") {
            let collector = GarbageCollector(client: dynamic, events: events("garbage-collector-controller"), clock: clock, logger: logger)
            let watched = collector.watchable(try await dynamic.serverResources())
            for resource in watched { collector.register(resource, informer: metadataInformer(resource)) }
            logger.info("garbage collector watching resources", metadata: ["count": "\(watched.count)"])
            runs.append { [self, options, metrics] in
                async let workers: Void = collector.run(workers: options.concurrentGCSyncs, metrics: metrics)
                await rediscover(collector, dynamic, known: Set(watched.map(\.gvr)))
                await workers
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await informers.run() }
            guard await informers.waitForCacheSync() else {
                group.cancelAll()
                return
            }
            logger.info("informers synced; starting controllers", metadata: ["informers": "\(informers.count)"])
            for run in runs { group.addTask(operation: run) }
            await group.next()
            group.cancelAll()
        }
    }

    /// The metadata-only informer of `resource` (one per resource in the process).
    func metadataInformer(_ resource: ResourceInfo) -> SharedInformer<ObjectMetadata> {
        informers.informer(SharedInformerFactory.Key(type: ObjectIdentifier(ObjectMetadata.self), resource: resource.gvr)) {
            RESTListWatch(client: ResourceClient<ObjectMetadata>(rest: rest, resource: resource))
        }
    }

    /// Re-reads discovery every `GarbageCollector.rediscoveryPeriod` and watches new resources.
    func rediscover(_ collector: GarbageCollector, _ dynamic: RESTDynamicClient, known: Set<GroupVersionResource>) async {
        var known = known
        while !Task.isCancelled {
            do { try await clock.sleep(for: GarbageCollector.rediscoveryPeriod) } catch { return }
            do {
                for resource in collector.watchable(try await dynamic.serverResources()) where !known.contains(resource.gvr) {
                    known.insert(resource.gvr)
                    collector.register(resource, informer: metadataInformer(resource))
                    logger.info("garbage collector watching a new resource", metadata: ["resource": "\(resource.gvr)"])
                }
            } catch {
                logger.warning("discovery failed; the garbage collector keeps its resources", metadata: ["error": "\(error)"])
            }
        }
    }
}
