import APIMachinery
import Client
import Component
import Foundation

extension JobController {
    /// Creates or deletes pods toward the wanted number of active ones (upstream's `manageJob`):
    /// `min(parallelism, completions − succeeded)`, for Indexed Jobs the lowest indexes neither
    /// succeeded, failed nor running; creation waits out the backoff after recent failures.
    /// With `podReplacementPolicy: Failed` a terminating pod still holds its place. Returns the
    /// pods created and deleted.
    func manage(
        _ state: JobState, active: [CoreV1.Pod], terminating: Int, completed: Set<Int>, failedIndexes: Set<Int>, totalSucceeded: Int
    ) async throws -> (created: Int, deleted: Int) {
        let job = state.job
        let key = job.queueKey
        var wanted: Int
        if let completions = state.completions {
            wanted = min(Int(state.parallelism), max(0, Int(completions) - (state.indexed ? completed.count + failedIndexes.count : totalSucceeded)))
        } else {
            wanted = totalSucceeded > 0 ? min(active.count, Int(state.parallelism)) : Int(state.parallelism)
        }
        if active.count > wanted {
            let victims = Array(PodDeletionRank.sorted(active, related: active).prefix(active.count - wanted))
            return (0, try await deletePods(victims, of: job, key: key))
        }
        let occupied = active.count + (JobRules.onlyReplacesFailed(job) ? terminating : 0)
        guard occupied < wanted else { return (0, 0) }

        // Backoff: consecutive failures since the last success delay the next pod.
        let lastSuccess = state.pods.filter(JobRules.succeeded).map(JobRules.finishTime).max() ?? 0
        let failures = state.pods.filter { JobRules.failed($0, job) && JobRules.finishTime($0) >= lastSuccess }
        if let lastFailure = failures.map(JobRules.finishTime).max() {
            let ready = lastFailure + JobRules.backoff(failures: failures.count)
            if ready > state.now {
                queue.add(key, after: .seconds(Int(ready - state.now)))
                return (0, 0)
            }
        }

        var templates: [(index: Int?, failures: Int32)] = []
        if state.indexed, let completions = state.completions {
            let running = Set(active.compactMap { JobRules.index($0, completions: completions) })
            var previousFailures: [Int: Int32] = [:]
            for pod in state.pods where JobRules.failed(pod, job) {
                if let index = JobRules.index(pod, completions: completions) {
                    previousFailures[index] = max(previousFailures[index] ?? 0, JobRules.indexFailureCount(pod) + 1)
                }
            }
            for index in 0..<Int(completions) where templates.count < wanted - occupied {
                if completed.contains(index) || failedIndexes.contains(index) || running.contains(index) { continue }
                templates.append((index, previousFailures[index] ?? 0))
            }
        } else {
            templates = Array(repeating: (nil, 0), count: wanted - occupied)
        }
        let batch = min(templates.count, ReplicaSetController.burstReplicas)
        guard batch > 0 else { return (0, 0) }
        expectations.expectCreations(key, batch)
        let work = Array(templates.prefix(batch))
        let counter = Counter()
        let (created, error) = await SlowStart.run(count: batch, initialBatch: ReplicaSetController.slowStartInitialBatch) { [self] in
            let slot = work[counter.next()]
            let pod = Self.pod(for: job, index: slot.index, failures: slot.failures, trackingBackoffPerIndex: job.spec?.backoffLimitPerIndex != nil)
            do {
                let made = try await client.create(pod)
                events.event(regarding: job, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(made.name)")
            } catch {
                events.event(regarding: job, type: .warning, reason: "FailedCreate", message: "Error creating: \(error)")
                throw error
            }
        }
        for _ in 0..<(batch - created) { expectations.creationObserved(key) }
        if let error, !((error as? StatusError)?.isNamespaceTerminating ?? false) { throw error }
        return (created, 0)
    }

    /// Deletes `victims`, their tracking finalizer removed first (as upstream's
    /// `deleteJobPods`): pods the controller removes — suspension, scale-down, a finished Job —
    /// are not failures to count. Returns how many deletions were issued.
    @discardableResult
    func deletePods(_ victims: [CoreV1.Pod], of job: BatchV1.Job, key: String) async throws -> Int {
        guard !victims.isEmpty else { return 0 }
        try await removeFinalizers(victims.filter(JobRules.hasFinalizer))
        try await OwnedPods.delete(victims, for: key, regarding: job, client: client, events: events, expectations: expectations)
        return victims.count
    }

    /// Removes the tracking finalizer (a merge patch conditioned on the pod's resourceVersion,
    /// so finalizers another writer adds meanwhile are never dropped).
    func removeFinalizers(_ pods: [CoreV1.Pod]) async throws {
        for pod in pods {
            let remaining = (pod.metadata?.finalizers ?? []).filter { $0 != JobRules.trackingFinalizer }
            let patch: JSONValue = [
                "metadata": [
                    "resourceVersion": .string(pod.metadata?.resourceVersion ?? ""),
                    "finalizers": remaining.isEmpty ? .null : .array(remaining.map { .string($0) }),
                ],
            ]
            do {
                _ = try await client.patch(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, merge: patch)
            } catch let error as StatusError where error.isNotFound {
                continue
            }
        }
    }

    /// A pod of `job` (upstream's pod template handling): controlled by the Job, carrying the
    /// tracking finalizer; for Indexed Jobs the completion index as annotation, label,
    /// `JOB_COMPLETION_INDEX` in every container and hostname `<job>-<index>`.
    static func pod(for job: BatchV1.Job, index: Int?, failures: Int32, trackingBackoffPerIndex: Bool) -> CoreV1.Pod {
        var pod = OwnedPods.pod(from: job.spec?.template, owner: job)
        var finalizers = pod.metadata?.finalizers ?? []
        if !finalizers.contains(JobRules.trackingFinalizer) { finalizers.append(JobRules.trackingFinalizer) }
        pod.metadata?.finalizers = finalizers
        guard let index else { return pod }
        pod.metadata?.generateName = "\(job.name)-\(index)-"
        var annotations = pod.metadata?.annotations ?? [:]
        annotations[JobRules.completionIndexKey] = String(index)
        if trackingBackoffPerIndex { annotations[JobRules.indexFailureCountAnnotation] = String(failures) }
        pod.metadata?.annotations = annotations
        var labels = pod.metadata?.labels ?? [:]
        labels[JobRules.completionIndexKey] = String(index)
        pod.metadata?.labels = labels
        if var spec = pod.spec {
            if (spec.hostname ?? "").isEmpty { spec.hostname = "\(job.name)-\(index)" }
            let variable = CoreV1.EnvVar(
                name: "JOB_COMPLETION_INDEX",
                valueFrom: CoreV1.EnvVarSource(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.labels['\(JobRules.completionIndexKey)']")))
            for position in spec.containers.indices where !(spec.containers[position].env ?? []).contains(where: { $0.name == variable.name }) {
                spec.containers[position].env = (spec.containers[position].env ?? []) + [variable]
            }
            for position in (spec.initContainers ?? []).indices where !(spec.initContainers![position].env ?? []).contains(where: { $0.name == variable.name }) {
                spec.initContainers![position].env = (spec.initContainers![position].env ?? []) + [variable]
            }
            pod.spec = spec
        }
        return pod
    }
}
