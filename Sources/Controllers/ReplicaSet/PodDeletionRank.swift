import APIMachinery
import Component

/// The order in which a scaled-down controller deletes its pods, first to go first (upstream's
/// `ActivePodsWithRanks`): unscheduled before scheduled; Pending before Unknown before Running;
/// not ready before ready; lower `controller.kubernetes.io/pod-deletion-cost` first; pods
/// sharing their node with more of the controller's pods first; ready for less time first;
/// more restarts of one container first; newer first.
///
/// Partial: upstream compares ready times and creation times on a logarithmic scale
/// (`LogarithmicScaleDown`) so that pods of similar age are chosen at random; this compares
/// them exactly.
public enum PodDeletionRank {
    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    /// `pods` sorted first-to-delete first. `related` are all active pods of the owner and of
    /// the owners it shares pods with (a Deployment's ReplicaSets), counted per node.
    public static func sorted(_ pods: [CoreV1.Pod], related: [CoreV1.Pod]) -> [CoreV1.Pod] {
        var perNode: [String: Int] = [:]
        for pod in related where pod.isActive {
            if let node = pod.spec?.nodeName, !node.isEmpty { perNode[node, default: 0] += 1 }
        }
        let ranked = pods.map { pod in (pod, perNode[pod.spec?.nodeName ?? ""] ?? 0) }
        return ranked.sorted { firstToDelete($0.0, rank: $0.1, before: $1.0, rank: $1.1) }.map(\.0)
    }

    static func phaseOrder(_ phase: String?) -> Int {
        switch phase {
        case "Pending": 0
        case "Unknown": 1
        case "Running": 2
        default: 3
        }
    }

    static func deletionCost(_ pod: CoreV1.Pod) -> Int64 {
        pod.metadata?.annotations?[deletionCostAnnotation].flatMap { Int64($0) } ?? 0
    }

    static func firstToDelete(_ a: CoreV1.Pod, rank ra: Int, before b: CoreV1.Pod, rank rb: Int) -> Bool {
        let aNode = a.spec?.nodeName ?? "", bNode = b.spec?.nodeName ?? ""
        if aNode.isEmpty != bNode.isEmpty { return aNode.isEmpty }
        let pa = phaseOrder(a.status?.phase), pb = phaseOrder(b.status?.phase)
        if pa != pb { return pa < pb }
        if a.isReady != b.isReady { return !a.isReady }
        let ca = deletionCost(a), cb = deletionCost(b)
        if ca != cb { return ca < cb }
        if ra != rb { return ra > rb }
        if a.isReady && b.isReady {
            let ta = a.readyCondition?.lastTransitionTime, tb = b.readyCondition?.lastTransitionTime
            if let ta, let tb, ta != tb { return ta > tb }
        }
        if a.maxContainerRestarts != b.maxContainerRestarts { return a.maxContainerRestarts > b.maxContainerRestarts }
        let ta = a.metadata?.creationTimestamp, tb = b.metadata?.creationTimestamp
        if let ta, let tb, ta != tb { return ta > tb }
        return a.name < b.name
    }
}
