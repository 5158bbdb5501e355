import APIMachinery
import Client
import Component
@testable import Controllers

/// A `GarbageCollector` over a `FakeDynamicClient`; tests feed the graph with `observed` /
/// `removed` (what the metadata informers would deliver) and run the workers' functions.
struct GarbageCollectorHarness {
    typealias F = Fixtures
    static let resources = [F.pods, F.configMaps, F.replicaSets, F.deployments, F.clusterRoles, F.namespaces]

    let clock = ManualClock()
    let client = FakeDynamicClient(resources: Self.resources)
    let events = RecordingEvents()
    let gc: GarbageCollector

    init() {
        gc = GarbageCollector(client: client, events: events, clock: clock, logger: F.logger)
        _ = gc.watchable(Self.resources)
    }

    /// `object` exists in the apiserver and, with `observe`, in the graph.
    func add(_ resource: ResourceInfo, _ object: ObjectMetadata, observe: Bool = true) {
        client.seed(resource, object)
        if observe { gc.observed(resource, object) }
    }

    /// The keys ready in `queue`, taken out of it.
    func drain(_ queue: WorkQueue<String>) async -> Set<String> {
        Set(await queue.drainReady())
    }
}
