import APIMachinery

/// The highest score a Score plugin may give a node after normalisation.
public let maxNodeScore: Int64 = 100
/// The lowest score a Score plugin may give a node after normalisation.
public let minNodeScore: Int64 = 0

/// A scheduling plugin (upstream `framework.Plugin`). A plugin takes part in every extension
/// point whose protocol it adopts; the framework finds them by conformance, as upstream's
/// `multiPoint` does. Plugins hold configuration only: anything per pod lives in
/// `CycleState`, so one instance serves every cycle.
public protocol SchedulerPlugin: Sendable {
    /// The name used in configuration and in failure attribution (e.g. `NodeResourcesFit`).
    var name: String { get }
}

/// One pod waiting in the queue, as the queue-sort plugin compares it.
public struct QueueSortEntry<Timestamp: Comparable & Sendable>: Sendable {
    public var pod: PodInfo
    /// When the pod was (last) added to the queue.
    public var timestamp: Timestamp

    public init(pod: PodInfo, timestamp: Timestamp) {
        self.pod = pod
        self.timestamp = timestamp
    }
}

/// Orders the active queue (upstream `QueueSortPlugin`); exactly one per profile.
public protocol QueueSortPlugin: SchedulerPlugin {
    /// Whether `lhs` should be scheduled before `rhs`.
    func less<T: Comparable & Sendable>(_ lhs: QueueSortEntry<T>, _ rhs: QueueSortEntry<T>) -> Bool
}

/// Which nodes PreFilter plugins allow: all, or a named set (upstream `PreFilterResult`).
public struct PreFilterResult: Sendable, Hashable {
    /// nil means every node.
    public var nodeNames: Set<String>?

    public init(nodeNames: Set<String>? = nil) { self.nodeNames = nodeNames }

    public static let allNodes = PreFilterResult()

    public var isAllNodes: Bool { nodeNames == nil }

    /// The intersection of two results.
    public func merged(with other: PreFilterResult) -> PreFilterResult {
        switch (nodeNames, other.nodeNames) {
        case (nil, _): return other
        case (_, nil): return self
        case (let a?, let b?): return PreFilterResult(nodeNames: a.intersection(b))
        }
    }
}

/// Runs once per cycle before any node is filtered (upstream `PreFilterPlugin`): precompute
/// state, reject the pod outright, return `.skip` to have its Filter skipped, or narrow the
/// candidate nodes.
public protocol PreFilterPlugin: SchedulerPlugin {
    func preFilter(state: CycleState, pod: PodInfo) -> (PreFilterResult, Status)

    /// Adjusts the state written by `preFilter` as if `podToAdd` ran on `nodeInfo`; used when
    /// filtering with nominated pods and by preemption. The default does nothing.
    func addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo) -> Status
    /// The reverse of `addPod`. The default does nothing.
    func removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo) -> Status
}

extension PreFilterPlugin {
    public func addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo) -> Status {
        .success
    }
    public func removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo)
        -> Status
    { .success }
}

/// Decides whether the pod can run on one node (upstream `FilterPlugin`). Returns
/// `.success`, `.unschedulable` or `.unschedulableAndUnresolvable` with upstream's reason
/// text; anything else is treated as an internal error. Called once per candidate node, so
/// it must be cheap: read precomputed data from `PodInfo` and `CycleState`.
public protocol FilterPlugin: SchedulerPlugin {
    func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status
}

/// What a PostFilter plugin achieved (upstream `PostFilterResult`), and what the shell must
/// carry out for it: plugins do no I/O.
///
/// With preemption, `nominatedNodeName` is the node where room is being made; the shell
/// deletes each of `victims` gracefully (after marking it with a `DisruptionTarget`
/// condition, reason `PreemptionByScheduler`), clears `status.nominatedNodeName` of
/// `nominatedPodsToClear` (lower-priority pods nominated to the same node, which may no longer
/// fit there), and sets the preemptor's `status.nominatedNodeName`. An empty
/// `nominatedNodeName` asks the shell to clear the pod's existing nomination; nil leaves it.
public struct PostFilterResult: Sendable, Hashable {
    /// The node the pod should be nominated to (preemption made room there), if any.
    public var nominatedNodeName: String?
    /// Pods to delete so the preemptor fits on `nominatedNodeName`, most important first.
    public var victims: [PodInfo]
    /// Lower-priority pods nominated to `nominatedNodeName` whose nomination must be cleared.
    public var nominatedPodsToClear: [PodInfo]

    public init(nominatedNodeName: String? = nil, victims: [PodInfo] = [], nominatedPodsToClear: [PodInfo] = []) {
        self.nominatedNodeName = nominatedNodeName
        self.victims = victims
        self.nominatedPodsToClear = nominatedPodsToClear
    }

    /// Equal when nominating the same node with the same victims and cleared pods (by key).
    public static func == (lhs: PostFilterResult, rhs: PostFilterResult) -> Bool {
        lhs.nominatedNodeName == rhs.nominatedNodeName && lhs.victims.map(\.key) == rhs.victims.map(\.key)
            && lhs.nominatedPodsToClear.map(\.key) == rhs.nominatedPodsToClear.map(\.key)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nominatedNodeName)
        hasher.combine(victims.map(\.key))
        hasher.combine(nominatedPodsToClear.map(\.key))
    }
}

/// What a PostFilter plugin may use besides the cycle state (which holds the snapshot): why
/// each node was rejected, the framework (to re-run filters on modified copies of nodes) and
/// the nominated pods.
public struct PostFilterContext {
    public var nodeToStatus: NodeToStatus
    public var framework: SchedulingFramework
    public var nominatedPods: (any NominatedPodLister)?

    public init(
        nodeToStatus: NodeToStatus, framework: SchedulingFramework, nominatedPods: (any NominatedPodLister)?
    ) {
        self.nodeToStatus = nodeToStatus
        self.framework = framework
        self.nominatedPods = nominatedPods
    }
}

/// Runs when no node fits (upstream `PostFilterPlugin`), e.g. preemption. Returns
/// `.success` with a nominated node when it made room, or `.unschedulable` with reasons
/// that become the `preemption: …` part of the failure message.
public protocol PostFilterPlugin: SchedulerPlugin {
    func postFilter(state: CycleState, pod: PodInfo, context: PostFilterContext) -> (PostFilterResult?, Status)
}

/// Runs once per cycle before scoring, with the feasible nodes (upstream `PreScorePlugin`);
/// `.skip` means the plugin's Score is not run this cycle.
public protocol PreScorePlugin: SchedulerPlugin {
    func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status
}

/// Ranks one feasible node (upstream `ScorePlugin`). Scores are integers; unless the plugin
/// normalises them (`ScoreNormalizing`), they must already lie in `0...maxNodeScore`.
public protocol ScorePlugin: SchedulerPlugin {
    func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status)
}

/// A Score plugin that rescales its raw scores once all nodes are scored (upstream
/// `ScoreExtensions.NormalizeScore`). `scores[i]` belongs to `nodes[i]`.
public protocol ScoreNormalizing: ScorePlugin {
    func normalizeScores(state: CycleState, pod: PodInfo, nodes: [NodeInfo], scores: inout [Int64]) -> Status
}

/// The pods nominated to run on a node (after preemption made room) but not yet bound.
/// Filters treat those of at least the incoming pod's priority as already running there.
/// Implemented by the scheduling queue.
public protocol NominatedPodLister {
    func nominatedPods(forNode nodeName: String) -> [PodInfo]
}

/// Rescales raw scores to `0...maxScore` by dividing by the highest one (upstream
/// `DefaultNormalizeScore`); with `reverse`, high raw scores become low. When every raw
/// score is 0 the scores stay 0, or all become `maxScore` when reversed.
public func defaultNormalizeScores(_ scores: inout [Int64], maxScore: Int64 = maxNodeScore, reverse: Bool) {
    var highest: Int64 = 0
    for score in scores where score > highest { highest = score }
    if highest == 0 {
        if reverse {
            for i in scores.indices { scores[i] = maxScore }
        }
        return
    }
    for i in scores.indices {
        var score = maxScore * scores[i] / highest
        if reverse { score = maxScore - score }
        scores[i] = score
    }
}
