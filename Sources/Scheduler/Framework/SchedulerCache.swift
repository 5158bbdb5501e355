import APIMachinery

/// The scheduler's picture of the cluster: every node and every pod placed on one, including
/// pods the scheduler has placed but whose binding has not been observed yet ("assumed";
/// upstream `internal/cache`).
///
/// The shell feeds it informer events (nodes; pods with `spec.nodeName` set) and the
/// scheduling loop's own decisions (`assumePod` when a node is chosen, `finishBinding` once
/// the binding call returned, `forgetPod` when binding failed). Each cycle starts with
/// `updateSnapshot`, which visits only the nodes that changed since the snapshot it is given
/// (every change bumps a generation counter, as upstream's `UpdateSnapshot`). `NodeInfo`s are
/// immutable, so a snapshot shares the cache's values instead of copying them.
///
/// Pod lifecycle: assumed → (binding finished) → added by the informer (confirmed); an
/// assumed pod is removed by `forgetPod`, or, once its binding finished and `assumedPodTTLSeconds`
/// is set, by `cleanupExpiredAssumedPods` when no informer event confirmed it in time.
/// A pod observed on a node other than the one assumed moves to the observed node.
///
/// Besides nodes and pods it holds what some plugins read: namespace labels (inter-pod
/// affinity), the selectors of Services/ReplicationControllers/ReplicaSets/StatefulSets
/// (PodTopologySpread defaults) and PodDisruptionBudgets (preemption), each fed by the
/// shell's informers through `add…`/`remove…` and copied into snapshots when changed.
///
/// Not thread-safe: a `final class` with no locking. The owner serialises every call (one
/// actor, or one lock around the cache). Snapshots it produces are immutable and may be
/// shared freely.
public final class SchedulerCache {
    struct PodState {
        var pod: PodInfo
        var assumed: Bool
        var bindingFinished: Bool
        /// Seconds since the epoch after which an unconfirmed assumed pod expires.
        var deadline: Int64?
    }

    struct Change {
        var generation: Int64
        var name: String
    }

    /// Seconds an assumed pod whose binding finished may wait for confirmation; 0 keeps it
    /// until confirmed or forgotten (upstream's default).
    public var assumedPodTTLSeconds: Int64

    private var nodes: [String: NodeInfo] = [:]
    private var tree = NodeTree()
    private var podStates: [String: PodState] = [:]
    private var imageNodeCounts: [String: Int] = [:]
    private var generationCounter: Int64 = 0
    private var imagesGeneration: Int64 = 0
    private var treeGeneration: Int64 = 0
    /// Node changes in generation order; compacted to the latest change per live node.
    private var changeLog: [Change] = []
    private var namespaceLabels: [String: [String: String]] = [:]
    private var workloadSelectors = WorkloadSelectors()
    private var disruptionBudgets: [String: DisruptionBudget] = [:]
    /// Bumped by every change to namespaces, workload selectors or budgets.
    private var objectsGeneration: Int64 = 0
    /// Distinguishes this cache's snapshots from other caches' (generations are per cache).
    private let identity = UInt64.random(in: 1...UInt64.max)

    public init(assumedPodTTLSeconds: Int64 = 0) {
        self.assumedPodTTLSeconds = assumedPodTTLSeconds
    }

    // MARK: - Queries

    /// The number of nodes with a Node object.
    public var nodeCount: Int { tree.count }

    /// The number of pods in the cache, assumed ones included.
    public var podCount: Int { podStates.count }

    /// The cache's entry for a node (possibly one without a Node object): the value the next
    /// snapshot will share.
    public func nodeInfo(named name: String) -> NodeInfo? { nodes[name] }

    /// The cached version of the pod with `key`, if any.
    public func pod(forKey key: String) -> PodInfo? { podStates[key]?.pod }

    /// Whether the pod is in the cache only because the scheduler assumed it.
    public func isAssumed(_ pod: PodInfo) -> Bool { podStates[pod.key]?.assumed ?? false }

    /// The keys of the assumed pods, sorted.
    public var assumedPodKeys: [String] { podStates.filter(\.value.assumed).map(\.key).sorted() }

    // MARK: - Nodes

    /// Adds a node, or replaces it if present (pods already recorded for it are kept).
    public func addNode(_ node: CoreV1.Node) {
        let name = node.metadata?.name ?? ""
        if let existing = nodes[name] { removeImages(of: existing) }
        let info = mutate(name) { $0.setNode(node) }
        addImages(of: info)
        if tree.upsert(name: name, labels: info.labels) { treeGeneration = nextGeneration() }
    }

    /// Replaces a node's object (upstream `UpdateNode`); adds it if unknown.
    public func updateNode(_ node: CoreV1.Node) {
        addNode(node)
    }

    /// Removes a node. Pods still recorded on it stay (under an entry without a Node object)
    /// until they are removed; the node leaves snapshots at once.
    public func removeNode(named name: String) throws(SchedulerCacheError) {
        guard let info = nodes[name], info.node != nil else {
            throw SchedulerCacheError("node \(name) is not found")
        }
        removeImages(of: info)
        mutate(name) { $0.clearNode() }
        if tree.remove(name: name) { treeGeneration = nextGeneration() }
    }

    // MARK: - Pods

    /// Records `pod` (whose `nodeName` is the chosen node) as placed before its binding is
    /// confirmed. Throws if the pod is already in the cache.
    public func assumePod(_ pod: PodInfo) throws(SchedulerCacheError) {
        guard podStates[pod.key] == nil else {
            throw SchedulerCacheError("pod \(pod.key)(\(pod)) is in the cache, so can't be assumed")
        }
        place(pod)
        podStates[pod.key] = PodState(pod: pod, assumed: true, bindingFinished: false, deadline: nil)
    }

    /// Notes that the binding call for an assumed pod returned; with a TTL configured, the
    /// pod now expires at `now + assumedPodTTLSeconds` unless confirmed. Unknown or
    /// confirmed pods are ignored.
    public func finishBinding(_ pod: PodInfo, now: Time) {
        guard var state = podStates[pod.key], state.assumed else { return }
        state.bindingFinished = true
        if assumedPodTTLSeconds > 0 { state.deadline = now.secondsSinceEpoch + assumedPodTTLSeconds }
        podStates[pod.key] = state
    }

    /// Undoes `assumePod` (binding failed). Throws if the pod is not assumed, or is assumed
    /// on another node than `pod.nodeName`.
    public func forgetPod(_ pod: PodInfo) throws(SchedulerCacheError) {
        guard let state = podStates[pod.key], state.assumed else {
            throw SchedulerCacheError("pod \(pod.key)(\(pod)) wasn't assumed so cannot be forgotten")
        }
        if !pod.nodeName.isEmpty && state.pod.nodeName != pod.nodeName {
            throw SchedulerCacheError(
                "pod \(pod.key)(\(pod)) was assumed on \(pod.nodeName) but assigned to \(state.pod.nodeName)")
        }
        unplace(state.pod)
        podStates[pod.key] = nil
    }

    /// An assigned pod observed by the informer. Confirms an assumed pod (moving it if it
    /// landed elsewhere, and taking the observed version), or adds a pod the cache did not
    /// know (including one whose assumption expired). Throws if it was already added.
    public func addPod(_ pod: PodInfo) throws(SchedulerCacheError) {
        if let state = podStates[pod.key] {
            guard state.assumed else {
                throw SchedulerCacheError("pod \(pod.key)(\(pod)) was already in added state")
            }
            unplace(state.pod)
        }
        place(pod)
        podStates[pod.key] = PodState(pod: pod, assumed: false, bindingFinished: false, deadline: nil)
    }

    /// A change to an added (not assumed) pod. Throws if the cache does not hold it as added.
    public func updatePod(old: PodInfo, new: PodInfo) throws(SchedulerCacheError) {
        guard let state = podStates[old.key], !state.assumed else {
            throw SchedulerCacheError("pod \(old.key)(\(old)) is not added to scheduler cache, so cannot be updated")
        }
        unplace(state.pod)
        place(new)
        podStates[new.key] = PodState(pod: new, assumed: false, bindingFinished: false, deadline: nil)
    }

    /// Removes a pod (deleted, or no longer assigned), assumed or not, from the node the
    /// cache has it on. Throws if the pod is unknown.
    public func removePod(_ pod: PodInfo) throws(SchedulerCacheError) {
        guard let state = podStates[pod.key] else {
            throw SchedulerCacheError("pod \(pod.key)(\(pod)) is not found in scheduler cache, so cannot be removed from it")
        }
        unplace(state.pod)
        podStates[pod.key] = nil
    }

    /// Drops assumed pods whose binding finished and whose deadline is before `now`;
    /// returns them.
    @discardableResult
    public func cleanupExpiredAssumedPods(now: Time) -> [PodInfo] {
        var expired: [PodInfo] = []
        for (key, state) in podStates where state.assumed && state.bindingFinished {
            guard let deadline = state.deadline, deadline < now.secondsSinceEpoch else { continue }
            unplace(state.pod)
            podStates[key] = nil
            expired.append(state.pod)
        }
        return expired.sorted { $0.key < $1.key }
    }

    private func place(_ pod: PodInfo) {
        mutate(pod.nodeName) { $0.addPod(pod) }
    }

    private func unplace(_ pod: PodInfo) {
        guard nodes[pod.nodeName] != nil else { return }
        mutate(pod.nodeName) { _ = $0.removePod(key: pod.key) }
    }

    /// Replaces the entry for `name` by a changed copy stamped with a new generation, logs
    /// the change, and drops entries left with neither a Node object nor pods.
    @discardableResult
    private func mutate(_ name: String, _ change: (inout NodeInfo.Fields) -> Void) -> NodeInfo {
        var fields = nodes[name]?.fields ?? NodeInfo.Fields(node: nil, name: name)
        change(&fields)
        fields.generation = nextGeneration()
        let info = NodeInfo(fields)
        nodes[name] = info.node == nil && info.pods.isEmpty ? nil : info
        changeLog.append(Change(generation: info.generation, name: name))
        if changeLog.count > max(4096, 4 * nodes.count) { compactChangeLog() }
        return info
    }

    // MARK: - Namespaces, workloads and disruption budgets

    /// Records a namespace's labels (inter-pod affinity namespace selectors), replacing any
    /// earlier version.
    public func addNamespace(_ namespace: CoreV1.Namespace) {
        namespaceLabels[namespace.metadata?.name ?? ""] = namespace.metadata?.labels ?? [:]
        objectsGeneration = nextGeneration()
    }

    /// Same as `addNamespace`.
    public func updateNamespace(_ namespace: CoreV1.Namespace) { addNamespace(namespace) }

    /// Forgets a namespace; unknown names are ignored.
    public func removeNamespace(named name: String) {
        guard namespaceLabels.removeValue(forKey: name) != nil else { return }
        objectsGeneration = nextGeneration()
    }

    /// Records (or replaces) a Service's selector for PodTopologySpread's default constraints.
    public func addService(_ service: CoreV1.Service) {
        workloadSelectors.setService(service)
        objectsGeneration = nextGeneration()
    }

    public func removeService(namespace: String, name: String) {
        workloadSelectors.removeService(namespace: namespace, name: name)
        objectsGeneration = nextGeneration()
    }

    public func addReplicationController(_ controller: CoreV1.ReplicationController) {
        workloadSelectors.setReplicationController(controller)
        objectsGeneration = nextGeneration()
    }

    public func removeReplicationController(namespace: String, name: String) {
        workloadSelectors.removeReplicationController(namespace: namespace, name: name)
        objectsGeneration = nextGeneration()
    }

    public func addReplicaSet(_ replicaSet: AppsV1.ReplicaSet) {
        workloadSelectors.setReplicaSet(replicaSet)
        objectsGeneration = nextGeneration()
    }

    public func removeReplicaSet(namespace: String, name: String) {
        workloadSelectors.removeReplicaSet(namespace: namespace, name: name)
        objectsGeneration = nextGeneration()
    }

    public func addStatefulSet(_ statefulSet: AppsV1.StatefulSet) {
        workloadSelectors.setStatefulSet(statefulSet)
        objectsGeneration = nextGeneration()
    }

    public func removeStatefulSet(namespace: String, name: String) {
        workloadSelectors.removeStatefulSet(namespace: namespace, name: name)
        objectsGeneration = nextGeneration()
    }

    /// Records (or replaces) a PodDisruptionBudget for preemption.
    public func addPodDisruptionBudget(_ budget: PolicyV1.PodDisruptionBudget) {
        let info = DisruptionBudget(budget)
        disruptionBudgets[info.namespace + "/" + info.name] = info
        objectsGeneration = nextGeneration()
    }

    /// Same as `addPodDisruptionBudget`.
    public func updatePodDisruptionBudget(_ budget: PolicyV1.PodDisruptionBudget) { addPodDisruptionBudget(budget) }

    public func removePodDisruptionBudget(namespace: String, name: String) {
        guard disruptionBudgets.removeValue(forKey: namespace + "/" + name) != nil else { return }
        objectsGeneration = nextGeneration()
    }

    // MARK: - Images

    private func addImages(of info: NodeInfo) {
        guard !info.imageSizes.isEmpty else { return }
        for name in info.imageSizes.keys { imageNodeCounts[name, default: 0] += 1 }
        imagesGeneration = nextGeneration()
    }

    private func removeImages(of info: NodeInfo) {
        guard !info.imageSizes.isEmpty else { return }
        for name in info.imageSizes.keys {
            let count = (imageNodeCounts[name] ?? 0) - 1
            imageNodeCounts[name] = count > 0 ? count : nil
        }
        imagesGeneration = nextGeneration()
    }

    // MARK: - Generations and snapshots

    private func nextGeneration() -> Int64 {
        generationCounter += 1
        return generationCounter
    }

    /// Keeps only the latest change of each node still in the cache. Snapshots stay correct:
    /// a live node's latest change is kept, and removed nodes leave through the tree.
    private func compactChangeLog() {
        var seen = Set<String>()
        var kept: [Change] = []
        for change in changeLog.reversed() where nodes[change.name] != nil && seen.insert(change.name).inserted {
            kept.append(change)
        }
        changeLog = kept.reversed()
    }

    /// Brings `snapshot` up to date with the cache, replacing only the nodes changed since
    /// the generation it reflects: O(changes), plus O(nodes) when nodes were added, removed
    /// or changed zone (the order is rebuilt then) or for a fresh snapshot.
    public func updateSnapshot(_ snapshot: inout Snapshot) {
        let fresh = snapshot.generation < 0
        var changed = Set<String>()
        if !fresh {
            for change in changeLog.reversed() {
                if change.generation <= snapshot.generation { break }
                changed.insert(change.name)
            }
        }
        var affinityDirty = false
        if fresh || snapshot.treeGeneration != treeGeneration {
            // Nodes came or went: list them again (the objects are shared, nothing is copied).
            let names = tree.list()
            var infos: [NodeInfo] = []
            infos.reserveCapacity(names.count)
            var index: [String: Int] = [:]
            index.reserveCapacity(names.count)
            for name in names {
                guard let live = nodes[name] else { continue }
                infos.append(live)
                index[name] = infos.count - 1
            }
            snapshot.nodeInfos = infos
            snapshot.nodeGenerations = infos.map(\.generation)
            snapshot.indexByName = index
            snapshot.treeGeneration = treeGeneration
            affinityDirty = true
        } else {
            for name in changed {
                guard let position = snapshot.indexByName[name], let live = nodes[name], live.node != nil else {
                    continue
                }
                let old = snapshot.nodeInfos[position]
                if old.podsWithAffinity.isEmpty != live.podsWithAffinity.isEmpty
                    || old.podsWithRequiredAntiAffinity.isEmpty != live.podsWithRequiredAntiAffinity.isEmpty
                {
                    affinityDirty = true
                }
                snapshot.nodeInfos[position] = live
                snapshot.nodeGenerations[position] = live.generation
            }
        }
        if affinityDirty { snapshot.rebuildAffinityLists() }
        if snapshot.imagesGeneration != imagesGeneration {
            snapshot.imageNodeCounts = imageNodeCounts
            snapshot.imagesGeneration = imagesGeneration
        }
        if snapshot.objectsGeneration != objectsGeneration {
            // Copy-on-write values: O(1), except the budget list (O(budgets)).
            snapshot.namespaceLabels = namespaceLabels
            snapshot.workloadSelectors = workloadSelectors
            snapshot.disruptionBudgets = disruptionBudgets.values.sorted {
                ($0.namespace, $0.name) < ($1.namespace, $1.name)
            }
            snapshot.objectsGeneration = objectsGeneration
        }
        snapshot.generation = generationCounter
        snapshot.sourceIdentity = identity
    }
}

/// A cache operation that does not fit the cache's state (upstream's messages).
public struct SchedulerCacheError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
