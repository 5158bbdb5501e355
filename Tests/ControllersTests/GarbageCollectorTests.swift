import APIMachinery
import Client
import Testing
@testable import Controllers

@Suite("Garbage collector")
struct GarbageCollectorTests {
    typealias F = Fixtures
    typealias H = GarbageCollectorHarness
    static let owner = F.ref(F.replicaSets, "web", uid: "rs-1", controller: true, block: true)

    // MARK: Discovery

    @Test("watchable keeps resources that can be listed, watched and deleted, except events")
    func watchable() {
        let h = H()
        let resources = [
            F.pods,
            F.resource("", "v1", "Event", "events"),
            F.resource("events.k8s.io", "v1", "Event", "events"),
            F.resource("", "v1", "Binding", "bindings", verbs: ["create"]),
            F.resource("", "v1", "ComponentStatus", "componentstatuses", namespaced: false, verbs: ["get", "list"]),
            F.resource("example.com", "v1", "Widget", "widgets", verbs: ["list", "watch"]),
            F.replicaSets,
            F.resource("example.com", "v1", "Gadget", "gadgets", verbs: ["delete", "list", "watch"]),
        ]
        #expect(h.gc.watchable(resources).map(\.plural) == ["pods", "replicasets", "gadgets"])
        #expect(GarbageCollector.ignored.contains(GroupVersionResource(group: "", version: "v1", resource: "events")))
    }

    // MARK: Graph events

    @Test("an added object with owners is queued for a look; one without owners is not")
    func observedQueues() async {
        let h = H()
        h.gc.observed(F.pods, F.metadata(F.pods, "lonely"))
        #expect(h.gc.attemptToDelete.len == 0)
        let pod = F.metadata(F.pods, "p", owners: [Self.owner])
        h.gc.observed(F.pods, pod)
        #expect(await h.drain(h.gc.attemptToDelete) == ["uid-p"])
        // Same owners again (a status change): nothing to look at.
        h.gc.observed(F.pods, F.metadata(F.pods, "p", owners: [Self.owner], resourceVersion: "8"))
        #expect(h.gc.attemptToDelete.len == 0)
        // Owners changed: look again.
        h.gc.observed(F.pods, F.metadata(F.pods, "p", owners: [Self.owner, F.ref(F.configMaps, "c", uid: "cm-1")]))
        #expect(await h.drain(h.gc.attemptToDelete) == ["uid-p"])
        #expect(h.client.actions.isEmpty)
    }

    @Test("a removed owner queues its dependents; removing an unknown uid does nothing")
    func removedQueuesDependents() async {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1"))
        h.add(F.pods, F.metadata(F.pods, "a", owners: [Self.owner]))
        h.add(F.pods, F.metadata(F.pods, "b", owners: [Self.owner]))
        _ = await h.drain(h.gc.attemptToDelete)
        h.gc.removed("nobody")
        #expect(h.gc.attemptToDelete.len == 0)
        h.gc.removed("rs-1")
        #expect(await h.drain(h.gc.attemptToDelete) == ["uid-a", "uid-b"])
        #expect(h.gc.deletingOwners.len == 0)
    }

    // MARK: attemptToDeleteItem

    @Test("a dependent whose owner is absent is deleted in the background, if it still has its uid")
    func absentOwner() async throws {
        let h = H()
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.actions == [
            .get(resource: "replicasets", namespace: F.namespace, name: "web"),
            .delete(resource: "pods", namespace: F.namespace, name: "p", uid: "uid-p", propagation: "Background"),
        ])
        #expect(h.client.object(F.pods, namespace: F.namespace, name: "p") == nil)
    }

    @Test("a dependent whose owner is in the graph is left alone, without a live read")
    func ownerInGraph() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1"))
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.actions.isEmpty)
    }

    @Test("an owner missing from a lagging graph but live in the apiserver keeps its dependent")
    func ownerLiveButNotObserved() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1"), observe: false)
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.actions == [.get(resource: "replicasets", namespace: F.namespace, name: "web")])
    }

    @Test("an owner of the same name with another uid is gone: the dependent is deleted")
    func ownerUIDMismatch() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-2"), observe: false)
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes == [.delete(resource: "pods", namespace: F.namespace, name: "p", uid: "uid-p", propagation: "Background")])
    }

    @Test("with solid and dangling owners, only the dangling references are removed, by a guarded patch")
    func mixedOwners() async throws {
        let h = H()
        let solid = F.ref(F.configMaps, "settings", uid: "cm-1")
        h.add(F.configMaps, F.metadata(F.configMaps, "settings", uid: "cm-1"))
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner, solid]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes == [.patch(resource: "pods", namespace: F.namespace, name: "p", patch: [
            "metadata": ["ownerReferences": JSONCodec.tree(of: [solid]), "resourceVersion": "7", "uid": "uid-p"],
        ])])
        #expect(h.client.object(F.pods, namespace: F.namespace, name: "p")?.metadata.ownerReferences == [solid])
    }

    @Test("an absent owner is read once: later dependents of it are collected from the absent cache")
    func absentCache() async throws {
        let h = H()
        h.add(F.pods, F.metadata(F.pods, "a", owners: [Self.owner]))
        h.add(F.pods, F.metadata(F.pods, "b", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-a")
        try await h.gc.attemptToDeleteItem("uid-b")
        #expect(h.client.actions.filter { if case .get = $0 { true } else { false } }.count == 1)
        #expect(h.client.writes.count == 2)
    }

    @Test("a dependent of an owner deleting in the foreground is deleted in the foreground")
    func waitingOwnerInGraph() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1", finalizers: ["foregroundDeletion"], deleting: true))
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes == [.delete(resource: "pods", namespace: F.namespace, name: "p", uid: "uid-p", propagation: "Foreground")])
    }

    @Test("a live owner read as deleting in the foreground also counts as waiting")
    func waitingOwnerLive() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1", finalizers: ["foregroundDeletion"], deleting: true), observe: false)
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes == [.delete(resource: "pods", namespace: F.namespace, name: "p", uid: "uid-p", propagation: "Foreground")])
    }

    @Test("an owner deleting with orphan or no finalizer is still solid")
    func orphaningOwnerIsSolid() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1", finalizers: ["orphan"], deleting: true), observe: false)
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes.isEmpty)
    }

    @Test("the dependent's own finalizers choose the propagation of its deletion", arguments: [
        (["orphan"], "Orphan"), (["foregroundDeletion"], "Foreground"), (["example.com/x"], "Background"),
    ])
    func propagationFromFinalizers(finalizers: [String], policy: String) async throws {
        let h = H()
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner], finalizers: finalizers))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.writes == [.delete(resource: "pods", namespace: F.namespace, name: "p", uid: "uid-p", propagation: policy)])
    }

    @Test("a dependent already being deleted, or without owners, or unknown, is left alone")
    func nothingToDo() async throws {
        let h = H()
        h.add(F.pods, F.metadata(F.pods, "going", owners: [Self.owner], finalizers: ["example.com/x"], deleting: true))
        h.add(F.pods, F.metadata(F.pods, "free"))
        try await h.gc.attemptToDeleteItem("uid-going")
        try await h.gc.attemptToDeleteItem("uid-free")
        try await h.gc.attemptToDeleteItem("uid-unknown")
        #expect(h.client.actions.isEmpty)
    }

    @Test("a delete answered 404 or 409 (gone, or replaced) is not an error")
    func deleteRace() async throws {
        let h = H()
        h.gc.observed(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        h.add(F.pods, F.metadata(F.pods, "q", owners: [Self.owner]))
        h.client.seed(F.pods, F.metadata(F.pods, "q", uid: "uid-q2", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-q")
        #expect(h.client.object(F.pods, namespace: F.namespace, name: "q")?.metadata.uid == "uid-q2")
    }

    @Test("an owner kind the apiserver does not serve fails the attempt, to be retried")
    func unservedOwnerKind() async throws {
        let h = H()
        h.add(F.pods, F.metadata(F.pods, "p", owners: [F.ref(F.resource("example.com", "v1", "Widget", "widgets"), "w", uid: "w-1")]))
        await #expect(throws: StatusError.self) { try await h.gc.attemptToDeleteItem("uid-p") }
        #expect(h.client.writes.isEmpty)
    }

    @Test("a cluster-scoped dependent naming a namespaced owner kind: OwnerRefInvalidNamespace, and it is never collected (as upstream)")
    func clusterScopedDependentOfNamespacedKind() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", namespace: "", uid: "rs-1"), observe: false)
        let role = F.metadata(F.clusterRoles, "reader", uid: "cr-1", owners: [Self.owner])
        h.add(F.clusterRoles, role)
        try await h.gc.attemptToDeleteItem("cr-1")

        let event = try #require(h.events.all.first)
        #expect(h.events.all.count == 1)
        #expect(event.type == .warning)
        #expect(event.reason == "OwnerRefInvalidNamespace")
        #expect(event.object == CoreV1.ObjectReference(kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", name: "reader", uid: "cr-1"))
        #expect(event.message == "ownerRef [apps/v1/ReplicaSet, namespace: , name: web, uid: rs-1] does not exist in namespace \"\"")
        // No lookup: a namespaced owner cannot be found from a cluster-scoped object.
        #expect(!h.client.actions.contains { if case .get = $0 { true } else { false } })
        #expect(h.client.writes.isEmpty)
    }

    @Test("a cluster-scoped owner of a namespaced dependent is looked up without a namespace")
    func clusterScopedOwner() async throws {
        let h = H()
        let nsOwner = F.ref(F.namespaces, "team-a", uid: "ns-1")
        h.add(F.namespaces, F.metadata(F.namespaces, "team-a", uid: "ns-1"), observe: false)
        h.add(F.pods, F.metadata(F.pods, "p", owners: [nsOwner]))
        try await h.gc.attemptToDeleteItem("uid-p")
        #expect(h.client.actions == [.get(resource: "namespaces", namespace: "", name: "team-a")])
        #expect(h.events.all.isEmpty)
    }

    @Test("an owner found absent in one namespace is still looked up for a dependent in another")
    func absentCacheIsPerNamespace() async throws {
        let h = H()
        // "web" (uid rs-1) lives in namespace "b"; the graph has not seen it yet.
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", namespace: "b", uid: "rs-1"), observe: false)
        h.add(F.pods, F.metadata(F.pods, "wrong-ns", namespace: "a", owners: [Self.owner]))
        h.add(F.pods, F.metadata(F.pods, "right-ns", namespace: "b", owners: [Self.owner]))
        try await h.gc.attemptToDeleteItem("uid-wrong-ns")
        #expect(h.client.writes == [.delete(resource: "pods", namespace: "a", name: "wrong-ns", uid: "uid-wrong-ns", propagation: "Background")])
        h.client.clearActions()
        try await h.gc.attemptToDeleteItem("uid-right-ns")
        #expect(h.client.writes.isEmpty)
    }

    // MARK: Foreground and orphan deletion of owners

    @Test("foreground: dependents are deleted in the foreground, then the owner's finalizer is removed once none blocks")
    func foregroundDeletion() async throws {
        let h = H()
        let blocking = Self.owner
        let nonBlocking = F.ref(F.replicaSets, "web", uid: "rs-1", block: false)
        h.add(F.pods, F.metadata(F.pods, "p1", owners: [blocking]))
        h.add(F.pods, F.metadata(F.pods, "p2", owners: [nonBlocking]))
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1"))
        _ = await h.drain(h.gc.attemptToDelete)

        // The owner is deleted with propagationPolicy=Foreground.
        let deleting = F.metadata(F.replicaSets, "web", uid: "rs-1", finalizers: ["foregroundDeletion"], deleting: true, resourceVersion: "9")
        h.add(F.replicaSets, deleting)
        #expect(await h.drain(h.gc.deletingOwners) == ["rs-1"])
        #expect(await h.drain(h.gc.attemptToDelete) == ["uid-p1", "uid-p2"])

        // While a blocking dependent remains, the owner waits and its dependents are queued.
        try await h.gc.processDeletingOwner("rs-1")
        #expect(h.client.writes.isEmpty)
        #expect(await h.drain(h.gc.attemptToDelete) == ["uid-p1", "uid-p2"])

        try await h.gc.attemptToDeleteItem("uid-p1")
        try await h.gc.attemptToDeleteItem("uid-p2")
        #expect(h.client.writes == [
            .delete(resource: "pods", namespace: F.namespace, name: "p1", uid: "uid-p1", propagation: "Foreground"),
            .delete(resource: "pods", namespace: F.namespace, name: "p2", uid: "uid-p2", propagation: "Foreground"),
        ])

        // The non-blocking dependent going does not release the owner.
        h.gc.removed("uid-p2")
        #expect(await h.drain(h.gc.deletingOwners) == ["rs-1"])
        h.client.clearActions()
        try await h.gc.processDeletingOwner("rs-1")
        #expect(h.client.writes.isEmpty)

        h.gc.removed("uid-p1")
        #expect(await h.drain(h.gc.deletingOwners) == ["rs-1"])
        try await h.gc.processDeletingOwner("rs-1")
        #expect(h.client.writes == [.patch(resource: "replicasets", namespace: F.namespace, name: "web", patch: [
            "metadata": ["finalizers": nil, "resourceVersion": "9", "uid": "rs-1"],
        ])])
        // Its last finalizer gone, the apiserver deletes the owner.
        #expect(h.client.object(F.replicaSets, namespace: F.namespace, name: "web") == nil)
    }

    @Test("foreground: an owner without blocking dependents keeps its other finalizers")
    func foregroundKeepsOtherFinalizers() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(
            F.replicaSets, "web", uid: "rs-1", finalizers: ["example.com/keep", "foregroundDeletion"], deleting: true))
        try await h.gc.processDeletingOwner("rs-1")
        #expect(h.client.writes == [.patch(resource: "replicasets", namespace: F.namespace, name: "web", patch: [
            "metadata": ["finalizers": ["example.com/keep"], "resourceVersion": "7", "uid": "rs-1"],
        ])])
        #expect(h.client.object(F.replicaSets, namespace: F.namespace, name: "web")?.metadata.finalizers == ["example.com/keep"])
    }

    @Test("orphan: the owner's reference is removed from each dependent, then the orphan finalizer")
    func orphanDeletion() async throws {
        let h = H()
        let other = F.ref(F.configMaps, "settings", uid: "cm-1")
        h.add(F.pods, F.metadata(F.pods, "p1", owners: [Self.owner]))
        h.add(F.pods, F.metadata(F.pods, "p2", owners: [Self.owner, other]))
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1", finalizers: ["orphan"], deleting: true))
        #expect(await h.drain(h.gc.deletingOwners) == ["rs-1"])

        try await h.gc.processDeletingOwner("rs-1")
        let writes = h.client.writes
        #expect(writes.count == 3)
        // Dependents first, in any order.
        #expect(writes.prefix(2).contains(.patch(resource: "pods", namespace: F.namespace, name: "p1", patch: [
            "metadata": ["ownerReferences": nil, "resourceVersion": "7", "uid": "uid-p1"],
        ])))
        #expect(writes.prefix(2).contains(.patch(resource: "pods", namespace: F.namespace, name: "p2", patch: [
            "metadata": ["ownerReferences": JSONCodec.tree(of: [other]), "resourceVersion": "7", "uid": "uid-p2"],
        ])))
        #expect(writes.last == .patch(resource: "replicasets", namespace: F.namespace, name: "web", patch: [
            "metadata": ["finalizers": nil, "resourceVersion": "7", "uid": "rs-1"],
        ]))
        #expect(h.client.object(F.pods, namespace: F.namespace, name: "p1")?.metadata.ownerReferences == nil)
        #expect(h.client.object(F.pods, namespace: F.namespace, name: "p2")?.metadata.ownerReferences == [other])
        #expect(h.client.object(F.replicaSets, namespace: F.namespace, name: "web") == nil)
    }

    @Test("an owner neither orphaning nor deleting its dependents, or unknown, is left alone")
    func notDeletingOwner() async throws {
        let h = H()
        h.add(F.replicaSets, F.metadata(F.replicaSets, "web", uid: "rs-1"))
        h.add(F.pods, F.metadata(F.pods, "p", owners: [Self.owner]))
        try await h.gc.processDeletingOwner("rs-1")
        try await h.gc.processDeletingOwner("unknown")
        #expect(h.client.actions.isEmpty)
    }
}
