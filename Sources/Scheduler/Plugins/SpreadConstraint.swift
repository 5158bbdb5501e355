import APIMachinery

/// A topology spread constraint ready for evaluation (upstream `topologySpreadConstraint`):
/// the selector parsed (with `matchLabelKeys` merged in) and the optional fields defaulted.
struct SpreadConstraint: Sendable {
    let maxSkew: Int32
    let topologyKey: String
    /// nil selects no pod (the constraint had no `labelSelector`).
    let selector: LabelSelectorQuery?
    /// `minDomains`, 1 when unset.
    let minDomains: Int32
    /// `nodeAffinityPolicy: Honor` (the default): only nodes matching the pod's node selector
    /// and required node affinity count.
    let honorsNodeAffinity: Bool
    /// `nodeTaintsPolicy: Honor` (default Ignore): only nodes whose NoSchedule/NoExecute
    /// taints the pod tolerates count.
    let honorsNodeTaints: Bool

    static let hostnameKey = "kubernetes.io/hostname"

    init(
        maxSkew: Int32, topologyKey: String, selector: LabelSelectorQuery?, minDomains: Int32 = 1,
        honorsNodeAffinity: Bool = true, honorsNodeTaints: Bool = false
    ) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.selector = selector
        self.minDomains = minDomains
        self.honorsNodeAffinity = honorsNodeAffinity
        self.honorsNodeTaints = honorsNodeTaints
    }

    /// Parses `constraint` for a pod with `podLabels`; throws the selector error.
    init(_ constraint: CoreV1.TopologySpreadConstraint, podLabels: [String: String]) throws(SelectorParseError) {
        var selector = try constraint.labelSelector.map { selector throws(SelectorParseError) in try selector.query() }
        if let parsed = selector, let keys = constraint.matchLabelKeys, !keys.isEmpty {
            var pinned: [String: String] = [:]
            for key in keys { if let value = podLabels[key] { pinned[key] = value } }
            if !pinned.isEmpty {
                selector = LabelSelectorQuery(
                    requirements: LabelSelectorQuery(exactMatch: pinned).requirements + parsed.requirements)
            }
        }
        self.init(
            maxSkew: constraint.maxSkew, topologyKey: constraint.topologyKey, selector: selector,
            minDomains: constraint.minDomains ?? 1, honorsNodeAffinity: constraint.nodeAffinityPolicy != "Ignore",
            honorsNodeTaints: constraint.nodeTaintsPolicy == "Honor")
    }

    /// The same constraint selecting with `selector` (default constraints get the pod's
    /// workload selector).
    func with(selector: LabelSelectorQuery) -> SpreadConstraint {
        SpreadConstraint(
            maxSkew: maxSkew, topologyKey: topologyKey, selector: selector, minDomains: minDomains,
            honorsNodeAffinity: honorsNodeAffinity, honorsNodeTaints: honorsNodeTaints)
    }

    /// Whether the selector selects `labels` (an empty selector selects every pod).
    func selects(_ labels: [String: String]) -> Bool { selector?.matches(labels) ?? false }

    /// How many of `pods` in `namespace` the constraint counts: not terminating and selected.
    /// A selector without requirements counts none, as upstream's `countPodsMatchSelector`.
    func count(_ pods: [PodInfo], namespace: String) -> Int {
        guard let selector, !selector.isEmpty else { return 0 }
        var count = 0
        for pod in pods where !pod.isTerminating && pod.namespace == namespace && selector.matches(pod.labels) {
            count += 1
        }
        return count
    }

    /// Whether the inclusion policies let every node take part for `pod` (it has no node
    /// selector or required node affinity to honour, and taints are ignored), so counts do
    /// not depend on the pod and may be memoised.
    func includesEveryNode(for pod: PodInfo) -> Bool {
        (!honorsNodeAffinity || pod.requiredNodeAffinity.isEmpty) && !honorsNodeTaints
    }

    /// Whether `nodeInfo` takes part in spreading `pod` under the inclusion policies.
    func includes(_ nodeInfo: NodeInfo, for pod: PodInfo) -> Bool {
        if honorsNodeAffinity && !pod.requiredNodeAffinity.isEmpty
            && !pod.requiredNodeAffinity.matches(labels: nodeInfo.labels, nodeName: nodeInfo.name)
        {
            return false
        }
        if honorsNodeTaints && !nodeInfo.taints.isEmpty {
            let untolerated = pod.tolerations.firstUntolerated(nodeInfo.taints) {
                $0.effect == .noSchedule || $0.effect == .noExecute
            }
            if untolerated != nil { return false }
        }
        return true
    }
}

extension Array where Element == SpreadConstraint {
    /// Whether `labels` has every constraint's topology key.
    func allKeysPresent(in labels: [String: String]) -> Bool {
        allSatisfy { labels[$0.topologyKey] != nil }
    }
}
