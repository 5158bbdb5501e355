
/// A pod toleration reduced to what scheduling and eviction read, with upstream's matching rule
/// (`Toleration.ToleratesTaint`).
public struct PodToleration: Sendable, Hashable {
    /// How the toleration compares the taint value.
    public enum Operator: Sendable, Hashable {
        /// `Equal` (also the empty operator): values must be equal.
        case equal
        /// `Exists`: any value.
        case exists
        /// Any other operator: tolerates nothing.
        case unknown
    }

    /// Empty matches every key.
    public var key: String
    public var op: Operator
    public var value: String
    /// Nil (the empty effect) matches every effect.
    public var effect: TaintEffect?

    public init(key: String = "", op: Operator = .equal, value: String = "", effect: TaintEffect? = nil) {
        self.key = key
        self.op = op
        self.value = value
        self.effect = effect
    }

    public init(_ toleration: CoreV1.Toleration) {
        let op: Operator
        switch toleration.operator ?? "" {
        case "", "Equal": op = .equal
        case "Exists": op = .exists
        default: op = .unknown
        }
        let effect = toleration.effect.flatMap { $0.isEmpty ? nil : TaintEffect($0) }
        self.init(key: toleration.key ?? "", op: op, value: toleration.value ?? "", effect: effect)
    }

    /// Whether this toleration tolerates `taint`: the effect (if set) and key (if set) must be
    /// equal; then `Exists` tolerates any value and `Equal` needs equal values.
    public func tolerates(_ taint: NodeTaint) -> Bool {
        if let effect, effect != taint.effect { return false }
        if !key.isEmpty && key != taint.key { return false }
        switch op {
        case .equal: return value == taint.value
        case .exists: return true
        case .unknown: return false
        }
    }
}

extension Array where Element == PodToleration {
    /// Whether any toleration tolerates `taint` (upstream `TolerationsTolerateTaint`).
    public func tolerate(_ taint: NodeTaint) -> Bool {
        contains { $0.tolerates(taint) }
    }

    /// The first taint of `taints` (in node order) that `include` selects and no toleration
    /// tolerates (upstream `FindMatchingUntoleratedTaint`).
    public func firstUntolerated(_ taints: [NodeTaint], where include: (NodeTaint) -> Bool) -> NodeTaint? {
        for taint in taints where include(taint) && !tolerate(taint) { return taint }
        return nil
    }
}
