import APIMachinery

/// Taints and tolerations (upstream `tainttoleration`).
///
/// Filter: rejects a node with a `NoSchedule` or `NoExecute` taint the pod does not
/// tolerate, naming the first such taint: `node(s) had untolerated taint {key: value}`.
///
/// Score: the number of `PreferNoSchedule` taints the pod does not tolerate (counting only
/// its tolerations with that effect or no effect), normalised in reverse, so the node with
/// the most such taints gets 0 and nodes with none get 100.
public struct TaintToleration: FilterPlugin, PreScorePlugin, ScoreNormalizing {
    public var name: String { PluginNames.taintToleration }

    public init() {}

    /// Upstream's reason for an untolerated taint.
    public static func reason(for taint: NodeTaint) -> String {
        "node(s) had untolerated taint \(taint.bracedDescription)"
    }

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        guard !nodeInfo.taints.isEmpty else { return .success }
        let untolerated = pod.tolerations.firstUntolerated(nodeInfo.taints) {
            $0.effect == .noSchedule || $0.effect == .noExecute
        }
        guard let untolerated else { return .success }
        return Status(.unschedulableAndUnresolvable, Self.reason(for: untolerated))
    }

    struct PreScoreState: StateData {
        var tolerationsPreferNoSchedule: [PodToleration]
    }

    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        let relevant = pod.tolerations.filter { $0.effect == nil || $0.effect == .preferNoSchedule }
        state.write(PreScoreState(tolerationsPreferNoSchedule: relevant))
        return .success
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        guard !nodeInfo.taints.isEmpty else { return (0, .success) }
        let tolerations =
            state.read(PreScoreState.self)?.tolerationsPreferNoSchedule
            ?? pod.tolerations.filter { $0.effect == nil || $0.effect == .preferNoSchedule }
        var count: Int64 = 0
        for taint in nodeInfo.taints where taint.effect == .preferNoSchedule && !tolerations.tolerate(taint) {
            count += 1
        }
        return (count, .success)
    }

    public func normalizeScores(state: CycleState, pod: PodInfo, nodes: [NodeInfo], scores: inout [Int64]) -> Status {
        defaultNormalizeScores(&scores, reverse: true)
        return .success
    }
}
