import APIMachinery

/// A PodDisruptionBudget as preemption reads it: which pods it covers and how many of them
/// may still be disrupted (`status.disruptionsAllowed`), minus the pods the disruption
/// controller already counted (`status.disruptedPods`).
public struct DisruptionBudget: Sendable, Hashable {
    public let namespace: String
    public let name: String
    /// nil when the budget's selector is absent, empty or unparsable: such a budget covers no
    /// pod (upstream treats nil and empty selectors as selecting nothing here).
    public let selector: LabelSelectorQuery?
    public let disruptionsAllowed: Int32
    /// Names of pods whose eviction was already processed by the API server.
    public let disruptedPods: Set<String>

    public init(
        namespace: String, name: String, selector: LabelSelectorQuery?, disruptionsAllowed: Int32,
        disruptedPods: Set<String> = []
    ) {
        self.namespace = namespace
        self.name = name
        self.selector = selector.flatMap { $0.isEmpty ? nil : $0 }
        self.disruptionsAllowed = disruptionsAllowed
        self.disruptedPods = disruptedPods
    }

    public init(_ budget: PolicyV1.PodDisruptionBudget) {
        self.init(
            namespace: budget.metadata?.namespace ?? "", name: budget.metadata?.name ?? "",
            selector: budget.spec?.selector.flatMap { try? $0.query() },
            disruptionsAllowed: budget.status?.disruptionsAllowed ?? 0,
            disruptedPods: Set((budget.status?.disruptedPods ?? [:]).keys))
    }

    /// Whether the budget covers `pod` (same namespace, selector matches its labels).
    public func covers(_ pod: PodInfo) -> Bool {
        guard let selector, pod.namespace == namespace, !pod.labels.isEmpty else { return false }
        return selector.matches(pod.labels)
    }
}
