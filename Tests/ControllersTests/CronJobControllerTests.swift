import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("CronJob controller")
struct CronJobControllerTests {
    typealias F = Fixtures
    static let key = "\(F.namespace)/nightly"
    /// 2026-01-01T00:00:00Z in minutes: the suffix of the Job scheduled then.
    static let midnightMinute = F.epoch / 60

    /// A `CronJobController` over listers the fake client keeps up to date, on a manual clock
    /// standing `now` seconds after `Fixtures.epoch`; its live reads read the fake apiserver.
    struct Harness {
        let clock: ManualClock
        let cronJobs = ThreadSafeStore<BatchV1.CronJob>()
        let jobs = ThreadSafeStore<BatchV1.Job>()
        let client = FakeControllerClient()
        let events = RecordingEvents()
        let controller: CronJobController

        init(_ cronJob: BatchV1.CronJob?, jobs: [BatchV1.Job] = [], now: Int64 = 30) {
            clock = ManualClock(wall: WallTime(nanosecondsSinceEpoch: (F.epoch + now) * 1_000_000_000))
            controller = CronJobController(
                cronJobs: Lister(store: cronJobs), jobs: Lister(store: self.jobs), client: client, events: events,
                clock: clock, logger: F.logger)
            client.mirror(cronJobs)
            client.mirror(self.jobs)
            if let cronJob { client.seed(cronJob) }
            for job in jobs { client.seed(job) }
        }

        /// The CronJob as the informer holds it.
        var cronJob: BatchV1.CronJob? { cronJobs.get(key: CronJobControllerTests.key) }
        var status: BatchV1.CronJobStatus? { cronJob?.status }
        var activeNames: [String] { (status?.active ?? []).compactMap(\.name) }

        @discardableResult
        func sync() async -> (any Error)? {
            do {
                try await controller.sync(CronJobControllerTests.key)
                return nil
            } catch {
                return error
            }
        }

        /// Names of the Jobs created, in order.
        var created: [String] { client.actions("create", kind: "Job").map(\.name) }
        /// Names of the Jobs deleted, sorted.
        var deleted: [String] { client.actions("delete", kind: "Job").map(\.name).sorted() }

        /// Whether the key comes back exactly `seconds` (plus the 100 ms padding) from now, and
        /// not before.
        func requeued(after seconds: Int64) async -> Bool {
            guard controller.queue.len == 0 else { return false }
            clock.advance(by: .seconds(seconds))
            guard controller.queue.len == 0 else { return false }
            clock.advance(by: .milliseconds(100))
            return await controller.queue.drainReady() == [CronJobControllerTests.key]
        }
    }

    // MARK: Fixtures

    /// The CronJob `nightly`; times are seconds after `Fixtures.epoch`.
    static func cronJob(
        schedule: String = "0 * * * *", created: Int64 = -3600, lastSchedule: Int64? = nil, policy: String = "Allow",
        suspend: Bool? = nil, deadline: Int64? = nil, timeZone: String? = nil, successfulLimit: Int32? = 3, failedLimit: Int32? = 1,
        active: [BatchV1.Job] = [], lastSuccessful: Int64? = nil
    ) -> BatchV1.CronJob {
        let template = BatchV1.JobTemplateSpec(
            metadata: MetaV1.ObjectMeta(annotations: ["team": "blue"], labels: ["app": "nightly"]),
            spec: BatchV1.JobSpec(
                template: CoreV1.PodTemplateSpec(
                    spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "busybox:1.36", name: "task")], restartPolicy: "OnFailure"))))
        var status = BatchV1.CronJobStatus()
        status.lastScheduleTime = lastSchedule.map(F.time)
        status.lastSuccessfulTime = lastSuccessful.map(F.time)
        if !active.isEmpty { status.active = active.map { CoreV1.ObjectReference(referencing: $0) } }
        return BatchV1.CronJob(
            metadata: MetaV1.ObjectMeta(
                creationTimestamp: F.time(created), name: "nightly", namespace: F.namespace, resourceVersion: "1", uid: "cj-uid"),
            spec: BatchV1.CronJobSpec(
                concurrencyPolicy: policy, failedJobsHistoryLimit: failedLimit, jobTemplate: template, schedule: schedule,
                startingDeadlineSeconds: deadline, successfulJobsHistoryLimit: successfulLimit, suspend: suspend, timeZone: timeZone),
            status: status == BatchV1.CronJobStatus() ? nil : status
        ).withTypeMeta()
    }

    /// A Job of `owner` (the default `nightly`, uid `cj-uid`); `finished` is the condition
    /// (`Complete`, `Failed`) that is true, if any. Times are seconds after `Fixtures.epoch`.
    static func job(
        _ name: String, owner: BatchV1.CronJob? = CronJobControllerTests.cronJob(), started: Int64? = nil, finished: String? = nil, completed: Int64? = nil
    ) -> BatchV1.Job {
        var meta = MetaV1.ObjectMeta(name: name, namespace: F.namespace, resourceVersion: "1", uid: "uid-\(name)")
        if let owner { meta.ownerReferences = [owner.asControllerRef] }
        let conditions = finished.map { [BatchV1.JobCondition(status: "True", type: $0)] }
        return BatchV1.Job(
            metadata: meta,
            spec: BatchV1.JobSpec(template: CoreV1.PodTemplateSpec()),
            status: BatchV1.JobStatus(completionTime: completed.map(F.time), conditions: conditions, startTime: started.map(F.time))
        ).withTypeMeta()
    }

    /// The name of the Job scheduled `minutes` after midnight.
    static func jobName(_ minutes: Int64 = 0) -> String { "nightly-\(midnightMinute + minutes)" }

    // MARK: Starting Jobs

    @Test("the first due time creates its Job: name, labels, annotations, owner, status and the requeue")
    func firstRun() async throws {
        let h = Harness(Self.cronJob(), now: 30)
        #expect(await h.sync() == nil)
        let name = Self.jobName()
        #expect(name == "nightly-29453760")
        #expect(h.created == [name])
        let job = try #require(h.client.object(BatchV1.Job.self, namespace: F.namespace, name: name))
        #expect(job.metadata?.labels == ["app": "nightly"])
        #expect(job.metadata?.annotations == ["team": "blue", CronJobController.scheduledTimestampAnnotation: "2026-01-01T00:00:00Z"])
        #expect(job.metadata?.ownerReferences == [Self.cronJob().asControllerRef])
        #expect(job.spec?.template.spec?.containers.first?.image == "busybox:1.36")
        #expect(h.events.with(reason: "SuccessfulCreate").map(\.message) == ["Created job \(name)"])

        let active = try #require(h.status?.active)
        #expect(active.count == 1)
        #expect(active.first?.kind == "Job" && active.first?.apiVersion == "batch/v1")
        #expect(active.first?.name == name && active.first?.namespace == F.namespace)
        #expect(active.first?.uid == job.metadata?.uid && active.first?.resourceVersion == job.metadata?.resourceVersion)
        #expect(h.status?.lastScheduleTime == F.time(0))

        // Level-triggered: the time is recorded, nothing more is started.
        h.client.clearActions()
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        // Back for 01:00, with the 100 ms padding (each sync queued it once).
        _ = await h.controller.queue.drainReady()
        #expect(await h.requeued(after: 3600 - 30))
    }

    @Test("the scheduled-timestamp annotation and the schedule follow spec.timeZone")
    func timeZone() async throws {
        // 19:00 in New York on 31 December is midnight UTC.
        let h = Harness(Self.cronJob(schedule: "0 19 * * *", timeZone: "America/New_York"), now: 30)
        await h.sync()
        let job = try #require(h.client.object(BatchV1.Job.self, namespace: F.namespace, name: Self.jobName()))
        #expect(job.metadata?.annotations?[CronJobController.scheduledTimestampAnnotation] == "2025-12-31T19:00:00-05:00")
        #expect(await h.requeued(after: 86_400 - 30))
    }

    @Test("nothing starts before the first scheduled time; the key comes back for it")
    func beforeSchedule() async throws {
        let h = Harness(Self.cronJob(created: 30), now: 60)
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.events.all.isEmpty)
        #expect(await h.requeued(after: 3600 - 60))
    }

    @Test("a time already recorded in lastScheduleTime is not started again")
    func alreadyScheduled() async throws {
        let h = Harness(Self.cronJob(lastSchedule: 0), now: 90)
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(await h.requeued(after: 3600 - 90))
    }

    // MARK: Concurrency policy

    @Test("Forbid: nothing starts while a Job is active; the key comes back for the next time")
    func forbid() async throws {
        let running = Self.job(Self.jobName(-60), started: -3600)
        let h = Harness(Self.cronJob(lastSchedule: -3600, policy: "Forbid", active: [running]), jobs: [running], now: 10)
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.events.with(reason: "JobAlreadyActive").count == 1)
        #expect(h.activeNames == [running.name])
        #expect(await h.requeued(after: 3600 - 10))
    }

    @Test("Allow: a new Job starts beside the active one")
    func allow() async throws {
        let running = Self.job(Self.jobName(-60), started: -3600)
        let h = Harness(Self.cronJob(lastSchedule: -3600, active: [running]), jobs: [running], now: 10)
        #expect(await h.sync() == nil)
        #expect(h.created == [Self.jobName()])
        #expect(h.client.actions("delete").isEmpty)
        #expect(h.activeNames == [running.name, Self.jobName()])
    }

    @Test("Replace: the active Job is deleted (background propagation), then the new one created")
    func replace() async throws {
        let running = Self.job(Self.jobName(-60), started: -3600)
        let h = Harness(Self.cronJob(lastSchedule: -3600, policy: "Replace", active: [running]), jobs: [running], now: 10)
        #expect(await h.sync() == nil)
        #expect(h.client.actions == [
            .delete(kind: "Job", namespace: F.namespace, name: running.name, uid: nil, propagation: "Background"),
            .create(kind: "Job", namespace: F.namespace, name: Self.jobName()),
            .updateStatus(kind: "CronJob", namespace: F.namespace, name: "nightly"),
        ])
        #expect(h.events.with(reason: "SuccessfulDelete").map(\.message) == ["Deleted job \(running.name)"])
        #expect(h.activeNames == [Self.jobName()])
        #expect(h.status?.lastScheduleTime == F.time(0))
    }

    @Test("Replace: a failed delete fails the sync and starts nothing")
    func replaceDeleteFails() async throws {
        let running = Self.job(Self.jobName(-60), started: -3600)
        let h = Harness(Self.cronJob(lastSchedule: -3600, policy: "Replace", active: [running]), jobs: [running], now: 10)
        h.client.failDeletes(with: StatusError(.failure(.internalError, message: "etcd unavailable")))
        #expect(await h.sync() != nil)
        #expect(h.created.isEmpty)
        #expect(h.events.with(reason: "FailedDelete").count == 1)
        #expect(h.activeNames == [running.name])
    }

    // MARK: Suspension, deadlines, missed times

    @Test("a suspended CronJob starts nothing and is not requeued")
    func suspended() async throws {
        let h = Harness(Self.cronJob(suspend: true), now: 30)
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        h.clock.advance(by: .seconds(7200))
        #expect(h.controller.queue.len == 0)
    }

    struct DeadlineCase: Sendable, CustomTestStringConvertible {
        var deadline: Int64?
        var starts: Bool
        var testDescription: String {
            let limit = deadline.map { String(describing: $0) } ?? "unset"
            return "startingDeadlineSeconds \(limit): \(starts ? "starts" : "skips")"
        }
    }

    @Test(
        "startingDeadlineSeconds: a time older than the deadline is skipped until the next one",
        arguments: [
            CronJobControllerTests.DeadlineCase(deadline: nil, starts: true),
            CronJobControllerTests.DeadlineCase(deadline: 900, starts: true),
            CronJobControllerTests.DeadlineCase(deadline: 601, starts: true),
            CronJobControllerTests.DeadlineCase(deadline: 300, starts: false),
            CronJobControllerTests.DeadlineCase(deadline: 0, starts: false),
        ])
    func startingDeadline(_ c: DeadlineCase) async throws {
        // Midnight's run is 10 minutes late.
        let h = Harness(Self.cronJob(lastSchedule: -3600, deadline: c.deadline), now: 600)
        #expect(await h.sync() == nil)
        #expect(h.created == (c.starts ? [Self.jobName()] : []))
        #expect(h.events.with(reason: "TooManyMissedTimes").isEmpty)
        #expect(await h.requeued(after: 3600 - 600))
    }

    @Test("more than 100 missed times: TooManyMissedTimes, and the most recent one still starts")
    func tooManyMissed() async throws {
        let h = Harness(Self.cronJob(schedule: "* * * * *", created: -200 * 60), now: 30)
        #expect(await h.sync() == nil)
        #expect(h.events.with(reason: "TooManyMissedTimes").map(\.message)
            == ["too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"])
        #expect(h.events.with(reason: "TooManyMissedTimes").first?.type == .warning)
        #expect(h.created == [Self.jobName()])
        #expect(h.status?.lastScheduleTime == F.time(0))
        #expect(await h.requeued(after: 30))
    }

    @Test("a few missed times: only the most recent starts, without a warning")
    func fewMissed() async throws {
        let h = Harness(Self.cronJob(schedule: "*/5 * * * *", created: -50 * 60), now: 30)
        #expect(await h.sync() == nil)
        #expect(h.events.with(reason: "TooManyMissedTimes").isEmpty)
        #expect(h.created == [Self.jobName()])
    }

    @Test("an unknown time zone is reported and nothing is scheduled")
    func unknownTimeZone() async throws {
        let h = Harness(Self.cronJob(timeZone: "Mars/Olympus_Mons"), now: 30)
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        let events = h.events.with(reason: "UnknownTimeZone")
        #expect(events.map(\.message) == ["invalid timeZone: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons"])
        #expect(events.first?.type == .warning)
        h.clock.advance(by: .seconds(7200))
        #expect(h.controller.queue.len == 0)
    }

    @Test("an unparseable or impossible schedule is reported and not requeued")
    func badSchedules() async throws {
        for (schedule, reason) in [("61 * * * *", "UnparseableSchedule"), ("0 0 30 2 *", "InvalidSchedule")] {
            let h = Harness(Self.cronJob(schedule: schedule), now: 30)
            #expect(await h.sync() == nil)
            #expect(h.client.actions.isEmpty)
            #expect(h.events.with(reason: reason).count == 1, "\(schedule)")
            #expect(h.controller.queue.len == 0)
        }
    }

    // MARK: Status from Jobs

    @Test("finished Jobs leave active; the latest completion becomes lastSuccessfulTime")
    func finishedJobs() async throws {
        let succeeded = Self.job(Self.jobName(-120), started: -7200, finished: "Complete", completed: -7000)
        let later = Self.job(Self.jobName(-60), started: -3600, finished: "Complete", completed: -3000)
        let failed = Self.job("nightly-failed", started: -3500, finished: "Failed")
        let h = Harness(
            Self.cronJob(lastSchedule: 0, active: [succeeded, later, failed], lastSuccessful: -7100),
            jobs: [succeeded, later, failed], now: 30)
        #expect(await h.sync() == nil)
        #expect(h.status?.active == nil)
        #expect(h.status?.lastSuccessfulTime == F.time(-3000))
        #expect(Set(h.events.with(reason: "SawCompletedJob").map(\.message)) == [
            "Saw completed job: \(succeeded.name), condition: Complete",
            "Saw completed job: \(later.name), condition: Complete",
            "Saw completed job: nightly-failed, condition: Failed",
        ])
        #expect(h.client.actions == [.updateStatus(kind: "CronJob", namespace: F.namespace, name: "nightly")])
    }

    @Test("lastSuccessfulTime never moves back")
    func lastSuccessfulKeepsLatest() async throws {
        let old = Self.job(Self.jobName(-120), started: -7200, finished: "Complete", completed: -7000)
        let h = Harness(Self.cronJob(lastSchedule: 0, lastSuccessful: -100), jobs: [old], now: 30)
        #expect(await h.sync() == nil)
        #expect(h.status?.lastSuccessfulTime == F.time(-100))
        #expect(h.client.actions.isEmpty)
    }

    @Test("an active Job gone from the informer and the apiserver is dropped (MissingJob); one the apiserver still has stays")
    func missingJob() async throws {
        let gone = Self.job("nightly-gone", started: -3600)
        let lagging = Self.job("nightly-lagging", started: -3600)
        let h = Harness(Self.cronJob(lastSchedule: 0, active: [gone, lagging]), now: 30)
        h.client.seed(lagging, mirror: false)
        #expect(await h.sync() == nil)
        #expect(h.events.with(reason: "MissingJob").map(\.message) == ["Active job went missing: nightly-gone"])
        #expect(h.activeNames == ["nightly-lagging"])
    }

    @Test("a running Job of ours that status does not list is reported as UnexpectedJob")
    func unexpectedJob() async throws {
        let stray = Self.job("nightly-stray", started: -60)
        let h = Harness(Self.cronJob(lastSchedule: 0), jobs: [stray], now: 30)
        #expect(await h.sync() == nil)
        #expect(h.events.with(reason: "UnexpectedJob").map(\.message) == ["Saw a job that the controller did not create or forgot: nightly-stray"])
        #expect(h.activeNames.isEmpty)
    }

    @Test("a running Job the informer's status lacks but the apiserver's lists is not unexpected")
    func staleStatus() async throws {
        let running = Self.job("nightly-running", started: -60)
        let h = Harness(Self.cronJob(lastSchedule: 0), jobs: [running], now: 30)
        h.client.seed(Self.cronJob(lastSchedule: 0, active: [running]), mirror: false)
        #expect(await h.sync() == nil)
        #expect(h.events.with(reason: "UnexpectedJob").isEmpty)
    }

    @Test("AlreadyExists: our own Job is recorded as active; someone else's is left alone")
    func alreadyExists() async throws {
        let ours = Self.job(Self.jobName(), started: 5)
        let h = Harness(Self.cronJob(), now: 30)
        h.client.seed(ours, mirror: false)  // created before a crash; the informer has not seen it
        #expect(await h.sync() == nil)
        #expect(h.created == [Self.jobName()])
        #expect(h.events.with(reason: "SuccessfulCreate").isEmpty)
        #expect(h.activeNames == [Self.jobName()])
        #expect(h.status?.lastScheduleTime == F.time(0))

        let theirs = Self.job(Self.jobName(), owner: nil)
        let other = Harness(Self.cronJob(), now: 30)
        other.client.seed(theirs, mirror: false)
        #expect(await other.sync() == nil)
        #expect(other.client.actions == [.create(kind: "Job", namespace: F.namespace, name: Self.jobName())])
        #expect(other.status?.active == nil)
        #expect(other.controller.queue.len == 0)
    }

    @Test("a refusal of the create is reported (FailedCreate) and fails the sync")
    func createRefused() async throws {
        let h = Harness(Self.cronJob(), now: 30)
        h.client.failCreates(after: 0, with: .quotaExceeded())
        #expect(await h.sync() is StatusError)
        #expect(h.events.with(reason: "FailedCreate").count == 1)
        #expect(h.status?.active == nil)
    }

    // MARK: History limits

    @Test("finished Jobs beyond the history limits are deleted, oldest start first, unstarted ones counted newest")
    func historyLimits() async throws {
        let a = Self.job("nightly-a", started: -300, finished: "Complete", completed: -250)
        let b = Self.job("nightly-b", started: -200, finished: "Complete", completed: -150)
        let c = Self.job("nightly-c", finished: "Complete", completed: -100)
        let f1 = Self.job("nightly-f1", started: -100, finished: "Failed")
        let f2 = Self.job("nightly-f2", started: -50, finished: "Failed")
        let running = Self.job("nightly-running", started: -10)
        let h = Harness(
            Self.cronJob(lastSchedule: 0, successfulLimit: 1, failedLimit: 1, active: [running]), jobs: [a, b, c, f1, f2, running], now: 30)
        #expect(await h.sync() == nil)
        #expect(h.deleted == ["nightly-a", "nightly-b", "nightly-f1"])
        let propagations: [String?] = h.client.actions("delete").map { action in
            guard case .delete(_, _, _, _, let propagation) = action else { return nil }
            return propagation
        }
        #expect(propagations == ["Background", "Background", "Background"])
        #expect(Set(h.events.with(reason: "SuccessfulDelete").map(\.message)) == [
            "Deleted job nightly-a", "Deleted job nightly-b", "Deleted job nightly-f1",
        ])
        #expect(h.jobs.list().map(\.name).sorted() == ["nightly-c", "nightly-f2", "nightly-running"])
        #expect(h.activeNames == ["nightly-running"])
        #expect(h.status?.lastSuccessfulTime == F.time(-100))
    }

    @Test("unset history limits keep every finished Job")
    func noHistoryLimits() async throws {
        let jobs = (0..<5).map { Self.job("nightly-\($0)", started: Int64(-100 + $0), finished: "Complete", completed: -50) }
        let h = Harness(Self.cronJob(lastSchedule: 0, successfulLimit: nil, failedLimit: nil), jobs: jobs, now: 30)
        #expect(await h.sync() == nil)
        #expect(h.deleted.isEmpty)
    }

    // MARK: Events

    @Test("Job events bring back the CronJob that controls the Job, and only it")
    func jobEvents() async throws {
        let h = Harness(Self.cronJob(), now: 30)
        h.controller.enqueueOwner(of: Self.job("nightly-1"))
        #expect(await h.controller.queue.drainReady() == [Self.key])

        var impostor = Self.cronJob()
        impostor.metadata?.uid = "another-uid"
        h.controller.enqueueOwner(of: Self.job("nightly-2", owner: impostor))
        h.controller.enqueueOwner(of: Self.job("nightly-3", owner: nil))
        #expect(h.controller.queue.len == 0)

        let job = Self.job("nightly-4")
        h.controller.jobUpdated(old: job, new: job)  // a resync: same resourceVersion
        #expect(h.controller.queue.len == 0)
        var released = job
        released.metadata?.ownerReferences = nil
        released.metadata?.resourceVersion = "2"
        h.controller.jobUpdated(old: job, new: released)
        #expect(await h.controller.queue.drainReady() == [Self.key])
    }

    @Test("a changed schedule requeues for its next time; other changes sync at once")
    func cronJobUpdates() async throws {
        let old = Self.cronJob()
        let h = Harness(old, now: 30)
        var other = old
        other.spec?.suspend = true
        h.controller.cronJobUpdated(old: old, new: other)
        #expect(await h.controller.queue.drainReady() == [Self.key])

        var rescheduled = old
        rescheduled.spec?.schedule = "*/10 * * * *"
        h.controller.cronJobUpdated(old: old, new: rescheduled)
        #expect(await h.requeued(after: 600 - 30))

        var broken = old
        broken.spec?.schedule = "not a schedule"
        h.controller.cronJobUpdated(old: old, new: broken)
        #expect(h.events.with(reason: "UnParseableCronJobSchedule").count == 1)
        #expect(h.controller.queue.len == 0)
    }
}
