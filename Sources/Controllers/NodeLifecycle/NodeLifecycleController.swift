import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `nodelifecycle` controller with its taint-based eviction (kube-controller-manager's
/// nodelifecycle and taint-eviction-controller):
///
/// - A node whose kubelet has neither renewed its Lease (`kube-node-lease/<node>`) nor posted
///   its Ready condition for `--node-monitor-grace-period` gets its kubelet conditions set to
///   Unknown, and its pods marked not ready.
/// - Conditions become NoSchedule taints (not-ready, unreachable, memory/disk/PID pressure,
///   network-unavailable, unschedulable) at once, and readiness a NoExecute not-ready or
///   unreachable taint, added at `--node-eviction-rate` per zone (`--secondary-node-eviction-rate`
///   in a zone mostly down, none when every zone is entirely down).
/// - Pods on a node with NoExecute taints they do not tolerate are deleted (a DisruptionTarget
///   condition first), those tolerating them for `tolerationSeconds` when that runs out.
///
/// Every node is looked at each `--node-monitor-period` and whenever it changes.
public final class NodeLifecycleController: Sendable {
    public struct Settings: Sendable {
        public var gracePeriod: Int64 = 40
        /// For a node that never reported (`--node-startup-grace-period`).
        public var startupGracePeriod: Int64 = 60
        public var monitorPeriod: Swift.Duration = .seconds(5)
        public var evictionRate = 0.1
        public var secondaryEvictionRate = 0.01
        public var largeClusterThreshold = 50
        public var unhealthyZoneThreshold = 0.55
        public init() {}
    }

    static let leaseNamespace = "kube-node-lease"
    static let nodeNameIndex = "spec.nodeName"

    let nodes: Lister<CoreV1.Node>
    let leases: Lister<CoordinationV1.Lease>
    let pods: Lister<CoreV1.Pod>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    let settings: Settings
    public let queue: WorkQueue<String>
    private let health = Mutex<[String: Health]>([:])
    /// Zone → when it last got a NoExecute taint (seconds), for the eviction rate.
    private let lastTainted = Mutex<[String: Double]>([:])

    /// What the controller last saw of a node's heartbeats, and when (its own clock).
    struct Health {
        var heartbeat: Time?
        var renew: MicroTime?
        var probed: Int64
    }

    public init(
        nodes: Lister<CoreV1.Node>, leases: Lister<CoordinationV1.Lease>, pods: Lister<CoreV1.Pod>, client: any ControllerClient,
        events: any EventEmitter, settings: Settings = Settings(), clock: any ComponentClock, logger: Logger
    ) {
        self.nodes = nodes
        self.leases = leases
        self.pods = pods
        self.client = client
        self.events = events
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        do {
            try pods.store.addIndexers([Self.nodeNameIndex: { pod in [pod.spec?.nodeName ?? ""] }])
        } catch .indexExists {
            // shared informer: indexed already
        } catch {
            preconditionFailure("NodeLifecycleController: \(error)")
        }
    }

    public func register(nodes informer: SharedInformer<CoreV1.Node>, pods podInformer: SharedInformer<CoreV1.Pod>) {
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.name) }, onUpdate: { [queue] _, new in queue.add(new.name) },
            onDelete: { [self] deleted in _ = health.withLock { $0.removeValue(forKey: deleted.object.name) } }))
        // A pod bound to a tainted node may have to go.
        _ = podInformer.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] pod in if let node = pod.spec?.nodeName, !node.isEmpty { queue.add(node) } },
            onUpdate: { [queue] old, new in
                if let node = new.spec?.nodeName, !node.isEmpty, old.spec?.nodeName != node || old.spec?.tolerations != new.spec?.tolerations {
                    queue.add(node)
                }
            },
            onDelete: { _ in }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "node_lifecycle_controller", metrics: metrics, logger: logger, failure: "node lifecycle sync failed; retrying", label: "node") { [self] in try await sync($0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run(workers: workers) }
            group.addTask { [self] in
                while !Task.isCancelled {
                    for node in nodes.list() { queue.add(node.name) }
                    do { try await clock.sleep(until: clock.now + settings.monitorPeriod) } catch { return }
                }
            }
            await group.waitForAll()
        }
    }

    var now: Int64 { clock.wallNow.time.secondsSinceEpoch }

    // MARK: Sync

    public func sync(_ name: String) async throws {
        guard var node = nodes.get(namespace: "", name: name) else { return }
        let now = self.now
        // 1. Health: silent for the grace period → conditions Unknown, pods not ready.
        if silent(node, now: now), let marked = NodeLifecycleRules.markedUnknown(node, now: Time(secondsSinceEpoch: now)) {
            let wasReady = NodeLifecycleRules.readyStatus(node) == "True"
            node = try await client.updateStatus(marked)
            if wasReady {
                events.event(regarding: node, type: .normal, reason: "NodeNotReady", message: "Node \(name) status is now: NodeNotReady")
            }
        }
        // Pods on an unreachable node are not ready either, also those that turn up later (a
        // node reporting itself not ready has a kubelet that reports its pods).
        if NodeLifecycleRules.readyStatus(node) == "Unknown" { try await markPodsNotReady(on: name) }
        // 2. Taints.
        let zoneState = self.zoneState(NodeLifecycleRules.zone(node))
        var noExecute = NodeLifecycleRules.noExecuteKey(node)
        let current = (node.spec?.taints ?? []).first { $0.effect == "NoExecute" && NodeLifecycleRules.managedKeys.contains($0.key) }?.key
        if noExecute != nil && noExecute != current {
            if current == nil && !admitEviction(zone: NodeLifecycleRules.zone(node), state: zoneState.state, size: zoneState.size, now: now) {
                noExecute = nil
                queue.add(name, after: .seconds(1))
            }
        }
        if zoneState.allDown { noExecute = nil }  // upstream's "master disruption" mode: evict nothing
        let stamp = Time(secondsSinceEpoch: now)
        let taints = NodeLifecycleRules.taints(of: node, noSchedule: NodeLifecycleRules.noScheduleTaints(node, now: stamp), noExecute: noExecute, now: stamp)
        if taints != (node.spec?.taints ?? []) {
            var copy = node
            var spec = copy.spec ?? CoreV1.NodeSpec()
            spec.taints = taints.isEmpty ? nil : taints
            copy.spec = spec
            node = try await client.update(copy)
        }
        // 3. Taint-based eviction of the node's pods.
        try await evictPods(on: node, now: now)
    }

    /// Whether the kubelet has said nothing — no Ready heartbeat, no Lease renewal — for the
    /// grace period, as this controller has observed it.
    func silent(_ node: CoreV1.Node, now: Int64) -> Bool {
        let heartbeat = NodeLifecycleRules.condition(node, "Ready")?.lastHeartbeatTime
        let renew = leases.get(namespace: Self.leaseNamespace, name: node.name)?.spec?.renewTime
        let probed = health.withLock { table -> Int64 in
            if var seen = table[node.name] {
                if seen.heartbeat != heartbeat || seen.renew != renew {
                    seen = Health(heartbeat: heartbeat, renew: renew, probed: now)
                    table[node.name] = seen
                }
                return seen.probed
            }
            // First sight: a node that has reported is given the grace period from now (the
            // kubelet's clock is not ours); one that never has, the startup grace period from
            // its creation.
            let probed = heartbeat == nil ? (node.metadata?.creationTimestamp?.secondsSinceEpoch ?? now) : now
            table[node.name] = Health(heartbeat: heartbeat, renew: renew, probed: probed)
            return probed
        }
        let grace = heartbeat == nil ? max(settings.startupGracePeriod, settings.gracePeriod) : settings.gracePeriod
        if now - probed > grace { return true }
        queue.add(node.name, after: .seconds(Int(grace - (now - probed)) + 1))
        return false
    }

    /// The zone's state over the cached nodes, its size, and whether every zone is down.
    func zoneState(_ zone: String) -> (state: NodeLifecycleRules.ZoneState, size: Int, allDown: Bool) {
        var counts: [String: (ready: Int, notReady: Int)] = [:]
        for node in nodes.list() where node.metadata?.labels?["node.kubernetes.io/exclude-disruption"] == nil {
            let key = NodeLifecycleRules.zone(node)
            let ready = NodeLifecycleRules.readyStatus(node) == "True"
            counts[key, default: (0, 0)].ready += ready ? 1 : 0
            counts[key, default: (0, 0)].notReady += ready ? 0 : 1
        }
        let states = counts.mapValues { NodeLifecycleRules.zoneState(ready: $0.ready, notReady: $0.notReady, unhealthyThreshold: settings.unhealthyZoneThreshold) }
        let allDown = !states.isEmpty && states.values.allSatisfy { $0 == .fullDisruption }
        let size = counts[zone].map { $0.ready + $0.notReady } ?? 0
        return (states[zone] ?? .normal, size, allDown)
    }

    /// Takes the zone's next eviction slot if its rate allows one now.
    func admitEviction(zone: String, state: NodeLifecycleRules.ZoneState, size: Int, now: Int64) -> Bool {
        let rate: Double
        switch state {
        case .normal, .fullDisruption: rate = settings.evictionRate
        case .partialDisruption: rate = size > settings.largeClusterThreshold ? settings.secondaryEvictionRate : 0
        }
        guard rate > 0 else { return false }
        return lastTainted.withLock { table in
            let seconds = Double(now)
            if let last = table[zone], seconds - last < 1 / rate { return false }
            table[zone] = seconds
            return true
        }
    }

    // MARK: Pods

    func podsOn(_ node: String) -> [CoreV1.Pod] {
        do {
            return try pods.byIndex(Self.nodeNameIndex, node)
        } catch {
            return pods.list().filter { $0.spec?.nodeName == node }
        }
    }

    /// Upstream's `MarkPodsNotReady`: the Ready condition of the node's pods goes False.
    func markPodsNotReady(on node: String) async throws {
        let time = Time(secondsSinceEpoch: now)
        for pod in podsOn(node) where pod.isReady {
            events.event(regarding: pod, type: .warning, reason: "NodeNotReady", message: "Node is not ready")
            var copy = pod
            var status = copy.status ?? CoreV1.PodStatus()
            status.conditions = (status.conditions ?? []).map { condition in
                guard condition.type == "Ready" else { return condition }
                var changed = condition
                changed.status = "False"
                changed.lastTransitionTime = time
                return changed
            }
            copy.status = status
            do {
                _ = try await client.updateStatus(copy)
            } catch let error as StatusError where error.isNotFound || error.isConflict {
                continue
            }
        }
    }

    /// Deletes the pods whose NoExecute tolerance has run out; comes back for the next one due.
    func evictPods(on node: CoreV1.Node, now: Int64) async throws {
        let taints = node.spec?.taints ?? []
        guard taints.contains(where: { $0.effect == "NoExecute" }) else { return }
        var next: Int64?
        for pod in podsOn(node.name) where !pod.isBeingDeleted {
            guard let due = NodeLifecycleRules.evictionTime(pod, taints: taints, now: now) else { continue }
            if due > now {
                next = min(next ?? due, due)
                continue
            }
            events.event(regarding: pod, type: .normal, reason: "TaintManagerEviction", message: "Marking for deletion Pod \(pod.namespace)/\(pod.name)")
            var marked = pod
            var status = marked.status ?? CoreV1.PodStatus()
            var conditions = (status.conditions ?? []).filter { $0.type != "DisruptionTarget" }
            conditions.append(CoreV1.PodCondition(
                lastTransitionTime: Time(secondsSinceEpoch: now), message: "Taint manager: deleting due to NoExecute taint",
                reason: "DeletionByTaintManager", status: "True", type: "DisruptionTarget"))
            status.conditions = conditions
            marked.status = status
            do {
                _ = try await client.updateStatus(marked)
                try await client.delete(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, uid: pod.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound || error.isConflict {
                continue
            }
        }
        if let next { queue.add(node.name, after: .seconds(Int(next - now))) }
    }
}
