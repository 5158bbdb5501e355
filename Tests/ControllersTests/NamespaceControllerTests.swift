import APIMachinery
import Testing
@testable import Controllers

@Suite("Namespace controller")
struct NamespaceControllerTests {
    typealias F = Fixtures
    typealias H = NamespaceHarness

    static let allGood: [String: [String]] = [
        "NamespaceDeletionDiscoveryFailure": ["False", "ResourcesDiscovered", "All resources successfully discovered"],
        "NamespaceDeletionGroupVersionParsingFailure": ["False", "ParsedGroupVersions", "All legacy kube types successfully parsed"],
        "NamespaceDeletionContentFailure": ["False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"],
        "NamespaceContentRemaining": ["False", "ContentRemoved", "All content successfully removed"],
        "NamespaceFinalizersRemaining": ["False", "ContentHasNoFinalizers", "All content-preserving finalizers finished"],
    ]

    @Test("a terminating namespace is emptied, reports what remains, and is looked at again later")
    func contentRemaining() async throws {
        let h = H(F.namespace("doomed", terminating: true))
        h.client.seed(F.pods, F.metadata(F.pods, "held", namespace: "doomed", finalizers: ["example.com/hold"], gracePeriod: 30))
        h.client.seed(F.pods, F.metadata(F.pods, "plain", namespace: "doomed"))
        h.client.seed(H.configMaps, F.metadata(H.configMaps, "c1", namespace: "doomed"))
        h.client.seed(H.configMaps, F.metadata(H.configMaps, "c-held", namespace: "doomed", finalizers: ["example.com/hold"], deleting: true))
        h.client.seed(F.pods, F.metadata(F.pods, "bystander", namespace: "other"))

        #expect(await h.sync("doomed") == nil)
        #expect(h.client.writes == [
            .deleteCollection(resource: "pods", namespace: "doomed"),
            .delete(resource: "configmaps", namespace: "doomed", name: "c1", uid: "uid-c1", propagation: nil),
        ])
        #expect(h.client.object(F.pods, namespace: "other", name: "bystander") != nil)
        #expect(h.client.objects(F.pods, namespace: "doomed").map(\.objectName) == ["held"])

        var expected = Self.allGood
        expected["NamespaceContentRemaining"] = [
            "True", "SomeResourcesRemain", "Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances",
        ]
        expected["NamespaceFinalizersRemaining"] = [
            "True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances",
        ]
        #expect(h.conditions("doomed") == expected)
        #expect(h.namespace("doomed")?.status?.conditions?.allSatisfy { $0.lastTransitionTime == h.clock.wallNow.time } == true)
        #expect(h.namespace("doomed")?.status?.phase == "Terminating")

        // Half the longest remaining grace period plus a second: 30 / 2 + 1.
        h.clock.advance(by: .seconds(15))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(h.controller.queue.len == 1)
    }

    @Test("once nothing remains the conditions clear and the kubernetes finalizer is removed")
    func finalizeWhenEmpty() async throws {
        let h = H(F.namespace("doomed", terminating: true, finalizers: ["kubernetes", "example.com/ns"]))
        h.client.seed(F.pods, F.metadata(F.pods, "held", namespace: "doomed", finalizers: ["example.com/hold"]))
        await h.sync("doomed")
        #expect(!h.client.writes.contains { if case .finalize = $0 { true } else { false } })
        let firstTime = h.clock.wallNow.time
        // The content's own finalizer goes.
        h.client.remove(F.pods, namespace: "doomed", name: "held")
        // Content held by finalizers: the key comes back after 15 / 2 + 1 seconds, as upstream.
        h.clock.advance(by: .seconds(7))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.drainQueue() == ["doomed"])
        h.client.clearActions()

        #expect(await h.sync("doomed") == nil)
        #expect(h.client.writes == [
            .deleteCollection(resource: "pods", namespace: "doomed"),
            .finalize(namespace: "doomed", finalizers: ["example.com/ns"]),
        ])
        #expect(h.conditions("doomed") == Self.allGood)
        let conditions = h.namespace("doomed")?.status?.conditions ?? []
        // A condition whose status flipped gets a new transition time; the others keep theirs.
        #expect(conditions.first { $0.type == "NamespaceContentRemaining" }?.lastTransitionTime == h.clock.wallNow.time)
        #expect(conditions.first { $0.type == "NamespaceDeletionDiscoveryFailure" }?.lastTransitionTime == firstTime)
        // Finalized: not looked at again.
        h.clock.advance(by: .seconds(600))
        #expect(h.controller.queue.len == 0)
    }

    @Test("an already empty terminating namespace is finalized in one pass; unchanged conditions are not rewritten")
    func emptyNamespace() async throws {
        let h = H(F.namespace("empty", terminating: true))
        await h.sync("empty")
        #expect(h.client.writes.last == .finalize(namespace: "empty", finalizers: []))
        #expect(h.conditions("empty") == Self.allGood)
        #expect(h.statusClient.actions("updateStatus").count == 1)
        await h.sync("empty")
        #expect(h.statusClient.actions("updateStatus").count == 1)
    }

    @Test("content is looked for only in namespaced, listable, deletable resources")
    func resourceSelection() async throws {
        let h = H(F.namespace("empty", terminating: true))
        await h.sync("empty")
        let touched = Set(h.client.actions.compactMap { action -> String? in
            switch action {
            case .list(let resource, _), .deleteCollection(let resource, _): resource
            default: nil
            }
        })
        #expect(touched == ["pods", "configmaps"])
        // PodMetrics (metrics.k8s.io "pods") can be listed but not deleted: never emptied.
        #expect(h.client.actions.filter { $0 == .deleteCollection(resource: "pods", namespace: "empty") }.count == 1)
    }

    @Test("a namespace that is not terminating, or has no kubernetes finalizer, or is gone, is left alone")
    func nothingToDo() async throws {
        let active = H(F.namespace("live"))
        active.client.seed(F.pods, F.metadata(F.pods, "p", namespace: "live"))
        #expect(await active.sync("live") == nil)
        #expect(active.client.actions.isEmpty)
        #expect(active.statusClient.actions.isEmpty)

        let finalized = H(F.namespace("done", terminating: true, finalizers: []))
        #expect(await finalized.sync("done") == nil)
        #expect(finalized.client.actions.isEmpty)
        #expect(finalized.statusClient.actions.isEmpty)

        let gone = H(nil)
        #expect(await gone.sync("gone") == nil)
        #expect(gone.client.actions.isEmpty)
    }

    @Test("a discovery failure is reported in a condition and fails the sync")
    func discoveryFailure() async throws {
        let h = H(F.namespace("doomed", terminating: true))
        let failure = StatusError(.failure(.serviceUnavailable, message: "the server is currently unable to handle the request"))
        h.client.failDiscovery(failure)
        let error = await h.sync("doomed")
        #expect((error as? StatusError)?.code == 503)
        #expect(h.conditions("doomed")["NamespaceDeletionDiscoveryFailure"] == ["True", "DiscoveryFailed", "Discovery failed: \(failure)"])
        #expect(!h.client.writes.contains { if case .finalize = $0 { true } else { false } })
    }

    @Test("a resource that cannot be emptied is reported in NamespaceDeletionContentFailure and fails the sync")
    func contentFailure() async throws {
        let h = H(F.namespace("doomed", terminating: true))
        let failure = StatusError(.failure(.forbidden, message: "pods is forbidden: nope"))
        h.client.failDeleteCollection(F.pods, with: failure)
        let error = await h.sync("doomed")
        #expect(error != nil)
        #expect(h.conditions("doomed")["NamespaceDeletionContentFailure"]
            == ["True", "ContentDeletionFailed", "Failed to delete all resource types, 1 remaining: \(failure)"])
        #expect(!h.client.writes.contains { if case .finalize = $0 { true } else { false } })
    }
}
