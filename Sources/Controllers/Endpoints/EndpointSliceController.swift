import APIMachinery
import Client
import Component
import Logging

/// The `endpointslice` controller: every Service with a selector has EndpointSlices
/// (`<service>-<random>`, owned by the Service, labelled `kubernetes.io/service-name`) holding
/// at most `maxEndpointsPerSlice` endpoints each, one group of slices per distinct port set,
/// with ready/serving/terminating conditions; a Service with no endpoints keeps one empty
/// placeholder slice, as upstream's.
///
/// Packing is `SlicePacking`'s. Partial: upstream also
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
    let writer: SliceWriter

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
        self.writer = SliceWriter(client: client, managedBy: Self.managedBy)
    }

    public func register(services: SharedInformer<CoreV1.Service>, pods: SharedInformer<CoreV1.Pod>, slices: SharedInformer<DiscoveryV1.EndpointSlice>) {
        ServicePodEvents(services: services.lister, queue: queue, logger: logger).register(services: services, pods: pods)
        writer.register(slices, queue: queue)
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "endpoint_slice", metrics: metrics, logger: logger, failure: "endpointslice sync failed; retrying", label: "service") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Reconciles the slices of Service `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key) else { return }
        guard let service = services.get(namespace: namespace, name: name), let selector = try ServiceEndpoints.selector(of: service) else {
            writer.forget(key)
            return  // a deleted Service's slices go with it (owner references)
        }
        let existing = writer.slices(of: namespace, name, in: slices)
        try writer.checkFresh(key, existing)

        let desired = ServiceEndpoints.endpoints(of: selector, service: service, pods: pods.list(namespace: namespace), includeTerminating: true)
        var wanted: [SlicePacking.Group: [String: DiscoveryV1.Endpoint]] = [:]
        for endpoint in desired {
            wanted[SlicePacking.Group(addressType: "IPv4", ports: endpoint.ports), default: [:]][endpoint.ip] = Self.endpoint(endpoint)
        }
        let labels = ServiceEndpoints.labels(of: service).merging([Self.serviceNameLabel: name, Self.managedByLabel: Self.managedBy]) { $1 }
        let (creates, updates, deletes) = SlicePacking.plan(
            existing: existing, wanted: wanted, labels: labels, maxPerSlice: Self.maxEndpointsPerSlice, placeholder: true
        ) { group, endpoints in newSlice(service, labels: labels, ports: group?.wirePorts, endpoints: endpoints) }
        try await writer.apply(key, creates: creates, updates: updates, deletes: deletes)
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

}
