/// Rejects nodes marked `spec.unschedulable` (cordoned), unless the pod tolerates the
/// `node.kubernetes.io/unschedulable:NoSchedule` taint (upstream `nodeunschedulable`).
public struct NodeUnschedulable: FilterPlugin {
    /// Upstream's reason text.
    public static let reason = "node(s) were unschedulable"

    public var name: String { PluginNames.nodeUnschedulable }

    public init() {}

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        guard nodeInfo.isUnschedulable else { return .success }
        if pod.tolerations.tolerate(.unschedulable) { return .success }
        return Status(.unschedulableAndUnresolvable, Self.reason)
    }
}
