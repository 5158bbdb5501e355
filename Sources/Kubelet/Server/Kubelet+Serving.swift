import APIMachinery

extension Kubelet {
    /// The pods bound to this node, each with the status this kubelet last wrote.
    func servedPods() -> [CoreV1.Pod] {
        memory.withLock { memory in
            memory.pods.map { uid, pod in
                var pod = pod
                if let written = memory.written[uid] { pod.status = written }
                return pod
            }
        }
    }

    /// The pod `namespace/name` bound to this node, with the status this kubelet last wrote.
    func servedPod(namespace: String, name: String) -> CoreV1.Pod? {
        memory.withLock { memory in
            guard let (uid, found) = memory.pods.first(where: { $0.value.metadata?.namespace == namespace && $0.value.metadata?.name == name }) else {
                return nil
            }
            var pod = found
            if let written = memory.written[uid] { pod.status = written }
            return pod
        }
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
