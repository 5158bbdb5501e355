import APIMachinery

/// What a Service's endpoints are, from its selector and the pods (pure; shared by the
/// `endpoints` and `endpointslice` controllers, upstream's `endpointutil`).
public enum ServiceEndpoints {
    /// One port of one endpoint: the Service port's name, protocol and app protocol, and the
    /// pod port its targetPort resolves to.
    public struct Port: Hashable, Sendable, Comparable {
        public var name: String
        public var port: Int32
        public var proto: String
        public var appProtocol: String?

        public static func < (a: Port, b: Port) -> Bool {
            (a.name, a.port, a.proto) < (b.name, b.port, b.proto)
        }
    }

    /// A pod as an endpoint of a Service.
    public struct PodEndpoint: Sendable {
        public var pod: CoreV1.Pod
        public var ip: String
        public var ready: Bool
        public var serving: Bool
        public var terminating: Bool
        public var hostname: String?
        public var ports: [Port]
    }

    /// The Service's label selector as a query; nil when it selects nothing by label (no
    /// selector: its endpoints are someone else's). Throws for labels that do not parse.
    public static func selector(of service: CoreV1.Service) throws -> LabelSelectorQuery? {
        guard let labels = service.spec?.selector, !labels.isEmpty else { return nil }
        return try MetaV1.LabelSelector(matchLabels: labels).query()
    }

    /// The pod port `servicePort` targets on `pod` (a number, or a named container port with
    /// the same protocol); nil when a name does not resolve.
    public static func targetPort(_ servicePort: CoreV1.ServicePort, on pod: CoreV1.Pod) -> Int32? {
        switch servicePort.targetPort ?? .int(servicePort.port) {
        case .int(let number): return number == 0 ? servicePort.port : number
        case .string(let name):
            if let number = Int32(name) { return number }
            let proto = servicePort.protocol ?? "TCP"
            for container in pod.spec?.containers ?? [] {
                for port in container.ports ?? [] where port.name == name && (port.protocol ?? "TCP") == proto {
                    return port.containerPort
                }
            }
            return nil
        }
    }

    /// `pod` as an endpoint of `service`, or nil when it has no IP or has finished; pods being
    /// deleted are kept only when `includeTerminating` (EndpointSlices report them).
    public static func endpoint(_ pod: CoreV1.Pod, of service: CoreV1.Service, includeTerminating: Bool) -> PodEndpoint? {
        guard let ip = pod.status?.podIP, !ip.isEmpty else { return nil }
        let phase = pod.status?.phase
        if phase == "Succeeded" || phase == "Failed" { return nil }
        let terminating = pod.isBeingDeleted
        if terminating && !includeTerminating { return nil }
        let publishNotReady = service.spec?.publishNotReadyAddresses == true
        var ports: [Port] = []
        for servicePort in service.spec?.ports ?? [] {
            guard let target = targetPort(servicePort, on: pod) else { continue }
            ports.append(Port(name: servicePort.name ?? "", port: target, proto: servicePort.protocol ?? "TCP", appProtocol: servicePort.appProtocol))
        }
        var hostname: String?
        if let name = pod.spec?.hostname, !name.isEmpty, pod.spec?.subdomain == service.name { hostname = name }
        return PodEndpoint(
            pod: pod, ip: ip, ready: publishNotReady || (pod.isReady && !terminating), serving: pod.isReady,
            terminating: terminating, hostname: hostname, ports: ports.sorted())
    }

    /// The endpoints of `service` among `pods` (already limited to its namespace).
    public static func endpoints(of service: CoreV1.Service, pods: [CoreV1.Pod], includeTerminating: Bool) throws -> [PodEndpoint] {
        guard let selector = try selector(of: service) else { return [] }
        return endpoints(of: selector, service: service, pods: pods, includeTerminating: includeTerminating)
    }

    /// The endpoints among `pods` that `selector` (the Service's, already parsed) selects.
    public static func endpoints(of selector: LabelSelectorQuery, service: CoreV1.Service, pods: [CoreV1.Pod], includeTerminating: Bool) -> [PodEndpoint] {
        pods.filter { selector.matches($0.metadata?.labels ?? [:]) }
            .compactMap { endpoint($0, of: service, includeTerminating: includeTerminating) }
            .sorted { ($0.ip, $0.pod.uid) < ($1.ip, $1.pod.uid) }
    }

    /// A reference to the pod behind an endpoint.
    public static func reference(_ pod: CoreV1.Pod) -> CoreV1.ObjectReference {
        CoreV1.ObjectReference(kind: "Pod", name: pod.name, namespace: pod.namespace, uid: pod.uid)
    }

    /// `Endpoints.subsets` as upstream's `RepackSubsets` shapes them: one subset per distinct
    /// port set, ready and not-ready addresses sorted by IP. A headless Service without ports
    /// gets port-less subsets.
    public static func subsets(_ endpoints: [PodEndpoint], service: CoreV1.Service) -> [CoreV1.EndpointSubset] {
        let headless = service.spec?.clusterIP == "None"
        var groups: [[Port]: (ready: [CoreV1.EndpointAddress], notReady: [CoreV1.EndpointAddress])] = [:]
        for endpoint in endpoints {
            if endpoint.ports.isEmpty && !(headless && (service.spec?.ports ?? []).isEmpty) { continue }
            let address = CoreV1.EndpointAddress(
                hostname: endpoint.hostname, ip: endpoint.ip, nodeName: endpoint.pod.spec?.nodeName, targetRef: reference(endpoint.pod))
            if endpoint.ready {
                groups[endpoint.ports, default: ([], [])].ready.append(address)
            } else {
                groups[endpoint.ports, default: ([], [])].notReady.append(address)
            }
        }
        return groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ports, addresses in
            CoreV1.EndpointSubset(
                addresses: addresses.ready.isEmpty ? nil : addresses.ready,
                notReadyAddresses: addresses.notReady.isEmpty ? nil : addresses.notReady,
                ports: ports.isEmpty ? nil : ports.map { CoreV1.EndpointPort(appProtocol: $0.appProtocol, name: $0.name.isEmpty ? nil : $0.name, port: $0.port, protocol: $0.proto) })
        }
    }

    /// The labels of a Service's Endpoints and EndpointSlices: the Service's, plus
    /// `service.kubernetes.io/headless` for a headless Service.
    public static func labels(of service: CoreV1.Service) -> [String: String] {
        var labels = service.metadata?.labels ?? [:]
        if service.spec?.clusterIP == "None" { labels["service.kubernetes.io/headless"] = "" }
        return labels
    }
}
