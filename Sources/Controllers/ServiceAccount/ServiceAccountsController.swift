import APIMachinery
import Client
import Component
import Logging

/// The `serviceaccount` controller: every active namespace has the ServiceAccount `default`
/// (recreated if deleted), as kube-controller-manager's `ServiceAccountsController`.
public final class ServiceAccountsController: Sendable {
    /// The accounts ensured in each namespace.
    public static let accounts = ["default"]

    let namespaces: Lister<CoreV1.Namespace>
    let serviceAccounts: Lister<CoreV1.ServiceAccount>
    let client: any ControllerClient
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        namespaces: Lister<CoreV1.Namespace>, serviceAccounts: Lister<CoreV1.ServiceAccount>,
        client: any ControllerClient, clock: any ComponentClock, logger: Logger
    ) {
        self.namespaces = namespaces
        self.serviceAccounts = serviceAccounts
        self.client = client
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(namespaces: SharedInformer<CoreV1.Namespace>, serviceAccounts: SharedInformer<CoreV1.ServiceAccount>) {
        _ = namespaces.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] in queue.add($0.name) }))
        _ = serviceAccounts.addEventHandler(ResourceEventHandler(
            onAdd: { _ in }, onUpdate: { _, _ in },
            onDelete: { [queue] deleted in
                if Self.accounts.contains(deleted.object.name) { queue.add(deleted.object.namespace) }
            }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "serviceaccount", metrics: metrics, logger: logger, failure: "serviceaccount sync failed; retrying", label: "namespace") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Creates the missing accounts of namespace `name` unless it is terminating.
    public func sync(_ name: String) async throws {
        guard let namespace = namespaces.get(namespace: "", name: name),
            !namespace.isBeingDeleted, namespace.status?.phase != "Terminating"
        else { return }
        for account in Self.accounts where serviceAccounts.get(namespace: name, name: account) == nil {
            do {
                _ = try await client.create(CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: account, namespace: name)).withTypeMeta())
            } catch let error as StatusError where error.isAlreadyExists {
                continue  // the informer lags behind the store
            } catch let error as StatusError where error.isNamespaceTerminating {
                return
            }
        }
    }
}
