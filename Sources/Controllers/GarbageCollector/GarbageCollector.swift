import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `garbagecollector` controller: deletes objects whose owners are all gone (background
/// propagation), deletes an owner's dependents before the owner when it is deleted in the
/// foreground (`foregroundDeletion` finalizer, waiting on `blockOwnerDeletion` dependents),
/// and strips the owner from its dependents when it is deleted with `orphan`.
///
/// It watches every served resource that can be listed, watched and deleted (discovery,
/// re-read every `rediscoveryPeriod`, so kinds added later are covered) through metadata-only
/// informers feeding an `OwnerGraph`. Owners missing from the graph are confirmed gone with a
/// live read before anything is deleted (an informer may lag), as upstream's does.
public final class GarbageCollector: Sendable {
    public static let foregroundFinalizer = "foregroundDeletion"
    public static let orphanFinalizer = "orphan"
    /// Resources never collected (upstream ignores events).
    public static let ignored: Set<GroupVersionResource> = [
        GroupVersionResource(group: "", version: "v1", resource: "events"),
        GroupVersionResource(group: "events.k8s.io", version: "v1", resource: "events"),
    ]
    public static let rediscoveryPeriod: Swift.Duration = .seconds(30)

    let client: any DynamicClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    let graph = Mutex(OwnerGraph())
    /// Resources by `group/Kind`, from the last discovery.
    let kinds = Mutex<[String: ResourceInfo]>([:])
    /// Owners (namespace/apiVersion/kind/name/uid) confirmed absent by a live read.
    let absent = Mutex<Set<String>>([])
    public let attemptToDelete: WorkQueue<String>
    public let deletingOwners: WorkQueue<String>

    public init(client: any DynamicClient, events: any EventEmitter, clock: any ComponentClock, logger: Logger) {
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.attemptToDelete = WorkQueue(clock: clock)
        self.deletingOwners = WorkQueue(clock: clock)
    }

    /// The resources to watch out of a discovery answer; records every kind for owner lookups.
    public func watchable(_ resources: [ResourceInfo]) -> [ResourceInfo] {
        kinds.withLock { kinds in
            for resource in resources { kinds["\(resource.gvk.group)/\(resource.gvk.kind)"] = resource }
        }
        return resources.filter { resource in
            ["list", "watch", "delete"].allSatisfy(resource.verbs.contains) && !Self.ignored.contains(resource.gvr)
        }
    }

    /// Wires a metadata informer of `resource` to the graph.
    public func register(_ resource: ResourceInfo, informer: SharedInformer<ObjectMetadata>) {
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in observed(resource, $0) },
            onUpdate: { [self] _, new in observed(resource, new) },
            onDelete: { [self] in removed($0.object.metadata.uid ?? "") }))
    }

    /// Runs `workers` workers on each queue until the task is cancelled.
    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let deleter = ControllerRunner(queue: attemptToDelete, name: "garbage_collector_attempt_to_delete", metrics: metrics, logger: logger, failure: "garbage collection of a dependent failed; retrying", label: "uid") { [self] in try await attemptToDeleteItem($0) }
        let owners = ControllerRunner(queue: deletingOwners, name: "garbage_collector_attempt_to_orphan", metrics: metrics, logger: logger, failure: "processing a deleting owner failed; retrying", label: "uid") { [self] in try await processDeletingOwner($0) }
        async let a: Void = deleter.run(workers: workers)
        async let b: Void = owners.run(workers: max(1, workers / 2))
        _ = await (a, b)
    }

    // MARK: Graph events

    /// An object was added or changed.
    public func observed(_ resource: ResourceInfo, _ object: ObjectMetadata) {
        let node = OwnerGraph.Node(resource: resource, object: object)
        guard !node.uid.isEmpty else { return }
        let (previous, dependents) = graph.withLock { graph in (graph.upsert(node), graph.dependents(of: node.uid)) }
        if !node.owners.isEmpty && (previous == nil || previous?.owners != node.owners) {
            attemptToDelete.add(node.uid)
        }
        if node.deletingDependents || node.orphaningDependents {
            deletingOwners.add(node.uid)
            if node.deletingDependents && previous?.deletingDependents != true {
                for dependent in dependents { attemptToDelete.add(dependent) }
            }
        }
    }

    /// An object was deleted.
    public func removed(_ uid: String) {
        let (node, dependents, waitingOwners) = graph.withLock { graph -> (OwnerGraph.Node?, Set<String>, [String]) in
            let node = graph.remove(uid)
            let waiting = (node?.owners ?? []).filter { graph.nodes[$0.uid]?.deletingDependents == true }.map(\.uid)
            return (node, graph.dependents(of: uid), waiting)
        }
        guard node != nil else { return }
        for dependent in dependents { attemptToDelete.add(dependent) }
        for owner in waitingOwners { deletingOwners.add(owner) }
    }

    // MARK: Workers

    /// An owner reference's state: present, gone, deleting in the foreground, or one that can
    /// never resolve (a namespaced owner of a cluster-scoped object).
    enum OwnerState { case solid, dangling, waiting, invalid }

    /// Deletes the dependent `uid` if none of its owners remain, or removes the owners that are
    /// gone when some remain (upstream's `attemptToDeleteItem`).
    func attemptToDeleteItem(_ uid: String) async throws {
        guard let node = graph.withLock({ $0.nodes[uid] }), !node.owners.isEmpty else { return }
        if node.deleting && !node.deletingDependents { return }
        var solid: [MetaV1.OwnerReference] = [], dangling: [MetaV1.OwnerReference] = [], waiting: [MetaV1.OwnerReference] = []
        for ref in node.owners {
            switch try await state(of: ref, dependent: node) {
            case .solid: solid.append(ref)
            case .dangling: dangling.append(ref)
            case .waiting: waiting.append(ref)
            case .invalid: return  // reported as an event; never collected, as upstream
            }
        }
        if !solid.isEmpty {
            guard !dangling.isEmpty || !waiting.isEmpty else { return }
            let gone = Set((dangling + waiting).map(\.uid))
            let kept = node.owners.filter { !gone.contains($0.uid) }
            logger.debug("removing owner references of absent or deleting owners", metadata: ["object": "\(node.resource.plural)/\(node.namespace)/\(node.name)"])
            try await patch(node, ownerReferences: kept)
            return
        }
        let policy: String
        if !waiting.isEmpty {
            policy = "Foreground"
        } else if node.finalizers.contains(Self.orphanFinalizer) {
            policy = "Orphan"
        } else if node.finalizers.contains(Self.foregroundFinalizer) {
            policy = "Foreground"
        } else {
            policy = "Background"
        }
        if node.deleting { return }
        logger.debug("deleting an object whose owners are gone", metadata: [
            "object": "\(node.resource.plural)/\(node.namespace)/\(node.name)", "propagation": "\(policy)",
        ])
        do {
            try await client.delete(node.resource, namespace: node.namespace, name: node.name, uid: node.uid, propagation: policy)
        } catch let error as StatusError where error.isNotFound || error.isConflict {
            return  // already gone, or replaced by a new object of the same name
        }
    }

    /// Whether the owner `ref` of `dependent` exists, is waiting for its dependents, or is gone.
    func state(of ref: MetaV1.OwnerReference, dependent: OwnerGraph.Node) async throws -> OwnerState {
        let group = GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind)?.group ?? ""
        guard let resource = kinds.withLock({ $0["\(group)/\(ref.kind)"] }) else {
            throw StatusError.internalError("owner kind \(ref.apiVersion) \(ref.kind) of \(dependent.resource.plural)/\(dependent.name) is not served")
        }
        if resource.namespaced && dependent.namespace.isEmpty {
            events.event(regarding: CoreV1.ObjectReference(
                kind: dependent.resource.gvk.kind, apiVersion: dependent.resource.gvk.apiVersion, name: dependent.name, uid: dependent.uid),
                type: .warning, reason: "OwnerRefInvalidNamespace",
                message: "ownerRef [\(ref.apiVersion)/\(ref.kind), namespace: , name: \(ref.name), uid: \(ref.uid)] does not exist in namespace \"\"")
            return .invalid
        }
        let namespace = resource.namespaced ? dependent.namespace : ""
        if let owner = graph.withLock({ $0.nodes[ref.uid] }), owner.namespace == namespace {
            return owner.deletingDependents ? .waiting : .solid
        }
        let absentKey = "\(namespace)/\(ref.apiVersion)/\(ref.kind)/\(ref.name)/\(ref.uid)"
        if absent.withLock({ $0.contains(absentKey) }) { return .dangling }
        // Not in the graph: the informer may lag; ask the apiserver.
        let live = try await client.get(resource, namespace: namespace, name: ref.name)
        guard let live, live.metadata.uid == ref.uid else {
            absent.withLock { set in
                if set.count >= 10_000 { set.removeAll() }
                set.insert(absentKey)
            }
            return .dangling
        }
        let finalizers = live.metadata.finalizers ?? []
        return live.metadata.deletionTimestamp != nil && finalizers.contains(Self.foregroundFinalizer) ? .waiting : .solid
    }

    /// Finishes a foreground or orphan deletion of the owner `uid` once its dependents allow.
    func processDeletingOwner(_ uid: String) async throws {
        guard let owner = graph.withLock({ $0.nodes[uid] }) else { return }
        if owner.orphaningDependents {
            let dependents = graph.withLock { graph in graph.dependents(of: uid).compactMap { graph.nodes[$0] } }
            for dependent in dependents {
                try await patch(dependent, ownerReferences: dependent.owners.filter { $0.uid != uid })
            }
            try await removeFinalizer(Self.orphanFinalizer, from: owner)
            return
        }
        guard owner.deletingDependents else { return }
        let (blocking, all) = graph.withLock { graph in
            (graph.blockingDependents(of: uid), graph.dependents(of: uid).compactMap { graph.nodes[$0] })
        }
        if blocking.isEmpty {
            try await removeFinalizer(Self.foregroundFinalizer, from: owner)
            return
        }
        for dependent in all where !dependent.deleting { attemptToDelete.add(dependent.uid) }
    }

    /// Replaces `node`'s owner references, if it has not changed since the graph saw it.
    func patch(_ node: OwnerGraph.Node, ownerReferences: [MetaV1.OwnerReference]) async throws {
        let patch: JSONValue = .object(["metadata": .object([
            "ownerReferences": ownerReferences.isEmpty ? .null : JSONCodec.tree(of: ownerReferences),
            "resourceVersion": .string(node.resourceVersion), "uid": .string(node.uid),
        ])])
        do {
            try await client.patch(node.resource, namespace: node.namespace, name: node.name, merge: patch)
        } catch let error as StatusError where error.isNotFound {
            return
        }
    }

    func removeFinalizer(_ finalizer: String, from node: OwnerGraph.Node) async throws {
        let kept = node.finalizers.filter { $0 != finalizer }
        let patch: JSONValue = .object(["metadata": .object([
            "finalizers": kept.isEmpty ? .null : JSONCodec.tree(of: kept),
            "resourceVersion": .string(node.resourceVersion), "uid": .string(node.uid),
        ])])
        do {
            try await client.patch(node.resource, namespace: node.namespace, name: node.name, merge: patch)
        } catch let error as StatusError where error.isNotFound {
            return
        }
    }
}
