import APIMachinery

/// A node with the aggregates scheduling reads (upstream `framework.NodeInfo`): the pods on
/// it, their summed requests (exact and with the scoring defaults), the host ports in use,
/// and what the node offers (allocatable, labels, taints, images).
///
/// Immutable: every change (`adding`, `removingPod`, `withNode`, …) returns a new value
/// and leaves the receiver untouched, so a snapshot shares the cache's objects without
/// copying them and may be read from any thread. The aggregates are kept incrementally:
/// a change costs O(1) plus copying the pod lists (O(pods on the node)), never a rescan.
/// Simulations (preemption, nominated pods) derive modified values the same way.
public final class NodeInfo: Sendable {
    /// The node, or nil for a node the cache has pods for but no Node object (deleted, or not
    /// yet seen while assumed pods point at it). Such entries never reach a snapshot.
    public let node: CoreV1.Node?
    /// Whether `node` is set. Test this on hot paths: reading `node` copies the whole Node
    /// (a large struct, one retain per field), which filtering 500 nodes per pod cannot afford.
    public let hasNode: Bool
    public let name: String
    public let labels: [String: String]
    public let taints: [NodeTaint]
    /// `spec.unschedulable`.
    public let isUnschedulable: Bool
    /// `status.allocatable`, including the `pods` count.
    public let allocatable: Resource
    /// Sizes in bytes of the images on the node, under every name each image is known by.
    public let imageSizes: [String: Int64]

    public let pods: [PodInfo]
    /// The pods with inter-pod affinity or anti-affinity.
    public let podsWithAffinity: [PodInfo]
    /// The pods with required anti-affinity.
    public let podsWithRequiredAntiAffinity: [PodInfo]
    public let usedPorts: HostPortUsage
    /// Sum of the pods' effective requests (assumed pods included).
    public let requested: Resource
    /// Like `requested`, with 100m CPU / 200Mi memory for containers without requests; only
    /// `milliCPU` and `memory` are kept. Used by scoring so zero-request pods still spread.
    public let nonZeroRequested: Resource
    /// The cache generation of the change that produced this value (0 outside a cache).
    public let generation: Int64

    /// The mutable form used to derive a changed value.
    struct Fields {
        var node: CoreV1.Node?
        var name: String
        var labels: [String: String] = [:]
        var taints: [NodeTaint] = []
        var isUnschedulable = false
        var allocatable = Resource()
        var imageSizes: [String: Int64] = [:]
        var pods: [PodInfo] = []
        var podsWithAffinity: [PodInfo] = []
        var podsWithRequiredAntiAffinity: [PodInfo] = []
        var usedPorts = HostPortUsage()
        var requested = Resource()
        var nonZeroRequested = Resource()
        var generation: Int64 = 0

        mutating func setNode(_ node: CoreV1.Node) {
            self.node = node
            name = node.metadata?.name ?? ""
            labels = node.metadata?.labels ?? [:]
            taints = (node.spec?.taints ?? []).map(NodeTaint.init)
            isUnschedulable = node.spec?.unschedulable ?? false
            allocatable = Resource(node.status?.allocatable)
            var sizes: [String: Int64] = [:]
            for image in node.status?.images ?? [] {
                for imageName in image.names ?? [] { sizes[imageName] = image.sizeBytes ?? 0 }
            }
            imageSizes = sizes
        }

        mutating func clearNode() {
            node = nil
            labels = [:]
            taints = []
            isUnschedulable = false
            allocatable = Resource()
            imageSizes = [:]
        }

        mutating func addPod(_ pod: PodInfo) {
            pods.append(pod)
            if pod.hasPodAffinity { podsWithAffinity.append(pod) }
            if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity.append(pod) }
            requested.add(pod.requests)
            for port in pod.hostPorts { usedPorts.add(port) }
            nonZeroRequested.milliCPU &+= pod.nonZeroMilliCPU
            nonZeroRequested.memory &+= pod.nonZeroMemory
        }

        mutating func removePod(key: String) -> PodInfo? {
            guard let index = pods.firstIndex(where: { $0.key == key }) else { return nil }
            let removed = pods.remove(at: index)
            if removed.hasPodAffinity { podsWithAffinity.removeAll { $0.key == key } }
            if removed.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity.removeAll { $0.key == key } }
            requested.subtract(removed.requests)
            for port in removed.hostPorts { usedPorts.remove(port) }
            nonZeroRequested.milliCPU &-= removed.nonZeroMilliCPU
            nonZeroRequested.memory &-= removed.nonZeroMemory
            return removed
        }
    }

    init(_ fields: Fields) {
        node = fields.node
        hasNode = fields.node != nil
        name = fields.name
        labels = fields.labels
        taints = fields.taints
        isUnschedulable = fields.isUnschedulable
        allocatable = fields.allocatable
        imageSizes = fields.imageSizes
        pods = fields.pods
        podsWithAffinity = fields.podsWithAffinity
        podsWithRequiredAntiAffinity = fields.podsWithRequiredAntiAffinity
        usedPorts = fields.usedPorts
        requested = fields.requested
        nonZeroRequested = fields.nonZeroRequested
        generation = fields.generation
    }

    var fields: Fields {
        Fields(
            node: node, name: name, labels: labels, taints: taints, isUnschedulable: isUnschedulable,
            allocatable: allocatable, imageSizes: imageSizes, pods: pods, podsWithAffinity: podsWithAffinity,
            podsWithRequiredAntiAffinity: podsWithRequiredAntiAffinity, usedPorts: usedPorts, requested: requested,
            nonZeroRequested: nonZeroRequested, generation: generation)
    }

    /// An entry for `node` with `pods` on it.
    public convenience init(node: CoreV1.Node, pods: [PodInfo] = []) {
        var fields = Fields(node: nil, name: "")
        fields.setNode(node)
        for pod in pods { fields.addPod(pod) }
        self.init(fields)
    }

    /// An entry named `name` with no Node object and no pods.
    public convenience init(name: String) {
        self.init(Fields(node: nil, name: name))
    }

    /// This node with `pod` added.
    public func adding(_ pod: PodInfo) -> NodeInfo {
        var fields = self.fields
        fields.addPod(pod)
        return NodeInfo(fields)
    }

    /// This node without the pod with `key`, and that pod; nil when it is not here.
    public func removingPod(key: String) -> (nodeInfo: NodeInfo, removed: PodInfo)? {
        var fields = self.fields
        guard let removed = fields.removePod(key: key) else { return nil }
        return (NodeInfo(fields), removed)
    }

    /// This node's pods on a new Node object.
    public func withNode(_ node: CoreV1.Node) -> NodeInfo {
        var fields = self.fields
        fields.setNode(node)
        return NodeInfo(fields)
    }

    /// This node's pods without a Node object.
    public func withoutNode() -> NodeInfo {
        var fields = self.fields
        fields.clearNode()
        return NodeInfo(fields)
    }

    /// The same node stamped with another generation.
    func with(generation: Int64) -> NodeInfo {
        var fields = self.fields
        fields.generation = generation
        return NodeInfo(fields)
    }
}

extension NodeInfo: CustomStringConvertible {
    public var description: String {
        "NodeInfo(\(name), pods: \(pods.count), requested: \(requested.milliCPU)m/\(requested.memory), "
            + "allocatable: \(allocatable.milliCPU)m/\(allocatable.memory))"
    }
}
