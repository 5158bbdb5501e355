import APIMachinery

extension InterPodAffinity {
    /// Scores by topology pair: topology key → label value → summed weight. Immutable once
    /// written (a class, so that each Score call reads it without copying).
    final class PreScoreState: StateData {
        let topologyScore: [String: [String: Int64]]

        init(topologyScore: [String: [String: Int64]]) { self.topologyScore = topologyScore }

        func cloned() -> Self { self }
    }

    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        if nodes.isEmpty { return .skip }
        if let error = pod.parseError { return .error("failed to parse pod: \(error)") }
        let hasPreferredTerms = !pod.preferredAffinityTerms.isEmpty || !pod.preferredAntiAffinityTerms.isEmpty
        if ignorePreferredTermsOfExistingPods && !hasPreferredTerms { return .skip }
        let snapshot = state.snapshot
        // Without preferred terms of its own, only pods with affinity can contribute.
        if !hasPreferredTerms && snapshot.affinityIndices.isEmpty { return .skip }

        let affinityTerms = pod.preferredAffinityTerms.map {
            (term: ResolvedAffinityTerm($0.term, snapshot: snapshot), weight: Int64($0.weight))
        }
        let antiAffinityTerms = pod.preferredAntiAffinityTerms.map {
            (term: ResolvedAffinityTerm($0.term, snapshot: snapshot), weight: Int64($0.weight))
        }
        let namespaceLabels = snapshot.labels(ofNamespace: pod.namespace)
        var scores: [String: [String: Int64]] = [:]

        func add(_ labels: [String: String], _ key: String, _ weight: Int64) {
            guard let value = labels[key] else { return }
            scores[key, default: [:]][value, default: 0] += weight
        }
        func matchesIncoming(_ term: AffinityTerm) -> Bool {
            term.matches(namespace: pod.namespace, labels: pod.labels, namespaceLabels: namespaceLabels)
        }
        func process(_ existing: PodInfo, on labels: [String: String]) {
            if labels.isEmpty { return }
            for (term, weight) in affinityTerms where term.matches(existing) { add(labels, term.topologyKey, weight) }
            for (term, weight) in antiAffinityTerms where term.matches(existing) {
                add(labels, term.topologyKey, -weight)
            }
            if hardPodAffinityWeight > 0 {
                for term in existing.requiredAffinityTerms where matchesIncoming(term) {
                    add(labels, term.topologyKey, Int64(hardPodAffinityWeight))
                }
            }
            for weighted in existing.preferredAffinityTerms where matchesIncoming(weighted.term) {
                add(labels, weighted.term.topologyKey, Int64(weighted.weight))
            }
            for weighted in existing.preferredAntiAffinityTerms where matchesIncoming(weighted.term) {
                add(labels, weighted.term.topologyKey, -Int64(weighted.weight))
            }
        }

        if hasPreferredTerms {
            for nodeInfo in snapshot.nodeInfos {
                for existing in nodeInfo.pods { process(existing, on: nodeInfo.labels) }
            }
        } else {
            for index in snapshot.affinityIndices {
                let nodeInfo = snapshot.nodeInfos[index]
                for existing in nodeInfo.podsWithAffinity { process(existing, on: nodeInfo.labels) }
            }
        }
        if scores.isEmpty { return .skip }
        state.write(PreScoreState(topologyScore: scores))
        return .success
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        guard let data = state.read(PreScoreState.self) else {
            return (0, .error("reading \"PreScore\(name)\" from cycleState: not found"))
        }
        var total: Int64 = 0
        for (key, values) in data.topologyScore {
            if let value = nodeInfo.labels[key] { total += values[value] ?? 0 }
        }
        return (total, .success)
    }

    /// Rescales to 0…100 between the lowest and highest raw score (all 0 when they are equal).
    public func normalizeScores(state: CycleState, pod: PodInfo, nodes: [NodeInfo], scores: inout [Int64]) -> Status {
        guard let data = state.read(PreScoreState.self), !data.topologyScore.isEmpty else { return .success }
        guard let lowest = scores.min(), let highest = scores.max() else { return .success }
        let spread = highest - lowest
        for index in scores.indices {
            scores[index] =
                spread > 0 ? Int64(Double(maxNodeScore) * (Double(scores[index] - lowest) / Double(spread))) : 0
        }
        return .success
    }
}
