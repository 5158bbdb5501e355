import APIMachinery
import Testing
@testable import Controllers

@Suite("Service endpoints: target ports and pod selection")
struct ServiceEndpointsTests {
    typealias F = Fixtures
    typealias S = ServiceEndpoints

    static let namedPod = F.endpointPod("a", ip: "10.1.0.1", ports: [
        CoreV1.ContainerPort(containerPort: 8080, name: "http"),
        CoreV1.ContainerPort(containerPort: 5353, name: "dns", protocol: "UDP"),
        CoreV1.ContainerPort(containerPort: 9090, name: "metrics", protocol: "TCP"),
    ])

    @Test("targetPort: a number, absent (the service port), or a named container port of the same protocol")
    func targetPorts() {
        let pod = Self.namedPod
        #expect(S.targetPort(F.servicePort(port: 80, target: .int(8081)), on: pod) == 8081)
        #expect(S.targetPort(F.servicePort(port: 80, target: nil), on: pod) == 80)
        #expect(S.targetPort(F.servicePort(port: 80, target: .int(0)), on: pod) == 80)
        #expect(S.targetPort(F.servicePort(port: 80, target: .string("http")), on: pod) == 8080)
        #expect(S.targetPort(F.servicePort(port: 80, target: .string("http"), proto: nil), on: pod) == 8080)
        #expect(S.targetPort(F.servicePort(port: 53, target: .string("dns"), proto: "UDP"), on: pod) == 5353)
        #expect(S.targetPort(F.servicePort(port: 53, target: .string("dns"), proto: "TCP"), on: pod) == nil)
        #expect(S.targetPort(F.servicePort(port: 80, target: .string("http"), proto: "UDP"), on: pod) == nil)
        #expect(S.targetPort(F.servicePort(port: 80, target: .string("nope")), on: pod) == nil)
    }

    @Test("a port whose name does not resolve on a pod is left out of that pod's ports; the others stay, sorted")
    func unresolvedPortDropped() throws {
        let service = F.service(ports: [
            F.servicePort("metrics", port: 9000, target: .string("metrics")), F.servicePort("web", port: 80, target: .string("http")),
            F.servicePort("missing", port: 81, target: .string("absent")),
        ])
        let endpoint = try #require(S.endpoint(Self.namedPod, of: service, includeTerminating: false))
        #expect(endpoint.ports.map(\.name) == ["metrics", "web"])
        #expect(endpoint.ports.map(\.port) == [9090, 8080])
    }

    @Test("pods without an IP, Succeeded or Failed are no endpoints; terminating ones only when asked for")
    func podSelection() {
        let service = F.service()
        #expect(S.endpoint(F.endpointPod("a", ip: nil), of: service, includeTerminating: true) == nil)
        #expect(S.endpoint(F.endpointPod("a", ip: ""), of: service, includeTerminating: true) == nil)
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", phase: "Succeeded"), of: service, includeTerminating: true) == nil)
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", phase: "Failed"), of: service, includeTerminating: true) == nil)
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", ready: false, phase: "Pending"), of: service, includeTerminating: false) != nil)
        let terminating = F.endpointPod("a", ip: "10.1.0.1", deleting: true)
        #expect(S.endpoint(terminating, of: service, includeTerminating: false) == nil)
        let kept = S.endpoint(terminating, of: service, includeTerminating: true)
        #expect(kept?.terminating == true && kept?.ready == false && kept?.serving == true)
    }

    @Test("only pods matching the selector, sorted by IP; a Service without selector has none")
    func selection() throws {
        let pods = [
            F.endpointPod("c", ip: "10.1.0.3"), F.endpointPod("a", ip: "10.1.0.1"), F.endpointPod("x", ip: "10.1.0.9", labels: ["app": "db"]),
            F.endpointPod("b", ip: "10.1.0.2"),
        ]
        #expect(try S.endpoints(of: F.service(), pods: pods, includeTerminating: false).map(\.ip) == ["10.1.0.1", "10.1.0.2", "10.1.0.3"])
        #expect(try S.endpoints(of: F.service(selector: nil), pods: pods, includeTerminating: false).isEmpty)
        #expect(try S.endpoints(of: F.service(selector: [:]), pods: pods, includeTerminating: false).isEmpty)
        #expect(try S.selector(of: F.service(selector: nil)) == nil)
    }

    @Test("hostname only when the pod's subdomain is the Service's name")
    func hostname() {
        let service = F.service()
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", hostname: "a", subdomain: "web"), of: service, includeTerminating: false)?.hostname == "a")
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", hostname: "a", subdomain: "other"), of: service, includeTerminating: false)?.hostname == nil)
        #expect(S.endpoint(F.endpointPod("a", ip: "10.1.0.1", hostname: nil, subdomain: "web"), of: service, includeTerminating: false)?.hostname == nil)
    }

    @Test("publishNotReadyAddresses makes a not-ready pod ready")
    func publishNotReady() {
        let pod = F.endpointPod("a", ip: "10.1.0.1", ready: false)
        #expect(S.endpoint(pod, of: F.service(), includeTerminating: false)?.ready == false)
        #expect(S.endpoint(pod, of: F.service(publishNotReady: true), includeTerminating: false)?.ready == true)
    }

    @Test("EndpointSlice serving is the pod's readiness alone, even with publishNotReadyAddresses (upstream's podToEndpoint)")
    func servingIgnoresPublishNotReady() {
        let pod = F.endpointPod("a", ip: "10.1.0.1", ready: false)
        let endpoint = S.endpoint(pod, of: F.service(publishNotReady: true), includeTerminating: true)
        #expect(endpoint?.serving == false)
    }

    @Test("labels: the Service's, plus service.kubernetes.io/headless for a headless Service")
    func labels() {
        #expect(S.labels(of: F.service(labels: ["team": "blue"])) == ["team": "blue"])
        #expect(S.labels(of: F.service(labels: nil, clusterIP: "None")) == ["service.kubernetes.io/headless": ""])
    }
}

@Suite("Endpoints controller")
struct EndpointsControllerTests {
    typealias F = Fixtures

    static func address(_ name: String, _ ip: String, hostname: String? = nil) -> CoreV1.EndpointAddress {
        CoreV1.EndpointAddress(hostname: hostname, ip: ip, nodeName: "node-1", targetRef: F.podRef(name))
    }

    static let httpPort = CoreV1.EndpointPort(name: "http", port: 8080, protocol: "TCP")

    @Test("creates the Endpoints: ready and not-ready addresses sorted by IP, the resolved port, the Service's labels")
    func creates() async throws {
        let h = EndpointsHarness(F.service(labels: ["team": "blue"]), pods: [
            F.endpointPod("c", ip: "10.1.0.3"), F.endpointPod("a", ip: "10.1.0.1"), F.endpointPod("b", ip: "10.1.0.2", ready: false),
            F.endpointPod("d", ip: "10.1.0.4", ready: false), F.endpointPod("other", ip: "10.1.0.5", labels: ["app": "db"]),
        ])
        #expect(await h.syncEndpoints() == nil)
        #expect(h.client.actions.map(\.description) == ["create Endpoints web"])
        let endpoints = try #require(h.current)
        #expect(endpoints.metadata?.labels == ["team": "blue", "endpointslice.kubernetes.io/skip-mirror": "true"])
        #expect(endpoints.subsets == [CoreV1.EndpointSubset(
            addresses: [Self.address("a", "10.1.0.1"), Self.address("c", "10.1.0.3")],
            notReadyAddresses: [Self.address("b", "10.1.0.2"), Self.address("d", "10.1.0.4")],
            ports: [Self.httpPort])])
    }

    @Test("pods without an IP, finished or terminating are left out")
    func excluded() async throws {
        let h = EndpointsHarness(pods: [
            F.endpointPod("a", ip: "10.1.0.1"), F.endpointPod("noip", ip: nil), F.endpointPod("done", ip: "10.1.0.2", phase: "Succeeded"),
            F.endpointPod("failed", ip: "10.1.0.3", phase: "Failed"), F.endpointPod("going", ip: "10.1.0.4", deleting: true),
        ])
        await h.syncEndpoints()
        let subsets = try #require(h.current?.subsets)
        #expect(subsets.count == 1)
        #expect(subsets[0].addresses?.map(\.ip) == ["10.1.0.1"])
        #expect(subsets[0].notReadyAddresses == nil)
    }

    @Test("publishNotReadyAddresses: a not-ready pod is a ready address")
    func publishNotReady() async throws {
        let h = EndpointsHarness(F.service(publishNotReady: true), pods: [F.endpointPod("a", ip: "10.1.0.1", ready: false)])
        await h.syncEndpoints()
        #expect(h.current?.subsets?.first?.addresses?.map(\.ip) == ["10.1.0.1"])
        #expect(h.current?.subsets?.first?.notReadyAddresses == nil)
    }

    @Test("publishNotReadyAddresses also keeps terminating pods in the Endpoints (upstream: ShouldPodBeInEndpoints(pod, publishNotReadyAddresses))")
    func publishNotReadyKeepsTerminating() async throws {
        let h = EndpointsHarness(F.service(publishNotReady: true), pods: [
            F.endpointPod("a", ip: "10.1.0.1"), F.endpointPod("going", ip: "10.1.0.2", deleting: true),
        ])
        await h.syncEndpoints()
        #expect(h.current?.subsets?.first?.addresses?.map(\.ip) == ["10.1.0.1", "10.1.0.2"])
    }

    @Test("hostname is set when the pod's subdomain is the Service's name")
    func hostname() async throws {
        let h = EndpointsHarness(pods: [
            F.endpointPod("a", ip: "10.1.0.1", hostname: "a", subdomain: "web"),
            F.endpointPod("b", ip: "10.1.0.2", hostname: "b", subdomain: "elsewhere"),
        ])
        await h.syncEndpoints()
        #expect(h.current?.subsets?.first?.addresses == [Self.address("a", "10.1.0.1", hostname: "a"), Self.address("b", "10.1.0.2")])
    }

    @Test("one subset per distinct port set: a named targetPort resolving differently splits the pods; unresolvable pods are left out")
    func subsetsByPortSet() async throws {
        let service = F.service(ports: [F.servicePort("http", port: 80, target: .string("http"))])
        let h = EndpointsHarness(service, pods: [
            F.endpointPod("a", ip: "10.1.0.1", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "http")]),
            F.endpointPod("b", ip: "10.1.0.2", ports: [CoreV1.ContainerPort(containerPort: 9090, name: "http")]),
            F.endpointPod("c", ip: "10.1.0.3", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "http")]),
            F.endpointPod("d", ip: "10.1.0.4", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "web")]),
            F.endpointPod("e", ip: "10.1.0.5", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "http", protocol: "UDP")]),
        ])
        await h.syncEndpoints()
        let subsets = try #require(h.current?.subsets)
        #expect(subsets.count == 2)
        #expect(Set(subsets.map { $0.ports?.first?.port }) == [8080, 9090])
        let by8080 = try #require(subsets.first { $0.ports?.first?.port == 8080 })
        #expect(by8080.addresses?.map(\.ip) == ["10.1.0.1", "10.1.0.3"])
        let by9090 = try #require(subsets.first { $0.ports?.first?.port == 9090 })
        #expect(by9090.addresses?.map(\.ip) == ["10.1.0.2"])
    }

    @Test("multiple ports are listed in each subset, with names, protocols and app protocols")
    func multiplePorts() async throws {
        let service = F.service(ports: [
            F.servicePort("https", port: 443, target: .int(8443), appProtocol: "https"), F.servicePort("dns", port: 53, target: .int(53), proto: "UDP"),
        ])
        let h = EndpointsHarness(service, pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        #expect(h.current?.subsets?.first?.ports == [
            CoreV1.EndpointPort(name: "dns", port: 53, protocol: "UDP"),
            CoreV1.EndpointPort(appProtocol: "https", name: "https", port: 8443, protocol: "TCP"),
        ])
    }

    @Test("updated when pods change, not rewritten when nothing changed")
    func updates() async throws {
        let h = EndpointsHarness(pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        h.client.clearActions()
        await h.syncEndpoints()
        #expect(h.client.actions.isEmpty)

        h.client.seed(F.endpointPod("b", ip: "10.1.0.2"))
        await h.syncEndpoints()
        #expect(h.client.actions.map(\.description) == ["update Endpoints web"])
        #expect(h.current?.subsets?.first?.addresses?.map(\.ip) == ["10.1.0.1", "10.1.0.2"])

        // The last pod gone: the Endpoints stay, empty.
        h.client.clearActions()
        h.removePod("a")
        h.removePod("b")
        await h.syncEndpoints()
        #expect(h.client.actions.map(\.description) == ["update Endpoints web"])
        #expect(h.current != nil)
        #expect(h.current?.subsets == nil)
    }

    @Test("a change of the Service's labels is written")
    func labelsUpdated() async throws {
        let h = EndpointsHarness(pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        h.client.seed(F.service(labels: ["team": "red"]))
        h.client.clearActions()
        await h.syncEndpoints()
        #expect(h.client.actions.map(\.description) == ["update Endpoints web"])
        #expect(h.current?.metadata?.labels == ["team": "red", "endpointslice.kubernetes.io/skip-mirror": "true"])
    }

    @Test("deleted with the Service; a missing Endpoints is no error")
    func deletedWithService() async throws {
        let h = EndpointsHarness(pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        h.client.forget(CoreV1.Service.self, namespace: F.namespace, name: "web")
        h.services.delete(key: h.key)
        #expect(await h.syncEndpoints() == nil)
        #expect(h.client.actions("delete").map(\.description) == ["delete Endpoints web"])
        #expect(h.current == nil)
        #expect(await h.syncEndpoints() == nil)
    }

    @Test("a Service without a selector is left alone, its hand-written Endpoints untouched")
    func noSelector() async throws {
        let h = EndpointsHarness(F.service(selector: nil), pods: [F.endpointPod("a", ip: "10.1.0.1")])
        let manual = CoreV1.Endpoints(
            metadata: MetaV1.ObjectMeta(name: "web", namespace: F.namespace, resourceVersion: "1", uid: "ep-uid"),
            subsets: [CoreV1.EndpointSubset(addresses: [CoreV1.EndpointAddress(ip: "192.168.0.1")])]
        ).withTypeMeta()
        h.client.seed(manual)
        #expect(await h.syncEndpoints() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.current?.subsets == manual.subsets)
    }

    @Test("a headless Service without ports lists its pods with no ports")
    func headlessWithoutPorts() async throws {
        let h = EndpointsHarness(F.service(ports: [], clusterIP: "None"), pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        #expect(h.current?.subsets == [CoreV1.EndpointSubset(addresses: [Self.address("a", "10.1.0.1")])])
        #expect(h.current?.metadata?.labels == ["service.kubernetes.io/headless": "", "endpointslice.kubernetes.io/skip-mirror": "true"])
    }

    @Test("a Service with ports none of which resolve has no addresses")
    func nothingResolves() async throws {
        let h = EndpointsHarness(F.service(ports: [F.servicePort(target: .string("nope"))]), pods: [F.endpointPod("a", ip: "10.1.0.1")])
        await h.syncEndpoints()
        #expect(h.current != nil)
        #expect(h.current?.subsets == nil)
    }
}
