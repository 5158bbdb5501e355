/// Orders the active queue by priority, highest first, then by queue timestamp, earliest
/// first (upstream `queuesort.PrioritySort`).
public struct PrioritySort: QueueSortPlugin {
    public var name: String { PluginNames.prioritySort }

    public init() {}

    public func less<T: Comparable & Sendable>(_ lhs: QueueSortEntry<T>, _ rhs: QueueSortEntry<T>) -> Bool {
        let p1 = lhs.pod.priority
        let p2 = rhs.pod.priority
        return p1 > p2 || (p1 == p2 && lhs.timestamp < rhs.timestamp)
    }
}
