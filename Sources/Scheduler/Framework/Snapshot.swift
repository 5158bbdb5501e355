import APIMachinery

/// The nodes one scheduling cycle sees: an immutable view of the cache taken at the start
/// of the cycle (upstream `cache.Snapshot`).
///
/// Nodes are in a stable order (round-robin across zones, see `NodeTree`) that changes only
/// when nodes are added or removed; `SchedulingAlgorithm` starts its search at a rotating
/// index into it. `NodeInfo`s are immutable and shared with the cache, so a snapshot may be
/// kept, copied and read concurrently while the cache moves on.
/// `SchedulerCache.updateSnapshot` refreshes one in O(changed nodes).
public struct Snapshot: Sendable {
    /// Every node with a Node object, in scheduling order.
    public internal(set) var nodeInfos: [NodeInfo]
    /// Position of each node in `nodeInfos`.
    var indexByName: [String: Int]
    /// Positions of the nodes that have pods with inter-pod (anti-)affinity.
    var affinityIndices: [Int]
    /// Positions of the nodes that have pods with required anti-affinity.
    var requiredAntiAffinityIndices: [Int]
    /// For each image name, on how many nodes it is present (ImageLocality's spread).
    public internal(set) var imageNodeCounts: [String: Int]
    /// The cache generation this snapshot reflects.
    public internal(set) var generation: Int64
    var imagesGeneration: Int64
    /// The cache's node-set generation this snapshot's order reflects: positions in
    /// `nodeInfos` mean the same nodes in every snapshot of one source with this value.
    public internal(set) var treeGeneration: Int64
    /// Labels of every namespace the cache knows, by namespace name (namespace selectors of
    /// inter-pod affinity terms are matched against them).
    public internal(set) var namespaceLabels: [String: [String: String]]
    /// Selectors of Services, ReplicationControllers, ReplicaSets and StatefulSets
    /// (PodTopologySpread's default constraints).
    public internal(set) var workloadSelectors: WorkloadSelectors
    /// Every PodDisruptionBudget the cache knows, ordered by namespace then name (preemption).
    public internal(set) var disruptionBudgets: [DisruptionBudget]
    /// The cache's generation of namespaces, workload selectors and budgets this reflects.
    var objectsGeneration: Int64
    /// `nodeInfos[i].generation` for every `i`, contiguous, so per-node memos (see
    /// PodTopologySpread) find the changed nodes without touching every `NodeInfo`.
    public internal(set) var nodeGenerations: [Int64]
    /// Identifies the cache this snapshot came from: generations and `treeGeneration` are
    /// comparable only between snapshots of the same source (0 for an empty snapshot).
    public internal(set) var sourceIdentity: UInt64

    /// An empty snapshot; the first `updateSnapshot` fills it completely.
    public init() {
        nodeInfos = []
        indexByName = [:]
        affinityIndices = []
        requiredAntiAffinityIndices = []
        imageNodeCounts = [:]
        generation = -1
        imagesGeneration = -1
        treeGeneration = -1
        namespaceLabels = [:]
        workloadSelectors = WorkloadSelectors()
        disruptionBudgets = []
        objectsGeneration = -1
        nodeGenerations = []
        sourceIdentity = 0
    }

    /// A snapshot of `nodes` with `pods` placed by `spec.nodeName` (pods naming no listed node
    /// are ignored), in the order a fresh cache would list them, knowing `namespaces`. For
    /// tests and tools (a `SchedulerCache` gives access to every other kind of object).
    public init(nodes: [CoreV1.Node], pods: [CoreV1.Pod] = [], namespaces: [CoreV1.Namespace] = []) {
        let cache = SchedulerCache()
        for namespace in namespaces { cache.addNamespace(namespace) }
        for node in nodes { cache.addNode(node) }
        for pod in pods where !(pod.spec?.nodeName ?? "").isEmpty {
            try? cache.addPod(PodInfo(pod))
        }
        self.init()
        cache.updateSnapshot(&self)
    }

    public var count: Int { nodeInfos.count }

    /// The node named `name`, if present.
    public func nodeInfo(named name: String) -> NodeInfo? {
        indexByName[name].map { nodeInfos[$0] }
    }

    /// The nodes that have pods with inter-pod affinity or anti-affinity.
    public var nodesWithPodAffinity: [NodeInfo] { affinityIndices.map { nodeInfos[$0] } }

    /// The nodes that have pods with required anti-affinity.
    public var nodesWithRequiredAntiAffinity: [NodeInfo] { requiredAntiAffinityIndices.map { nodeInfos[$0] } }

    /// The labels of namespace `name`; empty when the namespace is unknown (upstream assumes
    /// an empty label set then).
    public func labels(ofNamespace name: String) -> [String: String] { namespaceLabels[name] ?? [:] }

    /// The names of the known namespaces whose labels `selector` matches, sorted.
    public func namespaces(matching selector: LabelSelectorQuery) -> [String] {
        namespaceLabels.filter { selector.matches($0.value) }.map(\.key).sorted()
    }

    /// How many nodes have the image `name` (as nodes report names).
    public func nodeCount(ofImage name: String) -> Int { imageNodeCounts[name] ?? 0 }

    /// Recomputes the affinity index lists from `nodeInfos`.
    mutating func rebuildAffinityLists() {
        affinityIndices.removeAll(keepingCapacity: true)
        requiredAntiAffinityIndices.removeAll(keepingCapacity: true)
        for (index, info) in nodeInfos.enumerated() {
            if !info.podsWithAffinity.isEmpty { affinityIndices.append(index) }
            if !info.podsWithRequiredAntiAffinity.isEmpty { requiredAntiAffinityIndices.append(index) }
        }
    }
}
