import APIMachinery

/// A parsed inter-pod (anti-)affinity term (upstream `framework.AffinityTerm`): which pods it
/// selects, and the node label whose values form its topology domains.
public struct AffinityTerm: Sendable, Hashable {
    /// Namespaces named by the term; the owning pod's namespace when the term names none and
    /// has no namespace selector.
    public let namespaces: Set<String>
    /// The pod label selector; nil when the term has none, which selects no pod.
    public let selector: LabelSelectorQuery?
    /// The namespace label selector; nil when the term has none (selects no namespace), and
    /// `.everything` when it is empty.
    public let namespaceSelector: LabelSelectorQuery?
    public let topologyKey: String

    /// Parses `term` of a pod in namespace `podNamespace`; throws the selector error message.
    public init(_ term: CoreV1.PodAffinityTerm, podNamespace: String) throws(SelectorParseError) {
        selector = try term.labelSelector.map { selector throws(SelectorParseError) in try selector.query() }
        namespaceSelector = try term.namespaceSelector.map { selector throws(SelectorParseError) in try selector.query() }
        let named = term.namespaces ?? []
        namespaces = named.isEmpty && term.namespaceSelector == nil ? [podNamespace] : Set(named)
        topologyKey = term.topologyKey
    }

    /// Whether the term selects a pod in `namespace` with `labels`, where `namespaceLabels`
    /// are the labels of that namespace (needed only with a namespace selector).
    public func matches(namespace: String, labels: [String: String], namespaceLabels: [String: String] = [:]) -> Bool {
        guard namespaces.contains(namespace) || (namespaceSelector?.matches(namespaceLabels) ?? false) else {
            return false
        }
        return selector?.matches(labels) ?? false
    }
}

/// An affinity term with the weight of a preferred (soft) rule.
public struct WeightedAffinityTerm: Sendable, Hashable {
    public let term: AffinityTerm
    public let weight: Int32

    public init(term: AffinityTerm, weight: Int32) {
        self.term = term
        self.weight = weight
    }
}
