import APIMachinery

/// Node selection by labels (upstream `nodeaffinity`).
///
/// Filter: the node must carry every `spec.nodeSelector` pair and match one of the required
/// node-affinity terms (and the profile's `addedAffinity`, if configured); otherwise
/// `node(s) didn't match Pod's node affinity/selector`. PreFilter skips the filter for pods
/// with neither, and narrows the candidates to the nodes named by `matchFields`
/// `metadata.name In` requirements when every term has one.
///
/// Score: the sum of the weights of the preferred terms a node matches, normalised so the
/// best node gets 100.
public struct NodeAffinity: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScoreNormalizing {
    /// Upstream's reason when the pod's own selector or affinity fails.
    public static let reason = "node(s) didn't match Pod's node affinity/selector"
    /// Upstream's reason when the profile's added affinity fails.
    public static let enforcedReason = "node(s) didn't match scheduler-enforced node affinity"
    /// Upstream's reason when the terms pin disjoint node names.
    public static let conflictReason = "pod affinity terms conflict"

    /// The profile's `addedAffinity` required part, applied to every pod.
    public let addedNodeSelector: NodeSelectorMatcher?
    /// The profile's `addedAffinity` preferred part, scored for every pod.
    public let addedPreferred: PreferredNodeAffinity?

    public var name: String { PluginNames.nodeAffinity }

    public init(addedAffinity: CoreV1.NodeAffinity? = nil) {
        addedNodeSelector = addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution.map(NodeSelectorMatcher.init)
        let preferred = addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        addedPreferred = preferred.isEmpty ? nil : PreferredNodeAffinity(preferred)
    }

    public func preFilter(state: CycleState, pod: PodInfo) -> (PreFilterResult, Status) {
        let required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        if required == nil && addedNodeSelector == nil && pod.requiredNodeAffinity.nodeSelector.isEmpty {
            return (.allNodes, .skip)
        }
        guard let terms = required?.nodeSelectorTerms, !terms.isEmpty else { return (.allNodes, .success) }
        var union = Set<String>()
        for term in terms {
            var names: Set<String>?
            for field in term.matchFields ?? [] where field.key == "metadata.name" && field.operator == "In" {
                let values = Set(field.values ?? [])
                names = names.map { $0.intersection(values) } ?? values
            }
            // A term that pins no node name lets every node through (terms are ORed).
            guard let names else { return (.allNodes, .success) }
            union.formUnion(names)
        }
        if union.isEmpty { return (.allNodes, Status(.unschedulableAndUnresolvable, Self.conflictReason)) }
        return (PreFilterResult(nodeNames: union), .success)
    }

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        if let addedNodeSelector, !addedNodeSelector.matches(labels: nodeInfo.labels, nodeName: nodeInfo.name) {
            return Status(.unschedulableAndUnresolvable, Self.enforcedReason)
        }
        if !pod.requiredNodeAffinity.matches(labels: nodeInfo.labels, nodeName: nodeInfo.name) {
            return Status(.unschedulableAndUnresolvable, Self.reason)
        }
        return .success
    }

    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        if let error = pod.preferredNodeAffinity.parseError { return .error(error) }
        if pod.preferredNodeAffinity.terms.isEmpty && addedPreferred == nil { return .skip }
        return .success
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        var total = pod.preferredNodeAffinity.score(labels: nodeInfo.labels, nodeName: nodeInfo.name)
        if let addedPreferred { total += addedPreferred.score(labels: nodeInfo.labels, nodeName: nodeInfo.name) }
        return (total, .success)
    }

    public func normalizeScores(state: CycleState, pod: PodInfo, nodes: [NodeInfo], scores: inout [Int64]) -> Status {
        defaultNormalizeScores(&scores, reverse: false)
        return .success
    }
}
