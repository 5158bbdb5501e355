import APIMachinery

/// Preemption (upstream `defaultpreemption` with `preemption.Evaluator`): when no node fits,
/// find a node where removing lower-priority pods makes the pod fit, and say which pods to
/// remove. The plugin does no I/O: its `PostFilterResult` names the node to nominate, the
/// victims to delete gracefully and the lower-priority pods nominated to that node whose
/// nomination the shell must clear.
///
/// 1. Eligibility: not with `preemptionPolicy: Never` (`not eligible due to
///    preemptionPolicy=Never.`), nor while the pod's nominated node (unless filtering found it
///    unschedulable-and-unresolvable) still holds a lower-priority pod that is terminating
///    because the scheduler preempted it (`not eligible due to a terminating pod on the
///    nominated node.`).
/// 2. Candidates: only nodes whose filter status was `.unschedulable` (not unresolvable). On
///    each, from a random offset, every lower-priority pod is removed and the filters re-run
///    (nominated pods included); if the pod fits, victims are reprieved one by one, most
///    important first (PDB-violating ones before the others), keeping each whose return still
///    lets the pod fit. The search stops once at least one candidate violates no PDB and
///    `max(minCandidateNodesAbsolute, nodes × minCandidateNodesPercentage / 100)` candidates
///    (capped at the node count) were found.
/// 3. Choice, criteria in order: fewest PDB violations, lowest highest-victim priority,
///    smallest sum of victim priorities (each shifted by 2³¹), fewest victims, latest start
///    among the highest-priority victims, then the first found.
///
/// Without a candidate the status message is a fit error over all nodes: each examined
/// node's reason (`No preemption victims found for incoming pod`, or why the pod still does
/// not fit), the rest `Preemption is not helpful for scheduling`; the result then clears the
/// pod's nomination (empty `nominatedNodeName`). Every message is prefixed `preemption: `.
public struct DefaultPreemption: PostFilterPlugin {
    public static let noVictimsReason = "No preemption victims found for incoming pod"
    public static let notHelpfulReason = "Preemption is not helpful for scheduling"

    /// Share of the candidate nodes to dry-run at least (0…100, default 10).
    public let minCandidateNodesPercentage: Int32
    /// Number of candidate nodes to dry-run at least (default 100).
    public let minCandidateNodesAbsolute: Int32
    /// Where the dry run starts among `n` candidate nodes: a value in `0..<n`.
    let randomOffset: @Sendable (Int) -> Int

    public var name: String { PluginNames.defaultPreemption }

    /// `randomOffset(n)` must return a value in `0..<n`; the default draws it uniformly.
    public init(
        minCandidateNodesPercentage: Int32 = 10, minCandidateNodesAbsolute: Int32 = 100,
        randomOffset: @escaping @Sendable (Int) -> Int = { Int.random(in: 0..<$0) }
    ) {
        self.minCandidateNodesPercentage = minCandidateNodesPercentage
        self.minCandidateNodesAbsolute = minCandidateNodesAbsolute
        self.randomOffset = randomOffset
    }

    /// A node where preemption would let the pod fit.
    public struct Candidate: Sendable {
        public var nodeName: String
        /// Most important first (priority, then earlier start).
        public var victims: [PodInfo]
        public var pdbViolations: Int
    }

    public func postFilter(state: CycleState, pod: PodInfo, context: PostFilterContext) -> (PostFilterResult?, Status) {
        let (result, status) = preempt(state: state, pod: pod, context: context)
        let message = status.message
        if message.isEmpty { return (result, status) }
        return (result, Status(status.code, "preemption: " + message))
    }

    /// How many candidates to look for among `numNodes` potential nodes.
    public func numCandidates(numNodes: Int) -> Int {
        var count = numNodes * Int(minCandidateNodesPercentage) / 100
        if count < Int(minCandidateNodesAbsolute) { count = Int(minCandidateNodesAbsolute) }
        return min(count, numNodes)
    }

    func preempt(state: CycleState, pod: PodInfo, context: PostFilterContext) -> (PostFilterResult?, Status) {
        if let reason = ineligibility(of: pod, snapshot: state.snapshot, nodeToStatus: context.nodeToStatus) {
            return (nil, Status(.unschedulable, reason))
        }
        let allNodes = state.snapshot.nodeInfos
        guard !allNodes.isEmpty else { return (nil, .error("no nodes available")) }
        let potential = context.nodeToStatus.nodesWhereUnschedulable(among: allNodes)
        var statuses = NodeToStatus()
        var candidates: [Candidate] = []
        if !potential.isEmpty {
            let offset = randomOffset(potential.count)
            let (found, dryRunStatuses, errors) = dryRun(
                state: state, pod: pod, context: context, nodes: potential,
                offset: offset >= 0 && offset < potential.count ? offset : 0,
                wanted: numCandidates(numNodes: potential.count))
            if found.isEmpty, let error = errors.first { return (nil, .error(error)) }
            candidates = found
            statuses = dryRunStatuses
        }
        guard let best = Self.selectCandidate(candidates) else {
            var diagnosis = Diagnosis()
            diagnosis.nodeToStatus = statuses
            diagnosis.nodeToStatus.absentNodesStatus = Status(.unschedulableAndUnresolvable, Self.notHelpfulReason)
            let fitError = FitError(pod: pod, numAllNodes: allNodes.count, diagnosis: diagnosis)
            return (PostFilterResult(nominatedNodeName: ""), Status(.unschedulable, fitError.message))
        }
        let toClear = (context.nominatedPods?.nominatedPods(forNode: best.nodeName) ?? []).filter {
            $0.priority < pod.priority && $0.key != pod.key
        }
        return (
            PostFilterResult(nominatedNodeName: best.nodeName, victims: best.victims, nominatedPodsToClear: toClear),
            .success
        )
    }

    // MARK: - Eligibility

    /// Why `pod` may not preempt now, or nil when it may.
    func ineligibility(of pod: PodInfo, snapshot: Snapshot, nodeToStatus: NodeToStatus) -> String? {
        if pod.pod.spec?.preemptionPolicy == "Never" { return "not eligible due to preemptionPolicy=Never." }
        guard let nominated = pod.pod.status?.nominatedNodeName, !nominated.isEmpty else { return nil }
        // Filtering ruled the nominated node out for good: preempting elsewhere is allowed.
        if nodeToStatus.status(forNode: nominated).code == .unschedulableAndUnresolvable { return nil }
        guard let nodeInfo = snapshot.nodeInfo(named: nominated) else { return nil }
        let blocked = nodeInfo.pods.contains { $0.priority < pod.priority && Self.isTerminatingByPreemption($0) }
        return blocked ? "not eligible due to a terminating pod on the nominated node." : nil
    }

    /// Terminating, with a `DisruptionTarget=True` condition of reason `PreemptionByScheduler`.
    static func isTerminatingByPreemption(_ pod: PodInfo) -> Bool {
        guard pod.isTerminating else { return false }
        guard let condition = pod.pod.status?.conditions?.first(where: { $0.type == "DisruptionTarget" }) else {
            return false
        }
        return condition.status == "True" && condition.reason == "PreemptionByScheduler"
    }

    // MARK: - Dry run

    /// Tries the nodes from `offset` round, until enough candidates are found.
    func dryRun(
        state: CycleState, pod: PodInfo, context: PostFilterContext, nodes: [NodeInfo], offset: Int, wanted: Int
    ) -> (candidates: [Candidate], statuses: NodeToStatus, errors: [String]) {
        var nonViolating: [Candidate] = []
        var violating: [Candidate] = []
        var statuses = NodeToStatus()
        var errors: [String] = []
        let budgets = state.snapshot.disruptionBudgets
        for step in 0..<nodes.count {
            let nodeInfo = nodes[(offset + step) % nodes.count]
            var (victims, violations, status) = selectVictims(
                on: nodeInfo, state: state.clone(), pod: pod, context: context, budgets: budgets)
            if status.isSuccess && !victims.isEmpty {
                let candidate = Candidate(nodeName: nodeInfo.name, victims: victims, pdbViolations: violations)
                if violations == 0 { nonViolating.append(candidate) } else { violating.append(candidate) }
                if !nonViolating.isEmpty && nonViolating.count + violating.count >= wanted { break }
                continue
            }
            if status.isSuccess {
                status = .error("expected at least one victim pod on node \"\(nodeInfo.name)\"")
                victims = []
            }
            if status.code == .error { errors.append(status.message) }
            statuses.set(status, forNode: nodeInfo.name)
        }
        return (nonViolating + violating, statuses, errors)
    }

    // MARK: - Choosing

    /// The candidate the criteria prefer (see the type's contract); nil when there is none.
    static func selectCandidate(_ candidates: [Candidate]) -> Candidate? {
        guard !candidates.isEmpty else { return nil }
        var remaining = candidates
        let criteria: [(Candidate, Candidate) -> Int] = [
            // Each returns >0 when the first is better, <0 when worse, 0 for a tie.
            { compare($1.pdbViolations, $0.pdbViolations) },
            { compare(highestPriority($1), highestPriority($0)) },
            { compare(prioritySum($1), prioritySum($0)) },
            { compare($1.victims.count, $0.victims.count) },
            { compare(earliestStartOfHighest($0), earliestStartOfHighest($1)) },
        ]
        for better in criteria where remaining.count > 1 {
            var best: [Candidate] = [remaining[0]]
            for candidate in remaining.dropFirst() {
                let order = better(candidate, best[0])
                if order > 0 { best = [candidate] } else if order == 0 { best.append(candidate) }
            }
            remaining = best
        }
        return remaining.first
    }

    private static func compare<T: Comparable>(_ a: T, _ b: T) -> Int { a > b ? 1 : (a < b ? -1 : 0) }

    private static func highestPriority(_ candidate: Candidate) -> Int32 {
        candidate.victims.map(\.priority).max() ?? Int32.min
    }

    private static func prioritySum(_ candidate: Candidate) -> Int64 {
        candidate.victims.reduce(0) { $0 + Int64($1.priority) + Int64(Int32.max) + 1 }
    }

    /// The earliest start among the victims of the highest priority.
    private static func earliestStartOfHighest(_ candidate: Candidate) -> StartTime {
        let highest = highestPriority(candidate)
        return candidate.victims.filter { $0.priority == highest }.map(StartTime.init).min() ?? .notStarted
    }
}

/// When a pod started: `status.startTime`, or "not yet", which upstream reads as now and so
/// orders after every recorded start.
enum StartTime: Comparable, Sendable {
    case at(Time)
    case notStarted

    init(_ pod: PodInfo) {
        self = pod.pod.status?.startTime.map(StartTime.at) ?? .notStarted
    }
}

extension PodInfo {
    /// Upstream `MoreImportantPod`: higher priority first, then the earlier start.
    func isMoreImportant(than other: PodInfo) -> Bool {
        if priority != other.priority { return priority > other.priority }
        return StartTime(self) < StartTime(other)
    }
}
