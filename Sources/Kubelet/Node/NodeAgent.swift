import APIMachinery
import CRIAPI
import Client
import Component
import Logging
import Synchronization

/// Keeps the Node object of this kubelet (upstream `kubelet_node_status.go` and the node lease
/// controller): registers it (retrying with back-off, adopting an existing Node of the same
/// name), renews the Lease `kube-node-lease/<node>` every `leaseDuration / 4`, and patches the
/// node status every `nodeStatusUpdateFrequency` when it changed, or every
/// `nodeStatusReportFrequency` when not. Hands the Node's `spec.podCIDR` to the runtime when it
/// appears or changes.
public final class NodeAgent: Sendable {
    let rest: RESTClient
    let runtime: any ContainerRuntime
    let clock: any ComponentClock
    let logger: Logger
    public let builder: NodeStatusBuilder
    let labels: [String: String]
    /// An informer over every Node shared with other agents in this process, or nil to watch
    /// only this one.
    let nodeInformer: SharedInformer<CoreV1.Node>?

    struct State {
        var node: CoreV1.Node?
        var registered = false
        var lastReport: ContinuousClock.Instant?
        var podCIDR: String?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var leaseRenewals = 0
        var leaseFailures = 0
    }

    let state = Mutex(State())

    public init(rest: RESTClient, runtime: any ContainerRuntime, clock: any ComponentClock, logger: Logger,
                builder: NodeStatusBuilder, labels: [String: String], nodeInformer: SharedInformer<CoreV1.Node>? = nil) {
        self.nodeInformer = nodeInformer
        self.rest = rest
        self.runtime = runtime
        self.clock = clock
        self.logger = logger
        self.builder = builder
        self.labels = labels
    }

    /// The Node as last written or read.
    public var current: CoreV1.Node? { state.withLock { $0.node } }
    public var isRegistered: Bool { state.withLock { $0.registered } }
    /// Lease renewals that succeeded and failed, for figures.
    public var leaseCounts: (renewed: Int, failed: Int) { state.withLock { ($0.leaseRenewals, $0.leaseFailures) } }

    /// Returns once the Node is registered.
    public func waitForRegistration() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.registered { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Registers, then keeps the Lease and status until cancelled, watching its own Node for
    /// changes made by others (labels, taints, the podCIDR nodeipam assigns).
    public func run(config: KubeletConfiguration) async {
        await register(config: config)
        let name = builder.nodeName
        let informer = nodeInformer ?? SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Node.self),
                                                                            fieldSelector: "metadata.name=\(name)"), clock: clock)
        let registration = informer.addEventHandler(ResourceEventHandler(onAnyChange: { [weak self] node in
            if node.metadata?.name == name { await self?.observe(node) }
        }))
        defer { informer.removeEventHandler(registration) }
        await withTaskGroup(of: Void.self) { group in
            if nodeInformer == nil { group.addTask { await informer.run() } }
            group.addTask { await self.leaseLoop(duration: config.nodeLeaseDurationSeconds) }
            group.addTask { await self.statusLoop(update: config.nodeStatusUpdateFrequency, report: config.nodeStatusReportFrequency) }
            await group.next()
            group.cancelAll()
        }
    }

    func register(config: KubeletConfiguration) async {
        let nodes = rest.resource(CoreV1.Node.self)
        var delay: Swift.Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                let created: CoreV1.Node
                do {
                    created = try await nodes.create(builder.initialNode(labels: labels))
                    logger.info("node registered", metadata: ["node": "\(builder.nodeName)"])
                } catch let error as StatusError where error.isAlreadyExists {
                    created = try await nodes.get(builder.nodeName)
                    logger.info("node already registered; using it", metadata: ["node": "\(builder.nodeName)"])
                }
                let waiters = state.withLock { state in
                    state.node = created
                    state.registered = true
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume() }
                await syncStatus(force: true)
                return
            } catch {
                logger.warning("node registration failed; retrying", metadata: ["node": "\(builder.nodeName)", "error": "\(error)", "retryIn": "\(delay)"])
                do { try await clock.sleep(for: delay) } catch { return }
                delay = min(delay * 2, .seconds(7))
            }
        }
    }

    func statusLoop(update: Swift.Duration, report: Swift.Duration) async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: update) } catch { return }
            let due = state.withLock { state in state.lastReport.map { clock.now - $0 >= report } ?? true }
            await syncStatus(force: due)
        }
    }

    /// Builds the status and patches it when it changed (or `force`).
    func syncStatus(force: Bool) async {
        var version: Runtime_V1_VersionResponse?
        var runtimeStatus: Runtime_V1_RuntimeStatus?
        var images: [Runtime_V1_Image] = []
        do {
            version = try await runtime.version()
            runtimeStatus = try await runtime.status()
            images = try await runtime.listImages()
        } catch {
            logger.warning("container runtime did not answer", metadata: ["error": "\(error)"])
        }
        let old = state.withLock { $0.node?.status }
        let status = builder.status(old: old, runtimeVersion: version, runtime: runtimeStatus, images: images, now: clock.wallNow)
        if !force && !NodeStatusBuilder.changed(old, status) { return }
        let body: JSONValue = ["status": JSONCodec.tree(of: status)]
        do {
            let node = try await rest.resource(CoreV1.Node.self).patch(builder.nodeName, type: .merge, body: JSONCodec.encode(body),
                                                                       subresource: "status")
            state.withLock { state in
                state.node = node
                state.lastReport = clock.now
            }
            await handOverPodCIDR(node)
        } catch {
            logger.warning("node status update failed", metadata: ["node": "\(builder.nodeName)", "error": "\(error)"])
        }
    }

    func observe(_ node: CoreV1.Node) async {
        state.withLock { state in
            let newer = Int(node.metadata?.resourceVersion ?? "") ?? 0
            let known = Int(state.node?.metadata?.resourceVersion ?? "") ?? 0
            if newer >= known { state.node = node }
        }
        await handOverPodCIDR(node)
    }

    func handOverPodCIDR(_ node: CoreV1.Node) async {
        guard let cidr = node.spec?.podCIDR, !cidr.isEmpty, state.withLock({ $0.podCIDR }) != cidr else { return }
        do {
            try await runtime.updatePodCIDR(cidr)
            state.withLock { $0.podCIDR = cidr }
            logger.info("pod CIDR handed to the runtime", metadata: ["podCIDR": "\(cidr)"])
            await syncStatus(force: true)
        } catch {
            logger.warning("handing the pod CIDR to the runtime failed", metadata: ["podCIDR": "\(cidr)", "error": "\(error)"])
        }
    }

    func leaseLoop(duration: Int) async {
        let leases = rest.resource(CoordinationV1.Lease.self, namespace: "kube-node-lease")
        let interval = Swift.Duration.milliseconds(duration * 1000 / 4)
        var lease: CoordinationV1.Lease?
        var delay: Swift.Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                if var current = lease {
                    current.spec?.renewTime = clock.wallNow.microTime
                    current.spec?.holderIdentity = builder.nodeName
                    current.spec?.leaseDurationSeconds = Int32(duration)
                    lease = try await leases.update(current)
                } else {
                    lease = try await ensureLease(leases, duration: duration)
                }
                state.withLock { $0.leaseRenewals += 1 }
                delay = .milliseconds(200)
                do { try await clock.sleep(for: interval) } catch { return }
            } catch {
                state.withLock { $0.leaseFailures += 1 }
                logger.warning("node lease renewal failed", metadata: ["node": "\(builder.nodeName)", "error": "\(error)"])
                lease = nil
                do { try await clock.sleep(for: delay) } catch { return }
                delay = min(delay * 2, .seconds(7))
            }
        }
    }

    func ensureLease(_ leases: ResourceClient<CoordinationV1.Lease>, duration: Int) async throws -> CoordinationV1.Lease {
        do {
            var existing = try await leases.get(builder.nodeName)
            existing.spec = existing.spec ?? CoordinationV1.LeaseSpec()
            existing.spec?.holderIdentity = builder.nodeName
            existing.spec?.leaseDurationSeconds = Int32(duration)
            existing.spec?.renewTime = clock.wallNow.microTime
            return try await leases.update(existing)
        } catch let error as StatusError where error.isNotFound {
            var lease = CoordinationV1.Lease()
            lease.apiVersion = "coordination.k8s.io/v1"
            lease.kind = "Lease"
            var meta = MetaV1.ObjectMeta(name: builder.nodeName, namespace: "kube-node-lease")
            if let node = current, let uid = node.metadata?.uid {
                meta.ownerReferences = [MetaV1.OwnerReference(kind: "Node", apiVersion: "v1", name: builder.nodeName, uid: uid)]
            }
            lease.metadata = meta
            var spec = CoordinationV1.LeaseSpec()
            spec.holderIdentity = builder.nodeName
            spec.leaseDurationSeconds = Int32(duration)
            spec.renewTime = clock.wallNow.microTime
            lease.spec = spec
            return try await leases.create(lease)
        }
    }
}
