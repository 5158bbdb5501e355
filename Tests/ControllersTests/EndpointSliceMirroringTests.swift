import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

/// The endpointslice-mirroring controller: a selector-less Service's Endpoints as slices.
@Suite("EndpointSlice mirroring controller")
struct EndpointSliceMirroringTests {
    typealias F = Fixtures
    typealias M = EndpointSliceMirroringController

    struct Harness {
        let services = ThreadSafeStore<CoreV1.Service>()
        let endpoints = ThreadSafeStore<CoreV1.Endpoints>()
        let slices = ThreadSafeStore<DiscoveryV1.EndpointSlice>()
        let client = FakeControllerClient()
        let controller: EndpointSliceMirroringController

        init(service: CoreV1.Service? = F.service(selector: nil), endpoints source: CoreV1.Endpoints?, max: Int = 1000) {
            controller = EndpointSliceMirroringController(
                endpoints: Lister(store: endpoints), services: Lister(store: services), slices: Lister(store: slices), client: client,
                clock: ManualClock(), logger: F.logger, maxEndpointsPerSubset: max)
            client.mirror(services)
            client.mirror(endpoints)
            client.mirror(slices)
            if let service { client.seed(service) }
            if let source { client.seed(source) }
        }

        var current: [DiscoveryV1.EndpointSlice] { slices.list().sorted { $0.name < $1.name } }

        @discardableResult
        func sync() async -> (any Error)? {
            do {
                try await controller.sync("\(F.namespace)/web")
                return nil
            } catch {
                return error
            }
        }
    }

    static func address(_ ip: String, node: String? = nil) -> CoreV1.EndpointAddress { CoreV1.EndpointAddress(ip: ip, nodeName: node) }

    static func source(
        _ subsets: [CoreV1.EndpointSubset], labels: [String: String]? = ["team": "db"], annotations: [String: String]? = nil
    ) -> CoreV1.Endpoints {
        CoreV1.Endpoints(
            metadata: MetaV1.ObjectMeta(annotations: annotations, labels: labels, name: "web", namespace: F.namespace, resourceVersion: "1", uid: "ep-uid"),
            subsets: subsets
        ).withTypeMeta()
    }

    static let port = CoreV1.EndpointPort(name: "pg", port: 5432, protocol: "TCP")

    @Test("mirrors ready and not-ready addresses into a slice owned by the Endpoints, with its labels and annotations")
    func mirrors() async throws {
        let h = Harness(endpoints: Self.source(
            [CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.1", node: "n1")], notReadyAddresses: [Self.address("10.0.0.2")], ports: [Self.port])],
            annotations: ["note": "x", "kubectl.kubernetes.io/last-applied-configuration": "{}"]))
        #expect(await h.sync() == nil)
        let slice = try #require(h.current.first)
        #expect(h.current.count == 1)
        #expect(slice.metadata?.generateName == "web-")
        #expect(slice.addressType == "IPv4")
        #expect(slice.metadata?.labels == [
            "team": "db", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io",
        ])
        #expect(slice.metadata?.annotations == ["note": "x"])
        #expect(slice.metadata?.ownerReferences?.first?.kind == "Endpoints")
        #expect(slice.metadata?.ownerReferences?.first?.uid == "ep-uid")
        #expect(slice.ports == [DiscoveryV1.EndpointPort(name: "pg", port: 5432, protocol: "TCP")])
        let byIP = Dictionary(uniqueKeysWithValues: slice.endpoints.map { ($0.addresses[0], $0) })
        #expect(byIP["10.0.0.1"]?.conditions?.ready == true)
        #expect(byIP["10.0.0.1"]?.nodeName == "n1")
        #expect(byIP["10.0.0.2"]?.conditions?.ready == false)
    }

    @Test("a second sync with nothing changed writes nothing")
    func idempotent() async throws {
        let h = Harness(endpoints: Self.source([CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.1")], ports: [Self.port])]))
        await h.sync()
        h.client.clearActions()
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
    }

    @Test("IPv4 and IPv6 addresses go to slices of their own type; invalid addresses are skipped")
    func addressTypes() async throws {
        let h = Harness(endpoints: Self.source([CoreV1.EndpointSubset(
            addresses: [Self.address("10.0.0.1"), Self.address("fd00::1"), Self.address("not-an-ip")], ports: [Self.port])]))
        await h.sync()
        #expect(h.current.map(\.addressType).sorted() == ["IPv4", "IPv6"])
        #expect(h.current.flatMap { $0.endpoints.flatMap(\.addresses) }.sorted() == ["10.0.0.1", "fd00::1"])
    }

    @Test("subsets with different ports get slices of their own")
    func portSets() async throws {
        let other = CoreV1.EndpointPort(name: "metrics", port: 9187, protocol: "TCP")
        let h = Harness(endpoints: Self.source([
            CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.1")], ports: [Self.port]),
            CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.2")], ports: [other]),
        ]))
        await h.sync()
        #expect(h.current.count == 2)
        #expect(Set(h.current.compactMap { $0.ports?.first?.port }) == [5432, 9187])
    }

    @Test("at most maxEndpointsPerSubset addresses of a subset are mirrored")
    func capped() async throws {
        let addresses = (1...5).map { Self.address("10.0.0.\($0)") }
        let h = Harness(endpoints: Self.source([CoreV1.EndpointSubset(addresses: addresses, ports: [Self.port])]), max: 3)
        await h.sync()
        #expect(h.current.flatMap(\.endpoints).count == 3)
    }

    @Test("a Service with a selector, a skip-mirror label, or no Service at all: its mirrored slices go")
    func notMirrored() async throws {
        let subsets = [CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.1")], ports: [Self.port])]
        enum Change: CaseIterable { case selectorAdded, skipMirrorLabelled, serviceDeleted }
        for change in Change.allCases {
            let h = Harness(endpoints: Self.source(subsets))
            await h.sync()
            #expect(h.current.count == 1)
            switch change {
            case .selectorAdded: h.client.seed(F.service(selector: ["app": "web"]))
            case .skipMirrorLabelled: h.client.seed(Self.source(subsets, labels: [M.skipMirrorLabel: "true"]))
            case .serviceDeleted:
                h.client.forget(CoreV1.Service.self, namespace: F.namespace, name: "web")
                h.services.delete(key: "\(F.namespace)/web")
            }
            #expect(await h.sync() == nil)
            #expect(h.current.isEmpty, "\(change)")
        }
    }

    @Test("removed addresses leave their slice and an emptied slice is deleted")
    func shrinks() async throws {
        let h = Harness(endpoints: Self.source([CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.1"), Self.address("10.0.0.2")], ports: [Self.port])]))
        await h.sync()
        h.client.seed(Self.source([CoreV1.EndpointSubset(addresses: [Self.address("10.0.0.2")], ports: [Self.port])]))
        await h.sync()
        #expect(h.current.flatMap { $0.endpoints.flatMap(\.addresses) } == ["10.0.0.2"])
        h.client.seed(Self.source([]))
        await h.sync()
        #expect(h.current.isEmpty)
    }
}
