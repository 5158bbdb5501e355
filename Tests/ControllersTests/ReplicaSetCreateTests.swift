import APIMachinery
import Component
import Testing
@testable import Controllers

@Suite("ReplicaSet controller: creating replicas")
struct ReplicaSetCreateTests {
    typealias F = Fixtures

    @Test("creates the missing replicas from the template, named <rs>-, controlled by the ReplicaSet")
    func createsMissingReplicas() async throws {
        let rs = F.replicaSet(replicas: 3)
        let h = ReplicaSetHarness(rs)
        #expect(await h.sync() == nil)

        #expect(h.client.actions("create", kind: "Pod").count == 3)
        let created = h.client.objects(CoreV1.Pod.self)
        #expect(created.count == 3)
        #expect(Set(created.map(\.name)).count == 3)
        for pod in created {
            #expect(pod.metadata?.generateName == "web-")
            #expect(pod.name.hasPrefix("web-") && pod.name.count > "web-".count)
            #expect(pod.namespace == F.namespace)
            #expect(pod.metadata?.labels == ["app": "web"])
            #expect(pod.metadata?.annotations == ["team": "blue"])
            #expect(pod.spec == rs.spec?.template?.spec)
            #expect(pod.metadata?.ownerReferences == [MetaV1.OwnerReference(
                kind: "ReplicaSet", apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, name: "web", uid: "rs-uid")])
        }
        let successes = h.events.with(reason: "SuccessfulCreate")
        #expect(successes.count == 3)
        #expect(Set(successes.map(\.message)) == Set(created.map { "Created pod: \($0.name)" }))
        #expect(successes.allSatisfy { $0.type == .normal && $0.object.name == "web" && $0.object.kind == "ReplicaSet" })
        #expect(h.controller.expectations.pending(h.key)?.adds == 3)
    }

    @Test("a template's own labels, not the selector, label the pods")
    func templateLabels() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 1, templateLabels: ["app": "web", "tier": "frontend"]))
        await h.sync()
        #expect(h.client.objects(CoreV1.Pod.self).map(\.metadata?.labels) == [["app": "web", "tier": "frontend"]])
    }

    @Test("no second creation while expectations are pending, even when the informer has not seen the pods")
    func noDoubleCreationWithLaggingInformer() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 3))
        h.client.setLagging(CoreV1.Pod.self)
        await h.sync()
        #expect(h.pods.count == 0)
        #expect(!h.controller.expectations.satisfied(h.key))
        #expect(await h.sync() == nil)
        await h.sync()
        #expect(h.client.createAttempts == 3)
        #expect(h.client.objects(CoreV1.Pod.self).count == 3)
    }

    @Test("expectations expire after 5 minutes, so a lost watch event does not wedge the ReplicaSet")
    func expectationsExpire() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 2))
        h.client.setLagging(CoreV1.Pod.self)
        await h.sync()
        h.clock.advance(by: .seconds(300))
        await h.sync()
        #expect(h.client.createAttempts == 2)
        h.clock.advance(by: .seconds(1))
        #expect(h.controller.expectations.satisfied(h.key))
        await h.sync()
        // The informer still shows no pods, so the expired sync creates them again.
        #expect(h.client.createAttempts == 4)
    }

    @Test("observing each created pod satisfies the expectations and lets the next sync act")
    func creationObserved() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 3))
        await h.sync()
        #expect(h.pods.count == 3)
        #expect(!h.controller.expectations.satisfied(h.key))
        h.observeAllPods()
        #expect(h.controller.expectations.satisfied(h.key))
        #expect(await h.drainQueue() == [h.key])

        // Scale up: only the difference is created.
        h.client.seed(F.replicaSet(replicas: 5, generation: 2))
        await h.sync()
        #expect(h.client.createAttempts == 5)
        #expect(h.pods.count == 5)
        #expect(h.status?.replicas == 3)
        #expect(h.status?.observedGeneration == 2)
    }

    @Test(
        "slow start: batches of 1, 2, 4, … stop after the first batch with a failure",
        arguments: [(0, 1), (1, 3), (2, 3), (3, 7), (6, 7), (7, 15), (20, 20)])
    func slowStart(allowed: Int, attempts: Int) async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 20))
        h.client.failCreates(after: allowed, with: .quotaExceeded())
        await h.sync()
        #expect(h.client.createAttempts == attempts)
        #expect(h.client.createSuccesses == min(allowed, 20))
        #expect(h.client.objects(CoreV1.Pod.self).count == min(allowed, 20))
        // Creations that were skipped or failed are not waited for.
        #expect(h.controller.expectations.pending(h.key)?.adds == min(allowed, 20))
        #expect(h.events.with(reason: "FailedCreate").count == attempts - min(allowed, 20))
    }

    @Test("a failed batch reports FailedCreate events and the ReplicaFailure condition")
    func failedCreateReported() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 10))
        h.client.failCreates(after: 3, with: .quotaExceeded())
        await h.sync()
        #expect(h.client.createAttempts == 1 + 2 + 4)
        #expect(h.events.reasonCounts == ["SuccessfulCreate": 3, "FailedCreate": 4])
        let failed = h.events.with(reason: "FailedCreate")
        #expect(failed.allSatisfy { $0.type == .warning && $0.message.hasPrefix("Error creating: ") && $0.message.contains("exceeded quota") })

        let condition = try #require(h.status?.conditions?.first)
        #expect(h.status?.conditions?.count == 1)
        #expect(condition.type == "ReplicaFailure")
        #expect(condition.status == "True")
        #expect(condition.reason == "FailedCreate")
        #expect(condition.message == StatusError.quotaExceeded().description)
        #expect(condition.lastTransitionTime == h.clock.wallNow.time)
    }

    @Test("ReplicaFailure keeps its first transition time while creates keep failing, and clears on a successful sync")
    func replicaFailureCleared() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 4))
        h.client.failCreates(after: 0, with: .quotaExceeded())
        await h.sync()
        let first = try #require(h.status?.conditions?.first { $0.type == "ReplicaFailure" })
        #expect(h.controller.expectations.satisfied(h.key))

        h.clock.advance(by: .seconds(30))
        await h.sync()
        #expect(h.client.createAttempts == 2)
        #expect(h.status?.conditions == [first])

        h.client.stopFailingCreates()
        h.clock.advance(by: .seconds(30))
        await h.sync()
        #expect(h.client.createSuccesses == 4)
        #expect(h.status?.conditions == nil)
        #expect(h.client.actions("updateStatus", kind: "ReplicaSet").count == 2)
    }

    @Test("a namespace being terminated is not the ReplicaSet's failure")
    func namespaceTerminating() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 3))
        h.client.failCreates(after: 0, with: .namespaceTerminating(F.namespace))
        #expect(await h.sync() == nil)
        #expect(h.client.createAttempts == 1)
        #expect(h.status?.conditions == nil)
        #expect(h.controller.expectations.satisfied(h.key))
    }

    @Test("a sync whose creates failed returns the error, so the key is retried with backoff (upstream returns manageReplicasErr)")
    func failedCreateIsRetried() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 2))
        h.client.failCreates(after: 0, with: .quotaExceeded())
        let error = await h.sync()
        // Nothing else will bring the key back: expectations are satisfied and the queue is empty.
        #expect(h.controller.expectations.satisfied(h.key))
        #expect(h.controller.queue.len == 0)
        #expect(error != nil)
    }

    @Test("at most 500 creations per sync (burstReplicas)")
    func burstLimit() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 600))
        await h.sync()
        #expect(ReplicaSetController.burstReplicas == 500)
        #expect(h.client.createAttempts == 500)
        #expect(h.controller.expectations.pending(h.key)?.adds == 500)
        h.observeAllPods()
        await h.sync()
        #expect(h.client.createAttempts == 600)
    }

    @Test("a ReplicaSet being deleted creates nothing")
    func deletingReplicaSet() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 3, deleting: true))
        #expect(await h.sync() == nil)
        #expect(h.client.createAttempts == 0)
        #expect(h.controller.expectations.pending(h.key) == nil)
    }

    @Test("a ReplicaSet without spec.replicas wants one pod")
    func defaultReplicas() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: nil))
        await h.sync()
        #expect(h.client.createAttempts == 1)
    }

    @Test("the key of a deleted ReplicaSet clears its expectations and writes nothing")
    func deletedKeyClearsExpectations() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 3))
        h.client.setLagging(CoreV1.Pod.self)
        await h.sync()
        #expect(h.controller.expectations.pending(h.key) != nil)
        h.replicaSets.delete(key: h.key)
        h.client.clearActions()
        #expect(await h.sync() == nil)
        #expect(h.controller.expectations.pending(h.key) == nil)
        #expect(h.client.actions.isEmpty)
    }

    @Test("an empty or malformed key is dropped without error")
    func malformedKey() async throws {
        let h = ReplicaSetHarness()
        try await h.controller.sync("a/b/c")
        try await h.controller.sync("default/absent")
        #expect(h.client.actions.isEmpty)
    }
}
