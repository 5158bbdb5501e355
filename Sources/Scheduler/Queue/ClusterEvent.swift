import APIMachinery

/// A change in the cluster that may make unschedulable pods schedulable (upstream
/// `framework.ClusterEvent`): a resource kind and what happened to it.
///
/// Plugins register the events that can undo their rejections (see `QueueingEventTable`); the
/// queue moves a pod out of the unschedulable pool when an incoming event matches an event
/// registered by a plugin that rejected it. A wildcard event (resource `*`) matches every pod.
public struct ClusterEvent: Sendable, Hashable, CustomStringConvertible {
    /// The kind of object that changed.
    public struct Resource: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Pods bound to a node (changes to pending pods go through `update` instead).
        public static let pod = Resource(rawValue: "Pod")
        public static let node = Resource(rawValue: "Node")
        public static let persistentVolume = Resource(rawValue: "PersistentVolume")
        public static let persistentVolumeClaim = Resource(rawValue: "PersistentVolumeClaim")
        public static let storageClass = Resource(rawValue: "StorageClass")
        public static let csiNode = Resource(rawValue: "CSINode")
        /// Any resource.
        public static let wildcard = Resource(rawValue: "*")
    }

    /// What happened, as bits: an incoming event usually sets one, a registration may set many.
    public struct ActionType: OptionSet, Sendable, Hashable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let add = ActionType(rawValue: 1 << 0)
        public static let delete = ActionType(rawValue: 1 << 1)
        public static let updateNodeAllocatable = ActionType(rawValue: 1 << 2)
        public static let updateNodeLabel = ActionType(rawValue: 1 << 3)
        /// A taint change, or a change of `spec.unschedulable` (which acts as a taint).
        public static let updateNodeTaint = ActionType(rawValue: 1 << 4)
        public static let updateNodeCondition = ActionType(rawValue: 1 << 5)
        public static let updateNodeAnnotation = ActionType(rawValue: 1 << 6)
        public static let updatePodLabel = ActionType(rawValue: 1 << 7)
        /// A pod's resource requests went down.
        public static let updatePodScaleDown = ActionType(rawValue: 1 << 8)
        public static let updatePodTolerations = ActionType(rawValue: 1 << 9)
        public static let updatePodSchedulingGatesEliminated = ActionType(rawValue: 1 << 10)
        /// Any other update; matches only registrations for all updates.
        public static let updateOther = ActionType(rawValue: 1 << 11)

        /// Every kind of update.
        public static let update: ActionType = [
            .updateNodeAllocatable, .updateNodeLabel, .updateNodeTaint, .updateNodeCondition, .updateNodeAnnotation,
            .updatePodLabel, .updatePodScaleDown, .updatePodTolerations, .updatePodSchedulingGatesEliminated,
            .updateOther,
        ]
        public static let all: ActionType = [.add, .delete, .update]
    }

    public var resource: Resource
    public var actionType: ActionType
    /// For logs and metrics (`NodeAdd`, `AssignedPodDelete`, …).
    public var label: String

    public init(resource: Resource, actionType: ActionType, label: String? = nil) {
        self.resource = resource
        self.actionType = actionType
        self.label = label ?? "\(resource.rawValue)\(actionType.rawValue)"
    }

    public var description: String { label }

    /// Whether this event is a wildcard: it concerns every pod, whatever rejected it.
    public var isWildcard: Bool { resource == .wildcard }

    /// Whether a registration for `self` is interested in the incoming `event`: the resources
    /// agree (or `self` is for any resource) and the actions share a bit.
    public func matches(_ event: ClusterEvent) -> Bool {
        (resource == .wildcard || resource == event.resource) && !actionType.isDisjoint(with: event.actionType)
    }

    // MARK: Well-known events

    public static let nodeAdd = ClusterEvent(resource: .node, actionType: .add, label: "NodeAdd")
    public static let nodeDelete = ClusterEvent(resource: .node, actionType: .delete, label: "NodeDelete")
    public static let nodeAllocatableChange = ClusterEvent(
        resource: .node, actionType: .updateNodeAllocatable, label: "NodeAllocatableChange")
    public static let nodeLabelChange = ClusterEvent(resource: .node, actionType: .updateNodeLabel, label: "NodeLabelChange")
    public static let nodeTaintChange = ClusterEvent(resource: .node, actionType: .updateNodeTaint, label: "NodeTaintChange")
    public static let nodeConditionChange = ClusterEvent(
        resource: .node, actionType: .updateNodeCondition, label: "NodeConditionChange")
    public static let nodeAnnotationChange = ClusterEvent(
        resource: .node, actionType: .updateNodeAnnotation, label: "NodeAnnotationChange")
    public static let assignedPodAdd = ClusterEvent(resource: .pod, actionType: .add, label: "AssignedPodAdd")
    public static let assignedPodDelete = ClusterEvent(resource: .pod, actionType: .delete, label: "AssignedPodDelete")
    public static let assignedPodLabelChange = ClusterEvent(
        resource: .pod, actionType: .updatePodLabel, label: "AssignedPodLabelChange")
    public static let assignedPodScaleDown = ClusterEvent(
        resource: .pod, actionType: .updatePodScaleDown, label: "AssignedPodScaleDown")
    public static let assignedPodOtherUpdate = ClusterEvent(
        resource: .pod, actionType: .updateOther, label: "AssignedPodOtherUpdate")
    /// Pods left unschedulable longer than the queue's limit (a wildcard).
    public static let unschedulableTimeout = ClusterEvent(
        resource: .wildcard, actionType: .all, label: "UnschedulableTimeout")
    /// Moves every unschedulable pod (a wildcard).
    public static let wildcard = ClusterEvent(resource: .wildcard, actionType: .all, label: "WildCardEvent")
}
