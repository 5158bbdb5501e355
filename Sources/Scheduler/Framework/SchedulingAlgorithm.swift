/// Where a pod should go, and how much work finding it took.
public struct ScheduleResult: Sendable, Hashable {
    /// The chosen node.
    public var suggestedHost: String
    /// Nodes filtered this cycle (feasible ones plus rejected ones).
    public var evaluatedNodes: Int
    /// Nodes that passed every filter (at most the sampling count).
    public var feasibleNodes: Int

    public init(suggestedHost: String, evaluatedNodes: Int, feasibleNodes: Int) {
        self.suggestedHost = suggestedHost
        self.evaluatedNodes = evaluatedNodes
        self.feasibleNodes = feasibleNodes
    }
}

/// Why `SchedulingAlgorithm.schedule` found no node.
public enum ScheduleError: Error, Sendable, CustomStringConvertible {
    /// The snapshot has no nodes.
    case noNodesAvailable
    /// No node fits; the FitError says why, node by node.
    case unschedulable(FitError)
    /// A plugin failed (an internal error, not a verdict on the pod).
    case internalError(String)

    public var description: String {
        switch self {
        case .noNodesAvailable: "no nodes available to schedule pods"
        case .unschedulable(let fitError): fitError.message
        case .internalError(let message): message
        }
    }
}

/// Chooses a node for one pod per call (upstream `schedulePod` and its helpers): PreFilter,
/// Filter over a sample of nodes, PreScore, Score, then a random pick among the best.
///
/// Sampling: filtering stops once `numFeasibleNodesToFind` nodes passed, and the next cycle
/// starts where this one stopped (a rotating index over the snapshot's zone-interleaved
/// order), so every node gets its turn. A pod with `status.nominatedNodeName` has that node
/// tried first. Ties between best-scored nodes are broken by reservoir sampling with the
/// injected random source, so a seeded source makes runs reproducible.
///
/// A value type holding only the rotating index and the random source; the shell keeps one
/// per scheduler and calls it from one task. One cycle, in outline:
///
///     cache.updateSnapshot(&snapshot)
///     let state = CycleState(snapshot: snapshot)
///     do {
///         let result = try algorithm.schedule(pod: pod, framework: framework, state: state)
///         try cache.assumePod(pod.assigned(to: result.suggestedHost))  // then bind asynchronously
///     } catch .unschedulable(var fitError) {
///         _ = SchedulingAlgorithm.runPostFilter(fitError: &fitError, framework: framework, state: state)
///         // FailedScheduling event: fitError.message; requeue with fitError.diagnosis.unschedulablePlugins
///     }
public struct SchedulingAlgorithm {
    /// Below this many nodes, every node is filtered; above it, at least this many are found.
    public static let minFeasibleNodesToFind = 100
    /// The adaptive percentage never goes below this.
    public static let minFeasibleNodesPercentageToFind: Int32 = 5

    /// The scheduler-wide `percentageOfNodesToScore` (0 = adaptive); a profile's own setting
    /// takes precedence.
    public var percentageOfNodesToScore: Int32
    /// Where the next search through the snapshot's nodes starts.
    public private(set) var nextStartNodeIndex = 0
    private var random: any RandomNumberGenerator

    public init(percentageOfNodesToScore: Int32 = 0, random: any RandomNumberGenerator = SchedulingRandom()) {
        self.percentageOfNodesToScore = percentageOfNodesToScore
        self.random = random
    }

    /// How many feasible nodes to find among `numAllNodes` before scoring (upstream
    /// `numFeasibleNodesToFind`): all of them below 100 nodes; otherwise `percentage`% of
    /// them, where percentage 0 means adaptive `50 - nodes/125` (at least 5), and never fewer
    /// than 100. E.g. 1,000 nodes → 42% → 420; 5,000 nodes → 10% → 500.
    public static func numFeasibleNodesToFind(numAllNodes: Int, percentage: Int32) -> Int {
        if numAllNodes < minFeasibleNodesToFind { return numAllNodes }
        var percentage = Int(percentage)
        if percentage == 0 {
            percentage = max(50 - numAllNodes / 125, Int(minFeasibleNodesPercentageToFind))
        }
        let count = numAllNodes * percentage / 100
        return count < minFeasibleNodesToFind ? minFeasibleNodesToFind : count
    }

    /// The effective percentage for `framework`: its profile's when set, else the global one.
    func percentage(for framework: SchedulingFramework) -> Int32 {
        framework.percentageOfNodesToScore ?? percentageOfNodesToScore
    }

    /// Chooses a node for `pod` among `state.snapshot`'s nodes.
    public mutating func schedule(
        pod: PodInfo, framework: SchedulingFramework, state: CycleState, nominatedPods: (any NominatedPodLister)? = nil
    ) throws(ScheduleError) -> ScheduleResult {
        let snapshot = state.snapshot
        guard snapshot.count > 0 else { throw .noNodesAvailable }
        let (feasible, diagnosis) = try findNodesThatFit(
            pod: pod, framework: framework, state: state, nominatedPods: nominatedPods)
        if feasible.isEmpty {
            throw .unschedulable(FitError(pod: pod, numAllNodes: snapshot.count, diagnosis: diagnosis))
        }
        let evaluated = feasible.count + diagnosis.nodeToStatus.explicitCount
        if feasible.count == 1 {
            return ScheduleResult(suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1)
        }
        let totals = try prioritize(pod: pod, nodes: feasible, framework: framework, state: state)
        let host = selectHost(nodes: feasible, totals: totals)
        return ScheduleResult(suggestedHost: host, evaluatedNodes: evaluated, feasibleNodes: feasible.count)
    }

    /// Runs the PostFilter plugins after a `FitError` (upstream: preemption) and records their
    /// message in the error's diagnosis, so `fitError.message` gains its `preemption: …`
    /// sentence. Returns the nomination, if any plugin made one.
    public static func runPostFilter(
        fitError: inout FitError, framework: SchedulingFramework, state: CycleState,
        nominatedPods: (any NominatedPodLister)? = nil
    ) -> (PostFilterResult?, Status) {
        let context = PostFilterContext(
            nodeToStatus: fitError.diagnosis.nodeToStatus, framework: framework, nominatedPods: nominatedPods)
        let (result, status) = framework.runPostFilterPlugins(state: state, pod: fitError.pod, context: context)
        if status.code != .error { fitError.diagnosis.addPluginStatus(status) }
        fitError.diagnosis.postFilterMessage = status.message
        return (result, status)
    }

    // MARK: - Filtering

    /// PreFilter, then the nominated node, then filtering (upstream `findNodesThatFitPod`).
    mutating func findNodesThatFit(
        pod: PodInfo, framework: SchedulingFramework, state: CycleState, nominatedPods: (any NominatedPodLister)?
    ) throws(ScheduleError) -> ([NodeInfo], Diagnosis) {
        let snapshot = state.snapshot
        var diagnosis = Diagnosis()
        let preFilter = framework.runPreFilterPlugins(state: state, pod: pod)
        diagnosis.unschedulablePlugins.formUnion(preFilter.rejectingPlugins)
        if !preFilter.status.isSuccess {
            guard preFilter.status.isRejected else { throw .internalError(preFilter.status.message) }
            // Every node shares the PreFilter verdict, so preemption sees them all.
            diagnosis.nodeToStatus.absentNodesStatus = preFilter.status
            diagnosis.preFilterMessage = preFilter.status.message
            diagnosis.addPluginStatus(preFilter.status)
            return ([], diagnosis)
        }

        if let nominated = pod.pod.status?.nominatedNodeName, !nominated.isEmpty,
            let nodeInfo = snapshot.nodeInfo(named: nominated)
        {
            // Preemption made room there in an earlier cycle: likely the only fit, try it first.
            let feasible = try findNodesThatPassFilters(
                nodes: [nodeInfo], pod: pod, framework: framework, state: state, nominatedPods: nominatedPods,
                diagnosis: &diagnosis)
            if !feasible.isEmpty { return (feasible, diagnosis) }
        }

        var nodes = snapshot.nodeInfos
        if let names = preFilter.result.nodeNames {
            let positions = names.compactMap { snapshot.indexByName[$0] }.sorted()
            nodes = positions.map { snapshot.nodeInfos[$0] }
            let plugins = preFilter.rejectingPlugins.sorted().joined(separator: " ")
            diagnosis.nodeToStatus.absentNodesStatus = Status(
                .unschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [\(plugins)]")
        }
        let feasible = try findNodesThatPassFilters(
            nodes: nodes, pod: pod, framework: framework, state: state, nominatedPods: nominatedPods,
            diagnosis: &diagnosis)
        return (feasible, diagnosis)
    }

    /// Filters `nodes` from the rotating start index until enough feasible nodes are found
    /// (upstream `findNodesThatPassFilters`, run sequentially), recording each rejection.
    mutating func findNodesThatPassFilters(
        nodes: [NodeInfo], pod: PodInfo, framework: SchedulingFramework, state: CycleState,
        nominatedPods: (any NominatedPodLister)?, diagnosis: inout Diagnosis
    ) throws(ScheduleError) -> [NodeInfo] {
        let count = nodes.count
        guard count > 0 else { return [] }
        let wanted = Self.numFeasibleNodesToFind(numAllNodes: count, percentage: percentage(for: framework))
        let start = nextStartNodeIndex % count
        if !framework.hasFilterPlugins {
            return (0..<wanted).map { nodes[(start + $0) % count] }
        }
        var feasible: [NodeInfo] = []
        feasible.reserveCapacity(wanted)
        var processed = 0
        var position = start
        for _ in 0..<count {
            let nodeInfo = nodes[position]
            position += 1
            if position == count { position = 0 }
            let status = framework.runFilterPluginsWithNominatedPods(
                state: state, pod: pod, nodeInfo: nodeInfo, nominatedPods: nominatedPods)
            processed += 1
            if status.isSuccess {
                feasible.append(nodeInfo)
                if feasible.count >= wanted { break }
            } else if status.code == .error {
                throw .internalError(status.message)
            } else {
                diagnosis.nodeToStatus.set(status, forNode: nodeInfo.name)
                diagnosis.addPluginStatus(status)
            }
        }
        nextStartNodeIndex = (start + processed) % count
        return feasible
    }

    // MARK: - Scoring

    /// Total weighted scores per node (upstream `prioritizeNodes`); every node scores 1 when
    /// the profile has no Score plugins.
    func prioritize(pod: PodInfo, nodes: [NodeInfo], framework: SchedulingFramework, state: CycleState)
        throws(ScheduleError) -> [Int64]
    {
        guard framework.hasScorePlugins else { return [Int64](repeating: 1, count: nodes.count) }
        let preScore = framework.runPreScorePlugins(state: state, pod: pod, nodes: nodes)
        guard preScore.isSuccess else { throw .internalError(preScore.message) }
        switch framework.runScorePlugins(state: state, pod: pod, nodes: nodes) {
        case .success(let scores): return scores.totals
        case .failure(let error): throw .internalError(error.message)
        }
    }

    /// The name of a node with the highest total, chosen uniformly among ties by reservoir
    /// sampling (upstream `selectHost`).
    mutating func selectHost(nodes: [NodeInfo], totals: [Int64]) -> String {
        var best = 0
        var ties = 0
        for index in totals.indices {
            if ties == 0 || totals[index] > totals[best] {
                best = index
                ties = 1
            } else if totals[index] == totals[best] {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
            }
        }
        return nodes[best].name
    }
}
