import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("TTL-after-finished controller")
struct TTLAfterFinishedControllerTests {
    typealias F = Fixtures

    /// The keys the controller read fresh from the apiserver, in order.
    /// A `TTLAfterFinishedController` whose informer and apiserver are the fake client's (the
    /// fresh read returns what the fake apiserver holds), on a manual clock.
    struct Harness {
        let clock = ManualClock()
        let jobs = ThreadSafeStore<BatchV1.Job>()
        let client: FakeControllerClient
        let controller: TTLAfterFinishedController
        let key = "\(Fixtures.namespace)/pi"

        init(_ job: BatchV1.Job) {
            let client = FakeControllerClient()
            self.client = client
            controller = TTLAfterFinishedController(jobs: Lister(store: jobs), client: client, clock: clock, logger: Fixtures.logger)
            client.mirror(jobs)
            client.seed(job)
        }

        func sync() async throws { try await controller.sync(key) }

        /// The Job as the apiserver holds it changes, the informer not having seen it yet.
        func changeOnServer(_ change: (inout BatchV1.Job) -> Void) throws {
            var job = try #require(client.object(BatchV1.Job.self, namespace: Fixtures.namespace, name: "pi"))
            change(&job)
            client.seed(job, mirror: false)
        }
    }

    static func finished(_ type: String = "Complete", secondsAgo: Int64, ttl: Int32?, deleting: Bool = false) -> BatchV1.Job {
        F.job(ttlSecondsAfterFinished: ttl, conditions: [F.jobCondition(type, at: -secondsAgo)], deleting: deleting)
    }

    @Test("a finished Job whose TTL has not expired is requeued for when it does; nothing is read or deleted")
    func notExpired() async throws {
        let h = Harness(Self.finished(secondsAgo: 10, ttl: 100))
        try await h.sync()
        #expect(h.client.actions.isEmpty)
        #expect(h.client.gets.isEmpty)
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(89))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady() == [h.key])
    }

    @Test("an expired Job is read fresh, then deleted in the foreground on the condition of its uid", arguments: ["Complete", "Failed"])
    func expired(type: String) async throws {
        let h = Harness(Self.finished(type, secondsAgo: 200, ttl: 100))
        try await h.sync()
        #expect(h.client.gets == ["Job/\(h.key)"])
        #expect(h.client.actions == [
            .delete(kind: "Job", namespace: F.namespace, name: "pi", uid: "job-uid", propagation: "Foreground"),
        ])
        #expect(h.jobs.count == 0)
        #expect(h.controller.queue.len == 0)
    }

    @Test("a Job expires the second its TTL runs out (a TTL of 0: at once)", arguments: [(100, 100), (5, 0)])
    func expiresAtBoundary(secondsAgo: Int, ttl: Int) async throws {
        let h = Harness(Self.finished(secondsAgo: Int64(secondsAgo), ttl: Int32(ttl)))
        try await h.sync()
        #expect(h.client.actions("delete", kind: "Job").count == 1)
    }

    @Test("the delete is conditioned on the uid of the Job read fresh")
    func uidOfFreshJob() async throws {
        let h = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        // Replaced under the same name by a Job that is itself expired.
        try h.changeOnServer { $0.metadata?.uid = "job-uid-2" }
        try await h.sync()
        #expect(h.client.actions == [
            .delete(kind: "Job", namespace: F.namespace, name: "pi", uid: "job-uid-2", propagation: "Foreground"),
        ])
    }

    @Test("a TTL removed meanwhile, as the fresh read shows, stops the deletion")
    func ttlRemoved() async throws {
        let h = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        try h.changeOnServer { $0.spec?.ttlSecondsAfterFinished = nil }
        try await h.sync()
        #expect(h.client.gets == ["Job/\(h.key)"])
        #expect(h.client.actions.isEmpty)
        h.clock.advance(by: .seconds(3600))
        #expect(h.controller.queue.len == 0)
    }

    @Test("a TTL raised meanwhile requeues the Job for its new expiry")
    func ttlRaised() async throws {
        let h = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        try h.changeOnServer { $0.spec?.ttlSecondsAfterFinished = 1000 }
        try await h.sync()
        #expect(h.client.actions.isEmpty)
        h.clock.advance(by: .seconds(799))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady() == [h.key])
    }

    @Test("a Job gone or being deleted by the time of the fresh read is not deleted")
    func goneMeanwhile() async throws {
        let gone = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        gone.client.forget(BatchV1.Job.self, namespace: F.namespace, name: "pi")
        try await gone.sync()
        #expect(gone.client.gets == ["Job/\(gone.key)"])
        #expect(gone.client.actions.isEmpty)

        let deleting = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        try deleting.changeOnServer { $0.metadata?.deletionTimestamp = F.time(0) }
        try await deleting.sync()
        #expect(deleting.client.actions.isEmpty)
    }

    @Test(
        "an unfinished Job, one without TTL or one being deleted gets nothing: no read, no delete, no requeue",
        arguments: [
            Fixtures.job(ttlSecondsAfterFinished: 0),
            Fixtures.job(ttlSecondsAfterFinished: 0, conditions: [Fixtures.jobCondition("Complete", "False", at: -100)]),
            Fixtures.job(ttlSecondsAfterFinished: 0, conditions: [Fixtures.jobCondition("SuccessCriteriaMet", at: -100)]),
            Fixtures.job(ttlSecondsAfterFinished: 0, conditions: [Fixtures.jobCondition("FailureTarget", at: -100)]),
            Fixtures.job(ttlSecondsAfterFinished: 0, conditions: [Fixtures.jobCondition("Suspended", at: -100)]),
            TTLAfterFinishedControllerTests.finished(secondsAgo: 200, ttl: nil),
            TTLAfterFinishedControllerTests.finished(secondsAgo: 200, ttl: 100, deleting: true),
        ])
    func leftAlone(job: BatchV1.Job) async throws {
        let h = Harness(job)
        try await h.sync()
        #expect(h.client.gets.isEmpty)
        #expect(h.client.actions.isEmpty)
        h.clock.advance(by: .seconds(3600))
        #expect(h.controller.queue.len == 0)
    }

    @Test("a key whose Job is not in the informer is dropped")
    func missingJob() async throws {
        let h = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        try await h.controller.sync("default/other")
        try await h.controller.sync("a/b/c")
        #expect(h.client.gets.isEmpty)
        #expect(h.client.actions.isEmpty)
    }

    @Test("NotFound or Conflict from the delete ends the sync quietly; other errors are returned for a retry")
    func deleteErrors() async throws {
        let h = Harness(Self.finished(secondsAgo: 200, ttl: 100))
        h.client.failDeletes(with: StatusError(.notFound(group: "batch", resource: "jobs", name: "pi")))
        try await h.sync()
        h.client.failDeletes(with: StatusError(.conflict(group: "batch", resource: "jobs", name: "pi")))
        try await h.sync()
        h.client.failDeletes(with: .quotaExceeded())
        await #expect(throws: StatusError.self) { try await h.sync() }
        #expect(h.client.actions("delete", kind: "Job").count == 3)
    }

    @Test("remaining: seconds from the finish condition's transition plus the TTL until now")
    func remaining() {
        let now = F.time(0).secondsSinceEpoch
        #expect(TTLAfterFinishedController.remaining(Self.finished(secondsAgo: 10, ttl: 100), now: now) == 90)
        #expect(TTLAfterFinishedController.remaining(Self.finished("Failed", secondsAgo: 300, ttl: 100), now: now) == -200)
        #expect(TTLAfterFinishedController.remaining(Self.finished(secondsAgo: 10, ttl: nil), now: now) == nil)
        #expect(TTLAfterFinishedController.remaining(F.job(ttlSecondsAfterFinished: 5), now: now) == nil)
    }
}
