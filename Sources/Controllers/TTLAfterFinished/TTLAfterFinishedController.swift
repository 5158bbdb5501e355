import APIMachinery
import Client
import Component
import Logging

/// The `ttl-after-finished` controller: a Job with `ttlSecondsAfterFinished` is deleted (with
/// its pods, foreground propagation) that many seconds after it finished — its `Complete` or
/// `Failed` condition's transition — as kube-controller-manager's TTLAfterFinishedController.
/// The Job is read again from the apiserver before deleting, so a TTL raised or removed
/// meanwhile is honoured, and the delete is conditioned on its uid.
public final class TTLAfterFinishedController: Sendable {
    let jobs: Lister<BatchV1.Job>
    let client: any ControllerClient
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        jobs: Lister<BatchV1.Job>, client: any ControllerClient, clock: any ComponentClock, logger: Logger
    ) {
        self.jobs = jobs
        self.client = client
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(jobs informer: SharedInformer<BatchV1.Job>) {
        let enqueue: @Sendable (BatchV1.Job) -> Void = { [queue] job in
            if job.spec?.ttlSecondsAfterFinished != nil && !job.isBeingDeleted && JobController.finished(job) { queue.add(job.queueKey) }
        }
        _ = informer.addEventHandler(ResourceEventHandler(onAdd: enqueue, onUpdate: { _, new in enqueue(new) }, onDelete: { _ in }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "ttl_jobs_to_delete", metrics: metrics, logger: logger, failure: "ttl-after-finished sync failed; retrying", label: "job") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Seconds until `job` expires (≤ 0: expired); nil when it has no TTL or has not finished.
    static func remaining(_ job: BatchV1.Job, now: Int64) -> Int64? {
        guard let ttl = job.spec?.ttlSecondsAfterFinished, !job.isBeingDeleted,
            let finished = (job.status?.conditions ?? []).first(where: { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" })
        else { return nil }
        let at = finished.lastTransitionTime?.secondsSinceEpoch ?? now
        return at + Int64(ttl) - now
    }

    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let cached = jobs.get(namespace: namespace, name: name) else { return }
        let now = clock.wallNow.time.secondsSinceEpoch
        guard let left = Self.remaining(cached, now: now) else { return }
        if left > 0 {
            queue.add(key, after: .seconds(Int(left)))
            return
        }
        guard let job = try await client.get(BatchV1.Job.self, namespace: namespace, name: name), let current = Self.remaining(job, now: now) else { return }
        if current > 0 {
            queue.add(key, after: .seconds(Int(current)))
            return
        }
        logger.info("cleaning up a finished job whose TTL expired", metadata: ["job": "\(key)"])
        do {
            try await client.delete(BatchV1.Job.self, namespace: namespace, name: name, uid: job.uid, propagation: "Foreground")
        } catch let error as StatusError where error.isNotFound || error.isConflict {
            return
        }
    }
}
