/// Resource requests against node allocatable (upstream `noderesources.Fit`).
///
/// Filter: the node must admit one more pod (`Too many pods`) and have room for the pod's
/// effective request of every resource it requests (`Insufficient cpu`, `Insufficient
/// memory`, `Insufficient ephemeral-storage`, `Insufficient <name>` for scalar resources),
/// counting every pod already there, assumed ones included. All failing resources are
/// reported. Extended resources named in `ignoredResources`, or whose domain is in
/// `ignoredResourceGroups`, are not checked.
///
/// Score: by `scoringStrategy` (see `ScoringStrategy`), on the non-zero requests.
public struct NodeResourcesFit: FilterPlugin, ScorePlugin {
    public let ignoredResources: Set<String>
    public let ignoredResourceGroups: Set<String>
    public let scoringStrategy: ScoringStrategy
    let scorer: ResourceAllocationScorer
    /// `requestedToCapacityRatio`'s shape with scores scaled to 0…100.
    let shape: [(utilization: Int64, score: Int64)]

    public var name: String { PluginNames.nodeResourcesFit }

    public init(
        scoringStrategy: ScoringStrategy = .default, ignoredResources: Set<String> = [],
        ignoredResourceGroups: Set<String> = []
    ) {
        self.scoringStrategy = scoringStrategy
        self.ignoredResources = ignoredResources
        self.ignoredResourceGroups = ignoredResourceGroups
        scorer = ResourceAllocationScorer(resources: scoringStrategy.resources, useRequested: false)
        if case .requestedToCapacityRatio(_, let points) = scoringStrategy {
            // The configured scores run 0…10; node scores run 0…100.
            shape = points.map { (Int64($0.utilization), Int64($0.score) * (maxNodeScore / 10)) }
        } else {
            shape = []
        }
    }

    // MARK: - Filter

    /// One resource the node lacks, with upstream's reason text.
    public struct InsufficientResource: Sendable, Hashable {
        public var resourceName: String
        public var reason: String
        public var requested: Int64
        public var used: Int64
        public var capacity: Int64
    }

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        if fitsCommonResources(pod: pod, nodeInfo: nodeInfo) && pod.requests.scalarResources.isEmpty {
            return .success
        }
        let insufficient = insufficientResources(pod: pod, nodeInfo: nodeInfo)
        if insufficient.isEmpty { return .success }
        return Status(.unschedulable, insufficient.map(\.reason))
    }

    /// The common case of the check, reading fields in place (no copies): pod count, CPU,
    /// memory and ephemeral storage.
    @inline(__always)
    func fitsCommonResources(pod: PodInfo, nodeInfo: NodeInfo) -> Bool {
        if nodeInfo.pods.count + 1 > nodeInfo.allocatable.allowedPodNumber { return false }
        let cpu = pod.requests.milliCPU
        if cpu > 0 && cpu > nodeInfo.allocatable.milliCPU - nodeInfo.requested.milliCPU { return false }
        let memory = pod.requests.memory
        if memory > 0 && memory > nodeInfo.allocatable.memory - nodeInfo.requested.memory { return false }
        let storage = pod.requests.ephemeralStorage
        if storage > 0 && storage > nodeInfo.allocatable.ephemeralStorage - nodeInfo.requested.ephemeralStorage {
            return false
        }
        return true
    }

    /// Every resource for which `pod` does not fit on `nodeInfo` (upstream `fitsRequest`), in
    /// the order pods, cpu, memory, ephemeral-storage, then scalar resources by name.
    public func insufficientResources(pod: PodInfo, nodeInfo: NodeInfo) -> [InsufficientResource] {
        var result: [InsufficientResource] = []
        let allowedPods = nodeInfo.allocatable.allowedPodNumber
        if nodeInfo.pods.count + 1 > allowedPods {
            result.append(
                InsufficientResource(
                    resourceName: ResourceNames.pods, reason: "Too many pods", requested: 1,
                    used: Int64(nodeInfo.pods.count), capacity: Int64(allowedPods)))
        }
        let request = pod.requests
        if request.isEmptyRequest { return result }
        let allocatable = nodeInfo.allocatable
        let used = nodeInfo.requested
        if request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - used.milliCPU {
            result.append(
                InsufficientResource(
                    resourceName: ResourceNames.cpu, reason: "Insufficient cpu", requested: request.milliCPU,
                    used: used.milliCPU, capacity: allocatable.milliCPU))
        }
        if request.memory > 0 && request.memory > allocatable.memory - used.memory {
            result.append(
                InsufficientResource(
                    resourceName: ResourceNames.memory, reason: "Insufficient memory", requested: request.memory,
                    used: used.memory, capacity: allocatable.memory))
        }
        if request.ephemeralStorage > 0 && request.ephemeralStorage > allocatable.ephemeralStorage - used.ephemeralStorage {
            result.append(
                InsufficientResource(
                    resourceName: ResourceNames.ephemeralStorage, reason: "Insufficient ephemeral-storage",
                    requested: request.ephemeralStorage, used: used.ephemeralStorage,
                    capacity: allocatable.ephemeralStorage))
        }
        if !request.scalarResources.isEmpty {
            for name in request.scalarResources.keys.sorted() {
                let quantity = request.scalarResources[name] ?? 0
                if quantity == 0 || isIgnored(name) { continue }
                let capacity = allocatable.scalarResources[name] ?? 0
                let inUse = used.scalarResources[name] ?? 0
                if quantity > capacity - inUse {
                    result.append(
                        InsufficientResource(
                            resourceName: name, reason: "Insufficient \(name)", requested: quantity, used: inUse,
                            capacity: capacity))
                }
            }
        }
        return result
    }

    private func isIgnored(_ name: String) -> Bool {
        guard ResourceNames.isExtended(name) else { return false }
        if ignoredResources.contains(name) { return true }
        guard !ignoredResourceGroups.isEmpty, let slash = name.firstIndex(of: "/") else { return false }
        return ignoredResourceGroups.contains(String(name[..<slash]))
    }

    // MARK: - Score

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        var nodeScore: Int64 = 0
        var weightSum: Int64 = 0
        let resources = scorer.resources
        switch scoringStrategy {
        case .leastAllocated:
            for index in resources.indices {
                let (allocatable, requested) = scorer.allocatableAndRequested(index, pod: pod, nodeInfo: nodeInfo)
                if allocatable == 0 { continue }
                let weight = resources[index].weight
                nodeScore += ScoringStrategy.leastRequestedScore(requested: requested, capacity: allocatable) * weight
                weightSum += weight
            }
            return (weightSum == 0 ? 0 : nodeScore / weightSum, .success)
        case .mostAllocated:
            for index in resources.indices {
                let (allocatable, requested) = scorer.allocatableAndRequested(index, pod: pod, nodeInfo: nodeInfo)
                if allocatable == 0 { continue }
                let weight = resources[index].weight
                nodeScore += ScoringStrategy.mostRequestedScore(requested: requested, capacity: allocatable) * weight
                weightSum += weight
            }
            return (weightSum == 0 ? 0 : nodeScore / weightSum, .success)
        case .requestedToCapacityRatio:
            for index in resources.indices {
                let (allocatable, requested) = scorer.allocatableAndRequested(index, pod: pod, nodeInfo: nodeInfo)
                if allocatable == 0 { continue }
                let utilization = requested > allocatable ? 100 : requested * 100 / allocatable
                let resourceScore = ScoringStrategy.brokenLinear(shape, at: utilization)
                if resourceScore > 0 {
                    let weight = resources[index].weight
                    nodeScore += resourceScore * weight
                    weightSum += weight
                }
            }
            if weightSum == 0 { return (0, .success) }
            return (Int64((Double(nodeScore) / Double(weightSum)).rounded()), .success)
        }
    }
}
