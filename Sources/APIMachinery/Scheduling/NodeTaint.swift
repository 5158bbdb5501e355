
/// The effect of a taint, or the effect a toleration names.
public enum TaintEffect: Sendable, Hashable {
    case noSchedule
    case preferNoSchedule
    case noExecute
    /// An effect this version does not know, kept verbatim so it only matches itself.
    case other(String)

    /// Parses the API spelling (`NoSchedule`, `PreferNoSchedule`, `NoExecute`).
    public init(_ text: String) {
        switch text {
        case "NoSchedule": self = .noSchedule
        case "PreferNoSchedule": self = .preferNoSchedule
        case "NoExecute": self = .noExecute
        default: self = .other(text)
        }
    }

    /// The API spelling.
    public var text: String {
        switch self {
        case .noSchedule: "NoSchedule"
        case .preferNoSchedule: "PreferNoSchedule"
        case .noExecute: "NoExecute"
        case .other(let text): text
        }
    }
}

/// A node taint reduced to what scheduling and eviction read: key, value (empty when absent) and effect.
public struct NodeTaint: Sendable, Hashable {
    public var key: String
    public var value: String
    public var effect: TaintEffect

    public init(key: String, value: String = "", effect: TaintEffect) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    public init(_ taint: CoreV1.Taint) {
        self.init(key: taint.key, value: taint.value ?? "", effect: TaintEffect(taint.effect))
    }

    /// The taint the scheduler treats `spec.unschedulable` as: `node.kubernetes.io/unschedulable:NoSchedule`.
    public static let unschedulable = NodeTaint(key: "node.kubernetes.io/unschedulable", effect: .noSchedule)

    /// Upstream's rendering in filter messages: `{key: value}` (so `{key: }` for an empty value).
    public var bracedDescription: String { "{\(key): \(value)}" }
}
