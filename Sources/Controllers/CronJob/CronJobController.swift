import APIMachinery
import Client
import Component
import Foundation
import Logging

/// The `cronjob` controller, as kube-controller-manager's `CronJobControllerV2`: for each
/// CronJob it creates a Job at every time of `spec.schedule` (evaluated in `spec.timeZone`),
/// honouring `suspend`, `startingDeadlineSeconds` and `concurrencyPolicy`; it keeps `status`
/// (`active`, `lastScheduleTime`, `lastSuccessfulTime`) and deletes finished Jobs beyond the
/// history limits.
///
/// Each sync ends by putting the key back in the queue for the next schedule time (plus
/// `nextScheduleDelta`), so the queue is the timer; Job events bring the owning CronJob back
/// sooner. The Job name is derived from the scheduled minute, so a crash between creating a Job
/// and recording it cannot start that minute twice.
public final class CronJobController: Sendable {
    /// Added to every requeue for the next schedule time, against clock skew.
    public static let nextScheduleDelta: Swift.Duration = .milliseconds(100)
    /// Missed start times beyond which `TooManyMissedTimes` is reported.
    public static let tooManyMissedTimes: Int64 = 100
    /// The annotation giving a Job its scheduled time (RFC 3339 in the CronJob's time zone).
    public static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    /// The zone of schedules without `spec.timeZone`. Upstream uses the controller-manager
    /// process's local time zone; Skiff's processes run in UTC, so it is UTC here.
    public static let defaultTimeZone = TimeZone(identifier: "UTC")!

    let cronJobs: Lister<BatchV1.CronJob>
    let jobs: Lister<BatchV1.Job>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        cronJobs: Lister<BatchV1.CronJob>, jobs: Lister<BatchV1.Job>, client: any ControllerClient,
        events: any EventEmitter, clock: any ComponentClock, logger: Logger
    ) {
        self.cronJobs = cronJobs
        self.jobs = jobs
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        ControllerIndex.ensure(jobs.store)
    }

    /// Wires the controller to its informers' events.
    public func register(cronJobs: SharedInformer<BatchV1.CronJob>, jobs: SharedInformer<BatchV1.Job>) {
        _ = cronJobs.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.queueKey) },
            onUpdate: { [self] old, new in cronJobUpdated(old: old, new: new) },
            onDelete: { [queue] in queue.add($0.key) }))
        _ = jobs.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in enqueueOwner(of: $0) },
            onUpdate: { [self] in jobUpdated(old: $0, new: $1) },
            onDelete: { [self] in enqueueOwner(of: $0.object) }))
    }

    /// Runs `workers` syncs at once until the task is cancelled.
    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "cronjob", metrics: metrics, logger: logger, failure: "cronjob sync failed; retrying", label: "cronjob") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    // MARK: Events

    /// The CronJob `job` names as its controller, if it is in the cache with that uid.
    func owner(of job: BatchV1.Job, ref: MetaV1.OwnerReference?) -> BatchV1.CronJob? {
        guard let ref, ref.kind == "CronJob", let cronJob = cronJobs.get(namespace: job.namespace, name: ref.name), cronJob.uid == ref.uid
        else { return nil }
        return cronJob
    }

    func enqueueOwner(of job: BatchV1.Job) {
        if let cronJob = owner(of: job, ref: job.controllerRef) { queue.add(cronJob.queueKey) }
    }

    func jobUpdated(old: BatchV1.Job, new: BatchV1.Job) {
        if old.metadata?.resourceVersion == new.metadata?.resourceVersion { return }
        if old.controllerRef != new.controllerRef, let previous = owner(of: old, ref: old.controllerRef) {
            queue.add(previous.queueKey)
        }
        enqueueOwner(of: new)
    }

    /// A new schedule or time zone moves the requeue to the new next time; any other change
    /// syncs now.
    func cronJobUpdated(old: BatchV1.CronJob, new: BatchV1.CronJob) {
        guard old.spec?.schedule != new.spec?.schedule || old.spec?.timeZone != new.spec?.timeZone else {
            queue.add(new.queueKey)
            return
        }
        let schedule: CronSpec
        do {
            schedule = try CronSpec(parsing: new.spec?.schedule ?? "")
        } catch {
            logger.debug("unparseable schedule", metadata: ["cronjob": "\(new.queueKey)", "error": "\(error)"])
            events.event(
                regarding: new, type: .warning, reason: "UnParseableCronJobSchedule",
                message: "unparseable schedule for cronjob: \(new.spec?.schedule ?? "")")
            return
        }
        // An unknown zone is reported by the sync; until then the default zone times the requeue.
        let zone = new.spec?.timeZone.flatMap { TimeZone(identifier: $0) } ?? Self.defaultTimeZone
        queue.add(new.queueKey, after: Self.nextScheduleDuration(new, now: clock.wallNow, schedule: schedule, zone: zone))
    }

    // MARK: Sync

    /// Reconciles the CronJob `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let cronJob = cronJobs.get(namespace: namespace, name: name) else {
            return
        }
        // Its Jobs, by controller uid: Jobs whose labels left the template still count.
        let owned = ControllerIndex.controlled(by: cronJob.uid, in: jobs).filter { $0.namespace == namespace }
        var copy = cronJob
        await cleanupFinishedJobs(&copy, owned)
        var requeue: Swift.Duration?
        var failure: (any Error)?
        do {
            requeue = try await syncCronJob(&copy, jobs: owned)
        } catch {
            logger.debug("cronjob not reconciled", metadata: ["cronjob": "\(key)", "error": "\(error)"])
            failure = error
        }
        if Self.normalized(copy.status) != Self.normalized(cronJob.status) {
            copy.status = Self.normalized(copy.status)
            _ = try await client.updateStatus(copy)
        }
        if let requeue {
            queue.add(key, after: requeue)
            return
        }
        if let failure { throw failure }
    }

    /// `status` as written: nil lists dropped when empty, as Go's omitempty drops them.
    static func normalized(_ status: BatchV1.CronJobStatus?) -> BatchV1.CronJobStatus {
        var status = status ?? BatchV1.CronJobStatus()
        if status.active?.isEmpty == true { status.active = nil }
        return status
    }

    /// Updates `cronJob.status` from its Jobs and starts the Job due now, if any (upstream's
    /// `syncCronJob`). Returns when to sync again; nil when only a change of the CronJob can
    /// make a difference (suspended, an unknown zone, an unusable schedule).
    func syncCronJob(_ cronJob: inout BatchV1.CronJob, jobs: [BatchV1.Job]) async throws -> Swift.Duration? {
        let now = clock.wallNow
        let namespace = cronJob.namespace
        var children = Set<String>()
        for job in jobs {
            children.insert(job.uid)
            let listed = Self.isActive(job.uid, in: cronJob)
            if let condition = Self.finishedCondition(job) {
                if listed {
                    Self.removeActive(job.uid, from: &cronJob)
                    events.event(
                        regarding: cronJob, type: .normal, reason: "SawCompletedJob",
                        message: "Saw completed job: \(job.name), condition: \(condition)")
                }
                if condition == "Complete", let completed = job.status?.completionTime {
                    var status = cronJob.status ?? BatchV1.CronJobStatus()
                    if status.lastSuccessfulTime.map({ completed > $0 }) ?? true {
                        status.lastSuccessfulTime = completed
                        cronJob.status = status
                    }
                }
            } else if !listed {
                // Our own status update may not have reached the informer yet: ask the apiserver.
                guard let fresh = try await client.get(BatchV1.CronJob.self, namespace: namespace, name: cronJob.name) else {
                    throw StatusError(.notFound(group: "batch", resource: "cronjobs", name: cronJob.name))
                }
                if Self.isActive(job.uid, in: fresh) {
                    cronJob = fresh
                    continue
                }
                // Created by us before a crash lost the status update, or by someone else.
                events.event(
                    regarding: cronJob, type: .warning, reason: "UnexpectedJob",
                    message: "Saw a job that the controller did not create or forgot: \(job.name)")
            }
        }
        // Active Jobs the informer does not have: gone, unless the apiserver still has them.
        for ref in cronJob.status?.active ?? [] where !children.contains(ref.uid ?? "") {
            let jobName = ref.name ?? ""
            if try await client.get(BatchV1.Job.self, namespace: ref.namespace ?? namespace, name: jobName) == nil {
                events.event(regarding: cronJob, type: .normal, reason: "MissingJob", message: "Active job went missing: \(jobName)")
                Self.removeActive(ref.uid ?? "", from: &cronJob)
            }
        }
        if cronJob.isBeingDeleted { return nil }

        let zone: TimeZone
        if let name = cronJob.spec?.timeZone {
            guard let known = TimeZone(identifier: name) else {
                events.event(
                    regarding: cronJob, type: .warning, reason: "UnknownTimeZone",
                    message: "invalid timeZone: \"\(name)\": unknown time zone \(name)")
                return nil
            }
            zone = known
        } else {
            zone = Self.defaultTimeZone
        }
        if cronJob.spec?.suspend == true { return nil }
        let scheduleText = cronJob.spec?.schedule ?? ""
        let schedule: CronSpec
        do {
            schedule = try CronSpec(parsing: scheduleText)
        } catch {
            events.event(
                regarding: cronJob, type: .warning, reason: "UnparseableSchedule",
                message: "unparseable schedule: \"\(scheduleText)\" : \(error)")
            return nil
        }

        let scheduled: Int64
        do {
            let recent = try Self.mostRecentScheduleTime(cronJob, now: now, schedule: schedule, zone: zone, includingStartingDeadline: true)
            guard let time = recent.mostRecent else {
                return Self.nextScheduleDuration(cronJob, now: now, schedule: schedule, zone: zone)
            }
            if recent.missed > Self.tooManyMissedTimes {
                events.event(
                    regarding: cronJob, type: .warning, reason: "TooManyMissedTimes",
                    message: "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
            }
            scheduled = time
        } catch {
            events.event(
                regarding: cronJob, type: .warning, reason: "InvalidSchedule", message: "invalid schedule: \(scheduleText) : \(error)")
            return nil
        }
        let next = Self.nextScheduleDuration(cronJob, now: now, schedule: schedule, zone: zone)

        // Too late once `scheduled + deadline` has passed (compared without overflow).
        let sinceScheduled = now.nanosecondsSinceEpoch - scheduled * 1_000_000_000
        if let deadline = cronJob.spec?.startingDeadlineSeconds, sinceScheduled > 0, deadline <= (sinceScheduled - 1) / 1_000_000_000 {
            events.event(
                regarding: cronJob, type: .warning, reason: "MissSchedule",
                message: "Missed scheduled time to start a job: \(Self.rfc1123(scheduled))")
            return next
        }
        let jobName = Self.jobName(cronJob.name, scheduled: scheduled)
        let active = cronJob.status?.active ?? []
        if active.contains(where: { $0.name == jobName && ($0.namespace ?? "") == namespace })
            || cronJob.status?.lastScheduleTime?.secondsSinceEpoch == scheduled
        {
            return next  // this time was started already
        }
        switch cronJob.spec?.concurrencyPolicy ?? "Allow" {
        case "Forbid" where !active.isEmpty:
            events.event(
                regarding: cronJob, type: .normal, reason: "JobAlreadyActive",
                message: "Not starting job because prior execution is running and concurrency policy is Forbid")
            return next
        case "Replace":
            for ref in active {
                let refName = ref.name ?? "", refNamespace = ref.namespace ?? namespace
                let job: BatchV1.Job
                do {
                    guard let found = try await client.get(BatchV1.Job.self, namespace: refNamespace, name: refName) else {
                        throw StatusError(.notFound(group: "batch", resource: "jobs", name: refName))
                    }
                    job = found
                } catch {
                    events.event(regarding: cronJob, type: .warning, reason: "FailedGet", message: "Get job: \(error)")
                    throw error
                }
                guard await deleteJob(job, of: &cronJob) else {
                    throw ReplaceFailure(namespace: job.namespace, name: job.name)
                }
            }
        default:
            break
        }

        let created: BatchV1.Job
        do {
            created = try await client.create(Self.job(from: cronJob, scheduled: scheduled, zone: zone))
            events.event(regarding: cronJob, type: .normal, reason: "SuccessfulCreate", message: "Created job \(created.name)")
        } catch let error as StatusError where error.isNamespaceTerminating {
            throw error  // every create will fail: nothing to report
        } catch let error as StatusError where error.isAlreadyExists {
            // Ours when an earlier sync created it but lost the status update: record it now.
            // Someone else's is theirs to account for.
            guard let existing = try await client.get(BatchV1.Job.self, namespace: namespace, name: jobName) else {
                throw StatusError(.notFound(group: "batch", resource: "jobs", name: jobName))
            }
            guard existing.controllerRef?.uid == cronJob.uid, !Self.isActive(existing.uid, in: cronJob) else { return nil }
            logger.info("job already exists", metadata: ["cronjob": "\(cronJob.queueKey)", "job": "\(jobName)"])
            created = existing
        } catch {
            events.event(regarding: cronJob, type: .warning, reason: "FailedCreate", message: "Error creating job: \(error)")
            throw error
        }
        var status = cronJob.status ?? BatchV1.CronJobStatus()
        status.active = (status.active ?? []) + [CoreV1.ObjectReference(referencing: created)]
        status.lastScheduleTime = Time(secondsSinceEpoch: scheduled)
        cronJob.status = status
        return next
    }

    /// Active Jobs that could not be deleted under `Replace`.
    struct ReplaceFailure: Error, CustomStringConvertible {
        var namespace: String
        var name: String
        var description: String { "could not replace job \(namespace)/\(name)" }
    }

    // MARK: History

    /// Deletes the oldest finished Jobs beyond `successfulJobsHistoryLimit` and
    /// `failedJobsHistoryLimit` (an unset limit keeps them all; the apiserver defaults them to 3
    /// and 1).
    func cleanupFinishedJobs(_ cronJob: inout BatchV1.CronJob, _ jobs: [BatchV1.Job]) async {
        let successfulLimit = cronJob.spec?.successfulJobsHistoryLimit, failedLimit = cronJob.spec?.failedJobsHistoryLimit
        if successfulLimit == nil && failedLimit == nil { return }
        var successful: [BatchV1.Job] = []
        var failed: [BatchV1.Job] = []
        for job in jobs {
            switch Self.finishedCondition(job) {
            case "Complete": successful.append(job)
            case "Failed": failed.append(job)
            default: break
            }
        }
        if let successfulLimit { await removeOldest(successful, keeping: Int(successfulLimit), of: &cronJob) }
        if let failedLimit { await removeOldest(failed, keeping: Int(failedLimit), of: &cronJob) }
    }

    func removeOldest(_ jobs: [BatchV1.Job], keeping limit: Int, of cronJob: inout BatchV1.CronJob) async {
        let excess = jobs.count - limit
        guard excess > 0 else { return }
        for job in jobs.sorted(by: Self.startedEarlier).prefix(excess) {
            _ = await deleteJob(job, of: &cronJob)
        }
    }

    /// Deletes `job` (its pods in the background) and drops it from `active`; false if the
    /// delete failed.
    func deleteJob(_ job: BatchV1.Job, of cronJob: inout BatchV1.CronJob) async -> Bool {
        do {
            try await client.delete(BatchV1.Job.self, namespace: job.namespace, name: job.name, uid: nil, propagation: "Background")
        } catch {
            events.event(regarding: cronJob, type: .warning, reason: "FailedDelete", message: "Deleted job: \(error)")
            logger.info("could not delete job", metadata: ["cronjob": "\(cronJob.queueKey)", "job": "\(job.name)", "error": "\(error)"])
            return false
        }
        Self.removeActive(job.uid, from: &cronJob)
        events.event(regarding: cronJob, type: .normal, reason: "SuccessfulDelete", message: "Deleted job \(job.name)")
        return true
    }

    /// Jobs by `status.startTime`, those not started last, then by name.
    static func startedEarlier(_ a: BatchV1.Job, _ b: BatchV1.Job) -> Bool {
        switch (a.status?.startTime, b.status?.startTime) {
        case (nil, .some(_)): return false
        case (.some(_), nil): return true
        case let (x, y) where x == y: return a.name < b.name
        case let (.some(x), .some(y)): return x < y
        default: return false
        }
    }

    // MARK: Schedule

    /// The latest schedule time at or before `now` and after the last one started.
    struct RecentSchedule {
        /// Where the search began: `lastScheduleTime`, else the creation time, moved up to the
        /// starting deadline when asked.
        var earliest: Int64
        /// The latest time at or before `now`, if any.
        var mostRecent: Int64?
        /// Roughly how many times were missed since `earliest` (0 when at most one is due).
        var missed: Int64
    }

    /// A schedule that cannot come twice, or at all (`0 0 31 2 *`).
    struct UnusableSchedule: Error, CustomStringConvertible {
        var description: String { "time difference between two schedules is less than 1 second" }
    }

    /// Upstream's `mostRecentScheduleTime`: rather than walking every missed time, it estimates
    /// their number from the distance between the next two and walks only the last few.
    static func mostRecentScheduleTime(
        _ cronJob: BatchV1.CronJob, now: WallTime, schedule: CronSpec, zone: TimeZone, includingStartingDeadline: Bool
    ) throws -> RecentSchedule {
        let nowSeconds = WallTime.floorDivide(now.nanosecondsSinceEpoch, 1_000_000_000)
        var earliest = (cronJob.status?.lastScheduleTime ?? cronJob.metadata?.creationTimestamp ?? Time.zero).secondsSinceEpoch
        if includingStartingDeadline, let deadline = cronJob.spec?.startingDeadlineSeconds {
            // Nothing older than the deadline may start. Only whole seconds matter: activations
            // are whole minutes, and the search starts after the given second.
            earliest = max(earliest, nowSeconds - min(deadline, nowSeconds))
        }
        guard let first = schedule.next(after: earliest, in: zone) else { throw UnusableSchedule() }
        if nowSeconds < first { return RecentSchedule(earliest: earliest, mostRecent: nil, missed: 0) }
        guard let second = schedule.next(after: first, in: zone) else { throw UnusableSchedule() }
        if nowSeconds < second { return RecentSchedule(earliest: earliest, mostRecent: first, missed: 0) }
        let interval = second - first
        guard interval >= 1 else { throw UnusableSchedule() }
        let missed = (nowSeconds - first) / interval + 1
        // Start the walk one interval before the estimated last time, so irregular schedules
        // (`30 6-16/4 * * 1-5`) still land on a real one.
        var mostRecent: Int64?
        var time = schedule.next(after: first + (missed - 2) * interval, in: zone)
        while let t = time, t <= nowSeconds {
            mostRecent = t
            time = schedule.next(after: t, in: zone)
        }
        return RecentSchedule(earliest: earliest, mostRecent: mostRecent, missed: missed)
    }

    /// How long until the schedule time after the latest one due, plus `nextScheduleDelta`
    /// (upstream's `nextScheduleTimeDuration`).
    static func nextScheduleDuration(_ cronJob: BatchV1.CronJob, now: WallTime, schedule: CronSpec, zone: TimeZone) -> Swift.Duration {
        let nowSeconds = WallTime.floorDivide(now.nanosecondsSinceEpoch, 1_000_000_000)
        var from = nowSeconds
        do {
            let recent = try mostRecentScheduleTime(cronJob, now: now, schedule: schedule, zone: zone, includingStartingDeadline: false)
            from = recent.mostRecent ?? (recent.missed == 0 ? recent.earliest : nowSeconds)
        } catch {
            // A schedule with no next time: the sync reported it; look from now.
            from = nowSeconds
        }
        guard let next = schedule.next(after: from, in: zone) else { return .zero }
        return .nanoseconds(next * 1_000_000_000 - now.nanosecondsSinceEpoch) + nextScheduleDelta
    }

    // MARK: Jobs

    /// `<cronjob>-<scheduled time in minutes since the epoch>`.
    static func jobName(_ cronJobName: String, scheduled: Int64) -> String {
        "\(cronJobName)-\(scheduled / 60)"
    }

    /// The Job started at `scheduled`: the template's labels, annotations and spec, the
    /// scheduled-timestamp annotation, and the CronJob as controller.
    static func job(from cronJob: BatchV1.CronJob, scheduled: Int64, zone: TimeZone) -> BatchV1.Job {
        let template = cronJob.spec?.jobTemplate
        var meta = MetaV1.ObjectMeta()
        meta.name = jobName(cronJob.name, scheduled: scheduled)
        meta.namespace = cronJob.namespace
        meta.labels = template?.metadata?.labels
        var annotations = template?.metadata?.annotations ?? [:]
        annotations[scheduledTimestampAnnotation] = rfc3339(scheduled, in: zone)
        meta.annotations = annotations
        meta.creationTimestamp = Time(secondsSinceEpoch: scheduled)  // as upstream sends it; the apiserver sets its own
        meta.ownerReferences = [cronJob.asControllerRef]
        return BatchV1.Job(metadata: meta, spec: template?.spec).withTypeMeta()
    }

    /// RFC 3339 as Go formats it in a zone: `2026-03-08T03:00:00-04:00`, `Z` for offset zero.
    static func rfc3339(_ seconds: Int64, in zone: TimeZone) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let stamp = "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
        let offset = zone.secondsFromGMT(for: date)
        if offset == 0 { return stamp + "Z" }
        let minutes = abs(offset) / 60
        return stamp + (offset < 0 ? "-" : "+") + pad(minutes / 60) + ":" + pad(minutes % 60)
    }

    /// Go's RFC 1123 with numeric zone, in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`.
    static func rfc1123(_ seconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = defaultTimeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func pad(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        let day = days[((c.weekday ?? 1) - 1) % 7], month = months[((c.month ?? 1) - 1) % 12]
        return "\(day), \(pad(c.day)) \(month) \(c.year ?? 0) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second)) +0000"
    }

    /// `Complete` or `Failed`, whichever condition is true first; nil while the Job runs.
    static func finishedCondition(_ job: BatchV1.Job) -> String? {
        job.status?.conditions?.first { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" }?.type
    }

    static func isActive(_ uid: String, in cronJob: BatchV1.CronJob) -> Bool {
        cronJob.status?.active?.contains { $0.uid == uid } ?? false
    }

    static func removeActive(_ uid: String, from cronJob: inout BatchV1.CronJob) {
        guard var status = cronJob.status, let active = status.active else { return }
        status.active = active.filter { $0.uid != uid }
        cronJob.status = status
    }
}
