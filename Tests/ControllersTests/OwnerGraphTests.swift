import APIMachinery
import Testing
@testable import Controllers

@Suite("OwnerGraph")
struct OwnerGraphTests {
    typealias F = Fixtures

    func node(
        _ name: String, owners: [MetaV1.OwnerReference] = [], finalizers: [String] = [], deleting: Bool = false
    ) -> OwnerGraph.Node {
        OwnerGraph.Node(resource: F.pods, object: F.metadata(F.pods, name, owners: owners, finalizers: finalizers, deleting: deleting))
    }

    @Test("a node reads its identity, owners, finalizers and deletion from the object's metadata")
    func nodeFromMetadata() {
        let owner = F.ref(F.replicaSets, "web", uid: "rs-1", controller: true)
        let n = node("p", owners: [owner], finalizers: ["x"], deleting: true)
        #expect(n.uid == "uid-p" && n.name == "p" && n.namespace == F.namespace && n.resourceVersion == "7")
        #expect(n.owners == [owner] && n.finalizers == ["x"] && n.deleting)
        #expect(n.resource == F.pods)
    }

    @Test("upsert files a node under each of its owners, whether or not the owners are known")
    func upsertIndexes() {
        var graph = OwnerGraph()
        let a = F.ref(F.replicaSets, "a", uid: "rs-a"), b = F.ref(F.replicaSets, "b", uid: "rs-b")
        #expect(graph.upsert(node("p1", owners: [a, b])) == nil)
        graph.upsert(node("p2", owners: [a]))
        #expect(graph.dependents(of: "rs-a") == ["uid-p1", "uid-p2"])
        #expect(graph.dependents(of: "rs-b") == ["uid-p1"])
        #expect(graph.dependents(of: "rs-c").isEmpty)
        #expect(graph.nodes.count == 2)
    }

    @Test("upsert with new owners moves the node in the index and returns its previous state")
    func upsertMoves() {
        var graph = OwnerGraph()
        let a = F.ref(F.replicaSets, "a", uid: "rs-a"), b = F.ref(F.replicaSets, "b", uid: "rs-b")
        let first = node("p", owners: [a])
        graph.upsert(first)
        let previous = graph.upsert(node("p", owners: [b]))
        #expect(previous == first)
        #expect(graph.dependents(of: "rs-a").isEmpty)
        #expect(graph.dependents(of: "rs-b") == ["uid-p"])
        graph.upsert(node("p"))
        #expect(graph.dependents(of: "rs-b").isEmpty)
        #expect(graph.nodes["uid-p"]?.owners == [])
    }

    @Test("remove forgets the node and its index entries; removing an unknown uid does nothing")
    func remove() {
        var graph = OwnerGraph()
        let a = F.ref(F.replicaSets, "a", uid: "rs-a")
        graph.upsert(node("p1", owners: [a]))
        graph.upsert(node("p2", owners: [a]))
        #expect(graph.remove("uid-p1")?.name == "p1")
        #expect(graph.dependents(of: "rs-a") == ["uid-p2"])
        #expect(graph.remove("uid-p1") == nil)
        graph.remove("uid-p2")
        #expect(graph.dependents(of: "rs-a").isEmpty)
        #expect(graph.nodes.isEmpty)
    }

    @Test("blocking dependents are those whose reference to that owner has blockOwnerDeletion: true")
    func blockingDependents() {
        var graph = OwnerGraph()
        let blocking = F.ref(F.replicaSets, "a", uid: "rs-a", controller: true, block: true)
        let nonBlocking = F.ref(F.replicaSets, "a", uid: "rs-a", block: false)
        let other = F.ref(F.replicaSets, "b", uid: "rs-b", block: true)
        graph.upsert(node("blocks", owners: [blocking]))
        graph.upsert(node("does-not", owners: [nonBlocking]))
        graph.upsert(node("unset", owners: [F.ref(F.replicaSets, "a", uid: "rs-a")]))
        graph.upsert(node("blocks-b", owners: [F.ref(F.replicaSets, "a", uid: "rs-a"), other]))
        #expect(graph.blockingDependents(of: "rs-a").map(\.name) == ["blocks"])
        #expect(graph.blockingDependents(of: "rs-b").map(\.name) == ["blocks-b"])
    }

    @Test("deletingDependents and orphaningDependents need a deletionTimestamp and the finalizer")
    func deletionFlags() {
        #expect(node("o", finalizers: ["foregroundDeletion"], deleting: true).deletingDependents)
        #expect(!node("o", finalizers: ["foregroundDeletion"]).deletingDependents)
        #expect(!node("o", finalizers: ["orphan"], deleting: true).deletingDependents)
        #expect(node("o", finalizers: ["orphan"], deleting: true).orphaningDependents)
        #expect(!node("o", finalizers: ["orphan"]).orphaningDependents)
        #expect(!node("o", deleting: true).orphaningDependents)
    }
}
