/// Why each node was rejected in a cycle (upstream `NodeToStatus`): statuses recorded for the
/// nodes that were filtered, and one status standing for every node that was not (those
/// excluded by a PreFilter result, or all nodes when PreFilter rejected the pod).
public struct NodeToStatus: Sendable {
    public private(set) var statuses: [String: Status] = [:]
    /// The status of nodes without an explicit entry; by default unschedulable-and-
    /// unresolvable with no reason, so it adds nothing to messages.
    public var absentNodesStatus = Status(.unschedulableAndUnresolvable)

    public init() {}

    public var explicitCount: Int { statuses.count }

    public mutating func set(_ status: Status, forNode name: String) {
        statuses[name] = status
    }

    /// The status of a node: its own, or the absent-nodes status.
    public func status(forNode name: String) -> Status {
        statuses[name] ?? absentNodesStatus
    }

    /// The names of the nodes whose status is `.unschedulable` (preemption candidates):
    /// those with an explicit unschedulable status, plus every node of `allNodes` without
    /// one when the absent-nodes status is unschedulable.
    public func nodesWhereUnschedulable(among allNodes: [NodeInfo]) -> [NodeInfo] {
        let absentUnschedulable = absentNodesStatus.code == .unschedulable
        return allNodes.filter { info in
            if let status = statuses[info.name] { return status.code == .unschedulable }
            return absentUnschedulable
        }
    }
}
