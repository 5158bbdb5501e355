import APIMachinery
import Client
import Component
import Foundation
import Testing
@testable import Controllers

@Suite("Root CA publisher")
struct RootCAPublisherTests {
    typealias F = Fixtures
    static let bundle = "-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"

    struct Harness {
        let namespaces = ThreadSafeStore<CoreV1.Namespace>()
        let configMaps = ThreadSafeStore<CoreV1.ConfigMap>()
        let client = FakeControllerClient()
        let controller: RootCAPublisher

        init(_ namespaces: [CoreV1.Namespace], bundle: String = RootCAPublisherTests.bundle) {
            controller = RootCAPublisher(
                bundle: bundle, namespaces: Lister(store: self.namespaces), configMaps: Lister(store: configMaps), client: client,
                clock: ManualClock(), logger: F.logger)
            client.mirror(self.namespaces)
            client.mirror(configMaps)
            for namespace in namespaces { client.seed(namespace) }
        }

        var published: CoreV1.ConfigMap? { configMaps.get(key: "team-a/kube-root-ca.crt") }
    }

    static func configMap(data: [String: String]?, annotations: [String: String]?, labels: [String: String]? = nil) -> CoreV1.ConfigMap {
        CoreV1.ConfigMap(
            metadata: MetaV1.ObjectMeta(
                annotations: annotations, labels: labels, name: "kube-root-ca.crt", namespace: "team-a", resourceVersion: "5"),
            data: data)
    }

    @Test("creates kube-root-ca.crt with ca.crt and the description annotation")
    func creates() async throws {
        let h = Harness([F.namespace("team-a")])
        try await h.controller.sync("team-a")
        #expect(h.client.actions == [.create(kind: "ConfigMap", namespace: "team-a", name: "kube-root-ca.crt")])
        let map = try #require(h.published)
        #expect(map.data == ["ca.crt": Self.bundle])
        #expect(map.metadata?.annotations == ["kubernetes.io/description": RootCAPublisher.description])
        #expect(RootCAPublisher.description.hasPrefix("Contains a CA bundle that can be used to verify the kube-apiserver"))
        try await h.controller.sync("team-a")
        #expect(h.client.actions.count == 1)
    }

    @Test("edited data is restored, keeping the map's other metadata")
    func restoresData() async throws {
        let h = Harness([F.namespace("team-a")])
        h.client.seed(Self.configMap(
            data: ["ca.crt": "tampered", "extra": "x"],
            annotations: ["kubernetes.io/description": RootCAPublisher.description, "note": "mine"], labels: ["keep": "me"]))
        try await h.controller.sync("team-a")
        #expect(h.client.actions == [.update(kind: "ConfigMap", namespace: "team-a", name: "kube-root-ca.crt")])
        let map = try #require(h.published)
        #expect(map.data == ["ca.crt": Self.bundle])
        #expect(map.metadata?.annotations == ["kubernetes.io/description": RootCAPublisher.description, "note": "mine"])
        #expect(map.metadata?.labels == ["keep": "me"])
    }

    @Test("a missing description annotation is restored; an intact map is left alone")
    func restoresAnnotation() async throws {
        let h = Harness([F.namespace("team-a")])
        h.client.seed(Self.configMap(data: ["ca.crt": Self.bundle], annotations: nil))
        try await h.controller.sync("team-a")
        #expect(h.client.actions("update").count == 1)
        #expect(h.published?.metadata?.annotations == ["kubernetes.io/description": RootCAPublisher.description])
        try await h.controller.sync("team-a")
        #expect(h.client.actions.count == 1)
    }

    @Test("a namespace being deleted, or gone, gets nothing; AlreadyExists and NamespaceTerminating are tolerated")
    func toleratedCases() async throws {
        let h = Harness([F.namespace("going", terminating: true), F.namespace("team-a")])
        try await h.controller.sync("going")
        try await h.controller.sync("absent")
        #expect(h.client.actions.isEmpty)

        h.client.seed(Self.configMap(data: ["ca.crt": Self.bundle], annotations: nil), mirror: false)
        try await h.controller.sync("team-a")
        #expect(h.client.actions == [.create(kind: "ConfigMap", namespace: "team-a", name: "kube-root-ca.crt")])

        h.client.forget(CoreV1.ConfigMap.self, namespace: "team-a", name: "kube-root-ca.crt")
        h.client.failCreates(after: 0, with: .namespaceTerminating("team-a"))
        try await h.controller.sync("team-a")
        h.client.failCreates(after: 0, with: .quotaExceeded())
        await #expect(throws: StatusError.self) { try await h.controller.sync("team-a") }
    }

    @Test("readBundle accepts a PEM file and refuses anything else")
    func readBundle() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-rootca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("ca.crt"), bad = directory.appendingPathComponent("bad.crt")
        try Self.bundle.write(to: good, atomically: true, encoding: .utf8)
        try "not a certificate".write(to: bad, atomically: true, encoding: .utf8)
        #expect(try RootCAPublisher.readBundle(good.path) == Self.bundle)
        #expect(throws: StatusError.self) { try RootCAPublisher.readBundle(bad.path) }
        #expect(throws: (any Error).self) { try RootCAPublisher.readBundle(directory.appendingPathComponent("missing").path) }
    }
}
