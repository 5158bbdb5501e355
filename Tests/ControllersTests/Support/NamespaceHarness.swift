import APIMachinery
import Client
import Component
@testable import Controllers

/// A `NamespaceController` whose namespace lister the fake status client keeps up to date.
struct NamespaceHarness {
    typealias F = Fixtures
    /// Pods support deletecollection; ConfigMaps are deleted one by one; the others are not
    /// namespace content (cluster-scoped, or not listable or deletable).
    static let resources = [
        F.pods,
        F.resource("", "v1", "ConfigMap", "configmaps", verbs: ["delete", "get", "list", "watch"]),
        F.namespaces,
        F.resource("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", verbs: ["get", "list"]),
        F.resource("", "v1", "Binding", "bindings", verbs: ["create"]),
    ]
    static let configMaps = resources[1]

    let clock = ManualClock()
    let namespaces = ThreadSafeStore<CoreV1.Namespace>()
    let statusClient = FakeControllerClient()
    let client = FakeDynamicClient(resources: Self.resources)
    let controller: NamespaceController

    init(_ namespace: CoreV1.Namespace?) {
        controller = NamespaceController(
            namespaces: Lister(store: namespaces), client: client, statusClient: statusClient, clock: clock, logger: F.logger)
        statusClient.mirror(namespaces)
        if let namespace { statusClient.seed(namespace) }
    }

    func namespace(_ name: String) -> CoreV1.Namespace? { namespaces.get(key: name) }

    /// The namespace's conditions as (type, status, reason, message).
    func conditions(_ name: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for condition in namespace(name)?.status?.conditions ?? [] {
            result[condition.type] = [condition.status, condition.reason ?? "", condition.message ?? ""]
        }
        return result
    }

    /// Takes every ready key out of the controller's queue, in order.
    func drainQueue() async -> [String] { await controller.queue.drainReady() }

    func sync(_ name: String) async -> (any Error)? {
        do {
            try await controller.sync(name)
            return nil
        } catch {
            return error
        }
    }
}
