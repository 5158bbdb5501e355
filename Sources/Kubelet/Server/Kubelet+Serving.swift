import APIMachinery

extension Kubelet {
    /// The pods bound to this node, each with the status this kubelet last wrote.
    func servedPods() -> [CoreV1.Pod] {
        memory.withLock { memory in memory.pods.map { Self.withWrittenStatus($0.value, memory) } }
    }

    /// The pod `namespace/name` bound to this node, with the status this kubelet last wrote.
    func servedPod(namespace: String, name: String) -> CoreV1.Pod? {
        memory.withLock { memory in
            memory.pods.values.first { $0.metadata?.namespace == namespace && $0.metadata?.name == name }
                .map { Self.withWrittenStatus($0, memory) }
        }
    }

    private static func withWrittenStatus(_ pod: CoreV1.Pod, _ memory: Memory) -> CoreV1.Pod {
        var pod = pod
        if let written = memory.written[pod.metadata?.uid ?? ""] { pod.status = written }
        return pod
    }

    /// The runtime ID of the pod's running container with that name, the newest if several.
    func runningContainer(of pod: CoreV1.Pod, named name: String) async throws -> String? {
        let status = try await readRuntime(pod.metadata?.uid ?? "")
        return status.containers.filter { $0.name == name && $0.state == .running }.max { $0.createdAt < $1.createdAt }?.id
    }

    /// The pod's ready sandbox, the newest if several.
    func readySandbox(of pod: CoreV1.Pod) async throws -> String? {
        let status = try await readRuntime(pod.metadata?.uid ?? "")
        return status.sandboxes.filter(\.ready).max { $0.createdAt < $1.createdAt }?.id
    }
}
