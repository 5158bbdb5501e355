import APIMachinery

extension DeploymentController {
    /// One step of a RollingUpdate: scale the new ReplicaSet up within maxSurge, else scale
    /// old ones down within maxUnavailable (unhealthy pods first), else tidy up.
    func rolloutRolling(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) async throws {
        var d = d
        let (found, old) = split(d, sets)
        guard let new = try await newReplicaSet(&d, found, old, create: true) else { return }
        let all = [new] + old
        if try await reconcileNew(d, new, all) {
            try await syncRolloutStatus(d, new, old)
            return
        }
        if try await reconcileOld(d, new, old) {
            try await syncRolloutStatus(d, new, old)
            return
        }
        if isComplete(d, calculateStatus(d, new, old)) { try await cleanup(d, old) }
        try await syncRolloutStatus(d, new, old)
    }

    /// Scales the new ReplicaSet toward the replicas; true if it changed.
    func reconcileNew(_ d: AppsV1.Deployment, _ new: AppsV1.ReplicaSet, _ all: [AppsV1.ReplicaSet]) async throws -> Bool {
        let replicas = d.spec?.replicas ?? 1
        let current = new.spec?.replicas ?? 0
        if current == replicas { return false }
        if current > replicas {
            try await scale(new, to: replicas, d)
            return true
        }
        let count = newReplicaCount(d, all, new)
        guard count != current else { return false }
        try await scale(new, to: count, d)
        return true
    }

    /// Scales old ReplicaSets down as far as availability allows; true if any changed.
    func reconcileOld(_ d: AppsV1.Deployment, _ new: AppsV1.ReplicaSet, _ old: [AppsV1.ReplicaSet]) async throws -> Bool {
        let active = old.filter { ($0.spec?.replicas ?? 0) > 0 }
        guard DeploymentRules.specReplicas(active) > 0 else { return false }
        let all = [new] + active
        let replicas = d.spec?.replicas ?? 1
        let minAvailable = replicas - DeploymentRules.maxUnavailable(d)
        let newUnavailable = (new.spec?.replicas ?? 0) - (new.status?.availableReplicas ?? 0)
        let maxScaledDown = DeploymentRules.specReplicas(all) - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return false }

        // Unhealthy old replicas go first: they cost no availability.
        var cleaned: Int32 = 0
        var current: [AppsV1.ReplicaSet] = []
        for rs in active.sorted(by: DeploymentRules.oldestFirst) {
            let size = rs.spec?.replicas ?? 0
            let unhealthy = size - (rs.status?.availableReplicas ?? 0)
            guard cleaned < maxScaledDown, unhealthy > 0 else {
                current.append(rs)
                continue
            }
            let down = min(maxScaledDown - cleaned, unhealthy)
            current.append(try await scale(rs, to: size - down, d))
            cleaned += down
        }
        // Then available ones, as long as minAvailable stays available.
        let available = DeploymentRules.availableReplicas([new] + current)
        var scaled: Int32 = 0
        if available > minAvailable {
            let total = available - minAvailable
            for rs in current.sorted(by: DeploymentRules.oldestFirst) where scaled < total {
                let size = rs.spec?.replicas ?? 0
                guard size > 0 else { continue }
                let down = min(size, total - scaled)
                try await scale(rs, to: size - down, d)
                scaled += down
            }
        }
        return cleaned + scaled > 0
    }

    /// One step of a Recreate rollout: scale every old ReplicaSet to zero, wait for their
    /// pods to be gone, then bring the new ReplicaSet up to the replicas.
    func rolloutRecreate(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) async throws {
        var d = d
        let (found, old) = split(d, sets)
        var new = try await newReplicaSet(&d, found, old, create: false)
        var scaledDown = false
        for rs in old where (rs.spec?.replicas ?? 0) > 0 {
            try await scale(rs, to: 0, d)
            scaledDown = true
        }
        if scaledDown {
            try await syncRolloutStatus(d, new, old)
            return
        }
        if oldPodsRunning(old) {
            try await syncRolloutStatus(d, new, old)
            return
        }
        if new == nil { new = try await newReplicaSet(&d, nil, old, create: true) }
        if let current = new, (current.spec?.replicas ?? 0) != (d.spec?.replicas ?? 1) {
            new = try await scale(current, to: d.spec?.replicas ?? 1, d)
        }
        if isComplete(d, calculateStatus(d, new, old)) { try await cleanup(d, old) }
        try await syncRolloutStatus(d, new, old)
    }

    /// Whether any pod of the old ReplicaSets may still be running.
    func oldPodsRunning(_ old: [AppsV1.ReplicaSet]) -> Bool {
        if DeploymentRules.actualReplicas(old) > 0 { return true }
        return old.contains { rs in
            ControllerIndex.controlled(by: rs.uid, in: pods).contains { pod in
                pod.status?.phase != "Succeeded" && pod.status?.phase != "Failed"
            }
        }
    }
}
