import APIMachinery
import Client
import Component
@testable import Controllers

extension Fixtures {
    // MARK: Services and their pods

    static func servicePort(
        _ name: String? = "http", port: Int32 = 80, target: IntOrString? = .int(8080), proto: String? = "TCP", appProtocol: String? = nil
    ) -> CoreV1.ServicePort {
        CoreV1.ServicePort(appProtocol: appProtocol, name: name, port: port, protocol: proto, targetPort: target)
    }

    static func service(
        _ name: String = "web", uid: String = "svc-uid", selector: [String: String]? = ["app": "web"],
        ports: [CoreV1.ServicePort] = [servicePort()], labels: [String: String]? = nil, clusterIP: String? = "10.96.0.10",
        publishNotReady: Bool? = nil
    ) -> CoreV1.Service {
        CoreV1.Service(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name, namespace: namespace, resourceVersion: "1", uid: uid),
            spec: CoreV1.ServiceSpec(
                clusterIP: clusterIP, ports: ports, publishNotReadyAddresses: publishNotReady, selector: selector)
        ).withTypeMeta()
    }

    /// A pod with `ip` (nil: none yet) whose container declares `ports`.
    static func endpointPod(
        _ name: String, ip: String?, labels: [String: String] = ["app": "web"], ready: Bool = true, phase: String? = "Running",
        deleting: Bool = false, ports: [CoreV1.ContainerPort] = [], hostname: String? = nil, subdomain: String? = nil,
        node: String? = "node-1"
    ) -> CoreV1.Pod {
        var pod = pod(name, labels: labels, phase: phase, ready: ready, node: node, deleting: deleting)
        pod.status?.podIP = ip
        pod.spec?.hostname = hostname
        pod.spec?.subdomain = subdomain
        if !ports.isEmpty { pod.spec?.containers[0].ports = ports }
        return pod
    }

    /// `count` ready pods 10.1.<i / 250>.<i % 250 + 1>, named p0, p1, ….
    static func endpointPods(_ count: Int, from start: Int = 0) -> [CoreV1.Pod] {
        (start..<(start + count)).map { endpointPod("p\($0)", ip: ip($0)) }
    }

    static func ip(_ index: Int) -> String { "10.1.\(index / 250).\(index % 250 + 1)" }

    static func podRef(_ name: String) -> CoreV1.ObjectReference {
        CoreV1.ObjectReference(kind: "Pod", name: name, namespace: namespace, uid: "uid-\(name)")
    }
}

/// The endpoints and endpointslice controllers over listers the fake client keeps up to date.
struct EndpointsHarness {
    let clock = ManualClock()
    let services = ThreadSafeStore<CoreV1.Service>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let endpoints = ThreadSafeStore<CoreV1.Endpoints>()
    let slices = ThreadSafeStore<DiscoveryV1.EndpointSlice>()
    let client = FakeControllerClient()
    let endpointsController: EndpointsController
    let sliceController: EndpointSliceController
    let key = "\(Fixtures.namespace)/web"

    init(_ service: CoreV1.Service? = Fixtures.service(), pods: [CoreV1.Pod] = []) {
        endpointsController = EndpointsController(
            services: Lister(store: services), pods: Lister(store: self.pods), endpoints: Lister(store: endpoints), client: client,
            clock: clock, logger: Fixtures.logger)
        sliceController = EndpointSliceController(
            services: Lister(store: services), pods: Lister(store: self.pods), slices: Lister(store: slices), client: client,
            clock: clock, logger: Fixtures.logger)
        client.mirror(services)
        client.mirror(self.pods)
        client.mirror(endpoints)
        client.mirror(slices)
        if let service { client.seed(service) }
        for pod in pods { client.seed(pod) }
    }

    var current: CoreV1.Endpoints? { endpoints.get(key: key) }

    /// The slices in the informer, by name.
    var currentSlices: [DiscoveryV1.EndpointSlice] { slices.list().sorted { $0.name < $1.name } }

    /// Which slice holds each address.
    var sliceOf: [String: String] {
        var result: [String: String] = [:]
        for slice in currentSlices {
            for endpoint in slice.endpoints { for address in endpoint.addresses { result[address] = slice.name } }
        }
        return result
    }

    func removePod(_ name: String) {
        client.forget(CoreV1.Pod.self, namespace: Fixtures.namespace, name: name)
        pods.delete(key: "\(Fixtures.namespace)/\(name)")
    }

    @discardableResult
    func syncEndpoints() async -> (any Error)? {
        do {
            try await endpointsController.sync(key)
            return nil
        } catch {
            return error
        }
    }

    @discardableResult
    func syncSlices() async -> (any Error)? {
        do {
            try await sliceController.sync(key)
            return nil
        } catch {
            return error
        }
    }
}
