import APIMachinery
import Testing
@testable import Client

@Suite("LeaderElector")
struct LeaderElectionTests {
    @Test("acquires an absent lease by creating it, then releases it on cancel", .timeLimit(.minutes(1)))
    func acquiresAbsentLease() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let lock = LeaderElectionFakeLock(store)
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: lock, tracker: tracker)
        let run = Task { await a.run() }
        await h.settle([a])

        #expect(a.isLeader())
        #expect(a.currentLeader() == "a")
        #expect(lock.counts.creates == 1)
        let record = try #require(store.record)
        #expect(record.holderIdentity == "a")
        #expect(record.leaseDurationSeconds == 15)
        #expect(record.leaderTransitions == 0)
        #expect(record.acquireTime == LeaderElectionHarness.wallStart.microTime)
        await tracker.yield { $0.isActive("a") }
        #expect(tracker.newLeaders(seenBy: "a") == ["a"])

        run.cancel()
        await run.value
        #expect(!a.isLeader())
        #expect(a.currentLeader() == nil)
        #expect(tracker.ended == ["a"])
        #expect(tracker.stopped == ["a"])
        let released = try #require(store.record)
        #expect(released.holderIdentity == "")
        #expect(released.leaseDurationSeconds == 1)
        #expect(released.leaderTransitions == 0)
    }

    @Test(
        "waits a full lease duration from its own first observation, whatever the holder's renewTime says",
        .timeLimit(.minutes(1)),
        arguments: [-3600.0, 0, 3600]
    )
    func waitsForExpiredLease(renewTimeSkewSeconds: Double) async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let skewed = LeaderElectionHarness.wallStart.advanced(by: .seconds(renewTimeSkewSeconds)).microTime
        store.seed(LeaderElectionRecord(
            holderIdentity: "old", leaseDurationSeconds: 15, acquireTime: skewed, renewTime: skewed,
            leaderTransitions: 3))
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let run = Task { await a.run() }

        // Attempts every 2 s (no jitter): at 14 s the record has stood still for less than 15 s.
        await h.advance([a], to: h.at(14))
        #expect(!a.isLeader())
        #expect(a.currentLeader() == "old")
        #expect(store.record?.holderIdentity == "old")

        await h.advance([a], to: h.at(16))
        #expect(a.isLeader())
        let record = try #require(store.record)
        #expect(record.holderIdentity == "a")
        #expect(record.leaderTransitions == 4)
        #expect(record.acquireTime == LeaderElectionHarness.wallStart.advanced(by: .seconds(16)).microTime)
        #expect(tracker.newLeaders(seenBy: "a") == ["old", "a"])

        run.cancel()
        await run.value
    }

    @Test("never takes a lease whose record keeps changing", .timeLimit(.minutes(1)))
    func neverTakesUnexpiredLease() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        func renewOther() {
            let now = h.clock.wallNow.microTime
            store.seed(LeaderElectionRecord(
                holderIdentity: "other", leaseDurationSeconds: 15, acquireTime: LeaderElectionHarness.wallStart.microTime,
                renewTime: now, leaderTransitions: 0))
        }
        renewOther()
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let run = Task { await a.run() }
        // "other" renews every 10 s for two minutes: never 15 s without a change.
        for step in 1...12 {
            await h.advance([a], to: h.at(Double(step) * 10))
            renewOther()
            #expect(!a.isLeader())
        }
        #expect(tracker.started.isEmpty)
        #expect(store.record?.holderIdentity == "other")

        // The last change (at 120 s) is first seen at 122 s, so the lease expires at 137 s.
        await h.advance([a], to: h.at(136))
        #expect(!a.isLeader())
        await h.advance([a], to: h.at(138))
        #expect(a.isLeader())
        #expect(store.record?.leaderTransitions == 1)

        run.cancel()
        await run.value
    }

    @Test("renews every retry period with optimistic updates, keeping acquireTime and transitions", .timeLimit(.minutes(1)))
    func renews() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let lock = LeaderElectionFakeLock(store)
        let a = try h.elector("a", lock: lock, tracker: LeadershipTracker())
        let run = Task { await a.run() }
        await h.advance([a], to: h.at(30))

        #expect(a.isLeader())
        let record = try #require(store.record)
        #expect(record.acquireTime == LeaderElectionHarness.wallStart.microTime)
        #expect(record.renewTime == LeaderElectionHarness.wallStart.advanced(by: .seconds(30)).microTime)
        #expect(record.leaderTransitions == 0)
        // One read before creating; every renewal (0, 2, …, 30 s) is a CAS on the version it wrote.
        #expect(lock.counts.gets == 1)
        #expect(lock.counts.creates == 1)
        #expect(lock.counts.updates == 16)
        #expect(a.isHealthy(maxTolerableExpiredLease: .zero))

        run.cancel()
        await run.value
    }

    @Test("gives up leadership when renewals fail for the renew deadline", .timeLimit(.minutes(1)))
    func losesAfterRenewDeadline() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let lock = LeaderElectionFakeLock(store)
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: lock, tracker: tracker)
        let run = Task { await a.run() }
        await h.advance([a], to: h.at(4))
        await tracker.yield { $0.isActive("a") }
        lock.set(.failing)

        // The round starting at 6 s retries at 6, 8, …, 14 s and gives up at 6 + 10 s.
        await h.advance([a], to: h.at(15))
        #expect(a.isLeader())
        #expect(tracker.ended.isEmpty)
        await h.advance([a], to: h.at(16))
        await run.value
        #expect(!a.isLeader())
        #expect(tracker.ended == ["a"])
        #expect(tracker.stopped == ["a"])
        // The release could not be written either: the Lease still names "a" until it expires.
        #expect(store.record?.holderIdentity == "a")
    }

    @Test("abandons a hung renewal at the renew deadline", .timeLimit(.minutes(1)))
    func abandonsHungRenewal() async throws {
        let h = LeaderElectionHarness()
        let lock = LeaderElectionFakeLock(LeaderElectionFakeLeaseStore())
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: lock, tracker: tracker, releaseOnCancel: false)
        let run = Task { await a.run() }
        await h.advance([a], to: h.at(4))
        lock.set(.hanging)
        h.clock.advance(to: h.at(6))
        while lock.hungCalls == 0 || h.clock.sleeperCount == 0 { await Task.yield() }
        // Only the deadline timer sleeps; the renewal call is stuck.
        #expect(h.clock.nextDeadline == h.at(16))
        #expect(a.isLeader())

        h.clock.advance(to: h.at(16))
        await run.value
        #expect(!a.isLeader())
        #expect(lock.hungCalls == 0)
        #expect(tracker.stopped == ["a"])
    }

    @Test("two candidates never lead at the same instant; a partitioned leader is replaced", .timeLimit(.minutes(1)))
    func contendingCandidates() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let lockA = LeaderElectionFakeLock(store)
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: lockA, tracker: tracker)
        let b = try h.elector("b", lock: LeaderElectionFakeLock(store), tracker: tracker, jitter: 0.5)
        let runA = Task { await a.run() }
        await h.settle([a])
        let runB = Task { await b.run() }
        let neverBoth = { #expect(!(a.isLeader() && b.isLeader())) }

        await h.advance([a, b], to: h.at(60), check: neverBoth)
        #expect(a.isLeader())
        #expect(!b.isLeader())
        #expect(b.currentLeader() == "a")
        #expect(store.record?.leaderTransitions == 0)

        lockA.set(.failing)
        await h.advance([a, b], to: h.at(100), check: neverBoth)
        await runA.value
        #expect(!a.isLeader())
        #expect(b.isLeader())
        #expect(store.record?.holderIdentity == "b")
        #expect(store.record?.leaderTransitions == 1)
        await tracker.yield { $0.isActive("b") }
        #expect(tracker.maxConcurrent == 1)
        #expect(tracker.started == ["a", "b"])
        #expect(tracker.ended == ["a"])
        #expect(tracker.newLeaders(seenBy: "b") == ["a", "b"])

        runB.cancel()
        await runB.value
    }

    @Test("a released lease is taken at once, and every takeover counts a transition", .timeLimit(.minutes(1)))
    func releaseLetsOtherTakeOver() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let b = try h.elector("b", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let runA = Task { await a.run() }
        await h.settle([a])
        let runB = Task { await b.run() }
        await h.advance([a, b], to: h.at(5))
        #expect(a.isLeader())

        runA.cancel()
        await runA.value
        #expect(tracker.ended == ["a"])
        #expect(store.record?.holderIdentity == "")
        #expect(store.record?.leaseDurationSeconds == 1)
        #expect(store.record?.leaderTransitions == 0)

        // b's next attempt, one second later, sees nobody holding the lease.
        await h.advance([b], to: h.at(6))
        #expect(b.isLeader())
        #expect(store.record?.holderIdentity == "b")
        #expect(store.record?.leaderTransitions == 1)

        // And back to a fresh candidate "a": a second transition.
        let a2 = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let runA2 = Task { await a2.run() }
        await h.advance([a2, b], to: h.at(8))
        #expect(!a2.isLeader())
        runB.cancel()
        await runB.value
        await h.advance([a2], to: h.at(10))
        #expect(a2.isLeader())
        #expect(store.record?.leaderTransitions == 2)
        #expect(tracker.maxConcurrent == 1)

        runA2.cancel()
        await runA2.value
    }

    @Test(
        "acquire retries wait retryPeriod stretched by up to 1.2 times the jitter",
        .timeLimit(.minutes(1)),
        arguments: [(0.0, 2.0), (0.5, 3.2), (0.99, 4.376), (7, 4.4)]
    )
    func jitteredRetry(jitter: Double, expectedSeconds: Double) async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        store.seed(LeaderElectionRecord(holderIdentity: "other", leaseDurationSeconds: 15))
        let a = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: LeadershipTracker(), jitter: jitter)
        let run = Task { await a.run() }
        await h.settle([a])
        guard case .waiting(let until) = a.phase else {
            Issue.record("elector is not waiting: \(a.phase)")
            return
        }
        let error = until - h.at(expectedSeconds)
        #expect(error < .microseconds(1) && error > .microseconds(-1))
        run.cancel()
        await run.value
    }

    @Test("calls onStoppedLeading even when cancelled before ever leading", .timeLimit(.minutes(1)))
    func stoppedWithoutLeading() async throws {
        let h = LeaderElectionHarness()
        let store = LeaderElectionFakeLeaseStore()
        store.seed(LeaderElectionRecord(holderIdentity: "other", leaseDurationSeconds: 15))
        let tracker = LeadershipTracker()
        let a = try h.elector("a", lock: LeaderElectionFakeLock(store), tracker: tracker)
        let run = Task { await a.run() }
        await h.settle([a])
        run.cancel()
        await run.value
        #expect(tracker.started.isEmpty)
        #expect(tracker.stopped == ["a"])
        #expect(store.record?.holderIdentity == "other")
    }
}
