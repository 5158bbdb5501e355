import APIMachinery
import Testing
@testable import Controllers

@Suite("ReplicaSet controller: pod event handlers")
struct ReplicaSetHandlerTests {
    typealias F = Fixtures

    /// Two ReplicaSets in the namespace: "web" (app=web) and "api" (app=api).
    func harness() -> ReplicaSetHarness {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 2))
        h.client.seed(F.replicaSet("api", uid: "api-uid", selector: ["app": "api"]))
        return h
    }

    @Test("an added orphan enqueues the ReplicaSets whose selector matches it")
    func orphanAdded() async {
        let h = harness()
        h.controller.podAdded(F.pod("o", labels: ["app": "api"]))
        #expect(await h.drainQueue() == ["default/api"])
        h.controller.podAdded(F.pod("nobody", labels: ["app": "db"]))
        h.controller.podAdded(F.pod("bare", labels: [:]))
        #expect(h.controller.queue.len == 0)
    }

    @Test("an added pod with a controller reference lowers its owner's creation expectations")
    func ownedAdded() async {
        let h = harness()
        h.controller.expectations.expectCreations(h.key, 2)
        h.controller.podAdded(F.pod("a", owner: F.replicaSet(replicas: 2)))
        #expect(h.controller.expectations.pending(h.key)?.adds == 1)
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("a pod controlled by something else, or by a ReplicaSet not in the cache, is ignored")
    func foreignOwnerAdded() async {
        let h = harness()
        h.controller.expectations.expectCreations(h.key, 1)
        var deploymentPod = F.pod("d", labels: ["app": "web"])
        deploymentPod.metadata?.ownerReferences = [F.ref(F.deployments, "web", uid: "rs-uid", controller: true)]
        h.controller.podAdded(deploymentPod)
        h.controller.podAdded(F.pod("s", owner: F.replicaSet(uid: "stale-uid")))
        #expect(h.controller.queue.len == 0)
        #expect(h.controller.expectations.pending(h.key)?.adds == 1)
    }

    @Test("an added pod already being deleted counts as a deletion")
    func addedWhileDeleting() async {
        let h = harness()
        h.controller.expectations.expectDeletions(h.key, ["default/a"])
        h.controller.podAdded(F.pod("a", owner: F.replicaSet(), deleting: true))
        #expect(h.controller.expectations.satisfied(h.key))
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("a deleted pod lowers its owner's deletion expectations")
    func deleted() async {
        let h = harness()
        h.controller.expectations.expectDeletions(h.key, ["default/a", "default/b"])
        h.controller.podDeleted(F.pod("a", owner: F.replicaSet()))
        #expect(h.controller.expectations.pending(h.key)?.deletes == 1)
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("an update with an unchanged resourceVersion (a resync) enqueues nothing")
    func resyncIgnored() async {
        let h = harness()
        let pod = F.pod("a", owner: F.replicaSet())
        h.controller.podUpdated(old: pod, new: pod)
        #expect(h.controller.queue.len == 0)
    }

    @Test("an orphan whose labels changed enqueues the ReplicaSets that now match")
    func orphanRelabelled() async {
        let h = harness()
        let old = F.pod("o", labels: ["app": "db"])
        var new = old
        new.metadata?.labels = ["app": "web"]
        new.metadata?.resourceVersion = "2"
        h.controller.podUpdated(old: old, new: new)
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("a pod whose controller reference was removed enqueues its previous owner")
    func controllerRefRemoved() async {
        let h = harness()
        let old = F.pod("a", labels: ["app": "db"], owner: F.replicaSet())
        var new = old
        new.metadata?.ownerReferences = nil
        new.metadata?.resourceVersion = "2"
        h.controller.podUpdated(old: old, new: new)
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("a pod updated into deletion counts as deleted, for its old labels' owner too")
    func updatedIntoDeletion() async {
        let h = harness()
        h.controller.expectations.expectDeletions(h.key, ["default/a"])
        let old = F.pod("a", owner: F.replicaSet())
        var new = old
        new.metadata?.deletionTimestamp = F.time(1)
        new.metadata?.resourceVersion = "2"
        h.controller.podUpdated(old: old, new: new)
        #expect(h.controller.expectations.satisfied(h.key))
        #expect(await h.drainQueue() == [h.key])
    }

    @Test("a pod that became ready is looked at again minReadySeconds + 1 s later")
    func becameReady() async {
        let rs = F.replicaSet(minReadySeconds: 5)
        let h = ReplicaSetHarness(rs)
        let old = F.pod("a", owner: rs, ready: false)
        var new = F.pod("a", owner: rs, readySince: 0)
        new.metadata?.resourceVersion = "2"
        h.controller.podUpdated(old: old, new: new)
        #expect(await h.drainQueue() == [h.key])
        h.clock.advance(by: .seconds(5))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.drainQueue() == [h.key])
    }
}
