import APIMachinery
import Component

extension DeploymentController {
    static let available = "Available"
    static let progressing = "Progressing"

    /// Replica counts and the Available condition (upstream's `calculateStatus`).
    func calculateStatus(_ d: AppsV1.Deployment, _ new: AppsV1.ReplicaSet?, _ old: [AppsV1.ReplicaSet]) -> AppsV1.DeploymentStatus {
        let all = [new].compactMap { $0 } + old
        let replicas = d.spec?.replicas ?? 1
        var status = d.status ?? AppsV1.DeploymentStatus()
        status.observedGeneration = d.metadata?.generation
        status.replicas = DeploymentRules.actualReplicas(all)
        status.updatedReplicas = new?.status?.replicas ?? 0
        status.readyReplicas = DeploymentRules.readyReplicas(all)
        status.availableReplicas = DeploymentRules.availableReplicas(all)
        status.unavailableReplicas = max(0, DeploymentRules.specReplicas(all) - (status.availableReplicas ?? 0))
        if (status.availableReplicas ?? 0) >= replicas - DeploymentRules.maxUnavailable(d) {
            setCondition(&status, Self.available, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        } else {
            setCondition(&status, Self.available, "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
        }
        return status
    }

    /// The rollout reached the replicas, all updated and available, for this generation.
    func isComplete(_ d: AppsV1.Deployment, _ status: AppsV1.DeploymentStatus) -> Bool {
        let replicas = d.spec?.replicas ?? 1
        return (status.updatedReplicas ?? 0) == replicas && (status.replicas ?? 0) == replicas
            && (status.availableReplicas ?? 0) == replicas && (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
    }

    /// Some count moved forward since the last status (upstream's `DeploymentProgressing`).
    func isProgressing(_ d: AppsV1.Deployment, _ status: AppsV1.DeploymentStatus) -> Bool {
        let old = d.status ?? AppsV1.DeploymentStatus()
        let oldStale = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
        let newStale = (status.replicas ?? 0) - (status.updatedReplicas ?? 0)
        return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newStale < oldStale
            || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    }

    func progressingCondition(_ d: AppsV1.Deployment) -> AppsV1.DeploymentCondition? {
        d.status?.conditions?.first { $0.type == Self.progressing }
    }

    /// Writes counts and conditions, including Progressing against progressDeadlineSeconds,
    /// and schedules a check at the deadline while the rollout runs.
    func syncRolloutStatus(_ d: AppsV1.Deployment, _ new: AppsV1.ReplicaSet?, _ old: [AppsV1.ReplicaSet]) async throws {
        var status = calculateStatus(d, new, old)
        let now = clock.wallNow.time
        var deadlineIn: Int64?
        if let deadline = d.spec?.progressDeadlineSeconds, d.spec?.paused != true {
            let current = status.conditions?.first { $0.type == Self.progressing }
            let name = new?.name ?? ""
            if isComplete(d, status) {
                if current?.reason != "NewReplicaSetAvailable" {
                    setCondition(&status, Self.progressing, "True", "NewReplicaSetAvailable", "ReplicaSet \"\(name)\" has successfully progressed.")
                }
            } else if isProgressing(d, status) {
                setCondition(&status, Self.progressing, "True", "ReplicaSetUpdated", "ReplicaSet \"\(name)\" is progressing.", update: now)
                deadlineIn = Int64(deadline)
            } else if current?.reason == "ProgressDeadlineExceeded" {
                // Stays timed out until the rollout moves again.
            } else if let since = current?.lastUpdateTime ?? current?.lastTransitionTime,
                since.secondsSinceEpoch + Int64(deadline) < now.secondsSinceEpoch
            {
                setCondition(&status, Self.progressing, "False", "ProgressDeadlineExceeded", "ReplicaSet \"\(name)\" has timed out progressing.")
            } else if let since = current?.lastUpdateTime ?? current?.lastTransitionTime {
                deadlineIn = max(1, since.secondsSinceEpoch + Int64(deadline) - now.secondsSinceEpoch + 1)
            }
        } else if d.spec?.progressDeadlineSeconds == nil {
            status.conditions?.removeAll { $0.type == Self.progressing }
        }
        try await write(status, of: d)
        if let deadlineIn { queue.add(d.queueKey, after: .seconds(deadlineIn)) }
    }

    /// Counts only (a Deployment being deleted, paused or scaling).
    func syncStatusOnly(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) async throws {
        let (new, old) = split(d, sets)
        try await write(calculateStatus(d, new, old), of: d)
    }

    /// Sets the Progressing condition now (on creating or finding the new ReplicaSet, and on
    /// pause and resume), writing status at once as upstream does.
    func setProgressing(_ d: inout AppsV1.Deployment, status value: String, reason: String, message: String) async throws {
        var status = d.status ?? AppsV1.DeploymentStatus()
        setCondition(&status, Self.progressing, value, reason, message)
        guard status != d.status else { return }
        d.status = status
        d = try await client.updateStatus(d)
    }

    /// Pause and resume are reported in the Progressing condition (`DeploymentPaused`,
    /// `DeploymentResumed`) so that the deadline does not run while paused.
    func checkPausedConditions(_ d: inout AppsV1.Deployment) async throws {
        guard d.spec?.progressDeadlineSeconds != nil else { return }
        let current = progressingCondition(d)
        if d.spec?.paused == true, current?.reason != "DeploymentPaused" {
            try await setProgressing(&d, status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused")
        } else if d.spec?.paused != true, current?.reason == "DeploymentPaused" {
            try await setProgressing(&d, status: "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed")
        }
    }

    func write(_ status: AppsV1.DeploymentStatus, of d: AppsV1.Deployment) async throws {
        var status = status
        if status.conditions?.isEmpty == true { status.conditions = nil }
        guard status != d.status else { return }
        var copy = d
        copy.status = status
        _ = try await client.updateStatus(copy)
    }

    /// Sets condition `type`, keeping its lastTransitionTime while its status is unchanged.
    func setCondition(
        _ status: inout AppsV1.DeploymentStatus, _ type: String, _ value: String, _ reason: String, _ message: String,
        update: Time? = nil
    ) {
        let now = clock.wallNow.time
        var conditions = status.conditions ?? []
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let old = conditions[index]
            if old.status == value && old.reason == reason && old.message == message && update == nil { return }
            conditions[index] = AppsV1.DeploymentCondition(
                lastTransitionTime: old.status == value ? old.lastTransitionTime : now, lastUpdateTime: update ?? now,
                message: message, reason: reason, status: value, type: type)
        } else {
            conditions.append(AppsV1.DeploymentCondition(
                lastTransitionTime: now, lastUpdateTime: now, message: message, reason: reason, status: value, type: type))
        }
        status.conditions = conditions
    }
}
