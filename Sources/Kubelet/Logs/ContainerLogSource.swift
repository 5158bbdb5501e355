import APIMachinery

/// Which container instance a log request reads, from the pod's status as this kubelet wrote
/// it, with upstream's refusals for containers that have no log to show.
public enum ContainerLogSource {
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The runtime ID (without the `containerd://` scheme) of the container whose log to read.
    public static func containerID(pod: CoreV1.Pod, container: String, previous: Bool) -> Result<String, Refusal> {
        let name = pod.metadata?.name ?? ""
        let status = pod.status
        let all = (status?.containerStatuses ?? []) + (status?.initContainerStatuses ?? []) + (status?.ephemeralContainerStatuses ?? [])
        guard let found = all.first(where: { $0.name == container }) else {
            return .failure(Refusal(description: "container \"\(container)\" in pod \"\(name)\" is not available"))
        }
        let last = found.lastState?.terminated
        let state = found.state
        func id(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            guard let range = text.range(of: "://") else { return text }
            return String(text[range.upperBound...])
        }
        if previous {
            guard let lastID = id(last?.containerID) else {
                return .failure(Refusal(description: "previous terminated container \"\(container)\" in pod \"\(name)\" not found"))
            }
            return .success(lastID)
        }
        if state?.running != nil, let current = id(found.containerID) { return .success(current) }
        if let terminated = state?.terminated {
            if let current = id(terminated.containerID) ?? id(found.containerID) { return .success(current) }
            if let lastID = id(last?.containerID) { return .success(lastID) }
            return .failure(Refusal(description: "container \"\(container)\" in pod \"\(name)\" is terminated"))
        }
        if last != nil {
            guard let lastID = id(last?.containerID) else {
                return .failure(Refusal(description: "container \"\(container)\" in pod \"\(name)\" is terminated"))
            }
            return .success(lastID)
        }
        if let waiting = state?.waiting {
            let reason: String
            switch waiting.reason ?? "" {
            case "ErrImagePull": reason = "image can't be pulled"
            case "ImagePullBackOff": reason = "trying and failing to pull image"
            case let other: reason = other
            }
            return .failure(Refusal(description: "container \"\(container)\" in pod \"\(name)\" is waiting to start: \(reason)"))
        }
        return .failure(Refusal(description: "container \"\(container)\" in pod \"\(name)\" is waiting to start - no logs yet"))
    }
}
