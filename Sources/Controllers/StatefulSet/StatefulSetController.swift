import APIMachinery
import Client
import Component
import Logging

/// The `statefulset` controller (kube-controller-manager's): pods with stable names
/// `<set>-<ordinal>`, each with its own claims from the claim templates, created in ordinal
/// order and each waiting for the one before to be running and ready (OrderedReady) or all at
/// once (Parallel); removed from the highest ordinal down; updated from the highest ordinal
/// down to the partition, one at a time (RollingUpdate) or when the user deletes them
/// (OnDelete). Every template is a ControllerRevision whose name labels its pods; status says
/// which revision is current and which the update goes to, so `kubectl rollout status`,
/// `history` and `undo` work.
public final class StatefulSetController: Sendable {
    let sets: Lister<AppsV1.StatefulSet>
    let pods: Lister<CoreV1.Pod>
    let claims: Lister<CoreV1.PersistentVolumeClaim>
    let revisions: Lister<AppsV1.ControllerRevision>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        sets: Lister<AppsV1.StatefulSet>, pods: Lister<CoreV1.Pod>, claims: Lister<CoreV1.PersistentVolumeClaim>,
        revisions: Lister<AppsV1.ControllerRevision>, client: any ControllerClient, events: any EventEmitter,
        clock: any ComponentClock, logger: Logger
    ) {
        self.sets = sets
        self.pods = pods
        self.claims = claims
        self.revisions = revisions
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        ControllerIndex.ensure(pods.store)
        ControllerIndex.ensure(revisions.store)
    }

    public func register(sets informer: SharedInformer<AppsV1.StatefulSet>, pods podInformer: SharedInformer<CoreV1.Pod>) {
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.queueKey) },
            onUpdate: { [queue] _, new in queue.add(new.queueKey) },
            onDelete: { [queue] in queue.add($0.key) }))
        _ = podInformer.addEventHandler(ResourceEventHandler(
            onAdd: { [self] pod in
                if let set = owner(of: pod) { queue.add(set.queueKey) } else if pod.controllerRef == nil { queueMatching(pod) }
            },
            onUpdate: { [self] old, new in podUpdated(old: old, new: new) },
            onDelete: { [self] deleted in if let set = owner(of: deleted.object) { queue.add(set.queueKey) } }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "statefulset", metrics: metrics, logger: logger, failure: "statefulset sync failed; retrying", label: "statefulset") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    // MARK: Events

    func owner(of pod: CoreV1.Pod) -> AppsV1.StatefulSet? {
        guard let ref = pod.controllerRef, ref.kind == "StatefulSet", let set = sets.get(namespace: pod.namespace, name: ref.name), set.uid == ref.uid
        else { return nil }
        return set
    }

    /// Queues the sets that would adopt the orphan `pod`.
    func queueMatching(_ pod: CoreV1.Pod) {
        guard let labels = pod.metadata?.labels, !labels.isEmpty else { return }
        for set in sets.list(namespace: pod.namespace) where StatefulSetRules.isMember(pod, of: set) {
            guard let query = logger.query(set.spec?.selector, of: "statefulset \(set.queueKey)"), query != .everything, query.matches(labels) else { continue }
            queue.add(set.queueKey)
        }
    }

    func podUpdated(old: CoreV1.Pod, new: CoreV1.Pod) {
        if old.metadata?.resourceVersion == new.metadata?.resourceVersion { return }
        if old.controllerRef != new.controllerRef, let previous = owner(of: old) { queue.add(previous.queueKey) }
        if let set = owner(of: new) {
            queue.add(set.queueKey)
            // A pod that just became ready becomes available minReadySeconds later.
            let minReady = set.spec?.minReadySeconds ?? 0
            if minReady > 0 && !old.isReady && new.isReady { queue.add(set.queueKey, after: .seconds(Int(minReady) + 1)) }
        } else if new.controllerRef == nil && (old.metadata?.labels != new.metadata?.labels || old.controllerRef != nil) {
            queueMatching(new)
        }
    }

    // MARK: Sync

    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let set = sets.get(namespace: namespace, name: name), let spec = set.spec else { return }
        let selector: LabelSelectorQuery
        do { selector = try spec.selector.query() } catch {
            events.event(regarding: set, type: .warning, reason: "InvalidSelector", message: "\(error)")
            return
        }
        let history = try await ControllerRefManager(owner: set, selector: selector, client: client, releases: false).claim(
            ControllerIndex.controlled(by: set.uid, in: revisions) + ControllerIndex.orphans(in: namespace, revisions))
        let candidates = ControllerIndex.controlled(by: set.uid, in: pods) + ControllerIndex.orphans(in: namespace, pods)
        let owned = try await ControllerRefManager(
            owner: set, selector: selector, client: client, isMember: { StatefulSetRules.isMember($0, of: set) }
        ).claim(candidates)
        let status = try await update(set, pods: owned, history: history)
        let minReady = spec.minReadySeconds ?? 0
        if minReady > 0, (status?.availableReplicas ?? 0) != Int32(StatefulSetRules.replicas(set)) {
            queue.add(key, after: .seconds(Int(minReady)))
        }
    }

    /// One pass (upstream's `UpdateStatefulSet`): the revisions, the pods, the status (written
    /// even when the pods failed), then the history trimmed. Returns the status written.
    func update(_ set: AppsV1.StatefulSet, pods: [CoreV1.Pod], history: [AppsV1.ControllerRevision]) async throws -> AppsV1.StatefulSetStatus? {
        let sorted = ControllerHistory.sorted(history)
        let current: AppsV1.ControllerRevision, update: AppsV1.ControllerRevision, collisionCount: Int32
        do {
            (current, update, collisionCount) = try await revisions(set, sorted: sorted)
        } catch {
            try await trimHistory(set, sorted: sorted, live: Set(pods.compactMap(StatefulSetRules.revision)))
            throw error
        }
        var pass = try StatefulSetPass(set: set, pods: pods, current: current, update: update, now: clock.wallNow)
        let failure: (any Error)?
        do {
            try await run(&pass)
            failure = nil
        } catch {
            failure = error
        }
        var status = pass.status(collisionCount: collisionCount)
        var writeError: (any Error)?
        do { status = try await writeStatus(set, status) } catch { writeError = error }
        var live: Set<String> = [status.currentRevision ?? "", status.updateRevision ?? ""]
        live.formUnion(pods.compactMap(StatefulSetRules.revision))
        var trimError: (any Error)?
        do { try await trimHistory(set, sorted: sorted, live: live) } catch { trimError = error }
        // The pass's error first, then the status write's, then the history's.
        if let error = failure ?? writeError ?? trimError { throw error }
        return status
    }

    // MARK: Status

    /// Writes `status` when the generation or a count or revision changed.
    func writeStatus(_ set: AppsV1.StatefulSet, _ status: AppsV1.StatefulSetStatus) async throws -> AppsV1.StatefulSetStatus {
        let old = set.status
        let changed = (status.observedGeneration ?? 0) > (old?.observedGeneration ?? 0)
            || status.replicas != old?.replicas || status.currentReplicas != old?.currentReplicas
            || status.readyReplicas != old?.readyReplicas || status.updatedReplicas != old?.updatedReplicas
            || status.availableReplicas != old?.availableReplicas || status.currentRevision != old?.currentRevision
            || status.updateRevision != old?.updateRevision
        guard changed else { return status }
        var copy = set
        copy.status = status
        do {
            _ = try await client.updateStatus(copy)
        } catch let error as StatusError where error.isConflict {
            queue.add(set.queueKey)
        }
        return status
    }
}
