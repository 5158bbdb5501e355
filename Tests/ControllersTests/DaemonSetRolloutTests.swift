import APIMachinery
import Client
import Testing
@testable import Controllers

@Suite("DaemonSet controller: rollouts and revision history")
struct DaemonSetRolloutTests {
    typealias F = Fixtures

    /// A DaemonSet on nodes `names`, each running an available pod of an older template
    /// (hash `old`), named `agent-<node>`.
    static func outdated(_ ds: AppsV1.DaemonSet, nodes names: [String], unavailable: Set<String> = []) -> DaemonSetHarness {
        DaemonSetHarness(
            ds, nodes: names.map { F.node($0) },
            pods: names.map { F.daemonPod("agent-\($0)", on: $0, of: ds, hash: "old", ready: !unavailable.contains($0)) })
    }

    /// The node of `agent-<node>`.
    static func node(of pod: String) -> String { String(pod.dropFirst("agent-".count)) }

    // MARK: RollingUpdate with maxUnavailable

    @Test("maxUnavailable 1: one available old pod is replaced per sync; the others wait until its replacement is available")
    func rollingUpdateOneAtATime() async throws {
        let h = Self.outdated(F.daemonSet(), nodes: ["a", "b", "c"])
        try await h.sync()
        #expect(h.deletedPods.count == 1)
        #expect(h.createdPods.isEmpty)
        let firstDeleted = try #require(h.deletedPods.first)
        let first = Self.node(of: firstDeleted)

        // The emptied node gets a pod of the current template; no further deletion meanwhile.
        h.settle()
        try await h.sync()
        #expect(h.createdNodes == [first])
        #expect(h.deletedPods.count == 1)
        let replacement = try #require(h.createdPods.first)
        #expect(h.pods.get(key: "\(F.namespace)/\(replacement)")?.metadata?.labels?["controller-revision-hash"] == h.hash)

        // Not available yet: the others keep waiting.
        h.settle()
        try await h.sync()
        #expect(h.deletedPods.count == 1)
        #expect(h.status?.updatedNumberScheduled == 1)
        #expect(h.status?.numberUnavailable == 1)

        // Available: the next old pod goes.
        try h.makeReady(replacement)
        try await h.sync()
        #expect(h.deletedPods.count == 2)
        // Another old pod, not the new one.
        #expect(h.deletedPods.allSatisfy { ["agent-a", "agent-b", "agent-c"].contains($0) })
        #expect(h.deletedPods.contains("agent-\(first)"))
        #expect(h.createdPods.count == 1)
    }

    @Test("an unavailable old pod is replaced at once and counts against maxUnavailable, so the available ones wait")
    func unavailableOldReplacedAtOnce() async throws {
        let h = Self.outdated(F.daemonSet(), nodes: ["a", "b", "c"], unavailable: ["a"])
        try await h.sync()
        // a is already down: it goes at once, and as an unavailable node it uses up maxUnavailable 1.
        #expect(h.deletedPods == ["agent-a"])
        #expect(h.createdPods.isEmpty)
    }

    @Test("maxUnavailable as a count or a percentage of the eligible nodes (rounded up)", arguments: [
        (IntOrString.int(2), 2), (.string("50%"), 2), (.string("30%"), 2), (.string("25%"), 1),
    ] as [(IntOrString, Int)])
    func rollingUpdateBudget(maxUnavailable: IntOrString, expected: Int) async throws {
        let h = Self.outdated(F.daemonSet(maxUnavailable: maxUnavailable), nodes: ["a", "b", "c", "d"])
        try await h.sync()
        #expect(h.deletedPods.count == expected)
        #expect(h.createdPods.isEmpty)
    }

    @Test("pods already of the current template are left alone")
    func upToDateUntouched() async throws {
        let ds = F.daemonSet()
        let hash = F.daemonHash(ds)
        let h = DaemonSetHarness(ds, nodes: [F.node("a"), F.node("b")], pods: [
            F.daemonPod("agent-a", on: "a", of: ds, hash: hash), F.daemonPod("agent-b", on: "b", of: ds, hash: hash),
        ])
        try await h.sync()
        #expect(h.deletedPods.isEmpty)
        #expect(h.createdPods.isEmpty)
        #expect(h.status?.updatedNumberScheduled == 2)
    }

    // MARK: RollingUpdate with maxSurge

    @Test("maxSurge 1: a new pod starts next to the old one, which goes only once the new one is available")
    func surge() async throws {
        let h = Self.outdated(F.daemonSet(maxUnavailable: 0, maxSurge: 1), nodes: ["a", "b"])
        try await h.sync()
        #expect(h.deletedPods.isEmpty)
        #expect(h.createdPods.count == 1)
        let first = try #require(h.createdNodes.first)
        let other = first == "a" ? "b" : "a"
        #expect(h.podsOn(first).count == 2)

        // The surged pod is not available: nothing else happens.
        h.settle()
        try await h.sync()
        #expect(h.deletedPods.isEmpty)
        #expect(h.createdPods.count == 1)
        withKnownIssue("status counts the surged (newest) pod of the node; upstream counts each node's oldest pod, here the old available one: ready 2, available 2, updated 0") {
            #expect(h.status?.numberReady == 2)
            #expect(h.status?.numberAvailable == 2)
            #expect(h.status?.updatedNumberScheduled == nil)
        }

        // Available: its old companion goes; then the other node surges.
        let surged = try #require(h.createdPods.first)
        try h.makeReady(surged)
        try await h.sync()
        #expect(h.deletedPods == ["agent-\(first)"])
        h.settle()
        try await h.sync()
        #expect(h.createdPods.count == 2)
        #expect(h.podsOn(other).count == 2)
        #expect(h.deletedPods == ["agent-\(first)"])

        try h.makeReady(h.createdPods[1])
        h.settle()
        try await h.sync()
        #expect(h.deletedPods == ["agent-a", "agent-b"])
        h.settle()
        try await h.sync()
        #expect(h.createdPods.count == 2)
        #expect(h.status?.desiredNumberScheduled == 2)
        #expect(h.status?.updatedNumberScheduled == 2)
        #expect(h.status?.numberAvailable == 2)
        #expect(h.status?.numberUnavailable == nil)
    }

    @Test("maxSurge: an unavailable old pod gets its new pod at once, outside the surge budget, and is not deleted first")
    func surgeUnavailableOld() async throws {
        let h = Self.outdated(F.daemonSet(maxUnavailable: 0, maxSurge: 1), nodes: ["a", "b"], unavailable: ["a"])
        try await h.sync()
        // b, available, surges within the budget.
        #expect(h.createdNodes.contains("b"))
        #expect(!h.deletedPods.contains("agent-b"))
        withKnownIssue("with maxSurge the controller deletes the unavailable old pod first; upstream rollingUpdate creates the new pod beside it (allowedNewNodes) and manage deletes the old one once the new exists") {
            #expect(h.deletedPods.isEmpty)
            #expect(h.createdNodes == ["a", "b"])
        }
    }

    // MARK: OnDelete

    @Test("OnDelete: old pods stay until a user deletes them; then the node gets the current template")
    func onDelete() async throws {
        let h = Self.outdated(F.daemonSet(onDelete: true), nodes: ["a", "b"])
        try await h.sync()
        #expect(h.deletedPods.isEmpty)
        #expect(h.createdPods.isEmpty)
        #expect(h.status?.updatedNumberScheduled == nil)
        #expect(h.status?.numberAvailable == 2)

        h.userDeletes("agent-a")
        try await h.sync()
        #expect(h.createdNodes == ["a"])
        #expect(h.deletedPods.isEmpty)
        let pod = try #require(h.podsOn("a").first)
        #expect(pod.metadata?.labels?["controller-revision-hash"] == h.hash)
        #expect(h.podsOn("b").map(\.name) == ["agent-b"])
    }

    // MARK: Revision history

    @Test("revisions beyond revisionHistoryLimit are deleted, oldest first; the new one is numbered after the newest")
    func trimsHistory() async throws {
        let ds = F.daemonSet(onDelete: true, revisionHistoryLimit: 2)
        let h = DaemonSetHarness(ds, nodes: [F.node("a")], revisions: (1...4).map { F.daemonRevision(of: ds, hash: "h\($0)", revision: Int64($0)) })
        try await h.sync()
        let current = try #require(h.revision(h.hash))
        #expect(current.revision == 5)
        #expect(h.deletedRevisions == ["agent-h1", "agent-h2"])
        #expect(h.revisions.list().map(\.name).sorted() == ["agent-\(h.hash)", "agent-h3", "agent-h4"].sorted())
        // Nothing more to trim.
        h.settle()
        try await h.sync()
        #expect(h.deletedRevisions.count == 2)
    }

    @Test("a revision a live pod still uses is kept, and counts towards the limit")
    func trimsHistoryKeepsLive() async throws {
        let ds = F.daemonSet(onDelete: true, revisionHistoryLimit: 2)
        let h = DaemonSetHarness(
            ds, nodes: [F.node("a")], pods: [F.daemonPod("agent-a", on: "a", of: ds, hash: "h1")],
            revisions: (1...4).map { F.daemonRevision(of: ds, hash: "h\($0)", revision: Int64($0)) })
        try await h.sync()
        #expect(!h.deletedRevisions.contains("agent-h1"))
        #expect(h.deletedRevisions.contains("agent-h2"))
        #expect(h.deletedRevisions == ["agent-h2", "agent-h3"])
    }

    @Test("rolling back to an earlier template reuses its revision and renumbers it after the newest")
    func rollbackRenumbersRevision() async throws {
        let ds = F.daemonSet(onDelete: true)
        let hash = F.daemonHash(ds)
        let data = try ControllerHistory.data(ds.spec?.template)
        let h = DaemonSetHarness(ds, nodes: [F.node("a")], revisions: [
            F.daemonRevision(of: ds, hash: hash, revision: 1, data: data),
            F.daemonRevision(of: ds, hash: "h2", revision: 2),
        ])
        try await h.sync()
        #expect(h.revisions.list().count == 2)
        #expect(h.deletedRevisions.isEmpty)
        #expect(h.createdPods.count == 1)
        #expect(h.podsOn("a").first?.metadata?.labels?["controller-revision-hash"] == hash)
        #expect(h.revision(hash)?.revision == 3)
    }

    @Test("a template change makes a new revision; pods of the old one are then outdated")
    func templateChangeNewRevision() async throws {
        let ds = F.daemonSet(onDelete: true)
        let hash = F.daemonHash(ds)
        let h = DaemonSetHarness(ds, nodes: [F.node("a")], pods: [F.daemonPod("agent-a", on: "a", of: ds, hash: hash)])
        try await h.sync()
        #expect(h.status?.updatedNumberScheduled == 1)
        try h.updateDaemonSet { $0.spec?.template.spec?.containers[0].image = "agent:2" }
        try await h.sync()
        #expect(h.hash != hash)
        let revisions = h.client.actions("create", kind: "ControllerRevision").map(\.name)
        #expect(revisions == ["agent-\(hash)", "agent-\(h.hash)"])
        #expect(h.revision(hash)?.revision == 1)
        #expect(h.revision(h.hash)?.revision == 2)
        #expect(h.status?.updatedNumberScheduled == nil)
        #expect(h.status?.observedGeneration == 2)
        #expect(h.deletedPods.isEmpty)
    }
}
