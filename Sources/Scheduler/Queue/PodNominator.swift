import APIMachinery

/// Pods nominated to run on a node after preemption made room for them but not yet bound
/// (upstream `nominator`). The scheduler's filters treat them as already running there.
///
/// A pod's nomination comes from the preemption result or its `status.nominatedNodeName`.
/// Bound pods (`spec.nodeName` set) are never nominated. Pure value type.
struct PodNominator: Sendable {
    private var nodeByPod: [String: String] = [:]
    /// Keys nominated to each node, in nomination order.
    private var podsByNode: [String: [String]] = [:]
    private var pods: [String: CoreV1.Pod] = [:]

    var count: Int { nodeByPod.count }

    func nominatedNode(of key: String) -> String? { nodeByPod[key] }

    /// The nominated pods of `nodeName`, in nomination order.
    func pods(onNode nodeName: String) -> [CoreV1.Pod] {
        (podsByNode[nodeName] ?? []).compactMap { pods[$0] }
    }

    /// Nominates `pod` to `nodeName`, or to its `status.nominatedNodeName` when `nodeName` is
    /// nil; replaces an earlier nomination. An empty node name only removes the nomination.
    mutating func add(_ pod: CoreV1.Pod, nodeName: String? = nil) {
        let key = QueuedPodInfo.key(for: pod)
        delete(key)
        guard pod.spec?.nodeName?.isEmpty ?? true else { return }
        let node = nodeName ?? pod.status?.nominatedNodeName ?? ""
        guard !node.isEmpty else { return }
        nodeByPod[key] = node
        podsByNode[node, default: []].append(key)
        pods[key] = pod
    }

    mutating func delete(_ key: String) {
        guard let node = nodeByPod.removeValue(forKey: key) else { return }
        pods[key] = nil
        podsByNode[node]?.removeAll { $0 == key }
        if podsByNode[node]?.isEmpty == true { podsByNode[node] = nil }
    }

    /// Follows an update of a pending pod (upstream `updateNominatedPod`): the nomination follows
    /// the new `status.nominatedNodeName`, except that an update where neither version carries
    /// one keeps a nomination made in memory (the update may predate it).
    mutating func update(old: CoreV1.Pod?, new: CoreV1.Pod) {
        let key = QueuedPodInfo.key(for: new)
        let oldNominated = old?.status?.nominatedNodeName ?? ""
        let newNominated = new.status?.nominatedNodeName ?? ""
        var keep: String?
        if oldNominated.isEmpty && newNominated.isEmpty { keep = nodeByPod[key] }
        add(new, nodeName: keep)
    }

    /// Refreshes the stored pod object of an existing nomination without changing the node.
    mutating func refresh(_ pod: CoreV1.Pod) {
        let key = QueuedPodInfo.key(for: pod)
        if pods[key] != nil { pods[key] = pod }
    }
}
