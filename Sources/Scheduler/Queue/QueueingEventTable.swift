import APIMachinery

/// Which cluster events can undo each plugin's rejection (the static counterpart of upstream's
/// `EnqueueExtensions.EventsToRegister`, without queueing hints).
///
/// A pod in the unschedulable pool moves back when an event matches an event registered by one
/// of the plugins that rejected it. A plugin the table does not know is assumed to care about
/// every event, and a pod rejected by no plugin (it failed on an error) moves on any event.
public struct QueueingEventTable: Sendable, Hashable {
    public var eventsByPlugin: [String: [ClusterEvent]]

    public init(eventsByPlugin: [String: [ClusterEvent]]) { self.eventsByPlugin = eventsByPlugin }

    /// The registrations of Kubernetes 1.32's in-tree filter plugins.
    public static let kubernetesDefaults = QueueingEventTable(eventsByPlugin: [
        "NodeResourcesFit": [
            ClusterEvent(resource: .node, actionType: [.add, .updateNodeAllocatable]),
            ClusterEvent(resource: .pod, actionType: [.delete, .updatePodScaleDown]),
        ],
        "TaintToleration": [ClusterEvent(resource: .node, actionType: [.add, .updateNodeTaint])],
        "NodeAffinity": [ClusterEvent(resource: .node, actionType: [.add, .updateNodeLabel])],
        "NodeUnschedulable": [ClusterEvent(resource: .node, actionType: [.add, .updateNodeTaint])],
        "NodeName": [ClusterEvent(resource: .node, actionType: .add)],
        "NodePorts": [
            ClusterEvent(resource: .pod, actionType: .delete),
            ClusterEvent(resource: .node, actionType: .add),
        ],
        "InterPodAffinity": [
            ClusterEvent(resource: .pod, actionType: [.add, .updatePodLabel, .delete]),
            ClusterEvent(resource: .node, actionType: [.add, .updateNodeLabel]),
        ],
        "PodTopologySpread": [
            ClusterEvent(resource: .pod, actionType: [.add, .updatePodLabel, .delete]),
            ClusterEvent(resource: .node, actionType: [.add, .delete, .updateNodeLabel, .updateNodeTaint]),
        ],
    ])

    /// Whether `event` may make schedulable a pod that `plugins` rejected (see the type's rules).
    public func mayMakeSchedulable(rejectedBy plugins: Set<String>, event: ClusterEvent) -> Bool {
        if plugins.isEmpty || event.isWildcard { return true }
        for plugin in plugins {
            guard let registered = eventsByPlugin[plugin] else { return true }
            if registered.contains(where: { $0.matches(event) }) { return true }
        }
        return false
    }
}
