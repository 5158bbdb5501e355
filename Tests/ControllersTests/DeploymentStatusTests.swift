import APIMachinery
import Component
import Testing
@testable import Controllers

@Suite("Deployment controller: status and conditions")
struct DeploymentStatusTests {
    typealias F = Fixtures
    typealias R = DeploymentRules

    @Test("a new rollout: Progressing NewReplicaSetCreated, Available False (MinimumReplicasUnavailable), a check queued at the deadline")
    func newRollout() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3, generation: 4))
        #expect(await h.sync() == nil)
        let name = try #require(h.newRS?.name)
        let status = try #require(h.status)
        #expect(status.observedGeneration == 4)
        #expect((status.replicas ?? 0) == 0 && (status.updatedReplicas ?? 0) == 0 && (status.availableReplicas ?? 0) == 0)
        #expect(status.unavailableReplicas == 3)

        let progressing = try #require(h.condition("Progressing"))
        #expect(progressing.status == "True")
        #expect(progressing.reason == "NewReplicaSetCreated")
        #expect(progressing.message == "Created new replica set \"\(name)\"")
        #expect(progressing.lastUpdateTime == h.clock.wallNow.time)
        let available = try #require(h.condition("Available"))
        #expect(available.status == "False")
        #expect(available.reason == "MinimumReplicasUnavailable")
        #expect(available.message == "Deployment does not have minimum availability.")

        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(601))
        #expect(await h.controller.queue.drainReady() == [h.key])
    }

    @Test("pods coming up: ReplicaSetUpdated while counts move, NewReplicaSetAvailable and Available True once complete")
    func progressToCompletion() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3))
        await h.sync()
        let name = try #require(h.newRS?.name)
        let created = try #require(h.condition("Progressing"))

        h.clock.advance(by: .seconds(10))
        h.report(name, replicas: 3, available: 1, ready: 2)
        await h.sync()
        var status = try #require(h.status)
        #expect(status.replicas == 3 && status.updatedReplicas == 3 && status.readyReplicas == 2 && status.availableReplicas == 1)
        #expect(status.unavailableReplicas == 2)
        let updated = try #require(h.condition("Progressing"))
        #expect(updated.status == "True" && updated.reason == "ReplicaSetUpdated")
        #expect(updated.message == "ReplicaSet \"\(name)\" is progressing.")
        #expect(updated.lastTransitionTime == created.lastTransitionTime)
        #expect(updated.lastUpdateTime == h.clock.wallNow.time)
        #expect(h.condition("Available")?.status == "False")

        h.clock.advance(by: .seconds(10))
        h.report(name, replicas: 3, available: 3)
        await h.sync()
        status = try #require(h.status)
        #expect(status.availableReplicas == 3 && status.readyReplicas == 3)
        #expect((status.unavailableReplicas ?? 0) == 0)
        let complete = try #require(h.condition("Progressing"))
        #expect(complete.status == "True" && complete.reason == "NewReplicaSetAvailable")
        #expect(complete.message == "ReplicaSet \"\(name)\" has successfully progressed.")
        let available = try #require(h.condition("Available"))
        #expect(available.status == "True" && available.reason == "MinimumReplicasAvailable")
        #expect(available.message == "Deployment has minimum availability.")
        #expect(available.lastTransitionTime == h.clock.wallNow.time)

        // Complete and unchanged: nothing more is written.
        h.client.clearActions()
        h.clock.advance(by: .seconds(3600))
        await h.sync()
        #expect(h.client.actions.isEmpty)
    }

    @Test("no progress for progressDeadlineSeconds: Progressing False ProgressDeadlineExceeded, until the rollout moves again")
    func deadlineExceeded() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3, progressDeadline: 600))
        await h.sync()
        let name = try #require(h.newRS?.name)

        h.clock.advance(by: .seconds(600))
        await h.sync()
        #expect(h.condition("Progressing")?.reason == "NewReplicaSetCreated")
        // The deadline is not passed at exactly 600 s; a check comes a second later.
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady().contains(h.key))
        await h.sync()
        let timedOut = try #require(h.condition("Progressing"))
        #expect(timedOut.status == "False")
        #expect(timedOut.reason == "ProgressDeadlineExceeded")
        #expect(timedOut.message == "ReplicaSet \"\(name)\" has timed out progressing.")
        #expect(timedOut.lastTransitionTime == h.clock.wallNow.time)

        // Stays timed out while nothing moves.
        h.clock.advance(by: .seconds(600))
        await h.sync()
        #expect(h.condition("Progressing") == timedOut)

        // Progress clears it.
        h.report(name, replicas: 3, available: 1)
        await h.sync()
        let again = try #require(h.condition("Progressing"))
        #expect(again.status == "True" && again.reason == "ReplicaSetUpdated")
        #expect(again.lastTransitionTime == h.clock.wallNow.time)
    }

    @Test("without progressDeadlineSeconds there is no Progressing condition")
    func noDeadline() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 2, progressDeadline: nil))
        await h.sync()
        #expect(h.condition("Progressing") == nil)
        #expect(h.condition("Available")?.status == "False")
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(100_000))
        #expect(h.controller.queue.len == 0)
    }

    @Test("paused: Progressing DeploymentPaused and no deadline runs; resuming reports DeploymentResumed")
    func pausedNoDeadline() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 2, paused: true))
        await h.sync()
        #expect(h.sets.isEmpty)
        let paused = try #require(h.condition("Progressing"))
        #expect(paused.status == "Unknown" && paused.reason == "DeploymentPaused")
        h.clock.advance(by: .seconds(10_000))
        await h.sync()
        #expect(h.condition("Progressing") == paused)

        // Resuming a Deployment without ReplicaSets: the resume, then the new ReplicaSet.
        h.edit { $0.spec?.paused = false }
        await h.sync()
        #expect(h.sets.count == 1)
        #expect(h.client.actions("updateStatus", kind: "Deployment").count >= 2)
        #expect(h.condition("Progressing")?.reason == "NewReplicaSetCreated")
    }

    @Test("Available counts maxUnavailable: 3 of 4 available with 25% is minimum availability")
    func availableWithinMaxUnavailable() async throws {
        let d = F.deployment(replicas: 4)
        let rs = F.replicaSet(of: d, image: "nginx:1.27", replicas: 4, revision: 1, status: (4, 3))
        let h = DeploymentHarness(d, replicaSets: [rs])
        await h.sync()
        #expect(h.condition("Available")?.status == "True")
        h.report(rs.name, replicas: 4, available: 2)
        await h.sync()
        #expect(h.condition("Available")?.status == "False")
        #expect(h.condition("Available")?.reason == "MinimumReplicasUnavailable")
    }

    @Test("counts over old and new ReplicaSets: replicas and ready and available sum all, updated is the new one's")
    func countsAcrossReplicaSets() throws {
        let d = F.deployment(replicas: 4)
        let old = F.replicaSet(of: d, image: "nginx:1.26", replicas: 2, revision: 1, status: (2, 2))
        let new = F.replicaSet(of: d, image: "nginx:1.27", replicas: 3, revision: 2, status: (3, 1))
        let h = DeploymentHarness(d)
        let status = h.controller.calculateStatus(d, new, [old])
        #expect(status.replicas == 5)
        #expect(status.updatedReplicas == 3)
        #expect(status.readyReplicas == 3)
        #expect(status.availableReplicas == 3)
        #expect(status.observedGeneration == 1)
        #expect(status.conditions?.first { $0.type == "Available" }?.status == "True")
    }

    @Test("unavailableReplicas is the ReplicaSets' desired replicas minus the available ones (upstream's calculateStatus), so a surge counts")
    func unavailableDuringSurge() throws {
        let d = F.deployment(replicas: 4)
        let old = F.replicaSet(of: d, image: "nginx:1.26", replicas: 4, revision: 1, status: (4, 4))
        let new = F.replicaSet(of: d, image: "nginx:1.27", replicas: 1, revision: 2)
        let h = DeploymentHarness(d)
        let status = h.controller.calculateStatus(d, new, [old])
        #expect(status.unavailableReplicas == 1)
    }

    @Test("a Deployment being deleted gets its counts written and nothing else")
    func deleting() async throws {
        var d = F.deployment(replicas: 3)
        d.metadata?.deletionTimestamp = F.time(0)
        let rs = F.replicaSet(of: d, image: "nginx:1.20", replicas: 3, revision: 1, status: (3, 3))
        let h = DeploymentHarness(d, replicaSets: [rs])
        #expect(await h.sync() == nil)
        #expect(h.client.actions("create").isEmpty)
        #expect(h.client.actions("update").isEmpty)
        #expect(h.status?.replicas == 3)
    }
}
