import APIMachinery
import Component

/// The pod predicates every workload controller shares (upstream's `podutil`).
extension CoreV1.Pod {
    /// Not finished and not being deleted: the pods a controller counts as its replicas.
    public var isActive: Bool {
        let phase = status?.phase
        return phase != "Succeeded" && phase != "Failed" && metadata?.deletionTimestamp == nil
    }

    /// The `Ready` condition, if reported.
    public var readyCondition: CoreV1.PodCondition? {
        status?.conditions?.first { $0.type == "Ready" }
    }

    /// `Ready` is `True`.
    public var isReady: Bool { readyCondition?.status == "True" }

    /// Ready for at least `minReadySeconds` at `now` (upstream's `IsPodAvailable`).
    public func isAvailable(minReadySeconds: Int32, now: WallTime) -> Bool {
        guard let ready = readyCondition, ready.status == "True" else { return false }
        if minReadySeconds == 0 { return true }
        guard let since = ready.lastTransitionTime, !since.isZero else { return false }
        // Strictly before now, as upstream's `IsPodAvailable`.
        return (since.secondsSinceEpoch + Int64(minReadySeconds)) * 1_000_000_000 < now.nanosecondsSinceEpoch
    }

    /// The most restarts of any one container (upstream ranks pods by it).
    public var maxContainerRestarts: Int32 {
        status?.containerStatuses?.map(\.restartCount).max() ?? 0
    }
}
