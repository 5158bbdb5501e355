import APIMachinery
import Client
import Component
import Logging

/// The `endpoints` controller: for every Service with a selector, the core/v1 Endpoints of the
/// same name lists the selected pods' IPs and resolved target ports, ready and not-ready
/// apart (terminating pods left out unless the Service publishes not-ready addresses), as
/// upstream's. Services without a selector are left to
/// whoever writes their Endpoints (the apiserver for `kubernetes`).
public final class EndpointsController: Sendable {
    let services: Lister<CoreV1.Service>
    let pods: Lister<CoreV1.Pod>
    let endpoints: Lister<CoreV1.Endpoints>
    let client: any ControllerClient
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        services: Lister<CoreV1.Service>, pods: Lister<CoreV1.Pod>, endpoints: Lister<CoreV1.Endpoints>,
        client: any ControllerClient, clock: any ComponentClock, logger: Logger
    ) {
        self.services = services
        self.pods = pods
        self.endpoints = endpoints
        self.client = client
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(services: SharedInformer<CoreV1.Service>, pods: SharedInformer<CoreV1.Pod>) {
        ServicePodEvents(services: services.lister, queue: queue, logger: logger).register(services: services, pods: pods)
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "endpoint", metrics: metrics, logger: logger, failure: "endpoints sync failed; retrying", label: "service") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Writes the Endpoints of Service `key` (`namespace/name`), or deletes them with it.
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key) else { return }
        guard let service = services.get(namespace: namespace, name: name) else {
            do {
                try await client.delete(CoreV1.Endpoints.self, namespace: namespace, name: name, uid: nil, propagation: nil)
            } catch let error as StatusError where error.isNotFound {}
            return
        }
        guard let selector = try ServiceEndpoints.selector(of: service) else { return }
        let found = ServiceEndpoints.endpoints(of: selector, service: service, pods: pods.list(namespace: namespace), includeTerminating: service.spec?.publishNotReadyAddresses == true)
        let subsets = ServiceEndpoints.subsets(found, service: service)
        // Endpoints this controller keeps are not mirrored into slices (it has slices of its own).
        let labels = ServiceEndpoints.labels(of: service).merging([EndpointSliceMirroringController.skipMirrorLabel: "true"]) { $1 }
        if var current = endpoints.get(namespace: namespace, name: name) {
            guard (current.subsets ?? []) != subsets || (current.metadata?.labels ?? [:]) != labels else { return }
            current.subsets = subsets.isEmpty ? nil : subsets
            current.metadata?.labels = labels.isEmpty ? nil : labels
            _ = try await client.update(current)
        } else {
            var meta = MetaV1.ObjectMeta(name: name, namespace: namespace)
            meta.labels = labels.isEmpty ? nil : labels
            do {
                _ = try await client.create(CoreV1.Endpoints(metadata: meta, subsets: subsets.isEmpty ? nil : subsets).withTypeMeta())
            } catch let error as StatusError where error.isNamespaceTerminating {}
        }
    }
}
