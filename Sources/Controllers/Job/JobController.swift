import APIMachinery
import Client
import Component
import Logging

/// The `job` controller (kube-controller-manager's): runs a Job's pods to completion.
///
/// - NonIndexed and Indexed completion modes, `parallelism`, `completions` (a work queue when
///   unset), `suspend`, `activeDeadlineSeconds`, `backoffLimit` with exponential pod backoff,
///   `backoffLimitPerIndex`/`maxFailedIndexes`, `podFailurePolicy`, `successPolicy`,
///   `podReplacementPolicy`.
/// - Pods are tracked with the `batch.kubernetes.io/job-tracking` finalizer as upstream does, so
///   no finished pod is counted twice or lost across restarts: a finished pod's uid is first
///   written to `status.uncountedTerminatedPods`, then its finalizer removed, then it moves
///   into `succeeded`/`failed` (and `completedIndexes`).
/// - A Job that met its success criteria or failed gets `SuccessCriteriaMet`/`FailureTarget`
///   first, its remaining pods deleted, and `Complete`/`Failed` once none is left running.
public final class JobController: Sendable {
    let jobs: Lister<BatchV1.Job>
    let pods: Lister<CoreV1.Pod>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>
    public let expectations: ControllerExpectations

    public init(
        jobs: Lister<BatchV1.Job>, pods: Lister<CoreV1.Pod>, client: any ControllerClient, events: any EventEmitter,
        clock: any ComponentClock, logger: Logger
    ) {
        self.jobs = jobs
        self.pods = pods
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        self.expectations = ControllerExpectations(clock: clock)
        ControllerIndex.ensure(pods.store)
    }

    public func register(jobs: SharedInformer<BatchV1.Job>, pods: SharedInformer<CoreV1.Pod>) {
        OwnedPods.registerOwners(jobs, expectations: expectations, queue: queue)
        OwnedPods.register(pods, owner: { [self] in owner(of: $0)?.queueKey }, expectations: expectations, queue: queue)
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "job", metrics: metrics, logger: logger, failure: "job sync failed; retrying", label: "job") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    func owner(of pod: CoreV1.Pod) -> BatchV1.Job? {
        guard let ref = pod.controllerRef, ref.kind == "Job", let job = jobs.get(namespace: pod.namespace, name: ref.name), job.uid == ref.uid
        else { return nil }
        return job
    }

    // MARK: Sync

    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let job = jobs.get(namespace: namespace, name: name) else {
            expectations.delete(key)
            return
        }
        if let manager = job.spec?.managedBy, manager != "kubernetes.io/job-controller" { return }
        let owned = ControllerIndex.controlled(by: job.uid, in: pods)
        if Self.finished(job) {
            // Nothing more is counted; pods still holding the finalizer are let go.
            try await removeFinalizers(owned.filter(JobRules.hasFinalizer))
            return
        }
        let selector: LabelSelectorQuery
        do {
            guard let query = try job.spec?.selector?.query() else { return }
            selector = query
        } catch {
            events.event(regarding: job, type: .warning, reason: "InvalidSelector", message: "\(error)")
            return
        }
        let candidates = owned + ControllerIndex.orphans(in: namespace, pods).filter(\.isActive)
        let claimed = job.isBeingDeleted ? owned : try await ControllerRefManager(owner: job, selector: selector, client: client).claim(candidates)
        let needsSync = expectations.satisfied(key)
        var state = JobState(job: job, pods: claimed, now: clock.wallNow.time.secondsSinceEpoch)
        try await reconcile(&state, needsSync: needsSync)
    }

    static func finished(_ job: BatchV1.Job) -> Bool {
        (job.status?.conditions ?? []).contains { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" }
    }

    /// One sync's view of a Job: its pods classified and the status being built.
    struct JobState {
        var job: BatchV1.Job
        var pods: [CoreV1.Pod]
        var now: Int64
        var status: BatchV1.JobStatus

        init(job: BatchV1.Job, pods: [CoreV1.Pod], now: Int64) {
            self.job = job
            self.pods = pods
            self.now = now
            self.status = job.status ?? BatchV1.JobStatus()
        }

        var spec: BatchV1.JobSpec? { job.spec }
        var completions: Int32? { spec?.completions }
        var parallelism: Int32 { spec?.parallelism ?? 1 }
        var indexed: Bool { JobRules.isIndexed(job) }
        var suspended: Bool { spec?.suspend == true }
        var active: [CoreV1.Pod] { pods.filter(JobRules.active) }
    }

    func reconcile(_ state: inout JobState, needsSync: Bool) async throws {
        let job = state.job
        let now = state.now
        let limit = Int(state.completions ?? 0)

        // 1. Count: uids already recorded whose finalizer is gone move into the counters.
        var uncounted = state.status.uncountedTerminatedPods ?? BatchV1.UncountedTerminatedPods()
        var uncountedSucceeded = uncounted.succeeded ?? [], uncountedFailed = uncounted.failed ?? []
        let withFinalizer = Set(state.pods.filter(JobRules.hasFinalizer).map(\.uid))
        let countedSucceeded = uncountedSucceeded.filter { !withFinalizer.contains($0) }
        let countedFailed = uncountedFailed.filter { !withFinalizer.contains($0) }
        uncountedSucceeded.removeAll { !withFinalizer.contains($0) }
        uncountedFailed.removeAll { !withFinalizer.contains($0) }
        state.status.succeeded = (state.status.succeeded ?? 0) + Int32(countedSucceeded.count)
        state.status.failed = (state.status.failed ?? 0) + Int32(countedFailed.count)

        // 2. Record newly finished pods (still holding the finalizer) as uncounted.
        var completed = JobRules.parse(state.status.completedIndexes, limit: limit)
        var failedIndexes = JobRules.parse(state.status.failedIndexes, limit: limit)
        var failJob: (reason: String, message: String)?
        var ignored: [CoreV1.Pod] = []
        let recorded = Set(uncountedSucceeded + uncountedFailed)
        // Pods whose finalizer may go once this sync's status is written.
        var release: [CoreV1.Pod] = state.pods.filter { JobRules.hasFinalizer($0) && recorded.contains($0.uid) }
        for pod in state.pods where JobRules.hasFinalizer(pod) && !recorded.contains(pod.uid) {
            if JobRules.succeeded(pod) {
                if state.indexed {
                    // An Indexed Job's success is its index in completedIndexes: no uid to keep.
                    if let index = JobRules.index(pod, completions: state.completions ?? 0) { completed.insert(index) }
                } else {
                    uncountedSucceeded.append(pod.uid)
                }
                release.append(pod)
            } else if JobRules.failed(pod, job) {
                switch JobRules.policyAction(job.spec?.podFailurePolicy, pod: pod) {
                case .ignore?:
                    ignored.append(pod)
                    continue
                case .failJob(let message)?:
                    failJob = failJob ?? ("PodFailurePolicy", message)
                case .failIndex?:
                    if let index = JobRules.index(pod, completions: state.completions ?? 0) { failedIndexes.insert(index) }
                case .count?, nil:
                    if let perIndex = job.spec?.backoffLimitPerIndex, state.indexed,
                        let index = JobRules.index(pod, completions: state.completions ?? 0),
                        JobRules.indexFailureCount(pod) >= perIndex
                    {
                        failedIndexes.insert(index)
                    }
                }
                uncountedFailed.append(pod.uid)
                release.append(pod)
            }
        }
        completed.subtract(failedIndexes)
        // Empty lists are omitted, as Go writes them; the object itself is always written.
        uncounted.succeeded = uncountedSucceeded.isEmpty ? nil : uncountedSucceeded
        uncounted.failed = uncountedFailed.isEmpty ? nil : uncountedFailed
        state.status.uncountedTerminatedPods = uncounted
        if state.indexed {
            state.status.completedIndexes = completed.isEmpty ? nil : JobRules.format(completed)
            if job.spec?.backoffLimitPerIndex != nil { state.status.failedIndexes = JobRules.format(failedIndexes) }
        }

        let totalSucceeded = Int(state.status.succeeded ?? 0) + uncountedSucceeded.count
        let totalFailed = Int(state.status.failed ?? 0) + uncountedFailed.count
        let active = state.active
        let terminatingCount = state.pods.filter(JobRules.terminating).count

        // 3. Start time, suspension, deadline.
        var conditions = state.status.conditions ?? []
        if state.suspended {
            if Self.condition(conditions, "Suspended")?.status != "True" {
                Self.setCondition(&conditions, "Suspended", "True", reason: "JobSuspended", message: "Job suspended", now: now)
                events.event(regarding: job, type: .normal, reason: "Suspended", message: "Job suspended")
            }
        } else {
            if Self.condition(conditions, "Suspended")?.status == "True" {
                Self.setCondition(&conditions, "Suspended", "False", reason: "JobResumed", message: "Job resumed", now: now)
                events.event(regarding: job, type: .normal, reason: "Resumed", message: "Job resumed")
                state.status.startTime = Time(secondsSinceEpoch: now)
            }
            if state.status.startTime == nil { state.status.startTime = Time(secondsSinceEpoch: now) }
        }

        // 4. Failure and success criteria.
        let hasFailureTarget = Self.condition(conditions, "FailureTarget")?.status == "True"
        let hasSuccessCriteria = Self.condition(conditions, "SuccessCriteriaMet")?.status == "True"
        if !hasFailureTarget && !hasSuccessCriteria {
            if failJob == nil, let backoffLimit = job.spec?.backoffLimit, job.spec?.backoffLimitPerIndex == nil, totalFailed > Int(backoffLimit) {
                failJob = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            }
            if failJob == nil, state.indexed, let maxFailed = job.spec?.maxFailedIndexes, failedIndexes.count > Int(maxFailed) {
                failJob = ("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
            }
            if failJob == nil, !state.suspended, let deadline = job.spec?.activeDeadlineSeconds, let start = state.status.startTime,
                now - start.secondsSinceEpoch >= deadline
            {
                failJob = ("DeadlineExceeded", "Job was active longer than specified deadline")
            }
            var success: (reason: String, message: String)?
            if failJob == nil {
                if state.indexed, let completions = state.completions {
                    if let rule = JobRules.successPolicyMet(job.spec?.successPolicy, succeeded: completed, completions: Int(completions)) {
                        success = ("SuccessPolicy", "Matched rules at index \(rule)")
                    } else if completed.count + failedIndexes.count >= Int(completions) {
                        if failedIndexes.isEmpty {
                            success = ("CompletionsReached", "Reached expected number of succeeded pods")
                        } else {
                            failJob = ("FailedIndexes", "Job has failed indexes")
                        }
                    }
                } else if let completions = state.completions {
                    if totalSucceeded >= Int(completions) { success = ("CompletionsReached", "Reached expected number of succeeded pods") }
                } else if totalSucceeded > 0 && active.isEmpty {
                    success = ("CompletionsReached", "Reached expected number of succeeded pods")
                }
            }
            if let failJob {
                Self.setCondition(&conditions, "FailureTarget", "True", reason: failJob.reason, message: failJob.message, now: now)
            } else if let success {
                Self.setCondition(&conditions, "SuccessCriteriaMet", "True", reason: success.reason, message: success.message, now: now)
            }
        }
        let failing = Self.condition(conditions, "FailureTarget")?.status == "True"
        let succeeding = Self.condition(conditions, "SuccessCriteriaMet")?.status == "True"

        // 5. Pods: terminate when finishing or suspended, else scale toward the wanted count.
        var deleted = 0, created = 0
        if failing || succeeding || state.suspended {
            deleted = try await deletePods(active, of: job, key: job.queueKey)
        } else if needsSync && !job.isBeingDeleted {
            (created, deleted) = try await manage(
                state, active: active, terminating: terminatingCount, completed: completed, failedIndexes: failedIndexes,
                totalSucceeded: totalSucceeded)
        }

        // 6. The final condition once nothing runs or terminates and everything is counted.
        let running = active.count - deleted + created
        if (failing || succeeding) && running == 0 && terminatingCount + deleted == 0 && uncountedSucceeded.isEmpty && uncountedFailed.isEmpty {
            if failing, let target = Self.condition(conditions, "FailureTarget") {
                Self.setCondition(&conditions, "Failed", "True", reason: target.reason ?? "", message: target.message ?? "", now: now)
                events.event(regarding: job, type: .warning, reason: target.reason ?? "Failed", message: target.message ?? "")
            } else if succeeding, let met = Self.condition(conditions, "SuccessCriteriaMet") {
                Self.setCondition(&conditions, "Complete", "True", reason: met.reason ?? "", message: met.message ?? "", now: now)
                state.status.completionTime = Time(secondsSinceEpoch: now)
                events.event(regarding: job, type: .normal, reason: "Completed", message: "Job completed")
            }
        }
        state.status.conditions = conditions.isEmpty ? nil : conditions
        if state.indexed {
            // An Indexed Job counts indexes, not pods: a retried index succeeds once.
            state.status.succeeded = Int32(completed.count)
        }
        state.status.active = Int32(max(running, 0))
        state.status.ready = Int32(active.filter(\.isReady).count)
        state.status.terminating = Int32(terminatingCount + deleted)
        for path in [\BatchV1.JobStatus.active, \.succeeded, \.failed] where state.status[keyPath: path] == 0 {
            state.status[keyPath: path] = nil
        }

        // 7. Status first, then the finalizers of what it recorded: a crash in between leaves the
        // uids recorded, and the next sync finishes the removal.
        if state.status != job.status {
            var copy = job
            copy.status = state.status
            _ = try await client.updateStatus(copy)
        }
        try await removeFinalizers(release + ignored)

        // Wake up for the deadline.
        if !failing && !succeeding && !state.suspended, let deadline = job.spec?.activeDeadlineSeconds, let start = state.status.startTime {
            let remaining = start.secondsSinceEpoch + deadline - now
            if remaining > 0 { queue.add(job.queueKey, after: .seconds(Int(remaining))) }
        }
    }

    static func condition(_ conditions: [BatchV1.JobCondition], _ type: String) -> BatchV1.JobCondition? {
        conditions.first { $0.type == type }
    }

    /// Sets condition `type`, keeping its transition time when the status does not change.
    static func setCondition(_ conditions: inout [BatchV1.JobCondition], _ type: String, _ status: String, reason: String, message: String, now: Int64) {
        let time = Time(secondsSinceEpoch: now)
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let transition = conditions[index].status == status ? conditions[index].lastTransitionTime : time
            conditions[index] = BatchV1.JobCondition(
                lastProbeTime: time, lastTransitionTime: transition, message: message, reason: reason, status: status, type: type)
        } else {
            conditions.append(BatchV1.JobCondition(
                lastProbeTime: time, lastTransitionTime: time, message: message, reason: reason, status: status, type: type))
        }
    }
}
