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

    /// Records `pod`'s nomination (from its status, or `node` when given); clears it when none.
    func update(_ pod: CoreV1.Pod, node: String? = nil) {
        let key = QueuedPodInfo.key(for: pod)
        let nominated = node ?? pod.status?.nominatedNodeName ?? ""
        let info = nominated.isEmpty ? nil : PodInfo(pod)
        state.withLock { state in
            if let previous = state.nodeOfPod.removeValue(forKey: key) { state.byNode[previous]?[key] = nil }
            guard let info else { return }
            state.nodeOfPod[key] = nominated
            state.byNode[nominated, default: [:]][key] = info
        }
    }

    func remove(_ pod: CoreV1.Pod) {
        let key = QueuedPodInfo.key(for: pod)
        state.withLock { state in
            if let previous = state.nodeOfPod.removeValue(forKey: key) { state.byNode[previous]?[key] = nil }
        }
    }

    func nominatedPods(forNode nodeName: String) -> [PodInfo] {
        state.withLock { state in
            guard let pods = state.byNode[nodeName], !pods.isEmpty else { return [] }
            return pods.keys.sorted().compactMap { pods[$0] }
        }
    }
}
