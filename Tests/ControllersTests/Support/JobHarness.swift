import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

// MARK: Jobs and their pods

extension Fixtures {
    /// The labels of a Job's pod template, which its selector selects.
    static let jobLabels = ["batch.kubernetes.io/job-name": "pi"]

    /// A Job `pi` (uid `job-uid`) whose template runs one container `main`.
    static func job(
        _ name: String = "pi", uid: String = "job-uid", completions: Int32? = 3, parallelism: Int32? = 2,
        backoffLimit: Int32? = 6, indexed: Bool = false, suspend: Bool? = nil, activeDeadlineSeconds: Int64? = nil,
        podFailurePolicy: BatchV1.PodFailurePolicy? = nil, podReplacementPolicy: String? = nil,
        successPolicy: BatchV1.SuccessPolicy? = nil, managedBy: String? = nil, ttlSecondsAfterFinished: Int32? = nil,
        conditions: [BatchV1.JobCondition]? = nil, deleting: Bool = false
    ) -> BatchV1.Job {
        var meta = MetaV1.ObjectMeta(generation: 1, name: name, namespace: namespace, resourceVersion: "1", uid: uid)
        if deleting { meta.deletionTimestamp = time(0) }
        let template = CoreV1.PodTemplateSpec(
            metadata: MetaV1.ObjectMeta(labels: jobLabels),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "perl:5.34", name: "main")], restartPolicy: "Never"))
        return BatchV1.Job(
            metadata: meta,
            spec: BatchV1.JobSpec(
                activeDeadlineSeconds: activeDeadlineSeconds, backoffLimit: backoffLimit,
                completionMode: indexed ? "Indexed" : nil, completions: completions, managedBy: managedBy,
                parallelism: parallelism, podFailurePolicy: podFailurePolicy, podReplacementPolicy: podReplacementPolicy,
                selector: MetaV1.LabelSelector(matchLabels: jobLabels), successPolicy: successPolicy, suspend: suspend,
                template: template, ttlSecondsAfterFinished: ttlSecondsAfterFinished),
            status: conditions.map { BatchV1.JobStatus(conditions: $0) }
        ).withTypeMeta()
    }

    /// A condition of a Job, changed `secondsAfterEpoch` after `epoch`.
    static func jobCondition(_ type: String, _ status: String = "True", at secondsAfterEpoch: Int64 = 0) -> BatchV1.JobCondition {
        BatchV1.JobCondition(lastTransitionTime: time(secondsAfterEpoch), status: status, type: type)
    }

    /// A pod controlled by `job`, as the Job controller would have made it (with the tracking
    /// finalizer unless `finalizer` is false).
    static func jobPod(
        _ name: String, of job: BatchV1.Job = Fixtures.job(), phase: String? = "Running", finalizer: Bool = true,
        deleting: Bool = false, index: Int? = nil
    ) -> CoreV1.Pod {
        var meta = MetaV1.ObjectMeta(
            creationTimestamp: time(-600), labels: jobLabels, name: name, namespace: namespace,
            ownerReferences: [job.asControllerRef], resourceVersion: "1", uid: "uid-\(name)")
        if finalizer { meta.finalizers = [JobRules.trackingFinalizer] }
        if deleting { meta.deletionTimestamp = time(0) }
        if let index {
            meta.annotations = [JobRules.completionIndexKey: String(index)]
            meta.labels?[JobRules.completionIndexKey] = String(index)
        }
        return CoreV1.Pod(
            metadata: meta,
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "perl:5.34", name: "main")], restartPolicy: "Never"),
            status: CoreV1.PodStatus(phase: phase)
        ).withTypeMeta()
    }
}

/// A `JobController` over listers whose stores the fake client keeps up to date, on a manual
/// clock; tests call `sync` directly (no workers run) and play the kubelet with `finish`.
struct JobHarness {
    let clock = ManualClock()
    let jobs = ThreadSafeStore<BatchV1.Job>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let client = FakeControllerClient()
    let events = RecordingEvents()
    let controller: JobController
    let name: String
    let key: String

    init(_ job: BatchV1.Job, pods: [CoreV1.Pod] = []) {
        name = job.name
        key = job.queueKey
        controller = JobController(
            jobs: Lister(store: jobs), pods: Lister(store: self.pods), client: client, events: events, clock: clock,
            logger: Fixtures.logger)
        client.mirror(jobs)
        client.mirror(self.pods)
        client.seed(job)
        for pod in pods { client.seed(pod) }
    }

    // MARK: Reading

    /// The Job as the informer holds it.
    var job: BatchV1.Job? { jobs.get(key: key) }
    var status: BatchV1.JobStatus? { job?.status }

    func condition(_ type: String) -> BatchV1.JobCondition? {
        status?.conditions?.first { $0.type == type }
    }

    /// The pods in the informer, sorted by name.
    var podList: [CoreV1.Pod] { pods.list().sorted { $0.name < $1.name } }
    var podNames: [String] { podList.map(\.name) }

    /// The pods of an Indexed Job by their completion-index annotation.
    var podsByIndex: [Int: CoreV1.Pod] {
        var result: [Int: CoreV1.Pod] = [:]
        for pod in podList {
            if let text = pod.metadata?.annotations?[JobRules.completionIndexKey], let index = Int(text) { result[index] = pod }
        }
        return result
    }

    /// The wall clock now, as an API timestamp.
    var now: Time { clock.wallNow.time }

    /// Names of the pods created, in order.
    var createdPods: [String] { client.actions("create", kind: "Pod").map(\.name) }

    /// Names of the pods deleted, in order.
    var deletedPods: [String] { client.actions("delete", kind: "Pod").map(\.name) }

    /// Names of the pods whose tracking finalizer a merge patch removed, in order.
    var finalizerRemovals: [String] {
        client.actions.compactMap { action in
            guard case .patch(let kind, _, let name, let patch) = action, kind == "Pod",
                let finalizers = patch["metadata"]?["finalizers"]
            else { return nil }
            switch finalizers {
            case .null: return name
            case .array(let values): return values.contains(.string(JobRules.trackingFinalizer)) ? nil : name
            default: return nil
            }
        }
    }

    /// Whether `pod` still carries the tracking finalizer in the informer.
    func hasFinalizer(_ pod: String) -> Bool {
        pods.get(key: "\(Fixtures.namespace)/\(pod)")?.metadata?.finalizers?.contains(JobRules.trackingFinalizer) == true
    }

    // MARK: Acting

    /// Runs one sync.
    func sync() async throws { try await controller.sync(key) }

    /// What a caught-up informer does: observes every creation still expected and every pod
    /// deletion issued, so that the next sync manages pods again.
    func settle() {
        let adds = controller.expectations.pending(key)?.adds ?? 0
        for _ in 0..<max(adds, 0) { controller.expectations.creationObserved(key) }
        for pod in deletedPods { controller.expectations.deletionObserved(key, "\(Fixtures.namespace)/\(pod)") }
    }

    /// Changes the Job as a user would (its status as the apiserver holds it is kept).
    func updateJob(_ change: (inout BatchV1.Job) -> Void) throws {
        var job = try #require(client.object(BatchV1.Job.self, namespace: Fixtures.namespace, name: name))
        change(&job)
        client.seed(job)
    }

    /// Plays the kubelet: pod `name` reaches `phase`, its container `container` terminated with
    /// `exitCode` (0 for Succeeded, 1 for Failed by default) `finishedAfter` seconds from now.
    func finish(
        _ name: String, phase: String = "Succeeded", exitCode: Int32? = nil, container: String = "main",
        finishedAfter offset: Int64 = 0, conditions: [CoreV1.PodCondition]? = nil
    ) throws {
        var pod = try #require(client.object(CoreV1.Pod.self, namespace: Fixtures.namespace, name: name))
        let finishedAt = Time(secondsSinceEpoch: now.secondsSinceEpoch + offset)
        let terminated = CoreV1.ContainerStateTerminated(exitCode: exitCode ?? (phase == "Succeeded" ? 0 : 1), finishedAt: finishedAt)
        pod.status = CoreV1.PodStatus(
            conditions: conditions,
            containerStatuses: [CoreV1.ContainerStatus(name: container, state: CoreV1.ContainerState(terminated: terminated))],
            phase: phase)
        client.seed(pod)
    }
}
