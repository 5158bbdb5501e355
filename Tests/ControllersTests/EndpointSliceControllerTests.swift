import APIMachinery
import Testing
@testable import Controllers

@Suite("EndpointSlice controller")
struct EndpointSliceControllerTests {
    typealias F = Fixtures
    typealias C = EndpointSliceController

    static let httpPort = DiscoveryV1.EndpointPort(name: "http", port: 8080, protocol: "TCP")

    @Test("one slice for a few pods: labels, Service owner, IPv4, the resolved port, endpoints with conditions")
    func firstSlice() async throws {
        let h = EndpointsHarness(F.service(labels: ["team": "blue"]), pods: [
            F.endpointPod("b", ip: "10.1.0.2", ready: false), F.endpointPod("a", ip: "10.1.0.1", hostname: "a", subdomain: "web"),
            F.endpointPod("x", ip: "10.1.0.9", labels: ["app": "db"]),
        ])
        #expect(await h.syncSlices() == nil)
        #expect(h.client.actions.map(\.verb) == ["create"])
        let slice = try #require(h.currentSlices.first)
        #expect(h.currentSlices.count == 1)
        #expect(slice.name.hasPrefix("web-"))
        #expect(slice.metadata?.generateName == "web-")
        #expect(slice.metadata?.labels == [
            "team": "blue", "kubernetes.io/service-name": "web",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        ])
        #expect(slice.metadata?.ownerReferences == [MetaV1.OwnerReference(
            kind: "Service", apiVersion: "v1", blockOwnerDeletion: true, controller: true, name: "web", uid: "svc-uid")])
        #expect(slice.addressType == "IPv4")
        #expect(slice.ports == [Self.httpPort])
        #expect(slice.endpoints == [
            DiscoveryV1.Endpoint(
                addresses: ["10.1.0.1"], conditions: DiscoveryV1.EndpointConditions(ready: true, serving: true, terminating: false),
                hostname: "a", nodeName: "node-1", targetRef: F.podRef("a")),
            DiscoveryV1.Endpoint(
                addresses: ["10.1.0.2"], conditions: DiscoveryV1.EndpointConditions(ready: false, serving: false, terminating: false),
                nodeName: "node-1", targetRef: F.podRef("b")),
        ])
    }

    @Test("a terminating pod stays in its slice: ready false, serving as its readiness, terminating true")
    func terminating() async throws {
        let h = EndpointsHarness(pods: [
            F.endpointPod("a", ip: "10.1.0.1", deleting: true), F.endpointPod("b", ip: "10.1.0.2", ready: false, deleting: true),
            F.endpointPod("done", ip: "10.1.0.3", phase: "Failed"), F.endpointPod("noip", ip: nil),
        ])
        await h.syncSlices()
        let endpoints = try #require(h.currentSlices.first?.endpoints)
        #expect(endpoints.map(\.addresses) == [["10.1.0.1"], ["10.1.0.2"]])
        #expect(endpoints.map(\.conditions) == [
            DiscoveryV1.EndpointConditions(ready: false, serving: true, terminating: true),
            DiscoveryV1.EndpointConditions(ready: false, serving: false, terminating: true),
        ])
        // And not in the Endpoints.
        await h.syncEndpoints()
        #expect(h.current?.subsets == nil)
    }

    @Test("publishNotReadyAddresses: every endpoint is ready, terminating ones too")
    func publishNotReady() async throws {
        let h = EndpointsHarness(F.service(publishNotReady: true), pods: [
            F.endpointPod("a", ip: "10.1.0.1", ready: false), F.endpointPod("b", ip: "10.1.0.2", deleting: true),
        ])
        await h.syncSlices()
        #expect(h.currentSlices.first?.endpoints.map { $0.conditions?.ready } == [true, true])
    }

    @Test("250 pods: 3 slices of at most 100 endpoints, every IP once")
    func packing() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(250))
        await h.syncSlices()
        #expect(C.maxEndpointsPerSlice == 100)
        #expect(h.client.actions("create", kind: "EndpointSlice").count == 3)
        let sizes = h.currentSlices.map(\.endpoints.count).sorted()
        #expect(sizes == [50, 100, 100])
        let addresses = h.currentSlices.flatMap { $0.endpoints.flatMap(\.addresses) }
        #expect(addresses.count == 250)
        #expect(Set(addresses) == Set((0..<250).map(F.ip)))
    }

    @Test("a new pod updates one slice (the one with room); no endpoint moves")
    func addOne() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(250))
        await h.syncSlices()
        let before = h.sliceOf
        h.client.clearActions()
        h.client.seed(F.endpointPod("new", ip: "10.9.9.9"))
        #expect(await h.syncSlices() == nil)
        #expect(h.client.actions.map(\.verb) == ["update"])
        let after = h.sliceOf
        for (ip, slice) in before { #expect(after[ip] == slice, "\(ip) moved") }
        let roomy = try #require(before.values.first { name in before.values.filter { $0 == name }.count == 50 })
        #expect(after["10.9.9.9"] == roomy)
    }

    @Test("a pod gone updates only its own slice; a pod's change of readiness too")
    func removeAndChange() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(250))
        await h.syncSlices()
        let before = h.sliceOf
        h.client.clearActions()
        h.removePod("p7")
        await h.syncSlices()
        #expect(h.client.actions.map(\.description) == ["update EndpointSlice \(before[F.ip(7)]!)"])
        #expect(h.sliceOf[F.ip(7)] == nil)

        h.client.clearActions()
        h.client.seed(F.endpointPod("p200", ip: F.ip(200), ready: false))
        await h.syncSlices()
        #expect(h.client.actions.map(\.description) == ["update EndpointSlice \(before[F.ip(200)]!)"])
        #expect(h.sliceOf[F.ip(200)] == before[F.ip(200)])
        let endpoint = h.currentSlices.flatMap(\.endpoints).first { $0.addresses == [F.ip(200)] }
        #expect(endpoint?.conditions?.ready == false)
    }

    @Test("nothing changed: nothing written")
    func steady() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(120))
        await h.syncSlices()
        h.client.clearActions()
        #expect(await h.syncSlices() == nil)
        #expect(h.client.actions.isEmpty)
    }

    @Test("a Service without pods has one placeholder slice with no endpoints and no ports, kept as is")
    func placeholder() async throws {
        let h = EndpointsHarness(pods: [])
        await h.syncSlices()
        let slice = try #require(h.currentSlices.first)
        #expect(h.currentSlices.count == 1)
        #expect(slice.endpoints.isEmpty)
        #expect(slice.ports == nil)
        #expect(slice.metadata?.labels?["kubernetes.io/service-name"] == "web")
        h.client.clearActions()
        await h.syncSlices()
        #expect(h.client.actions.isEmpty)
    }

    @Test("the last pods gone: one slice is kept as the placeholder, the others deleted")
    func backToPlaceholder() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(150))
        await h.syncSlices()
        #expect(h.currentSlices.count == 2)
        for index in 0..<150 { h.removePod("p\(index)") }
        h.client.clearActions()
        await h.syncSlices()
        #expect(h.client.actions("update").count == 1)
        #expect(h.client.actions("delete").count == 1)
        let slice = try #require(h.currentSlices.first)
        #expect(h.currentSlices.count == 1)
        #expect(slice.endpoints.isEmpty && slice.ports == nil)
    }

    @Test("pods first appearing replace the placeholder's emptiness (no extra slice)")
    func fromPlaceholder() async throws {
        let h = EndpointsHarness(pods: [])
        await h.syncSlices()
        h.client.seed(F.endpointPod("a", ip: "10.1.0.1"))
        await h.syncSlices()
        #expect(h.currentSlices.count == 1)
        #expect(h.currentSlices.first?.endpoints.map(\.addresses) == [["10.1.0.1"]])
        #expect(h.currentSlices.first?.ports == [Self.httpPort])
    }

    @Test("one group of slices per port set; the slices of a port set no pod has any more are deleted")
    func portSets() async throws {
        let service = F.service(ports: [F.servicePort("http", port: 80, target: .string("http"))])
        let h = EndpointsHarness(service, pods: [
            F.endpointPod("a", ip: "10.1.0.1", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "http")]),
            F.endpointPod("b", ip: "10.1.0.2", ports: [CoreV1.ContainerPort(containerPort: 9090, name: "http")]),
        ])
        await h.syncSlices()
        #expect(h.currentSlices.count == 2)
        #expect(Set(h.currentSlices.compactMap { $0.ports?.first?.port }) == [8080, 9090])
        let old = try #require(h.currentSlices.first { $0.ports?.first?.port == 9090 })

        h.removePod("b")
        h.client.clearActions()
        await h.syncSlices()
        #expect(h.client.actions.map(\.description) == ["delete EndpointSlice \(old.name)"])
        #expect(h.currentSlices.count == 1)
        #expect(h.currentSlices.first?.ports?.first?.port == 8080)
    }

    @Test("a change of the Service's target port moves the endpoints to a new slice and deletes the old")
    func portChange() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(3))
        await h.syncSlices()
        let old = try #require(h.currentSlices.first)
        h.client.seed(F.service(ports: [F.servicePort(target: .int(9000))]))
        h.client.clearActions()
        await h.syncSlices()
        #expect(Set(h.client.actions.map(\.verb)) == ["create", "delete"])
        #expect(h.currentSlices.count == 1)
        #expect(h.currentSlices.first?.name != old.name)
        #expect(h.currentSlices.first?.ports == [DiscoveryV1.EndpointPort(name: "http", port: 9000, protocol: "TCP")])
        #expect(h.currentSlices.first?.endpoints.count == 3)
    }

    @Test("a slice written but not yet in the informer makes the next sync throw, and nothing is duplicated")
    func staleCache() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(3))
        h.client.setLagging(DiscoveryV1.EndpointSlice.self)
        #expect(await h.syncSlices() == nil)
        #expect(h.slices.count == 0)
        h.client.clearActions()
        let error = await h.syncSlices()
        #expect(error != nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.client.objects(DiscoveryV1.EndpointSlice.self).count == 1)

        // The informer catches up: the sync goes through without creating another.
        h.client.setLagging(DiscoveryV1.EndpointSlice.self, false)
        for slice in h.client.objects(DiscoveryV1.EndpointSlice.self) { h.client.seed(slice) }
        #expect(await h.syncSlices() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.client.objects(DiscoveryV1.EndpointSlice.self).count == 1)
    }

    @Test("an update not yet seen (older resourceVersion in the informer) also makes the sync throw")
    func staleUpdate() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(3))
        await h.syncSlices()
        h.client.setLagging(DiscoveryV1.EndpointSlice.self)
        h.client.seed(F.endpointPod("new", ip: "10.9.9.9"))
        await h.syncSlices()
        #expect(h.client.actions("update").count == 1)
        #expect(await h.syncSlices() != nil)
    }

    @Test("a Service without a selector, or deleted, gets no slices written")
    func noSelectorOrDeleted() async throws {
        let h = EndpointsHarness(F.service(selector: nil), pods: F.endpointPods(3))
        #expect(await h.syncSlices() == nil)
        #expect(h.client.actions.isEmpty)

        let gone = EndpointsHarness(nil, pods: F.endpointPods(3))
        #expect(await gone.syncSlices() == nil)
        #expect(gone.client.actions.isEmpty)
    }

    @Test("slices of other Services or other managers are not touched")
    func foreignSlices() async throws {
        let h = EndpointsHarness(pods: F.endpointPods(2))
        var foreign = DiscoveryV1.EndpointSlice(
            metadata: MetaV1.ObjectMeta(
                labels: ["kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "someone-else"], name: "web-manual",
                namespace: F.namespace, resourceVersion: "1", uid: "manual"),
            addressType: "IPv4", endpoints: [DiscoveryV1.Endpoint(addresses: ["192.168.0.1"])]
        ).withTypeMeta()
        h.client.seed(foreign)
        foreign.metadata?.name = "db-abc"
        foreign.metadata?.uid = "db"
        foreign.metadata?.labels = ["kubernetes.io/service-name": "db", "endpointslice.kubernetes.io/managed-by": C.managedBy]
        h.client.seed(foreign)
        await h.syncSlices()
        #expect(h.client.actions.map(\.verb) == ["create"])
        #expect(h.currentSlices.count == 3)
    }
}
