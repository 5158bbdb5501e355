import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The node agent (upstream kubelet): registers the Node and keeps its Lease and status,
/// watches the pods bound to it, and makes each one run through the container runtime,
/// reporting its status back.
///
/// Shape: informer handlers and the relisting PLEG only enqueue pod UIDs; workers sync one UID
/// at a time (the queue never hands one key to two workers, so a pod's syncs are serialised)
/// and each sync is level-triggered: it reads the pod, reads what the runtime holds for it,
/// computes a `PodSyncPlan`, carries it out and writes the status `PodStatusBuilder` derives.
/// Everything a sync needs to know about earlier syncs lives in the runtime (labels and
/// annotations) or is recomputed, so a restarted kubelet adopts running containers.
public final class Kubelet: Sendable {
    public struct Options: Sendable {
        public var nodeName: String
        public var nodeIPs: [String]
        public var rootDir: String
        public var podLogsDir: String
        public var nodeLabels: [String: String]
        public var config: KubeletConfiguration
        public var machine: MachineInfo
        /// Pod syncs run at once.
        public var workers: Int = 8
        /// How often the PLEG relists the runtime.
        public var relistPeriod: Swift.Duration = .seconds(1)
        /// How often orphaned pod directories and unused images are collected.
        public var housekeepingPeriod: Swift.Duration = .seconds(60)
        public init(nodeName: String, nodeIPs: [String], rootDir: String, podLogsDir: String, nodeLabels: [String: String] = [:],
                    config: KubeletConfiguration, machine: MachineInfo) {
            self.nodeName = nodeName
            self.nodeIPs = nodeIPs
            self.rootDir = rootDir
            self.podLogsDir = podLogsDir
            self.nodeLabels = nodeLabels
            self.config = config
            self.machine = machine
        }
    }

    /// What syncs remember between runs (all of it recomputable).
    struct Memory {
        var pods: [String: CoreV1.Pod] = [:]
        var waiting: [String: [String: ContainerWaitingReason]] = [:]
        var written: [String: CoreV1.PodStatus] = [:]
        var admitted: Set<String> = []
        var rejected: Set<String> = []
        var finished: Set<String> = []
        /// Static pods from `staticPodPath` by UID, and the UID of each one's mirror pod.
        var staticPods: [String: CoreV1.Pod] = [:]
        var mirrors: [String: String] = [:]
        var runtimeName = "containerd"
        var imagesFirstSeen: [String: ContinuousClock.Instant] = [:]
    }

    /// Informers many kubelets in one process share (hollow nodes): every pod, every node and
    /// every Service, each watched once; a kubelet filters them by its node name. A kubelet of
    /// its own watches only its pods and its Node.
    public struct SharedInformers: Sendable {
        public let pods: SharedInformer<CoreV1.Pod>
        public let nodes: SharedInformer<CoreV1.Node>
        public let services: SharedInformer<CoreV1.Service>
        public init(rest: RESTClient, clock: any ComponentClock = SystemClock()) {
            pods = SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Pod.self), fieldSelector: "spec.nodeName!="), clock: clock)
            nodes = SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Node.self)), clock: clock)
            services = SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Service.self)), clock: clock)
        }
        /// Runs the three informers until cancelled.
        public func run() async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pods.run() }
                group.addTask { await nodes.run() }
                group.addTask { await services.run() }
            }
        }
    }

    let options: Options
    let rest: RESTClient
    let shared: SharedInformers?
    let runtime: any ContainerRuntime
    let clock: any ComponentClock
    let logger: Logger
    let memory = Mutex(Memory())
    let queue: WorkQueue<String>
    let crashBackoff: Backoff
    let images: ImageManager
    let volumes: VolumeManager
    let sandboxes: SandboxConfigBuilder
    let recorder: EventRecorder
    public let node: NodeAgent
    let podInformer: SharedInformer<CoreV1.Pod>
    let serviceInformer: SharedInformer<CoreV1.Service>
    let podClient: ResourceClient<CoreV1.Pod>
    let objects: APIVolumeObjects
    let probes: ProbeManager

    public init(options: Options, rest: RESTClient, runtime: any ContainerRuntime, clock: any ComponentClock = SystemClock(),
                logger: Logger, hostDNS: (nameservers: [String], searches: [String], options: [String]), shared: SharedInformers? = nil) {
        self.options = options
        self.rest = rest
        self.shared = shared
        self.runtime = runtime
        self.clock = clock
        self.logger = logger
        queue = WorkQueue(clock: clock, rateLimiter: ItemExponentialFailureRateLimiter(baseDelay: .milliseconds(200), maxDelay: .seconds(30)))
        crashBackoff = Backoff(initial: options.config.crashLoopBackOffInitial, max: options.config.crashLoopBackOffMax, clock: clock)
        images = ImageManager(runtime: runtime, backoff: Backoff(initial: .seconds(10), max: .seconds(300), clock: clock))
        volumes = VolumeManager(rootDir: options.rootDir)
        sandboxes = SandboxConfigBuilder(config: options.config, podLogsDir: options.podLogsDir, hostDNS: hostDNS,
                                         seccompRoot: options.rootDir + "/seccomp")
        recorder = EventRecorder(sink: RESTEventSink(rest: rest), component: "kubelet", host: options.nodeName, clock: clock)
        var addresses = options.nodeIPs.map { CoreV1.NodeAddress(address: $0, type: "InternalIP") }
        addresses.append(CoreV1.NodeAddress(address: options.nodeName, type: "Hostname"))
        node = NodeAgent(
            rest: rest, runtime: runtime, clock: clock, logger: logger,
            builder: NodeStatusBuilder(nodeName: options.nodeName, machine: options.machine, config: options.config, addresses: addresses),
            labels: options.nodeLabels, nodeInformer: shared?.nodes)
        podClient = rest.resource(CoreV1.Pod.self)
        podInformer = shared?.pods
            ?? SharedInformer(source: RESTListWatch(client: podClient, fieldSelector: "spec.nodeName=\(options.nodeName)"), clock: clock)
        serviceInformer = shared?.services ?? SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Service.self)), clock: clock)
        objects = APIVolumeObjects(rest: rest)
        probes = ProbeManager(runtime: runtime, clock: clock, logger: logger)
        probes.onChange = { [queue] uid in queue.add(uid) }
    }

    /// Runs until cancelled: registers the node, then syncs pods.
    public func run() async {
        do {
            let version = try await runtime.version()
            memory.withLock { $0.runtimeName = version.runtimeName }
            logger.info("container runtime", metadata: ["name": "\(version.runtimeName)", "version": "\(version.runtimeVersion)",
                                                        "apiVersion": "\(version.runtimeApiVersion)"])
        } catch {
            logger.error("container runtime is not reachable; the node stays NotReady until it is", metadata: ["error": "\(error)"])
        }
        let name = options.nodeName
        let handler = ResourceEventHandler<CoreV1.Pod>(
            // Mirror pods stand for static pods, which run from their manifests, not from the API.
            onAdd: { [weak self] pod in if pod.spec?.nodeName == name && !StaticPodSource.isMirror(pod) { self?.observe(pod) } },
            onUpdate: { [weak self] _, pod in if pod.spec?.nodeName == name && !StaticPodSource.isMirror(pod) { self?.observe(pod) } },
            onDelete: { [weak self] deleted in
                if deleted.object.spec?.nodeName == name && !StaticPodSource.isMirror(deleted.object) { self?.forget(deleted.object) }
            })
        let registration = podInformer.addEventHandler(handler)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.recorder.run() }
            group.addTask { await self.node.run(config: self.options.config) }
            if shared == nil {
                group.addTask { await self.podInformer.run() }
                group.addTask { await self.serviceInformer.run() }
            }
            group.addTask {
                _ = await self.podInformer.waitForSync()
                await self.node.waitForRegistration()
                await ControllerRunner(queue: self.queue, onFailure: { [logger = self.logger] uid, error, _ in
                    logger.warning("pod sync failed; retrying", metadata: ["podUID": "\(uid)", "error": "\(error)"])
                }, sync: { uid in try await self.sync(uid) }).run(workers: self.options.workers)
            }
            group.addTask {
                _ = await self.podInformer.waitForSync()
                await self.housekeeping(period: self.options.housekeepingPeriod)
            }
            group.addTask { await self.rotateLogs(period: self.options.config.containerLogMonitorInterval) }
            if let path = options.config.staticPodPath {
                group.addTask {
                    await self.node.waitForRegistration()
                    _ = await self.podInformer.waitForSync()
                    await self.runStaticPods(path: path, period: self.options.config.fileCheckFrequency)
                }
            }
            group.addTask {
                _ = await self.podInformer.waitForSync()
                await PLEG(runtime: self.runtime, clock: self.clock, period: self.options.relistPeriod, logger: self.logger,
                           known: { [weak self] in self?.knownPodUIDs ?? [] },
                           changed: { [queue = self.queue] uid in queue.add(uid) }).run()
            }
            await group.next()
            group.cancelAll()
        }
        podInformer.removeEventHandler(registration)
        queue.shutDown()
        recorder.shutDown()
    }

    func observe(_ pod: CoreV1.Pod) {
        guard let uid = pod.metadata?.uid else { return }
        memory.withLock { $0.pods[uid] = pod }
        queue.add(uid)
    }

    func forget(_ pod: CoreV1.Pod) {
        guard let uid = pod.metadata?.uid else { return }
        memory.withLock { $0.pods[uid] = nil }
        queue.add(uid)
    }

    /// Pods admitted and not finished (a figure for hollow nodes).
    public var runningPodCount: Int { activePods.count }

    var knownPodUIDs: Set<String> { memory.withLock { Set($0.pods.keys) } }

    /// Pods this kubelet has accepted and not finished, for admission and node figures.
    var activePods: [CoreV1.Pod] {
        memory.withLock { memory in
            memory.pods.values.filter { pod in
                let uid = pod.metadata?.uid ?? ""
                return memory.admitted.contains(uid) && !memory.finished.contains(uid)
            }
        }
    }
}
