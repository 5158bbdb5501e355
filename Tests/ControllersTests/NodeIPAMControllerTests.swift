import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("Node IPAM controller (range allocator)")
struct NodeIPAMControllerTests {
    typealias F = Fixtures

    struct Harness {
        let nodes = ThreadSafeStore<CoreV1.Node>()
        let client = FakeControllerClient()
        let events = RecordingEvents()
        let controller: NodeIPAMController

        init(cluster: String = "10.244.0.0/16", mask: Int = 24, service: String? = nil, _ seeded: [CoreV1.Node]) throws {
            controller = try NodeIPAMController(
                nodes: Lister(store: nodes), client: client, events: events, clusterCIDR: cluster, maskSize: mask,
                serviceCIDR: service, clock: ManualClock(), logger: F.logger)
            client.mirror(nodes)
            for node in seeded { client.seed(node) }
        }

        func podCIDR(_ name: String) -> String? { nodes.get(key: name)?.spec?.podCIDR }
    }

    static func node(_ name: String, podCIDR: String? = nil) -> CoreV1.Node {
        CoreV1.Node(
            metadata: MetaV1.ObjectMeta(name: name, resourceVersion: "1", uid: "uid-\(name)"),
            spec: CoreV1.NodeSpec(podCIDR: podCIDR, podCIDRs: podCIDR.map { [$0] })
        ).withTypeMeta()
    }

    @Test("each node gets its own range, podCIDR and podCIDRs alike; a node that has one keeps it")
    func allocates() async throws {
        let h = try Harness([Self.node("a"), Self.node("b"), Self.node("c", podCIDR: "10.244.0.0/24")])
        try await h.controller.sync("a")
        try await h.controller.sync("b")
        try await h.controller.sync("c")
        #expect(h.podCIDR("a") == "10.244.1.0/24")
        #expect(h.podCIDR("b") == "10.244.2.0/24")
        #expect(h.podCIDR("c") == "10.244.0.0/24")
        #expect(h.nodes.get(key: "a")?.spec?.podCIDRs == ["10.244.1.0/24"])
        // Level-triggered: nothing more to write.
        let writes = h.client.actions.count
        try await h.controller.sync("a")
        #expect(h.client.actions.count == writes)
    }

    @Test("the service range is never handed out, nor a range already pending for another node")
    func skipsServiceRangeAndPending() async throws {
        let h = try Harness(cluster: "10.0.0.0/22", service: "10.0.0.0/23", [Self.node("a"), Self.node("b"), Self.node("c")])
        // The cache lags: a's range is not back yet when b asks.
        h.client.setLagging(CoreV1.Node.self)
        try await h.controller.sync("a")
        try await h.controller.sync("b")
        let patches = h.client.actions.compactMap { action -> String? in
            guard case .patch(_, _, _, let patch) = action else { return nil }
            return patch["spec"]?["podCIDR"]?.stringValue
        }
        #expect(patches == ["10.0.2.0/24", "10.0.3.0/24"])
        // Exhausted: an event, and an error so that the key is retried.
        await #expect(throws: NodeIPAMController.ConfigurationError.self) { try await h.controller.sync("c") }
        #expect(h.events.with(reason: "CIDRNotAvailable").map(\.message) == ["Node c status is now: CIDRNotAvailable"])
    }

    @Test("a deleted node's range is free again, after the ones never used")
    func reusesReleasedRanges() async throws {
        let h = try Harness(cluster: "10.1.0.0/23", mask: 24, [Self.node("a"), Self.node("b")])
        try await h.controller.sync("a")
        _ = h.nodes.delete(key: "a")
        try await h.controller.sync("b")
        #expect(h.podCIDR("b") == "10.1.1.0/24")
        h.client.seed(Self.node("c"))
        try await h.controller.sync("c")
        #expect(h.podCIDR("c") == "10.1.0.0/24")
    }

    @Test("flags that cannot work are refused at start", arguments: [
        ("10.244.0.0", 24, nil), ("10.244.0.0/16", 12, nil), ("10.244.0.0/16", 24, "bogus"), ("fd00::/48", 64, nil),
    ] as [(String, Int, String?)])
    func badFlags(cluster: String, mask: Int, service: String?) {
        #expect(throws: NodeIPAMController.ConfigurationError.self) { try Harness(cluster: cluster, mask: mask, service: service, []) }
    }
}
