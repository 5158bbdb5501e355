import APIMachinery
import Testing
@testable import Controllers

@Suite("ReplicaSet controller: status")
struct ReplicaSetStatusTests {
    typealias F = Fixtures

    @Test("counts replicas, fully labelled, ready and available pods, and the observed generation")
    func statusFields() async throws {
        let rs = F.replicaSet(replicas: 3, templateLabels: ["app": "web", "tier": "fe"], minReadySeconds: 10, generation: 7)
        let h = ReplicaSetHarness(rs, pods: [
            F.pod("long-ready", labels: ["app": "web", "tier": "fe"], owner: rs, readySince: -60),
            F.pod("just-ready", labels: ["app": "web", "tier": "fe", "extra": "x"], owner: rs, readySince: -5),
            F.pod("not-ready", labels: ["app": "web"], owner: rs, ready: false, readySince: -600),
        ])
        #expect(await h.sync() == nil)
        #expect(h.status == AppsV1.ReplicaSetStatus(
            availableReplicas: 1, fullyLabeledReplicas: 2, observedGeneration: 7, readyReplicas: 2, replicas: 3))

        // Wall time moves with the manual clock: "just-ready" becomes available once it has
        // been ready for minReadySeconds (the exact boundary instant is not pinned here).
        h.clock.advance(by: .seconds(4))
        await h.sync()
        #expect(h.status?.availableReplicas == 1)
        h.clock.advance(by: .seconds(2))
        await h.sync()
        #expect(h.status?.availableReplicas == 2)
        #expect(h.client.createAttempts == 0)
    }

    @Test("without minReadySeconds every ready pod is available")
    func availableWithoutMinReady() async throws {
        let rs = F.replicaSet(replicas: 2)
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs, readySince: 0), F.pod("b", owner: rs, ready: false)])
        await h.sync()
        #expect(h.status?.readyReplicas == 1)
        #expect(h.status?.availableReplicas == 1)
    }

    @Test("zero counts are omitted, as Go's omitempty writes them")
    func zeroCountsOmitted() async throws {
        let rs = F.replicaSet(replicas: 1)
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs, ready: false)])
        await h.sync()
        #expect(h.status == AppsV1.ReplicaSetStatus(fullyLabeledReplicas: 1, observedGeneration: 1, replicas: 1))
    }

    @Test("no status write when nothing changed")
    func noWriteWhenUnchanged() async throws {
        let rs = F.replicaSet(replicas: 2)
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs), F.pod("b", owner: rs)])
        await h.sync()
        #expect(h.client.actions("updateStatus").count == 1)
        h.client.clearActions()
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
    }

    @Test("all ready but not yet available: the key comes back after minReadySeconds")
    func requeueForAvailability() async throws {
        let rs = F.replicaSet(replicas: 2, minReadySeconds: 10)
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs, readySince: 0), F.pod("b", owner: rs, readySince: 0)])
        await h.sync()
        #expect(h.status?.readyReplicas == 2)
        #expect(h.status?.availableReplicas == nil)
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(9))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.drainQueue() == [h.key])
        h.clock.advance(by: .seconds(1))
        await h.sync()
        #expect(h.status?.availableReplicas == 2)
    }

    @Test("a status write that conflicts fails the sync, so it is retried")
    func statusConflict() async throws {
        let rs = F.replicaSet(replicas: 0)
        let h = ReplicaSetHarness(rs)
        // The apiserver has a newer ReplicaSet than the informer.
        var newer = rs
        newer.metadata?.resourceVersion = "2"
        h.client.seed(newer, mirror: false)
        let error = await h.sync()
        #expect((error as? StatusError)?.isConflict == true)
    }
}
