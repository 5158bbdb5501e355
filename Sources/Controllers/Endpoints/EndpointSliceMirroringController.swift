import APIMachinery
import Foundation
import Client
import Component
import Logging

/// The `endpointslice-mirroring` controller: the Endpoints of a Service without a selector
/// (written by hand or by another tool) are mirrored into EndpointSlices (`<endpoints>-<random>`,
/// owned by the Endpoints, managed by `endpointslicemirroring-controller.k8s.io`), so that
/// consumers of slices see them too. Endpoints labelled `endpointslice.kubernetes.io/skip-mirror:
/// "true"` (the endpoints controller's own, the apiserver's) and those of Services with a
/// selector are not mirrored; their mirrored slices go. At most `maxEndpointsPerSubset` addresses
/// of each subset are mirrored, as upstream's `--mirroring-max-endpoints-per-subset`.
public final class EndpointSliceMirroringController: Sendable {
    public static let managedBy = "endpointslicemirroring-controller.k8s.io"
    public static let skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror"
    /// Annotations of the Endpoints that are not copied to its slices.
    static let unmirroredAnnotations: Set<String> = [
        "endpoints.kubernetes.io/last-change-trigger-time", "kubectl.kubernetes.io/last-applied-configuration",
        "endpoints.kubernetes.io/over-capacity",
    ]

    let endpoints: Lister<CoreV1.Endpoints>
    let services: Lister<CoreV1.Service>
    let slices: Lister<DiscoveryV1.EndpointSlice>
    let client: any ControllerClient
    let logger: Logger
    let maxEndpointsPerSubset: Int
    public let queue: WorkQueue<String>
    let writer: SliceWriter

    public init(
        endpoints: Lister<CoreV1.Endpoints>, services: Lister<CoreV1.Service>, slices: Lister<DiscoveryV1.EndpointSlice>,
        client: any ControllerClient, clock: any ComponentClock, logger: Logger, maxEndpointsPerSubset: Int = 1000
    ) {
        self.endpoints = endpoints
        self.services = services
        self.slices = slices
        self.client = client
        self.logger = logger
        self.maxEndpointsPerSubset = maxEndpointsPerSubset
        self.queue = WorkQueue(clock: clock)
        self.writer = SliceWriter(client: client, managedBy: Self.managedBy)
    }

    public func register(
        endpoints: SharedInformer<CoreV1.Endpoints>, services: SharedInformer<CoreV1.Service>, slices: SharedInformer<DiscoveryV1.EndpointSlice>
    ) {
        _ = endpoints.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] in queue.add($0.queueKey) }))
        // A Service gaining or losing its selector starts or stops the mirroring.
        _ = services.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] in queue.add($0.queueKey) }))
        writer.register(slices, queue: queue)
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "endpoint_slice_mirroring", metrics: metrics, logger: logger, failure: "endpointslice mirroring failed; retrying", label: "endpoints") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Mirrors the Endpoints `key` (`namespace/name`), or removes its mirrored slices.
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key) else { return }
        let existing = writer.slices(of: namespace, name, in: slices)
        try writer.checkFresh(key, existing)
        guard let source = endpoints.get(namespace: namespace, name: name), let service = services.get(namespace: namespace, name: name),
            (service.spec?.selector ?? [:]).isEmpty, source.metadata?.labels?[Self.skipMirrorLabel] != "true"
        else {
            try await writer.apply(key, creates: [], updates: [], deletes: existing)
            return
        }
        var labels = (source.metadata?.labels ?? [:]).filter { $0.key != Self.skipMirrorLabel }
        labels[EndpointSliceController.serviceNameLabel] = name
        labels[EndpointSliceController.managedByLabel] = Self.managedBy
        let annotations = (source.metadata?.annotations ?? [:]).filter { !Self.unmirroredAnnotations.contains($0.key) }
        let (creates, updates, deletes) = SlicePacking.plan(
            existing: existing, wanted: Self.endpoints(of: source, max: maxEndpointsPerSubset), labels: labels, annotations: annotations,
            maxPerSlice: maxEndpointsPerSubset, placeholder: false
        ) { group, endpoints in
            var meta = MetaV1.ObjectMeta()
            meta.generateName = "\(name)-"
            meta.namespace = namespace
            meta.labels = labels
            meta.annotations = annotations.isEmpty ? nil : annotations
            meta.ownerReferences = [source.asControllerRef]
            return DiscoveryV1.EndpointSlice(metadata: meta, addressType: group?.addressType ?? "IPv4", endpoints: endpoints, ports: group?.wirePorts)
                .withTypeMeta()
        }
        try await writer.apply(key, creates: creates, updates: updates, deletes: deletes)
    }

    /// The endpoints of every subset by address type and port set: ready addresses ready, not
    /// ready ones not; invalid addresses skipped; at most `max` of each subset.
    static func endpoints(of source: CoreV1.Endpoints, max: Int) -> [SlicePacking.Group: [String: DiscoveryV1.Endpoint]] {
        var wanted: [SlicePacking.Group: [String: DiscoveryV1.Endpoint]] = [:]
        for subset in source.subsets ?? [] {
            let ports = (subset.ports ?? []).map {
                ServiceEndpoints.Port(name: $0.name ?? "", port: $0.port, proto: $0.protocol ?? "TCP", appProtocol: $0.appProtocol)
            }.sorted()
            let addresses = (subset.addresses ?? []).map { ($0, true) } + (subset.notReadyAddresses ?? []).map { ($0, false) }
            var taken = 0
            for (address, ready) in addresses where taken < max {
                let type: String
                if IPv4Network.parse(address.ip) != nil {
                    type = "IPv4"
                } else if address.ip.contains(":"), Self.isIPv6(address.ip) {
                    type = "IPv6"
                } else {
                    continue
                }
                taken += 1
                wanted[SlicePacking.Group(addressType: type, ports: ports), default: [:]][address.ip] = DiscoveryV1.Endpoint(
                    addresses: [address.ip], conditions: DiscoveryV1.EndpointConditions(ready: ready), hostname: address.hostname,
                    nodeName: address.nodeName, targetRef: address.targetRef)
            }
        }
        return wanted
    }

    /// A textual IPv6 address (hex groups, at most one `::`, optionally an IPv4 tail).
    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
