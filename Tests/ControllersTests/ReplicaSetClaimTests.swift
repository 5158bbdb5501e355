import APIMachinery
import Testing
@testable import Controllers

@Suite("ReplicaSet controller: scaling down, adoption and release")
struct ReplicaSetClaimTests {
    typealias F = Fixtures
    static let rs = F.replicaSet(replicas: 1)

    @Test("scale down deletes the lowest-ranked pods, each with a uid precondition")
    func scaleDown() async throws {
        let rs = Self.rs
        let pods = [
            F.pod("ready-old", owner: rs, created: -9000),
            F.pod("unscheduled", owner: rs, phase: "Pending", ready: false, node: nil),
            F.pod("pending", owner: rs, phase: "Pending", ready: false),
            F.pod("not-ready", owner: rs, ready: false),
        ]
        let h = ReplicaSetHarness(rs, pods: pods)
        #expect(await h.sync() == nil)

        #expect(h.deletedPods == ["not-ready", "pending", "unscheduled"])
        for action in h.client.actions("delete", kind: "Pod") {
            #expect(action == .delete(kind: "Pod", namespace: F.namespace, name: action.name, uid: "uid-\(action.name)", propagation: nil))
        }
        #expect(h.client.createAttempts == 0)
        #expect(h.pods.list().map(\.name) == ["ready-old"])
        #expect(Set(h.events.with(reason: "SuccessfulDelete").map(\.message))
            == ["Deleted pod: not-ready", "Deleted pod: pending", "Deleted pod: unscheduled"])
        #expect(h.controller.expectations.pending(h.key)?.deletes == 3)
        // The status counts the pods the sync started from.
        #expect(h.status?.replicas == 4)

        for pod in pods where pod.name != "ready-old" { h.controller.podDeleted(pod) }
        #expect(h.controller.expectations.satisfied(h.key))
    }

    @Test("scale down honours pod-deletion-cost among otherwise equal pods")
    func scaleDownByCost() async throws {
        let rs = F.replicaSet(replicas: 2)
        let h = ReplicaSetHarness(rs, pods: [
            F.pod("a", owner: rs, cost: "10"), F.pod("b", owner: rs, cost: "-1"), F.pod("c", owner: rs, cost: "5"),
        ])
        await h.sync()
        #expect(h.deletedPods == ["b"])
    }

    @Test("no deletion while deletions are pending in a lagging informer")
    func noDoubleDeletion() async throws {
        let rs = Self.rs
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs), F.pod("b", owner: rs, created: -10)])
        h.client.setLagging(CoreV1.Pod.self)
        await h.sync()
        #expect(h.deletedPods == ["b"])
        await h.sync()
        #expect(h.client.actions("delete").count == 1)
    }

    @Test("a pod already gone (404) counts as deleted, without FailedDelete")
    func deleteNotFound() async throws {
        let rs = Self.rs
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs), F.pod("b", owner: rs, created: -10)])
        h.client.forget(CoreV1.Pod.self, namespace: F.namespace, name: "b")
        await h.sync()
        #expect(h.deletedPods == ["b"])
        #expect(h.controller.expectations.satisfied(h.key))
        #expect(h.events.with(reason: "FailedDelete").isEmpty)
        #expect(h.status?.conditions == nil)
    }

    @Test("a refused delete is not waited for and is reported as FailedDelete and ReplicaFailure")
    func failedDelete() async throws {
        let rs = Self.rs
        let h = ReplicaSetHarness(rs, pods: [F.pod("a", owner: rs), F.pod("b", owner: rs, created: -10)])
        let refusal = StatusError(.failure(.forbidden, message: "pods \"b\" is forbidden: denied by policy"))
        h.client.failDeletes(with: refusal)
        await h.sync()
        #expect(h.deletedPods == ["b"])
        #expect(h.controller.expectations.satisfied(h.key))
        let event = try #require(h.events.with(reason: "FailedDelete").first)
        #expect(event.type == .warning)
        #expect(event.message == "Error deleting: \(refusal)")
        let condition = try #require(h.status?.conditions?.first)
        #expect(condition.type == "ReplicaFailure" && condition.reason == "FailedDelete" && condition.message == refusal.description)
    }

    @Test("matching orphans are adopted by a merge patch that appends the controller reference and pins the uid")
    func adoptsOrphans() async throws {
        let rs = F.replicaSet(replicas: 2)
        let other = F.ref(F.configMaps, "settings", uid: "cm-uid")
        let h = ReplicaSetHarness(rs, pods: [F.pod("orphan", extraOwners: [other])])
        #expect(await h.sync() == nil)

        let patches = h.client.actions("patch", kind: "Pod")
        #expect(patches == [.patch(kind: "Pod", namespace: F.namespace, name: "orphan", patch: [
            "metadata": ["ownerReferences": JSONCodec.tree(of: [other, rs.asControllerRef]), "uid": "uid-orphan"],
        ])])
        let adopted = try #require(h.client.object(CoreV1.Pod.self, namespace: F.namespace, name: "orphan"))
        #expect(adopted.controllerRef?.uid == "rs-uid")
        // The adopted pod counts: one more is created, not two.
        #expect(h.client.createAttempts == 1)
        #expect(h.status?.replicas == 1)
    }

    @Test("orphans whose labels do not match, or that are not active, are left alone")
    func nonMatchingOrphans() async throws {
        let h = ReplicaSetHarness(F.replicaSet(replicas: 1), pods: [
            F.pod("other-app", labels: ["app": "api"]),
            F.pod("unlabelled", labels: [:]),
            F.pod("finished", phase: "Succeeded"),
            F.pod("going", deleting: true),
        ])
        await h.sync()
        #expect(h.client.actions("patch").isEmpty)
        #expect(h.client.createAttempts == 1)
    }

    @Test("owned pods whose labels stopped matching are released, keeping their other owners")
    func releasesNonMatching() async throws {
        let rs = Self.rs
        let other = F.ref(F.configMaps, "settings", uid: "cm-uid")
        let h = ReplicaSetHarness(rs, pods: [
            F.pod("relabelled", labels: ["app": "debug"], owner: rs, extraOwners: [other]),
            F.pod("sole", labels: ["app": "debug"], owner: rs),
        ])
        #expect(await h.sync() == nil)

        let patches = h.client.actions("patch", kind: "Pod").sorted { $0.name < $1.name }
        #expect(patches == [
            .patch(kind: "Pod", namespace: F.namespace, name: "relabelled", patch: [
                "metadata": ["ownerReferences": JSONCodec.tree(of: [other]), "uid": "uid-relabelled"],
            ]),
            .patch(kind: "Pod", namespace: F.namespace, name: "sole", patch: ["metadata": ["ownerReferences": nil, "uid": "uid-sole"]]),
        ])
        #expect(h.client.object(CoreV1.Pod.self, namespace: F.namespace, name: "sole")?.metadata?.ownerReferences == nil)
        // Released pods are not replicas: a replacement is created and nothing is deleted.
        #expect(h.client.createAttempts == 1)
        #expect(h.client.actions("delete").isEmpty)
    }

    @Test("pods controlled by another controller are neither adopted, counted nor deleted")
    func otherControllersPods() async throws {
        let mine = F.replicaSet(replicas: 2)
        let theirs = F.replicaSet("web-v2", uid: "other-uid")
        let h = ReplicaSetHarness(mine, pods: [F.pod("theirs-1", owner: theirs), F.pod("theirs-2", owner: theirs)])
        await h.sync()
        #expect(h.client.actions("patch").isEmpty)
        #expect(h.client.actions("delete").isEmpty)
        #expect(h.client.createAttempts == 2)
        #expect(h.status?.replicas == 0)
    }

    @Test("a pod naming a previous ReplicaSet of the same name (another uid) is not ours")
    func staleUID() async throws {
        let old = F.replicaSet(uid: "old-uid")
        let h = ReplicaSetHarness(F.replicaSet(replicas: 1), pods: [F.pod("stale", owner: old)])
        await h.sync()
        #expect(h.client.actions("patch").isEmpty)
        #expect(h.client.createAttempts == 1)
    }

    @Test("Succeeded, Failed and deleting pods are not counted as replicas and not deleted")
    func inactiveNotCounted() async throws {
        let rs = F.replicaSet(replicas: 2)
        let h = ReplicaSetHarness(rs, pods: [
            F.pod("running", owner: rs),
            F.pod("succeeded", owner: rs, phase: "Succeeded", ready: false),
            F.pod("failed", owner: rs, phase: "Failed", ready: false),
            F.pod("deleting", owner: rs, deleting: true),
        ])
        await h.sync()
        #expect(h.client.createAttempts == 1)
        #expect(h.client.actions("delete").isEmpty)
        #expect(h.status?.replicas == 1)
    }
}
