import APIMachinery
import Client
import Component
import Synchronization
import Testing
@testable import Controllers

@Suite("PodGC controller")
struct PodGCControllerTests {
    typealias F = Fixtures

    /// What the apiserver answers for live node reads, and the reads made.
    final class NodeDirectory: Sendable {
        let live = Mutex<Set<String>>([])
        let lookups = Mutex<[String]>([])
    }

    final class Harness: Sendable {
        let pods = ThreadSafeStore<CoreV1.Pod>()
        let nodes = ThreadSafeStore<CoreV1.Node>()
        let client = FakeControllerClient()
        let clock = ManualClock()
        let directory = NodeDirectory()
        let controller: PodGCController

        init(threshold: Int = 12_500, nodes: [String] = ["node-1"], pods: [CoreV1.Pod]) {
            let directory = directory
            controller = PodGCController(
                pods: Lister(store: self.pods), nodes: Lister(store: self.nodes), client: client,
                nodeExists: { name in
                    directory.lookups.withLock { $0.append(name) }
                    return directory.live.withLock { $0.contains(name) }
                },
                threshold: threshold, clock: clock, logger: F.logger)
            client.mirror(self.pods)
            client.mirror(self.nodes)
            for name in nodes { client.seed(CoreV1.Node(metadata: MetaV1.ObjectMeta(name: name)).withTypeMeta()) }
            directory.live.withLock { $0 = Set(nodes) }
            for pod in pods { client.seed(pod) }
        }

        var deleted: [String] { client.actions("delete").map(\.name).sorted() }
    }

    static func pod(_ name: String, phase: String = "Running", node: String? = "node-1", created: Int64 = -7200, deleting: Bool = false) -> CoreV1.Pod {
        F.pod(name, phase: phase, node: node, created: created, deleting: deleting)
    }

    @Test("terminated pods above the threshold are force-deleted, oldest first; running ones never")
    func terminatedAboveThreshold() async throws {
        let h = Harness(threshold: 2, pods: [
            Self.pod("old", phase: "Succeeded", created: -500), Self.pod("older", phase: "Failed", created: -900),
            Self.pod("newest", phase: "Succeeded", created: -100), Self.pod("mid", phase: "Failed", created: -300),
            Self.pod("running", created: -10_000),
        ])
        await h.controller.collect()
        #expect(h.deleted == ["old", "older"])
        #expect(h.client.gracePeriod("default/older") == 0)
        h.client.clearActions()
        await h.controller.collect()
        #expect(h.deleted.isEmpty)
    }

    @Test("a threshold of 0 keeps every terminated pod")
    func zeroThreshold() async throws {
        let h = Harness(threshold: 0, pods: [Self.pod("done", phase: "Succeeded")])
        await h.controller.collect()
        #expect(h.deleted.isEmpty)
    }

    @Test("pods of a vanished node go after the quarantine, confirmed by a live read, marked Failed first")
    func orphanedByMissingNode() async throws {
        let h = Harness(pods: [Self.pod("kept"), Self.pod("lost", node: "node-gone"), Self.pod("lost-done", phase: "Succeeded", node: "node-gone")])
        await h.controller.collect()
        #expect(h.deleted.isEmpty)
        h.clock.advance(by: .seconds(39))
        await h.controller.collect()
        #expect(h.deleted.isEmpty)
        #expect(h.directory.lookups.withLock { $0 }.isEmpty)
        h.clock.advance(by: .seconds(1))
        await h.controller.collect()
        #expect(h.directory.lookups.withLock { $0 } == ["node-gone"])
        #expect(h.deleted == ["lost", "lost-done"])
        #expect(h.client.gracePeriod("default/lost") == 0)
        // The running one was marked Failed with DisruptionTarget before it went; the finished one kept its phase.
        #expect(h.client.actions("updateStatus").map(\.name) == ["lost"])
    }

    @Test("a node the informer lacks but the apiserver has is not taken for gone")
    func nodeStillExists() async throws {
        let h = Harness(pods: [Self.pod("p", node: "node-late")])
        h.directory.live.withLock { $0.insert("node-late") }
        await h.controller.collect()
        h.clock.advance(by: .seconds(40))
        await h.controller.collect()
        #expect(h.deleted.isEmpty)
        #expect(h.directory.lookups.withLock { $0 } == ["node-late"])
    }

    @Test("a pod being deleted that was never scheduled is force-deleted at once")
    func unscheduledTerminating() async throws {
        let h = Harness(pods: [Self.pod("stuck", node: nil, deleting: true), Self.pod("scheduled-terminating", deleting: true), Self.pod("pending", node: nil)])
        await h.controller.collect()
        #expect(h.deleted == ["stuck"])
        #expect(h.client.gracePeriod("default/stuck") == 0)
    }
}
