/// The `type` of a core/v1 Event: the two values Kubernetes accepts.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    case normal = "Normal"
    case warning = "Warning"
}
