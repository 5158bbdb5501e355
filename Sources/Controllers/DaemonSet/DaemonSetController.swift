import APIMachinery
import Client
import Component
import Logging

/// The `daemonset` controller (kube-controller-manager's): one pod on every node the
/// template's node selector, required affinity and tolerations (plus the daemon defaults)
/// allow, placed through the scheduler by a node affinity naming the node; pods on nodes that
/// no longer qualify (or failed, or duplicated) are deleted. Each template is a
/// ControllerRevision named `<daemonset>-<hash>`, whose hash labels the pods
/// (`controller-revision-hash`); RollingUpdate replaces old pods within `maxUnavailable`
/// (or surges new ones first within `maxSurge`), OnDelete waits for the user. Status counts
/// as upstream's, so `kubectl rollout status daemonset` works.
public final class DaemonSetController: Sendable {
    let daemonSets: Lister<AppsV1.DaemonSet>
    let nodes: Lister<CoreV1.Node>
    let pods: Lister<CoreV1.Pod>
    let revisions: Lister<AppsV1.ControllerRevision>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>
    public let expectations: ControllerExpectations

    public init(
        daemonSets: Lister<AppsV1.DaemonSet>, nodes: Lister<CoreV1.Node>, pods: Lister<CoreV1.Pod>,
        revisions: Lister<AppsV1.ControllerRevision>, client: any ControllerClient, events: any EventEmitter,
        clock: any ComponentClock, logger: Logger
    ) {
        self.daemonSets = daemonSets
        self.nodes = nodes
        self.pods = pods
        self.revisions = revisions
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        self.expectations = ControllerExpectations(clock: clock)
        ControllerIndex.ensure(pods.store)
        ControllerIndex.ensure(revisions.store)
    }

    public func register(
        daemonSets informer: SharedInformer<AppsV1.DaemonSet>, nodes nodeInformer: SharedInformer<CoreV1.Node>,
        pods podInformer: SharedInformer<CoreV1.Pod>
    ) {
        OwnedPods.registerOwners(informer, expectations: expectations, queue: queue)
        // A node's labels, taints or readiness decide which daemon sets run there.
        let everySet: @Sendable () -> Void = { [self] in for ds in daemonSets.list() { queue.add(ds.queueKey) } }
        _ = nodeInformer.addEventHandler(ResourceEventHandler(
            onAdd: { _ in everySet() },
            onUpdate: { old, new in
                if old.metadata?.labels != new.metadata?.labels || old.spec?.taints != new.spec?.taints
                    || old.status?.conditions != new.status?.conditions
                {
                    everySet()
                }
            },
            onDelete: { _ in everySet() }))
        OwnedPods.register(podInformer, owner: { [self] in owner(of: $0)?.queueKey }, expectations: expectations, queue: queue)
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "daemonset", metrics: metrics, logger: logger, failure: "daemonset sync failed; retrying", label: "daemonset") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    func owner(of pod: CoreV1.Pod) -> AppsV1.DaemonSet? {
        guard let ref = pod.controllerRef, ref.kind == "DaemonSet", let ds = daemonSets.get(namespace: pod.namespace, name: ref.name), ds.uid == ref.uid
        else { return nil }
        return ds
    }

    // MARK: Sync

    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let ds = daemonSets.get(namespace: namespace, name: name) else {
            expectations.delete(key)
            return
        }
        guard let spec = ds.spec else { return }
        let selector: LabelSelectorQuery
        do { selector = try spec.selector.query() } catch {
            events.event(regarding: ds, type: .warning, reason: "InvalidSelector", message: "\(error)")
            return
        }
        if ds.isBeingDeleted { return }
        let candidates = ControllerIndex.controlled(by: ds.uid, in: pods) + ControllerIndex.orphans(in: namespace, pods).filter(\.isActive)
        let owned = try await ControllerRefManager(owner: ds, selector: selector, client: client).claim(candidates)
        let (hash, collisionCount) = try await currentRevision(ds)
        let now = clock.wallNow

        var byNode: [String: [CoreV1.Pod]] = [:]
        var terminating = Set<String>()
        for pod in owned {
            guard let node = DaemonSetRules.targetNode(pod) else { continue }
            if pod.isBeingDeleted { terminating.insert(node) } else { byNode[node, default: []].append(pod) }
        }
        var create: [String] = []
        var delete: [CoreV1.Pod] = []
        var desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0
        /// Nodes whose only pod is of an old revision, with whether that pod is available.
        var oldOnly: [(node: String, pod: CoreV1.Pod, available: Bool)] = []
        var unavailableNodes = 0, surging = 0
        let minReady = spec.minReadySeconds ?? 0
        for node in nodes.list() {
            let placement = DaemonSetRules.placement(spec.template, on: node)
            let here = (byNode[node.name] ?? []).sorted(by: DaemonSetRules.keptFirst)
            guard placement.shouldRun else {
                // A pod may stay where only a NoSchedule taint now keeps new ones out.
                if !here.isEmpty { misscheduled += 1 }
                if !placement.shouldContinue { delete += here }
                continue
            }
            desired += 1
            if !here.isEmpty { current += 1 }
            // Failed and Succeeded pods are replaced; of several, the oldest stays.
            for pod in here where pod.status?.phase == "Failed" {
                events.event(regarding: ds, type: .warning, reason: "FailedDaemonPod", message: "Found failed daemon pod \(pod.namespace)/\(pod.name) on node \(node.name), will try to kill it")
                delete.append(pod)
            }
            for pod in here where pod.status?.phase == "Succeeded" {
                events.event(regarding: ds, type: .normal, reason: "SucceededDaemonPod", message: "Found succeeded daemon pod \(pod.namespace)/\(pod.name) on node \(node.name), will try to delete it")
                delete.append(pod)
            }
            let running = here.filter { $0.status?.phase != "Failed" && $0.status?.phase != "Succeeded" }
            guard !running.isEmpty else {
                // A pod still terminating there is replaced once it is gone.
                if !terminating.contains(node.name) { create.append(node.name) }
                unavailableNodes += 1
                continue
            }
            let isNew: (CoreV1.Pod) -> Bool = { $0.metadata?.labels?[DaemonSetRules.revisionHashLabel] == hash }
            let newPods = running.filter(isNew), oldPods = running.filter { !isNew($0) }
            if let keep = newPods.first {
                delete += newPods.dropFirst()
                updated += 1
                if keep.isReady { ready += 1 }
                let keepAvailable = keep.isAvailable(minReadySeconds: minReady, now: now)
                if keepAvailable { available += 1 } else { unavailableNodes += 1 }
                // A surged pod's old companion goes once the new one is available.
                if !oldPods.isEmpty {
                    if keepAvailable { delete += oldPods } else { surging += 1 }
                }
            } else {
                delete += oldPods.dropFirst()
                let old = oldPods[0]
                let oldAvailable = old.isAvailable(minReadySeconds: minReady, now: now)
                if old.isReady { ready += 1 }
                if oldAvailable { available += 1 } else { unavailableNodes += 1 }
                oldOnly.append((node.name, old, oldAvailable))
            }
        }

        // Rolling update: replace old pods within the budget.
        if (spec.updateStrategy?.type ?? "RollingUpdate") == "RollingUpdate" {
            let rolling = spec.updateStrategy?.rollingUpdate
            var maxUnavailable = DaemonSetRules.scaled(rolling?.maxUnavailable, total: desired, default: 1)
            let maxSurge = DaemonSetRules.scaled(rolling?.maxSurge, total: desired, default: 0)
            if maxUnavailable == 0 && maxSurge == 0 { maxUnavailable = 1 }
            if maxSurge > 0 {
                // New pods next to old ones, at most maxSurge nodes at once (unavailable old
                // pods are replaced at once: they cost nothing).
                var budget = maxSurge - surging
                for entry in oldOnly {
                    if !entry.available {
                        delete.append(entry.pod)
                    } else if budget > 0 {
                        create.append(entry.node)
                        budget -= 1
                    }
                }
            } else {
                // Unavailable old pods first (they cost nothing), then available ones while
                // fewer than maxUnavailable nodes lack an available pod.
                var budget = maxUnavailable - unavailableNodes
                for entry in oldOnly {
                    if !entry.available {
                        delete.append(entry.pod)
                    } else if budget > 0 {
                        delete.append(entry.pod)
                        budget -= 1
                    }
                }
            }
        }
        // Unscheduled pods aimed at nodes that no longer exist: the pod GC never sees them
        // (upstream getUnscheduledPodsWithoutNode).
        let knownNodes = Set(nodes.list().map(\.name))
        for (node, pods) in byNode where !knownNodes.contains(node) {
            delete += pods.filter { ($0.spec?.nodeName ?? "").isEmpty }
        }

        let settled = expectations.satisfied(key)
        if settled {
            try await apply(ds, key: key, create: create, delete: delete, hash: hash)
        }
        // observedGeneration says the counts reflect the spec, so it waits for settled expectations.
        try await updateStatus(
            ds, collisionCount: collisionCount, counts: (desired, current, misscheduled, ready, available, updated), observedGeneration: settled)
        if minReady > 0 && ready > available { queue.add(key, after: .seconds(Int(minReady))) }
    }

    /// Creates the pods for `create` (node names) and deletes `delete`, as upstream's
    /// `syncNodes`: both recorded in the expectations at once, creations in slow-start batches;
    /// a failed creation does not stop the deletions, and the first error is returned after.
    func apply(_ ds: AppsV1.DaemonSet, key: String, create: [String], delete: [CoreV1.Pod], hash: String) async throws {
        var seen = Set<String>()
        let victims = delete.filter { seen.insert($0.uid).inserted }
        guard !create.isEmpty || !victims.isEmpty else { return }
        expectations.expect(key, creations: create.count, deletions: Set(victims.map(\.queueKey)))
        var createError: (any Error)?
        if !create.isEmpty {
            let counter = Counter()
            let (made, error) = await SlowStart.run(count: create.count, initialBatch: ReplicaSetController.slowStartInitialBatch) { [self] in
                let node = create[counter.next()]
                do {
                    let pod = try await client.create(DaemonSetRules.pod(for: ds, node: node, hash: hash))
                    events.event(regarding: ds, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(pod.name)")
                } catch {
                    events.event(regarding: ds, type: .warning, reason: "FailedCreate", message: "Error creating: \(error)")
                    throw error
                }
            }
            for _ in 0..<(create.count - made) { expectations.creationObserved(key) }
            if let error, !((error as? StatusError)?.isNamespaceTerminating ?? false) { createError = error }
        }
        try await OwnedPods.delete(victims, for: key, regarding: ds, client: client, events: events, expectations: expectations, recorded: true)
        if let createError { throw createError }
    }

    // MARK: Revisions

    /// The hash of the current template, creating its ControllerRevision (numbered after the
    /// newest) when missing and trimming history beyond `revisionHistoryLimit` (revisions no
    /// pod uses). A name taken by another template bumps `collisionCount`.
    func currentRevision(_ ds: AppsV1.DaemonSet) async throws -> (hash: String, collisionCount: Int32?) {
        var collisionCount = ds.status?.collisionCount
        let owned = ControllerIndex.controlled(by: ds.uid, in: revisions)
        let data = try ControllerHistory.data(ds.spec?.template)
        for _ in 0..<16 {
            let hash = DeploymentRules.hash(ds.spec?.template ?? CoreV1.PodTemplateSpec(), collisionCount: collisionCount)
            let name = "\(ds.name)-\(hash)"
            if var existing = owned.first(where: { $0.name == name }), existing.data == data {
                // A template that comes back (a rollback) becomes the newest revision again.
                let newest = owned.map(\.revision).max() ?? 0
                if existing.revision < newest {
                    existing.revision = newest + 1
                    _ = try await client.update(existing)
                }
                try await trimHistory(ds, owned: owned, keep: name)
                return (hash, collisionCount)
            }
            var revision = AppsV1.ControllerRevision(
                metadata: MetaV1.ObjectMeta(
                    annotations: ds.metadata?.annotations,
                    labels: (ds.spec?.template.metadata?.labels ?? [:]).merging([DaemonSetRules.revisionHashLabel: hash]) { $1 },
                    name: name, namespace: ds.namespace, ownerReferences: [ds.asControllerRef]),
                data: data, revision: (owned.map(\.revision).max() ?? 0) + 1)
            revision = revision.withTypeMeta()
            do {
                _ = try await client.create(revision)
                try await trimHistory(ds, owned: owned, keep: name)
                return (hash, collisionCount)
            } catch let error as StatusError where error.isAlreadyExists {
                // Another template (or a stale cache) holds the name: try the next hash.
                if owned.contains(where: { $0.name == name }) { return (hash, collisionCount) }
                collisionCount = (collisionCount ?? 0) + 1
            }
        }
        throw StatusError.internalError("daemonset \(ds.queueKey): no free ControllerRevision name after 16 collisions")
    }

    /// Deletes the oldest revisions beyond `revisionHistoryLimit` among all but the current
    /// one, skipping those a live pod uses (which still count towards the limit, as upstream's).
    func trimHistory(_ ds: AppsV1.DaemonSet, owned: [AppsV1.ControllerRevision], keep: String) async throws {
        let limit = Int(ds.spec?.revisionHistoryLimit ?? 10)
        let live = Set(ControllerIndex.controlled(by: ds.uid, in: pods).compactMap { $0.metadata?.labels?[DaemonSetRules.revisionHashLabel] })
        let old = owned.filter { $0.name != keep }.sorted { $0.revision < $1.revision }
        var toKill = old.count - limit
        for revision in old where toKill > 0 {
            if live.contains(revision.metadata?.labels?[DaemonSetRules.revisionHashLabel] ?? "") { continue }
            do {
                try await client.delete(AppsV1.ControllerRevision.self, namespace: revision.namespace, name: revision.name, uid: revision.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound {}
            toKill -= 1
        }
    }

    // MARK: Status

    func updateStatus(
        _ ds: AppsV1.DaemonSet, collisionCount: Int32?,
        counts: (desired: Int, current: Int, misscheduled: Int, ready: Int, available: Int, updated: Int), observedGeneration: Bool
    ) async throws {
        var status = ds.status ?? AppsV1.DaemonSetStatus(currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0)
        status.desiredNumberScheduled = Int32(counts.desired)
        status.currentNumberScheduled = Int32(counts.current)
        status.numberMisscheduled = Int32(counts.misscheduled)
        status.numberReady = Int32(counts.ready)
        status.numberAvailable = counts.available == 0 ? nil : Int32(counts.available)
        let unavailable = counts.desired - counts.available
        status.numberUnavailable = unavailable <= 0 ? nil : Int32(unavailable)
        status.updatedNumberScheduled = counts.updated == 0 ? nil : Int32(counts.updated)
        if observedGeneration { status.observedGeneration = ds.metadata?.generation }
        status.collisionCount = collisionCount
        guard status != ds.status else { return }
        var copy = ds
        copy.status = status
        do {
            _ = try await client.updateStatus(copy)
        } catch let error as StatusError where error.isConflict {
            queue.add(ds.queueKey)
        }
    }
}
