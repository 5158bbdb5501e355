import APIMachinery
import Foundation

extension PodTopologySpread {
    /// Immutable once written (a class, so that each Score call reads it without copying).
    final class PreScoreState: StateData {
        let constraints: [SpreadConstraint]
        /// Scored nodes that lack a required topology key; they score 0.
        let ignoredNodes: Set<String>
        /// Per constraint: matching pods per topology value of the scored nodes (hostname
        /// constraints are counted per node in Score instead).
        let podCounts: [[String: Int64]]
        /// Per constraint: `log(number of domains among the scored nodes + 2)`.
        let normalizingWeights: [Double]

        init(constraints: [SpreadConstraint], ignoredNodes: Set<String>, podCounts: [[String: Int64]], normalizingWeights: [Double]) {
            self.constraints = constraints
            self.ignoredNodes = ignoredNodes
            self.podCounts = podCounts
            self.normalizingWeights = normalizingWeights
        }

        func cloned() -> Self { self }
    }

    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        let snapshot = state.snapshot
        if snapshot.nodeInfos.isEmpty { return .skip }
        let ownConstraints = !(pod.pod.spec?.topologySpreadConstraints ?? []).isEmpty
        let constraints: [SpreadConstraint]
        do {
            constraints = try self.constraints(for: pod, action: Self.scheduleAnyway, snapshot: snapshot)
        } catch {
            return .error("calculating preScoreState: \(error.message)")
        }
        if constraints.isEmpty { return .skip }
        // Only the system defaults let nodes without every key be scored (hostname spreading
        // without zone labels).
        let requireAllTopologies = ownConstraints || !systemDefaulted
        let hostname = SpreadConstraint.hostnameKey

        var ignored = Set<String>()
        var counts = [[String: Int64]](repeating: [:], count: constraints.count)
        var domains = [Int](repeating: 0, count: constraints.count)
        for nodeInfo in nodes {
            if requireAllTopologies && !constraints.allKeysPresent(in: nodeInfo.labels) {
                ignored.insert(nodeInfo.name)
                continue
            }
            for (index, constraint) in constraints.enumerated() where constraint.topologyKey != hostname {
                let value = nodeInfo.labels[constraint.topologyKey] ?? ""
                if counts[index][value] == nil {
                    counts[index][value] = 0
                    domains[index] += 1
                }
            }
        }
        let weights = constraints.indices.map { index in
            let size = constraints[index].topologyKey == hostname ? nodes.count - ignored.count : domains[index]
            return log(Double(size + 2))
        }

        // Count matching pods for the domains of the scored nodes (hostname counts are taken
        // in Score): from the memo when the count does not depend on the pod, else by visiting
        // every node, skipping empty ones.
        let requiredKeys = requireAllTopologies ? constraints.map(\.topologyKey) : []
        var direct: [Int] = []
        for (index, constraint) in constraints.enumerated() where constraint.topologyKey != hostname {
            guard let selector = constraint.selector, !selector.isEmpty else { continue }
            guard constraint.includesEveryNode(for: pod) else {
                direct.append(index)
                continue
            }
            let key = SpreadCountMemo.Key(
                namespace: pod.namespace, selector: selector, topologyKey: constraint.topologyKey,
                requiredKeys: requiredKeys)
            let totals = memo.totals(for: key, snapshot: snapshot)
            for value in counts[index].keys { counts[index][value] = Int64(totals[value] ?? 0) }
        }
        if !direct.isEmpty {
            for nodeInfo in snapshot.nodeInfos {
                if nodeInfo.pods.isEmpty { continue }
                let labels = nodeInfo.labels
                if requireAllTopologies && !constraints.allKeysPresent(in: labels) { continue }
                for index in direct {
                    let constraint = constraints[index]
                    let value = labels[constraint.topologyKey] ?? ""
                    guard let current = counts[index][value], constraint.includes(nodeInfo, for: pod) else { continue }
                    let matching = constraint.count(nodeInfo.pods, namespace: pod.namespace)
                    if matching > 0 { counts[index][value] = current + Int64(matching) }
                }
            }
        }
        state.write(
            PreScoreState(constraints: constraints, ignoredNodes: ignored, podCounts: counts, normalizingWeights: weights))
        return .success
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        guard let data = state.read(PreScoreState.self) else {
            return (0, .error("reading \"PreScore\(name)\" from cycleState: not found"))
        }
        if data.ignoredNodes.contains(nodeInfo.name) { return (0, .success) }
        var score = 0.0
        for (index, constraint) in data.constraints.enumerated() {
            guard let value = nodeInfo.labels[constraint.topologyKey] else { continue }
            let count: Int64 =
                constraint.topologyKey == SpreadConstraint.hostnameKey
                ? Int64(constraint.count(nodeInfo.pods, namespace: pod.namespace))
                : data.podCounts[index][value] ?? 0
            score += Double(count) * data.normalizingWeights[index] + Double(constraint.maxSkew - 1)
        }
        return (Int64(score.rounded()), .success)
    }

    /// `100 × (max + min − score) / max` over the nodes not ignored (100 for all when the
    /// highest score is 0); ignored nodes get 0.
    public func normalizeScores(state: CycleState, pod: PodInfo, nodes: [NodeInfo], scores: inout [Int64]) -> Status {
        guard let data = state.read(PreScoreState.self) else { return .success }
        var lowest = Int64.max
        var highest: Int64 = 0
        for (index, node) in nodes.enumerated() where !data.ignoredNodes.contains(node.name) {
            lowest = min(lowest, scores[index])
            highest = max(highest, scores[index])
        }
        for (index, node) in nodes.enumerated() {
            if data.ignoredNodes.contains(node.name) {
                scores[index] = 0
            } else if highest == 0 {
                scores[index] = maxNodeScore
            } else {
                scores[index] = maxNodeScore * (highest + lowest - scores[index]) / highest
            }
        }
        return .success
    }
}
