import APIMachinery
import Component

/// One pass over a StatefulSet's pods (upstream's replica algorithm state): a pod per ordinal
/// in range (built from the right revision, not yet created, where one is missing), the pods
/// outside the range to remove (highest ordinal first), and the status they add up to.
struct StatefulSetPass: Sendable {
    let set: AppsV1.StatefulSet
    let current: AppsV1.ControllerRevision
    let update: AppsV1.ControllerRevision
    /// Pods for ordinals `start ..< start + replicas`, by index.
    var replicas: [CoreV1.Pod]
    /// Pods with an ordinal outside the range, highest first.
    var condemned: [CoreV1.Pod]
    /// The first pod (lowest in-range ordinal, then lowest condemned one) that is not healthy:
    /// OrderedReady may still delete it.
    let firstUnhealthy: String?
    /// OrderedReady (each pod waits for the one before); false for Parallel.
    let monotonic: Bool
    let minReadySeconds: Int32
    let now: WallTime
    /// Pods of the current revision deleted by the rolling update this pass.
    var deletedForUpdate = 0

    init(set: AppsV1.StatefulSet, pods: [CoreV1.Pod], current: AppsV1.ControllerRevision, update: AppsV1.ControllerRevision, now: WallTime) throws {
        self.set = set
        self.current = current
        self.update = update
        self.now = now
        monotonic = set.spec?.podManagementPolicy != "Parallel"
        minReadySeconds = set.spec?.minReadySeconds ?? 0
        let start = StatefulSetRules.start(set), count = StatefulSetRules.replicas(set)
        var slots = [CoreV1.Pod?](repeating: nil, count: max(count, 0))
        var condemned: [CoreV1.Pod] = []
        for pod in pods {
            let ordinal = StatefulSetRules.ordinal(pod)
            if ordinal >= start && ordinal < start + count {
                slots[ordinal - start] = pod
            } else if ordinal >= 0 {
                condemned.append(pod)
            }
        }
        let currentTemplate = try ControllerHistory.template(current) ?? set.spec?.template
        let updateTemplate = try ControllerHistory.template(update) ?? set.spec?.template
        replicas = slots.enumerated().map { index, pod in
            if let pod { return pod }
            let ordinal = start + index
            return StatefulSetRules.usesCurrentRevision(set, ordinal: ordinal)
                ? StatefulSetRules.newPod(set, template: currentTemplate, revision: current.name, ordinal: ordinal)
                : StatefulSetRules.newPod(set, template: updateTemplate, revision: update.name, ordinal: ordinal)
        }
        self.condemned = condemned.sorted { StatefulSetRules.ordinal($0) > StatefulSetRules.ordinal($1) }
        firstUnhealthy = (replicas + self.condemned.reversed()).first { !StatefulSetRules.isHealthy($0) }?.name
    }

    /// Available after `minReadySeconds`.
    func isAvailable(_ pod: CoreV1.Pod) -> Bool { pod.isAvailable(minReadySeconds: minReadySeconds, now: now) }

    /// The status this pass leaves: counts over every pod it knows, the current revision
    /// becoming the update revision once every replica is updated and ready (RollingUpdate).
    func status(collisionCount: Int32) -> AppsV1.StatefulSetStatus {
        let counts = StatefulSetRules.counts(replicas + condemned, current: current.name, update: update.name, minReadySeconds: minReadySeconds, now: now)
        let want = StatefulSetRules.replicas(set)
        var currentRevision = current.name, currentReplicas = counts.current - deletedForUpdate
        if (set.spec?.updateStrategy?.type ?? "RollingUpdate") == "RollingUpdate",
            counts.updated == want, counts.ready == want, counts.replicas == want
        {
            currentRevision = update.name
            currentReplicas = counts.updated
        }
        func omitZero(_ value: Int) -> Int32? { value == 0 ? nil : Int32(value) }
        return AppsV1.StatefulSetStatus(
            availableReplicas: Int32(counts.available), collisionCount: collisionCount, currentReplicas: omitZero(currentReplicas),
            currentRevision: currentRevision, observedGeneration: set.metadata?.generation, readyReplicas: omitZero(counts.ready),
            replicas: Int32(counts.replicas), updateRevision: update.name, updatedReplicas: omitZero(counts.updated))
    }
}
