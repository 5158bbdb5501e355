import APIMachinery
import Synchronization

/// Pods nominated to nodes by preemption (`status.nominatedNodeName` of pending pods), kept
/// from informer events and from the scheduler's own nominations, for filtering to count them
/// on their node (a pod nominated there with higher or equal priority keeps its room).
final class NominatedPods: NominatedPodLister, Sendable {
    private struct State {
        var byNode: [String: [String: PodInfo]] = [:]
        var nodeOfPod: [String: String] = [:]
    }
    private let state = Mutex(State())
    /// Number of nominated pods, read without the lock: filtering asks once per node per pod.
    private let count = Atomic<Int>(0)

    /// Records `pod`'s nomination (from its status, or `node` when given); clears it when none.
    func update(_ pod: CoreV1.Pod, node: String? = nil) {
        let key = QueuedPodInfo.key(for: pod)
        let nominated = node ?? pod.status?.nominatedNodeName ?? ""
        let info = nominated.isEmpty ? nil : PodInfo(pod)
        let total = state.withLock { state in
            if let previous = state.nodeOfPod.removeValue(forKey: key) { state.byNode[previous]?[key] = nil }
            if let info {
                state.nodeOfPod[key] = nominated
                state.byNode[nominated, default: [:]][key] = info
            }
            return state.nodeOfPod.count
        }
        count.store(total, ordering: .relaxed)
    }

    func remove(_ pod: CoreV1.Pod) {
        let key = QueuedPodInfo.key(for: pod)
        let total = state.withLock { state in
            if let previous = state.nodeOfPod.removeValue(forKey: key) { state.byNode[previous]?[key] = nil }
            return state.nodeOfPod.count
        }
        count.store(total, ordering: .relaxed)
    }

    func isNominated(_ pod: CoreV1.Pod) -> Bool {
        guard count.load(ordering: .relaxed) > 0 else { return false }
        let key = QueuedPodInfo.key(for: pod)
        return state.withLock { $0.nodeOfPod[key] != nil }
    }

    func nominatedPods(forNode nodeName: String) -> [PodInfo] {
        guard count.load(ordering: .relaxed) > 0 else { return [] }
        return state.withLock { state in
            guard let pods = state.byNode[nodeName], !pods.isEmpty else { return [] }
            return pods.keys.sorted().compactMap { pods[$0] }
        }
    }
}
