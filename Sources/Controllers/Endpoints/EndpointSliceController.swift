import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `endpointslice` controller: every Service with a selector has EndpointSlices
/// (`<service>-<random>`, owned by the Service, labelled `kubernetes.io/service-name`) holding
/// at most `maxEndpointsPerSlice` endpoints each, one group of slices per distinct port set,
/// with ready/serving/terminating conditions; a Service with no endpoints keeps one empty
/// placeholder slice, as upstream's.
///
/// Packing keeps an endpoint in the slice that holds it and fills existing slices before
/// creating new ones, so a change rewrites as few slices as possible. Partial: upstream also
/// tracks each slice's generation to refuse acting on a stale cache; here a slice this
/// controller just wrote and the informer does not show yet makes the sync retry.
public final class EndpointSliceController: Sendable {
    public static let maxEndpointsPerSlice = 100
    public static let serviceNameLabel = "kubernetes.io/service-name"
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    public static let managedBy = "endpointslice-controller.k8s.io"

    let services: Lister<CoreV1.Service>
    let pods: Lister<CoreV1.Pod>
    let slices: Lister<DiscoveryV1.EndpointSlice>
    let client: any ControllerClient
    let logger: Logger
    public let queue: WorkQueue<String>
    /// Slices written per service (name → resourceVersion) that the informer must show before
    /// the next sync of that service may trust it.
    let written = Mutex<[String: [String: String]]>([:])

    public init(
        services: Lister<CoreV1.Service>, pods: Lister<CoreV1.Pod>, slices: Lister<DiscoveryV1.EndpointSlice>,
        client: any ControllerClient, clock: any ComponentClock, logger: Logger
    ) {
        self.services = services
        self.pods = pods
        self.slices = slices
        self.client = client
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(services: SharedInformer<CoreV1.Service>, pods: SharedInformer<CoreV1.Pod>, slices: SharedInformer<DiscoveryV1.EndpointSlice>) {
        ServicePodEvents(services: services.lister, queue: queue, logger: logger).register(services: services, pods: pods)
        _ = slices.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] slice in
            guard slice.metadata?.labels?[Self.managedByLabel] == Self.managedBy,
                let service = slice.metadata?.labels?[Self.serviceNameLabel]
            else { return }
            queue.add(MetaNamespaceKey.key(namespace: slice.namespace, name: service))
        }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "endpoint_slice", metrics: metrics, logger: logger, failure: "endpointslice sync failed; retrying", label: "service") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// The slices of one port set being packed.
    struct Packing {
        var ports: [ServiceEndpoints.Port]
        var slices: [DiscoveryV1.EndpointSlice]
        var changed: Set<Int> = []
    }

    /// Reconciles the slices of Service `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key) else { return }
        guard let service = services.get(namespace: namespace, name: name), let selector = try ServiceEndpoints.selector(of: service) else {
            written.withLock { _ = $0.removeValue(forKey: key) }
            return  // a deleted Service's slices go with it (owner references)
        }
        let existing = slices.list(namespace: namespace).filter {
            $0.metadata?.labels?[Self.serviceNameLabel] == name && $0.metadata?.labels?[Self.managedByLabel] == Self.managedBy
        }
        try checkFresh(key, existing)

        let desired = ServiceEndpoints.endpoints(of: selector, service: service, pods: pods.list(namespace: namespace), includeTerminating: true)
        var byPorts: [[ServiceEndpoints.Port]: [String: DiscoveryV1.Endpoint]] = [:]
        for endpoint in desired {
            byPorts[endpoint.ports, default: [:]][endpoint.ip] = Self.endpoint(endpoint)
        }
        let labels = ServiceEndpoints.labels(of: service).merging([Self.serviceNameLabel: name, Self.managedByLabel: Self.managedBy]) { $1 }

        var keep: [DiscoveryV1.EndpointSlice] = []
        var updates: [DiscoveryV1.EndpointSlice] = []
        var creates: [DiscoveryV1.EndpointSlice] = []
        var deletes: [DiscoveryV1.EndpointSlice] = []
        var unused = existing
        for (ports, wanted) in byPorts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let wire = ports.map(Self.port)
            var group = unused.filter { ($0.ports ?? []) == wire }
            unused.removeAll { slice in group.contains { $0.uid == slice.uid } }
            var remaining = wanted
            // Keep endpoints where they are, refreshed; drop the ones no longer wanted.
            for index in group.indices {
                let before = group[index]
                group[index].endpoints = group[index].endpoints.compactMap { old in
                    guard let ip = old.addresses.first, let fresh = remaining.removeValue(forKey: ip) else { return nil }
                    return fresh
                }
                if group[index].endpoints != before.endpoints || (before.metadata?.labels ?? [:]) != labels {
                    group[index].metadata?.labels = labels
                    updates.append(group[index])
                }
            }
            // Fill slices with room, then new slices.
            var fresh = remaining.values.sorted { ($0.addresses.first ?? "") < ($1.addresses.first ?? "") }
            for index in group.indices where !fresh.isEmpty && group[index].endpoints.count < Self.maxEndpointsPerSlice {
                let room = Self.maxEndpointsPerSlice - group[index].endpoints.count
                group[index].endpoints += fresh.prefix(room)
                fresh.removeFirst(min(room, fresh.count))
                updates.removeAll { $0.uid == group[index].uid }
                updates.append(group[index])
            }
            while !fresh.isEmpty {
                let chunk = Array(fresh.prefix(Self.maxEndpointsPerSlice))
                fresh.removeFirst(chunk.count)
                creates.append(newSlice(service, labels: labels, ports: wire, endpoints: chunk))
            }
            for slice in group where slice.endpoints.isEmpty {
                deletes.append(slice)
                updates.removeAll { $0.uid == slice.uid }
            }
            keep += group.filter { !$0.endpoints.isEmpty }
        }
        // Slices of port sets no longer served go; with nothing at all, one empty placeholder stays.
        if byPorts.isEmpty {
            if let placeholder = unused.first(where: { $0.endpoints.isEmpty && ($0.ports ?? []).isEmpty }) {
                unused.removeAll { $0.uid == placeholder.uid }
                if (placeholder.metadata?.labels ?? [:]) != labels {
                    var copy = placeholder
                    copy.metadata?.labels = labels
                    updates.append(copy)
                }
            } else if let reused = unused.first {
                var copy = reused
                copy.endpoints = []
                copy.ports = nil
                copy.metadata?.labels = labels
                unused.removeFirst()
                updates.append(copy)
            } else {
                creates.append(newSlice(service, labels: labels, ports: nil, endpoints: []))
            }
        }
        deletes += unused
        try await apply(key, creates: creates, updates: updates, deletes: deletes)
    }

    /// Throws while a slice this controller wrote is not yet in the informer (acting on the
    /// older state could duplicate endpoints).
    func checkFresh(_ key: String, _ existing: [DiscoveryV1.EndpointSlice]) throws {
        let pending = written.withLock { $0[key] ?? [:] }
        guard !pending.isEmpty else { return }
        let seen = Dictionary(existing.map { ($0.name, $0.metadata?.resourceVersion ?? "") }, uniquingKeysWith: { a, _ in a })
        var stale: [String] = []
        for (name, version) in pending {
            if version.isEmpty {
                if seen[name] != nil { stale.append(name) }  // deleted, still listed
            } else if let current = seen[name], let a = Int64(current), let b = Int64(version), a >= b {
                continue
            } else {
                stale.append(name)
            }
        }
        written.withLock { $0[key] = pending.filter { stale.contains($0.key) } }
        if !stale.isEmpty {
            throw StatusError.internalError("endpoint slice cache is behind this controller's writes for \(stale.sorted().joined(separator: ", "))")
        }
    }

    func apply(_ key: String, creates: [DiscoveryV1.EndpointSlice], updates: [DiscoveryV1.EndpointSlice], deletes: [DiscoveryV1.EndpointSlice]) async throws {
        var record: [String: String] = [:]
        defer { written.withLock { $0[key, default: [:]].merge(record) { $1 } } }
        for slice in updates {
            let stored = try await client.update(slice)
            record[stored.name] = stored.metadata?.resourceVersion ?? ""
        }
        for slice in creates {
            do {
                let stored = try await client.create(slice)
                record[stored.name] = stored.metadata?.resourceVersion ?? ""
            } catch let error as StatusError where error.isNamespaceTerminating {}
        }
        for slice in deletes {
            do {
                try await client.delete(DiscoveryV1.EndpointSlice.self, namespace: slice.namespace, name: slice.name, uid: slice.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound {}
            record[slice.name] = ""
        }
    }

    func newSlice(_ service: CoreV1.Service, labels: [String: String], ports: [DiscoveryV1.EndpointPort]?, endpoints: [DiscoveryV1.Endpoint]) -> DiscoveryV1.EndpointSlice {
        var meta = MetaV1.ObjectMeta()
        meta.generateName = "\(service.name)-"
        meta.namespace = service.namespace
        meta.labels = labels
        meta.ownerReferences = [service.asControllerRef]
        return DiscoveryV1.EndpointSlice(metadata: meta, addressType: "IPv4", endpoints: endpoints, ports: ports).withTypeMeta()
    }

    static func endpoint(_ endpoint: ServiceEndpoints.PodEndpoint) -> DiscoveryV1.Endpoint {
        DiscoveryV1.Endpoint(
            addresses: [endpoint.ip],
            conditions: DiscoveryV1.EndpointConditions(ready: endpoint.ready, serving: endpoint.serving, terminating: endpoint.terminating),
            hostname: endpoint.hostname, nodeName: endpoint.pod.spec?.nodeName, targetRef: ServiceEndpoints.reference(endpoint.pod))
    }

    static func port(_ port: ServiceEndpoints.Port) -> DiscoveryV1.EndpointPort {
        DiscoveryV1.EndpointPort(appProtocol: port.appProtocol, name: port.name, port: port.port, protocol: port.proto)
    }
}
