import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

/// The replica controller run for core ReplicationControllers: the same rules as for
/// ReplicaSets, with an equality selector, `v1` owner references and the status in RC form.
@Suite("ReplicationController controller")
struct ReplicationManagerTests {
    typealias F = Fixtures

    struct Harness {
        let clock = ManualClock()
        let controllers = ThreadSafeStore<CoreV1.ReplicationController>()
        let pods = ThreadSafeStore<CoreV1.Pod>()
        let client = FakeControllerClient()
        let events = RecordingEvents()
        let controller: ReplicationManager
        let key = "\(Fixtures.namespace)/web"

        init(_ rc: CoreV1.ReplicationController, pods: [CoreV1.Pod] = []) {
            controller = ReplicationManager(
                replicaSets: Lister(store: controllers), pods: Lister(store: self.pods), client: client, events: events,
                clock: clock, logger: Fixtures.logger)
            client.mirror(controllers)
            client.mirror(self.pods)
            client.seed(rc)
            for pod in pods { client.seed(pod) }
        }

        var status: CoreV1.ReplicationControllerStatus? { controllers.get(key: key)?.status }

        @discardableResult
        func sync() async -> (any Error)? {
            do {
                try await controller.sync(key)
                return nil
            } catch {
                return error
            }
        }
    }

    static func rc(replicas: Int32 = 3, selector: [String: String]? = ["app": "web"], generation: Int64 = 1) -> CoreV1.ReplicationController {
        CoreV1.ReplicationController(
            metadata: MetaV1.ObjectMeta(generation: generation, name: "web", namespace: F.namespace, resourceVersion: "1", uid: "rc-uid"),
            spec: CoreV1.ReplicationControllerSpec(
                replicas: replicas, selector: selector,
                template: CoreV1.PodTemplateSpec(
                    metadata: MetaV1.ObjectMeta(labels: ["app": "web", "tier": "fe"]),
                    spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "nginx:1.27", name: "web")])))
        ).withTypeMeta()
    }

    static func pod(_ name: String, labels: [String: String] = ["app": "web", "tier": "fe"], owner: CoreV1.ReplicationController? = nil, ready: Bool = true) -> CoreV1.Pod {
        F.pod(name, labels: labels, ready: ready, extraOwners: owner.map { [$0.asControllerRef] } ?? [])
    }

    @Test("creates the missing pods, controlled by the ReplicationController through a v1 reference")
    func createsPods() async throws {
        let h = Harness(Self.rc())
        #expect(await h.sync() == nil)
        let created = h.client.objects(CoreV1.Pod.self)
        #expect(created.count == 3)
        for pod in created {
            #expect(pod.metadata?.generateName == "web-")
            #expect(pod.metadata?.labels == ["app": "web", "tier": "fe"])
            let ref = try #require(pod.controllerRef)
            #expect(ref.apiVersion == "v1" && ref.kind == "ReplicationController" && ref.name == "web" && ref.uid == "rc-uid")
        }
        #expect(h.events.reasonCounts == ["SuccessfulCreate": 3])
    }

    @Test("writes status in the ReplicationController's own form")
    func status() async throws {
        let rc = Self.rc(replicas: 2, generation: 4)
        let h = Harness(rc, pods: [Self.pod("a", owner: rc), Self.pod("b", labels: ["app": "web"], owner: rc, ready: false)])
        #expect(await h.sync() == nil)
        #expect(h.status == CoreV1.ReplicationControllerStatus(
            availableReplicas: 1, fullyLabeledReplicas: 1, observedGeneration: 4, readyReplicas: 1, replicas: 2))
        #expect(h.client.createAttempts == 0)
    }

    @Test("adopts an orphan its equality selector matches and releases a pod it no longer selects")
    func adoptAndRelease() async throws {
        let rc = Self.rc(replicas: 2)
        let h = Harness(rc, pods: [Self.pod("orphan"), Self.pod("strayed", labels: ["app": "other"], owner: rc), Self.pod("kept", owner: rc)])
        #expect(await h.sync() == nil)
        let patched = h.client.actions("patch", kind: "Pod").map(\.name).sorted()
        #expect(patched == ["orphan", "strayed"])
        #expect(h.client.createAttempts == 0)
        #expect(h.status?.replicas == 2)
    }

    @Test("ignores pods a ReplicaSet of the same name controls")
    func otherKindSameName() async throws {
        let rs = F.replicaSet("web", uid: "rc-uid")  // even the same uid: the kind differs
        let h = Harness(Self.rc(replicas: 1), pods: [F.pod("rs-pod", owner: rs)])
        #expect(await h.sync() == nil)
        #expect(h.client.createAttempts == 1)
    }

    @Test("scales down by the upstream deletion ranking: the not-ready pod goes first")
    func scaleDown() async throws {
        let rc = Self.rc(replicas: 1)
        let h = Harness(rc, pods: [Self.pod("ready", owner: rc), Self.pod("unready", owner: rc, ready: false)])
        #expect(await h.sync() == nil)
        #expect(h.client.actions("delete", kind: "Pod").map(\.name) == ["unready"])
        #expect(h.events.with(reason: "SuccessfulDelete").map(\.message) == ["Deleted pod: unready"])
    }

    @Test("a refused creation sets the ReplicaFailure condition and a FailedCreate event")
    func replicaFailure() async throws {
        let h = Harness(Self.rc(replicas: 1))
        h.client.failCreates(after: 0, with: .quotaExceeded())
        #expect(await h.sync() != nil)
        let condition = try #require(h.status?.conditions?.first)
        #expect(condition.type == "ReplicaFailure" && condition.status == "True" && condition.reason == "FailedCreate")
        #expect(h.events.with(reason: "FailedCreate").count == 1)
    }

    @Test("an empty selector (which validation refuses) claims no pod")
    func emptySelector() async throws {
        let h = Harness(Self.rc(replicas: 1, selector: [:]), pods: [Self.pod("orphan")])
        await h.sync()
        #expect(h.client.actions("patch", kind: "Pod").isEmpty)
    }
}
