import APIMachinery
import Synchronization

/// The writes of one pass (upstream's `StatefulPodControl` and the replica loop): pods and
/// their claims created, repaired and deleted, with upstream's events.
extension StatefulSetController {
    /// Claims and pods failing in one step of a pass, reported together.
    struct PassError: Error, CustomStringConvertible {
        var messages: [String]
        var description: String { messages.count == 1 ? messages[0] : "[\(messages.joined(separator: ", "))]" }
    }

    /// Runs the replica loop, then the removals, then the rolling update; a step that must
    /// wait ends the pass (the status is still written).
    func run(_ pass: inout StatefulSetPass) async throws {
        if pass.set.isBeingDeleted { return }
        let snapshot = pass
        let (replicas, replicasExited) = try await forAll(pass.replicas, monotonic: pass.monotonic) { [self] pod in
            try await processReplica(snapshot, pod)
        }
        pass.replicas = replicas
        if replicasExited { return }

        for pod in pass.condemned where !claimsUpToDate(pass.set, pod, condemned: true) {
            try await updateClaimOwners(pass.set, pod, condemned: true)
        }
        let (_, condemnedExited) = try await forAll(pass.condemned, monotonic: pass.monotonic) { [self] pod in
            try await processCondemned(snapshot, pod)
        }
        if condemnedExited { return }

        guard (pass.set.spec?.updateStrategy?.type ?? "RollingUpdate") == "RollingUpdate" else { return }
        let partition = Int(pass.set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0)
        for index in pass.replicas.indices.reversed() where index >= partition {
            let pod = pass.replicas[index]
            if StatefulSetRules.revision(pod) != pass.update.name && !pod.isBeingDeleted && StatefulSetRules.isCreated(pod) {
                try await deletePod(pass.set, pod)
                pass.deletedForUpdate += 1
                return
            }
            if !StatefulSetRules.isHealthy(pod) { return }
        }
    }

    /// Runs `body` over `pods`: in order, stopping at the first that says to wait (OrderedReady),
    /// or in slow-start batches, stopping only for errors (Parallel). Returns the pods as the
    /// steps left them and whether the pass must end here.
    func forAll(
        _ pods: [CoreV1.Pod], monotonic: Bool, _ body: @escaping @Sendable (CoreV1.Pod) async throws -> (exit: Bool, pod: CoreV1.Pod)
    ) async throws -> ([CoreV1.Pod], Bool) {
        var pods = pods
        if monotonic {
            for index in pods.indices {
                let (exit, pod) = try await body(pods[index])
                pods[index] = pod
                if exit { return (pods, true) }
            }
            return (pods, false)
        }
        let results = Mutex<[Int: CoreV1.Pod]>([:])
        let counter = Counter(), snapshot = pods
        let (_, error) = await SlowStart.run(count: pods.count, initialBatch: 1) {
            let index = counter.next()
            let (_, pod) = try await body(snapshot[index])
            results.withLock { $0[index] = pod }
        }
        for (index, pod) in results.withLock({ $0 }) { pods[index] = pod }
        if let error { throw error }
        return (pods, false)
    }

    /// One in-range ordinal: replace a finished pod, create a missing one, and (OrderedReady)
    /// wait until it is running, ready and available; then put its identity, storage and
    /// claim owners right.
    func processReplica(_ pass: StatefulSetPass, _ pod: CoreV1.Pod) async throws -> (exit: Bool, pod: CoreV1.Pod) {
        let set = pass.set
        if StatefulSetRules.isFinished(pod) {
            // Recreated on a later pass, once it is gone.
            if !pod.isBeingDeleted { try await deletePod(set, pod) }
            return (true, pod)
        }
        if !StatefulSetRules.isCreated(pod) {
            if claimIsStale(set, pod) { return (true, pod) }
            try await createPod(set, pod)
            return (pass.monotonic, pod)
        }
        if pod.status?.phase == "Pending" {
            try await createClaims(set, pod)
            try await updateClaimOwners(set, pod, condemned: false)
        }
        if pass.monotonic && (pod.isBeingDeleted || !StatefulSetRules.isRunningAndReady(pod) || !pass.isAvailable(pod)) {
            return (true, pod)
        }
        if StatefulSetRules.identityMatches(set, pod) && StatefulSetRules.storageMatches(set, pod) && claimsUpToDate(set, pod, condemned: false) {
            return (false, pod)
        }
        return (false, try await repair(set, pod))
    }

    /// One pod outside the range: OrderedReady deletes it only once it and everything below
    /// are healthy (or it is the first unhealthy one), one per pass; Parallel deletes them all.
    func processCondemned(_ pass: StatefulSetPass, _ pod: CoreV1.Pod) async throws -> (exit: Bool, pod: CoreV1.Pod) {
        if pod.isBeingDeleted { return (pass.monotonic, pod) }
        if pass.monotonic && pod.name != pass.firstUnhealthy && (!StatefulSetRules.isRunningAndReady(pod) || !pass.isAvailable(pod)) {
            return (true, pod)
        }
        try await deletePod(pass.set, pod)
        return (true, pod)
    }

    // MARK: Pods

    func createPod(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) async throws {
        do {
            try await createClaims(set, pod)
        } catch {
            events.event(regarding: set, type: .warning, reason: "FailedCreate", message: "create Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
        let created: CoreV1.Pod
        do {
            created = try await client.create(pod)
        } catch let error as StatusError where error.isAlreadyExists {
            throw error
        } catch {
            events.event(regarding: set, type: .warning, reason: "FailedCreate", message: "create Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
        do {
            try await updateClaimOwners(set, created, condemned: false)
        } catch {
            events.event(regarding: set, type: .warning, reason: "FailedUpdate", message: "update Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
        events.event(regarding: set, type: .normal, reason: "SuccessfulCreate", message: "create Pod \(pod.name) in StatefulSet \(set.name) successful")
    }

    /// Puts the pod's name label, index label, claim volumes and claim owners right, then
    /// writes the pod, as upstream's does whenever one was wrong (a volume change is refused by
    /// the apiserver, as upstream's is: a `FailedUpdate` event says so).
    func repair(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) async throws -> CoreV1.Pod {
        let fixed = StatefulSetRules.repaired(set, pod)
        if !StatefulSetRules.storageMatches(set, pod) { try await createClaims(set, fixed) }
        try await updateClaimOwners(set, fixed, condemned: false)
        do {
            let updated = try await client.update(fixed)
            events.event(regarding: set, type: .normal, reason: "SuccessfulUpdate", message: "update Pod \(pod.name) in StatefulSet \(set.name) successful")
            return updated
        } catch {
            events.event(regarding: set, type: .warning, reason: "FailedUpdate", message: "update Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
    }

    func deletePod(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) async throws {
        do {
            try await client.delete(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, uid: pod.uid, propagation: nil)
        } catch let error as StatusError where error.isNotFound {
            return
        } catch {
            events.event(regarding: set, type: .warning, reason: "FailedDelete", message: "delete Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
        events.event(regarding: set, type: .normal, reason: "SuccessfulDelete", message: "delete Pod \(pod.name) in StatefulSet \(set.name) successful")
    }

    // MARK: Claims

    /// Creates the pod's missing claims; a claim being deleted is an error (the pod waits).
    func createClaims(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) async throws {
        var failures: [String] = []
        for claim in StatefulSetRules.claims(set, ordinal: StatefulSetRules.ordinal(pod)) {
            if let existing = claims.get(namespace: claim.namespace, name: claim.name) {
                if existing.isBeingDeleted { failures.append("pvc \(claim.name) is being deleted") }
                continue
            }
            do {
                _ = try await client.create(claim)
                events.event(regarding: set, type: .normal, reason: "SuccessfulCreate", message: "create Claim \(claim.name) Pod \(pod.name) in StatefulSet \(set.name) success")
            } catch let error as StatusError where error.isAlreadyExists {
                continue
            } catch {
                events.event(regarding: set, type: .warning, reason: "FailedCreate", message: "create Claim \(claim.name) for Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
                failures.append("failed to create PVC \(claim.name): \(error)")
            }
        }
        if !failures.isEmpty { throw PassError(messages: failures) }
    }

    /// The pod's claims that exist all carry the owner references the retention policy wants.
    func claimsUpToDate(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod, condemned: Bool) -> Bool {
        StatefulSetRules.claims(set, ordinal: StatefulSetRules.ordinal(pod)).allSatisfy { wanted in
            guard let claim = claims.get(namespace: wanted.namespace, name: wanted.name) else { return true }
            return StatefulSetRules.claimOwnersUpToDate(claim, set, pod, condemned: condemned)
        }
    }

    /// Sets the owner references of the pod's claims as the retention policy wants (the set
    /// or, for a condemned pod, the pod itself), so the garbage collector deletes them then.
    func updateClaimOwners(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod, condemned: Bool) async throws {
        for wanted in StatefulSetRules.claims(set, ordinal: StatefulSetRules.ordinal(pod)) {
            guard var claim = claims.get(namespace: wanted.namespace, name: wanted.name) else { continue }
            if StatefulSetRules.hasConflictingController(claim, set, pod) {
                events.event(
                    regarding: set, type: .warning, reason: "ConflictingController",
                    message: "PersistentVolumeClaim \(claim.name) has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim")
            }
            guard !StatefulSetRules.claimOwnersUpToDate(claim, set, pod, condemned: condemned) else { continue }
            let refs = StatefulSetRules.claimOwners(claim, set, pod, condemned: condemned)
            claim.metadata?.ownerReferences = refs.isEmpty ? nil : refs
            _ = try await client.update(claim)
        }
    }

    /// A claim of the pod still names an earlier pod of the same name as its owner (the
    /// garbage collector will delete it): the pod is not created until it has.
    func claimIsStale(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) -> Bool {
        guard set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled == "Delete" else { return false }
        return StatefulSetRules.claims(set, ordinal: StatefulSetRules.ordinal(pod)).contains { wanted in
            guard let claim = claims.get(namespace: wanted.namespace, name: wanted.name) else { return false }
            return (claim.metadata?.ownerReferences ?? []).contains { StatefulSetRules.names($0, pod) && $0.uid != pod.uid }
        }
    }
}
