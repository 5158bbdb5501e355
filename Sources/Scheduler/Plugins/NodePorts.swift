/// Rejects nodes where a host port the pod binds is already in use (upstream `nodeports`).
/// Pods without host ports skip the filter.
public struct NodePorts: PreFilterPlugin, FilterPlugin {
    /// Upstream's reason text.
    public static let reason = "node(s) didn't have free ports for the requested pod ports"

    public var name: String { PluginNames.nodePorts }

    public init() {}

    public func preFilter(state: CycleState, pod: PodInfo) -> (PreFilterResult, Status) {
        (.allNodes, pod.hostPorts.isEmpty ? .skip : .success)
    }

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        for port in pod.hostPorts where nodeInfo.usedPorts.conflicts(with: port) {
            return Status(.unschedulable, Self.reason)
        }
        return .success
    }
}
