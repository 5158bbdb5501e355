import APIMachinery
import Client
import Component
import Logging

/// The `namespace` controller: a namespace being deleted is emptied of every namespaced
/// resource the apiserver serves (found by discovery, so kinds added later are covered), its
/// progress reported in status conditions as upstream's, and once nothing is left its
/// `kubernetes` finalizer is removed, which lets the apiserver delete it.
public final class NamespaceController: Sendable {
    public static let finalizer = "kubernetes"

    let namespaces: Lister<CoreV1.Namespace>
    let client: any DynamicClient
    let statusClient: any ControllerClient
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        namespaces: Lister<CoreV1.Namespace>, client: any DynamicClient, statusClient: any ControllerClient,
        clock: any ComponentClock, logger: Logger
    ) {
        self.namespaces = namespaces
        self.client = client
        self.statusClient = statusClient
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(namespaces: SharedInformer<CoreV1.Namespace>) {
        _ = namespaces.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in if $0.isBeingDeleted { queue.add($0.name) } },
            onUpdate: { [queue] _, new in if new.isBeingDeleted { queue.add(new.name) } },
            onDelete: { _ in }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "namespace", metrics: metrics, logger: logger, failure: "namespace deletion not finished; retrying", label: "namespace") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// What is left in a namespace after a deletion pass.
    struct Remaining {
        /// Objects per resource (`pods.`, `deployments.apps`, as upstream writes them).
        var resources: [String: Int] = [:]
        /// Objects with finalizers, per finalizer.
        var finalizers: [String: Int] = [:]
        /// Longest grace period of a terminating pod, in seconds.
        var gracePeriod: Int64 = 0
        var failures: [String] = []
        var isEmpty: Bool { resources.isEmpty }
    }

    /// Deletes the contents of namespace `name` if it is terminating, then finalizes it.
    public func sync(_ name: String) async throws {
        guard let namespace = namespaces.get(namespace: "", name: name), namespace.isBeingDeleted else { return }
        guard namespace.spec?.finalizers?.contains(Self.finalizer) == true else { return }
        let resources: [ResourceInfo]
        do {
            resources = try await client.serverResources().filter { $0.namespaced && $0.verbs.contains("list") }
        } catch {
            try await setConditions(namespace, [("NamespaceDeletionDiscoveryFailure", "True", "DiscoveryFailed", "Discovery failed: \(error)")])
            throw error
        }
        var remaining = Remaining()
        for resource in resources where resource.verbs.contains("delete") || resource.verbs.contains("deletecollection") {
            do {
                try await empty(resource, in: name, &remaining)
            } catch {
                remaining.failures.append("\(error)")
            }
        }
        try await setConditions(namespace, Self.conditions(for: remaining))
        if !remaining.failures.isEmpty {
            throw StatusError.internalError(remaining.failures.joined(separator: "; "))
        }
        if !remaining.isEmpty {
            // As upstream: wait half the estimate (the longest pod grace period still running,
            // or 15 s for content held by finalizers), plus a second.
            let estimate = remaining.gracePeriod > 0 ? remaining.gracePeriod : (remaining.finalizers.isEmpty ? 0 : 15)
            let wait = estimate / 2 + 1
            logger.debug("namespace content remaining", metadata: ["namespace": "\(name)", "resources": "\(remaining.resources)", "retry": "\(wait)s"])
            queue.add(name, after: .seconds(wait))
            return
        }
        guard let fresh = namespaces.get(namespace: "", name: name) else { return }
        var finalized = fresh
        finalized.spec?.finalizers = fresh.spec?.finalizers?.filter { $0 != Self.finalizer }
        do {
            try await client.finalize(finalized)
        } catch let error as StatusError where error.isNotFound {
            return
        }
        logger.info("namespace emptied and finalized", metadata: ["namespace": "\(name)"])
    }

    /// Deletes every object of `resource` in `namespace`, then counts what is left.
    func empty(_ resource: ResourceInfo, in namespace: String, _ remaining: inout Remaining) async throws {
        let name = "\(resource.plural).\(resource.gvk.group)"
        if resource.verbs.contains("deletecollection") {
            try await client.deleteCollection(resource, namespace: namespace)
        } else {
            for object in try await client.list(resource, namespace: namespace) where object.metadata.deletionTimestamp == nil {
                do {
                    try await client.delete(resource, namespace: namespace, name: object.objectName, uid: object.metadata.uid, propagation: nil)
                } catch let error as StatusError where error.isNotFound || error.isConflict {
                    continue
                }
            }
        }
        let left = try await client.list(resource, namespace: namespace)
        guard !left.isEmpty else { return }
        remaining.resources[name] = left.count
        for object in left {
            for finalizer in object.metadata.finalizers ?? [] { remaining.finalizers[finalizer, default: 0] += 1 }
            if resource.gvk.group.isEmpty && resource.plural == "pods" {
                remaining.gracePeriod = max(remaining.gracePeriod, object.metadata.deletionGracePeriodSeconds ?? 0)
            }
        }
    }

    /// The five deletion conditions upstream reports, from one pass's outcome.
    static func conditions(for remaining: Remaining) -> [(String, String, String, String)] {
        let content = remaining.resources.sorted { $0.key < $1.key }.map { "\($0.key) has \($0.value) resource instances" }
        let finalizers = remaining.finalizers.sorted { $0.key < $1.key }.map { "\($0.key) in \($0.value) resource instances" }
        return [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            remaining.failures.isEmpty
                ? ("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization")
                : ("NamespaceDeletionContentFailure", "True", "ContentDeletionFailed", "Failed to delete all resource types, \(remaining.failures.count) remaining: \(remaining.failures.joined(separator: ", "))"),
            content.isEmpty
                ? ("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed")
                : ("NamespaceContentRemaining", "True", "SomeResourcesRemain", "Some resources are remaining: \(content.joined(separator: ", "))"),
            finalizers.isEmpty
                ? ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")
                : ("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: \(finalizers.joined(separator: ", "))"),
        ]
    }

    /// Writes the conditions into the namespace's status when they changed.
    func setConditions(_ namespace: CoreV1.Namespace, _ wanted: [(String, String, String, String)]) async throws {
        var status = namespace.status ?? CoreV1.NamespaceStatus()
        var conditions = status.conditions ?? []
        for (type, value, reason, message) in wanted {
            let condition = CoreV1.NamespaceCondition(
                lastTransitionTime: clock.wallNow.time, message: message, reason: reason, status: value, type: type)
            if let index = conditions.firstIndex(where: { $0.type == type }) {
                let old = conditions[index]
                if old.status == value && old.reason == reason && old.message == message { continue }
                conditions[index] = old.status == value ? CoreV1.NamespaceCondition(
                    lastTransitionTime: old.lastTransitionTime, message: message, reason: reason, status: value, type: type) : condition
            } else {
                conditions.append(condition)
            }
        }
        guard conditions != (status.conditions ?? []) else { return }
        status.conditions = conditions
        var copy = namespace
        copy.status = status
        do {
            _ = try await statusClient.updateStatus(copy)
        } catch let error as StatusError where error.isNotFound {
            return
        }
    }
}
