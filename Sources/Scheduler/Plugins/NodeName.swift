/// Rejects every node but the one a pod names in `spec.nodeName` (upstream `nodename`).
public struct NodeName: FilterPlugin {
    /// Upstream's reason text.
    public static let reason = "node(s) didn't match the requested node name"

    public var name: String { PluginNames.nodeName }

    public init() {}

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        if pod.nodeName.isEmpty || pod.nodeName == nodeInfo.name { return .success }
        return Status(.unschedulableAndUnresolvable, Self.reason)
    }
}
