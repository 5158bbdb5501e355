import APIMachinery

/// Inter-pod affinity and anti-affinity (upstream `interpodaffinity`).
///
/// Filter, with counts per topology pair (`topologyKey`, node label value) computed once in
/// PreFilter:
/// - the incoming pod's required affinity terms: every term's topology key must be a label of
///   the node, and each pair must already hold a pod matching *all* the terms; the first pod
///   of a group that matches its own terms passes anywhere with the keys when no pod in the
///   cluster matches them yet. Otherwise `node(s) didn't match pod affinity rules`
///   (unschedulable and unresolvable);
/// - its required anti-affinity terms: no pod matching a term in the node's pair for that term
///   (`node(s) didn't match pod anti-affinity rules`, unschedulable);
/// - existing pods' required anti-affinity terms that match the incoming pod: none may share a
///   pair with the node (`node(s) didn't satisfy existing pods anti-affinity rules`).
///
/// Namespaces: a term applies to its `namespaces`, or the owning pod's namespace when it names
/// none and has no `namespaceSelector`; a namespace selector adds the namespaces whose labels
/// it matches (all of them when empty). For the incoming pod, selectors are resolved against
/// the snapshot's namespaces once per cycle; existing pods' terms are matched against the
/// incoming pod's namespace labels.
///
/// Score: for every pair, the weights of the incoming pod's preferred terms matched by pods
/// there (anti-affinity subtracts), plus, in the other direction, existing pods' preferred
/// terms and (weighted `hardPodAffinityWeight`) required affinity terms that the incoming pod
/// matches; a node scores the sum over its pairs, rescaled to 0…100 between the lowest and
/// highest score.
///
/// Cost: with no required terms on the incoming pod and no existing pod with required
/// anti-affinity, PreFilter returns `.skip` in O(1); likewise PreScore when neither the pod
/// has preferred terms nor any node holds a pod with affinity.
public struct InterPodAffinity: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScoreNormalizing {
    public static let affinityRulesReason = "node(s) didn't match pod affinity rules"
    public static let antiAffinityRulesReason = "node(s) didn't match pod anti-affinity rules"
    public static let existingAntiAffinityRulesReason = "node(s) didn't satisfy existing pods anti-affinity rules"

    /// Weight of an existing pod's required affinity term matched by the incoming pod, in
    /// scoring (0…100; 0 disables it).
    public let hardPodAffinityWeight: Int32
    /// When set, scoring is skipped for pods without preferred terms of their own, so existing
    /// pods' preferences count only for pods that have some (upstream's option of that name).
    public let ignorePreferredTermsOfExistingPods: Bool

    public var name: String { PluginNames.interPodAffinity }

    public init(hardPodAffinityWeight: Int32 = 1, ignorePreferredTermsOfExistingPods: Bool = false) {
        self.hardPodAffinityWeight = hardPodAffinityWeight
        self.ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods
    }

    // MARK: - PreFilter

    struct PreFilterState: StateData {
        /// Pairs holding existing pods whose required anti-affinity matches the incoming pod.
        var existingAntiAffinityCounts: [TopologyPair: Int64]
        /// Pairs holding pods that match all the incoming pod's required affinity terms.
        var affinityCounts: [TopologyPair: Int64]
        /// Pairs holding pods that match one of the incoming pod's anti-affinity terms.
        var antiAffinityCounts: [TopologyPair: Int64]
        var affinityTerms: [ResolvedAffinityTerm]
        var antiAffinityTerms: [ResolvedAffinityTerm]
        /// Whether the incoming pod matches all of its own required affinity terms.
        var matchesOwnAffinity: Bool
        /// The labels of the incoming pod's namespace.
        var namespaceLabels: [String: String]
        var podNamespace: String
        var podLabels: [String: String]
    }

    public func preFilter(state: CycleState, pod: PodInfo) -> (PreFilterResult, Status) {
        if let error = pod.parseError {
            return (.allNodes, Status(.unschedulableAndUnresolvable, "parsing pod: \(error)"))
        }
        let snapshot = state.snapshot
        let antiAffinityNodes = snapshot.requiredAntiAffinityIndices
        if antiAffinityNodes.isEmpty && pod.requiredAffinityTerms.isEmpty && pod.requiredAntiAffinityTerms.isEmpty {
            return (.allNodes, .skip)
        }
        let namespaceLabels = snapshot.labels(ofNamespace: pod.namespace)

        var existing: [TopologyPair: Int64] = [:]
        for index in antiAffinityNodes {
            let nodeInfo = snapshot.nodeInfos[index]
            for other in nodeInfo.podsWithRequiredAntiAffinity {
                for term in other.requiredAntiAffinityTerms
                where term.matches(namespace: pod.namespace, labels: pod.labels, namespaceLabels: namespaceLabels) {
                    existing.add(nodeInfo.labels, term.topologyKey, 1)
                }
            }
        }

        let affinityTerms = pod.requiredAffinityTerms.map { ResolvedAffinityTerm($0, snapshot: snapshot) }
        let antiAffinityTerms = pod.requiredAntiAffinityTerms.map { ResolvedAffinityTerm($0, snapshot: snapshot) }
        var affinity: [TopologyPair: Int64] = [:]
        var antiAffinity: [TopologyPair: Int64] = [:]
        if !affinityTerms.isEmpty || !antiAffinityTerms.isEmpty {
            for nodeInfo in snapshot.nodeInfos {
                for other in nodeInfo.pods {
                    if !affinityTerms.isEmpty && affinityTerms.allSatisfy({ $0.matches(other) }) {
                        for term in affinityTerms { affinity.add(nodeInfo.labels, term.topologyKey, 1) }
                    }
                    for term in antiAffinityTerms where term.matches(other) {
                        antiAffinity.add(nodeInfo.labels, term.topologyKey, 1)
                    }
                }
            }
        }
        if existing.isEmpty && affinityTerms.isEmpty && antiAffinityTerms.isEmpty { return (.allNodes, .skip) }
        state.write(
            PreFilterState(
                existingAntiAffinityCounts: existing, affinityCounts: affinity, antiAffinityCounts: antiAffinity,
                affinityTerms: affinityTerms, antiAffinityTerms: antiAffinityTerms,
                matchesOwnAffinity: !affinityTerms.isEmpty && affinityTerms.allSatisfy { $0.matches(pod) },
                namespaceLabels: namespaceLabels, podNamespace: pod.namespace, podLabels: pod.labels))
        return (.allNodes, .success)
    }

    public func addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo) -> Status {
        update(state: state, with: podToAdd, nodeInfo: nodeInfo, delta: 1)
    }

    public func removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo)
        -> Status
    {
        update(state: state, with: podToRemove, nodeInfo: nodeInfo, delta: -1)
    }

    /// Counts (or uncounts) `other` on `nodeInfo` in the PreFilter state.
    private func update(state: CycleState, with other: PodInfo, nodeInfo: NodeInfo, delta: Int64) -> Status {
        guard var data = state.read(PreFilterState.self) else {
            return .error("reading \"PreFilter\(name)\" from cycleState: not found")
        }
        let labels = nodeInfo.labels
        for term in other.requiredAntiAffinityTerms
        where term.matches(namespace: data.podNamespace, labels: data.podLabels, namespaceLabels: data.namespaceLabels) {
            data.existingAntiAffinityCounts.add(labels, term.topologyKey, delta)
        }
        if !data.affinityTerms.isEmpty && data.affinityTerms.allSatisfy({ $0.matches(other) }) {
            for term in data.affinityTerms { data.affinityCounts.add(labels, term.topologyKey, delta) }
        }
        for term in data.antiAffinityTerms where term.matches(other) {
            data.antiAffinityCounts.add(labels, term.topologyKey, delta)
        }
        state.write(data)
        return .success
    }

    // MARK: - Filter

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        guard let data = state.read(PreFilterState.self) else {
            return .error("reading \"PreFilter\(name)\" from cycleState: not found")
        }
        let labels = nodeInfo.labels
        if !Self.satisfiesAffinity(data, labels: labels) {
            return Status(.unschedulableAndUnresolvable, Self.affinityRulesReason)
        }
        if !data.antiAffinityCounts.isEmpty {
            for term in data.antiAffinityTerms {
                guard let value = labels[term.topologyKey] else { continue }
                if (data.antiAffinityCounts[TopologyPair(key: term.topologyKey, value: value)] ?? 0) > 0 {
                    return Status(.unschedulable, Self.antiAffinityRulesReason)
                }
            }
        }
        if !data.existingAntiAffinityCounts.isEmpty {
            for (key, value) in labels
            where (data.existingAntiAffinityCounts[TopologyPair(key: key, value: value)] ?? 0) > 0 {
                return Status(.unschedulable, Self.existingAntiAffinityRulesReason)
            }
        }
        return .success
    }

    /// The incoming pod's required affinity on a node with `labels` (see the type's contract).
    private static func satisfiesAffinity(_ data: PreFilterState, labels: [String: String]) -> Bool {
        var podsExist = true
        for term in data.affinityTerms {
            guard let value = labels[term.topologyKey] else { return false }
            if (data.affinityCounts[TopologyPair(key: term.topologyKey, value: value)] ?? 0) <= 0 { podsExist = false }
        }
        if podsExist { return true }
        // The first pod of a group with affinity to itself: allowed while no pod matches.
        return data.affinityCounts.isEmpty && data.matchesOwnAffinity
    }
}

/// A topology domain: a node label key and its value.
struct TopologyPair: Hashable, Sendable {
    var key: String
    var value: String
}

extension Dictionary where Key == TopologyPair, Value == Int64 {
    /// Adds `delta` to the pair (`key`, `labels[key]`) when the node has label `key`; entries
    /// that fall to zero are removed, so emptiness means "no pair counted".
    mutating func add(_ labels: [String: String], _ key: String, _ delta: Int64) {
        guard let value = labels[key] else { return }
        let pair = TopologyPair(key: key, value: value)
        let total = (self[pair] ?? 0) + delta
        self[pair] = total == 0 ? nil : total
    }
}

/// An incoming pod's affinity term with its namespace selector resolved against the
/// snapshot's namespaces (upstream merges them into the namespace set), so matching another
/// pod needs no namespace labels.
struct ResolvedAffinityTerm: Sendable {
    let namespaces: Set<String>
    /// The term's namespace selector is empty: every namespace.
    let allNamespaces: Bool
    let selector: LabelSelectorQuery?
    let topologyKey: String

    init(_ term: AffinityTerm, snapshot: Snapshot) {
        var namespaces = term.namespaces
        var all = false
        if let namespaceSelector = term.namespaceSelector {
            if namespaceSelector.isEmpty {
                all = true
            } else {
                namespaces.formUnion(snapshot.namespaces(matching: namespaceSelector))
            }
        }
        self.namespaces = namespaces
        allNamespaces = all
        selector = term.selector
        topologyKey = term.topologyKey
    }

    func matches(_ pod: PodInfo) -> Bool {
        guard allNamespaces || namespaces.contains(pod.namespace) else { return false }
        return selector?.matches(pod.labels) ?? false
    }
}
