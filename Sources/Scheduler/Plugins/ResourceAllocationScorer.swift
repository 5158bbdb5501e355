/// A resource to score on, with its weight (upstream `config.ResourceSpec`).
public struct ResourceSpec: Sendable, Hashable {
    public var name: String
    public var weight: Int64

    public init(name: String, weight: Int64 = 1) {
        self.name = name
        self.weight = weight
    }

    /// CPU and memory, weight 1 each: the default for every resource-scoring strategy.
    public static let defaults = [ResourceSpec(name: ResourceNames.cpu), ResourceSpec(name: ResourceNames.memory)]
}

/// The arithmetic NodeResourcesFit's scoring strategies and NodeResourcesBalancedAllocation
/// share (upstream `resourceAllocationScorer`): for each configured resource, what the node
/// can allocate and what would be requested there if the pod joined it.
///
/// With `useRequested` false (the Fit strategies), CPU and memory count the non-zero
/// requests (100m / 200Mi for containers without requests) on both the node and the pod;
/// with it true (BalancedAllocation) the exact requests. Ephemeral storage and scalar
/// resources always use exact requests. A scalar resource the pod does not request, or a
/// resource the node does not offer, is left out (allocatable 0).
struct ResourceAllocationScorer: Sendable {
    enum Kind: Sendable, Hashable {
        case cpu
        case memory
        case ephemeralStorage
        case scalar(String)
        case unsupported
    }

    let resources: [ResourceSpec]
    let kinds: [Kind]
    let useRequested: Bool

    init(resources: [ResourceSpec], useRequested: Bool) {
        self.resources = resources
        self.useRequested = useRequested
        kinds = resources.map { spec in
            switch spec.name {
            case ResourceNames.cpu: .cpu
            case ResourceNames.memory: .memory
            case ResourceNames.ephemeralStorage: .ephemeralStorage
            case let name where ResourceNames.isScalar(name): .scalar(name)
            default: .unsupported
            }
        }
    }

    /// The pod's request of the `index`th resource, as this scorer counts it.
    @inline(__always)
    func podRequest(_ index: Int, pod: PodInfo) -> Int64 {
        switch kinds[index] {
        case .cpu: useRequested ? pod.requests.milliCPU : pod.nonZeroMilliCPU
        case .memory: useRequested ? pod.requests.memory : pod.nonZeroMemory
        case .ephemeralStorage: pod.requests.ephemeralStorage
        case .scalar(let name): pod.requests.scalarResources[name] ?? 0
        case .unsupported: 0
        }
    }

    /// (allocatable, requested including the pod) of the `index`th resource on a node;
    /// (0, 0) when the resource is left out.
    @inline(__always)
    func allocatableAndRequested(_ index: Int, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Int64) {
        let request = podRequest(index, pod: pod)
        let onNode = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested
        switch kinds[index] {
        case .cpu: return (nodeInfo.allocatable.milliCPU, onNode.milliCPU + request)
        case .memory: return (nodeInfo.allocatable.memory, onNode.memory + request)
        case .ephemeralStorage:
            return (nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage + request)
        case .scalar(let name):
            guard request != 0, let allocatable = nodeInfo.allocatable.scalarResources[name] else { return (0, 0) }
            return (allocatable, (nodeInfo.requested.scalarResources[name] ?? 0) + request)
        case .unsupported: return (0, 0)
        }
    }
}
