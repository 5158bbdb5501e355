import APIMachinery

extension ClusterEvent {
    /// The events a Node update produces (upstream `NodeSchedulingPropertiesChange`): allocatable,
    /// labels, taints (including `spec.unschedulable`), conditions (type and status) and
    /// annotations are compared; each that changed yields one event. Empty when nothing the
    /// scheduler looks at changed.
    public static func nodeUpdate(old: CoreV1.Node, new: CoreV1.Node) -> [ClusterEvent] {
        var events: [ClusterEvent] = []
        if (old.status?.allocatable ?? [:]) != (new.status?.allocatable ?? [:]) { events.append(.nodeAllocatableChange) }
        if (old.metadata?.labels ?? [:]) != (new.metadata?.labels ?? [:]) { events.append(.nodeLabelChange) }
        if (old.spec?.taints ?? []) != (new.spec?.taints ?? [])
            || (old.spec?.unschedulable ?? false) != (new.spec?.unschedulable ?? false)
        {
            events.append(.nodeTaintChange)
        }
        func conditions(_ node: CoreV1.Node) -> [String: String] {
            var byType: [String: String] = [:]
            for condition in node.status?.conditions ?? [] { byType[condition.type] = condition.status }
            return byType
        }
        if conditions(old) != conditions(new) { events.append(.nodeConditionChange) }
        if (old.metadata?.annotations ?? [:]) != (new.metadata?.annotations ?? [:]) { events.append(.nodeAnnotationChange) }
        return events
    }

    /// The events an update of an assigned (bound) pod produces (upstream
    /// `PodSchedulingPropertiesChange` for assigned pods): a label change, a scale-down (some
    /// container's request went down or was removed), or otherwise one "other update" event.
    public static func assignedPodUpdate(old: CoreV1.Pod, new: CoreV1.Pod) -> [ClusterEvent] {
        var events: [ClusterEvent] = []
        if (old.metadata?.labels ?? [:]) != (new.metadata?.labels ?? [:]) { events.append(.assignedPodLabelChange) }
        if requestsDecreased(old: old, new: new) { events.append(.assignedPodScaleDown) }
        if events.isEmpty { events.append(.assignedPodOtherUpdate) }
        return events
    }

    private static func requestsDecreased(old: CoreV1.Pod, new: CoreV1.Pod) -> Bool {
        func requests(_ pod: CoreV1.Pod) -> [String: [String: Quantity]] {
            var byContainer: [String: [String: Quantity]] = [:]
            let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
            for container in containers { byContainer[container.name] = container.resources?.requests ?? [:] }
            return byContainer
        }
        let before = requests(old)
        let after = requests(new)
        for (container, oldRequests) in before {
            let newRequests = after[container] ?? [:]
            for (resource, amount) in oldRequests {
                guard let now = newRequests[resource] else { return true }
                if now < amount { return true }
            }
        }
        return false
    }
}
