import APIMachinery
import Client
import Component
import Logging

/// The `replicaset` controller (ReplicaSets) and the `replicationcontroller` one
/// (ReplicationControllers), as kube-controller-manager's: keeps `spec.replicas` active pods
/// for every owner, adopting matching orphans and releasing pods whose labels no longer
/// match, and reports counts and the `ReplicaFailure` condition in `status`.
///
/// Level-triggered: handlers only enqueue `namespace/name`; `sync(_:)` reads the listers,
/// compares and writes the difference, so it may run again at any time, and a process killed
/// mid-sync resumes from what the apiserver holds. Expectations keep a lagging informer from
/// making it create or delete twice.
public final class ReplicaController<Owner: ReplicaOwner>: Sendable {
    /// Creations or deletions issued per sync at most (upstream's `BurstReplicas`).
    public static var burstReplicas: Int { 500 }
    /// The first batch of a slow-start creation; each successful batch doubles the next.
    public static var slowStartInitialBatch: Int { 1 }

    let replicaSets: Lister<Owner>
    let pods: Lister<CoreV1.Pod>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>
    public let expectations: ControllerExpectations

    public init(
        replicaSets: Lister<Owner>, pods: Lister<CoreV1.Pod>, client: any ControllerClient,
        events: any EventEmitter, clock: any ComponentClock, logger: Logger
    ) {
        self.replicaSets = replicaSets
        self.pods = pods
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        self.expectations = ControllerExpectations(clock: clock)
        ControllerIndex.ensure(pods.store)
    }

    /// Wires the controller to its informers' events.
    public func register(replicaSets: SharedInformer<Owner>, pods: SharedInformer<CoreV1.Pod>) {
        OwnedPods.registerOwners(replicaSets, expectations: expectations, queue: queue)
        _ = pods.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in podAdded($0) },
            onUpdate: { [self] in podUpdated(old: $0, new: $1) },
            onDelete: { [self] in podDeleted($0.object) }))
    }

    /// Runs `workers` syncs at once until the task is cancelled.
    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: Owner.controllerName, metrics: metrics, logger: logger, failure: "\(Owner.controllerName) sync failed; retrying", label: Owner.controllerName) { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    // MARK: Events

    /// The owner `pod` names as its controller, if it is in the cache with that uid.
    func owner(of pod: CoreV1.Pod) -> Owner? {
        guard let ref = pod.controllerRef, ref.kind == Owner.groupVersionKind.kind,
            let rs = replicaSets.get(namespace: pod.namespace, name: ref.name), rs.uid == ref.uid
        else { return nil }
        return rs
    }

    /// Owners in `pod`'s namespace whose selector matches its labels.
    func matchingReplicaSets(_ pod: CoreV1.Pod) -> [Owner] {
        let labels = pod.metadata?.labels ?? [:]
        guard !labels.isEmpty else { return [] }
        return replicaSets.list(namespace: pod.namespace).filter { rs in
            guard let query = logger.query(rs.podLabelSelector, of: "\(Owner.controllerName) \(rs.queueKey)"), query != .everything else { return false }
            return query.matches(labels)
        }
    }

    func podAdded(_ pod: CoreV1.Pod) {
        if pod.isBeingDeleted {
            podDeleted(pod)  // a restart can see a pod already pending deletion as new
            return
        }
        if let ref = pod.controllerRef {
            guard ref.kind == Owner.groupVersionKind.kind, let rs = owner(of: pod) else { return }
            expectations.creationObserved(rs.queueKey)
            queue.add(rs.queueKey)
            return
        }
        for rs in matchingReplicaSets(pod) { queue.add(rs.queueKey) }
    }

    func podUpdated(old: CoreV1.Pod, new: CoreV1.Pod) {
        if old.metadata?.resourceVersion == new.metadata?.resourceVersion { return }
        let labelsChanged = old.metadata?.labels != new.metadata?.labels
        if new.isBeingDeleted {
            podDeleted(new)
            if labelsChanged { podDeleted(old) }
            return
        }
        if old.controllerRef != new.controllerRef, let previous = owner(of: old) { queue.add(previous.queueKey) }
        if new.controllerRef != nil {
            guard let rs = owner(of: new) else { return }
            queue.add(rs.queueKey)
            // A pod that just became ready becomes available minReadySeconds later.
            let minReady = rs.minReadySeconds
            if minReady > 0 && !old.isReady && new.isReady {
                queue.add(rs.queueKey, after: .seconds(Int(minReady) + 1))
            }
            return
        }
        if labelsChanged || old.controllerRef != new.controllerRef {
            for rs in matchingReplicaSets(new) { queue.add(rs.queueKey) }
        }
    }

    func podDeleted(_ pod: CoreV1.Pod) {
        guard let rs = owner(of: pod) else { return }
        expectations.deletionObserved(rs.queueKey, pod.queueKey)
        queue.add(rs.queueKey)
    }

    // MARK: Sync

    /// Reconciles the ReplicaSet `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let rs = replicaSets.get(namespace: namespace, name: name) else {
            expectations.delete(key)
            return
        }
        let needsSync = expectations.satisfied(key)
        let selector: LabelSelectorQuery
        do {
            guard let labelSelector = rs.podLabelSelector else { return }
            selector = try labelSelector.query()
        } catch {
            // Validation refuses such selectors; one written before it did is reported, not retried.
            events.event(regarding: rs, type: .warning, reason: "InvalidSelector", message: "\(error)")
            return
        }
        // Its own pods and the orphans it may adopt: pods of other controllers are never claimed.
        let active = (ControllerIndex.controlled(by: rs.uid, in: pods) + ControllerIndex.orphans(in: namespace, pods)).filter(\.isActive)
        let owned = try await ControllerRefManager(owner: rs, selector: selector, client: client).claim(active)

        var failure: (reason: String, message: String)?
        if needsSync && !rs.isBeingDeleted {
            failure = await manageReplicas(owned, rs)
        }
        try await updateStatus(rs, owned: owned, failure: failure)
        if let failure {
            // Retried with backoff: nothing else would bring the key back (expectations are met).
            throw ReplicaFailure(reason: failure.reason, message: failure.message)
        }
    }

    /// A sync that could not create or delete every pod it needed to.
    struct ReplicaFailure: Error, CustomStringConvertible {
        var reason: String
        var message: String
        var description: String { "\(reason): \(message)" }
    }

    /// Creates or deletes pods toward `spec.replicas`; returns the failure to report in the
    /// `ReplicaFailure` condition, if any.
    func manageReplicas(_ owned: [CoreV1.Pod], _ rs: Owner) async -> (reason: String, message: String)? {
        let key = rs.queueKey
        let want = rs.desiredReplicas
        let diff = owned.count - want
        if diff < 0 {
            let count = min(-diff, Self.burstReplicas)
            expectations.expectCreations(key, count)
            logger.debug("too few replicas", metadata: ["replicaset": "\(key)", "need": "\(want)", "creating": "\(count)"])
            let (created, error) = await SlowStart.run(count: count, initialBatch: Self.slowStartInitialBatch) { [self] in try await createPod(for: rs) }
            let skipped = count - created
            if skipped > 0 {
                for _ in 0..<skipped { expectations.creationObserved(key) }
            }
            if let error {
                // A terminating namespace refuses creations; that is not the ReplicaSet's failure.
                if let status = error as? StatusError, status.isNamespaceTerminating {
                    return nil
                }
                return ("FailedCreate", "\(error)")
            }
            return nil
        }
        if diff > 0 {
            let count = min(diff, Self.burstReplicas)
            let related = ControllerIndex.controlled(by: rs.uid, in: pods)
            let victims = Array(PodDeletionRank.sorted(owned, related: related).prefix(count))
            expectations.expectDeletions(key, Set(victims.map(\.queueKey)))
            logger.debug("too many replicas", metadata: ["replicaset": "\(key)", "need": "\(want)", "deleting": "\(count)"])
            var failure: (String, String)?
            await withTaskGroup(of: (String, String)?.self) { group in
                for pod in victims {
                    group.addTask { [self] in
                        do {
                            try await client.delete(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, uid: pod.uid, propagation: nil)
                            events.event(regarding: rs, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
                            return nil
                        } catch {
                            expectations.deletionObserved(key, pod.queueKey)
                            if let status = error as? StatusError, status.isNotFound { return nil }
                            events.event(regarding: rs, type: .warning, reason: "FailedDelete", message: "Error deleting: \(error)")
                            return ("FailedDelete", "\(error)")
                        }
                    }
                }
                for await result in group where failure == nil { failure = result }
            }
            return failure
        }
        return nil
    }

    /// Creates one pod from `rs`'s template, reporting the outcome as an event.
    func createPod(for rs: Owner) async throws {
        let pod = OwnedPods.pod(from: rs.podTemplate, owner: rs)
        do {
            let created = try await client.create(pod)
            events.event(regarding: rs, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
        } catch {
            events.event(regarding: rs, type: .warning, reason: "FailedCreate", message: "Error creating: \(error)")
            throw error
        }
    }

    // MARK: Status

    /// Writes `status` when what it reports changed (upstream's `calculateStatus` and
    /// `updateReplicaSetStatus`); schedules a resync when pods will become available later.
    func updateStatus(_ rs: Owner, owned: [CoreV1.Pod], failure: (reason: String, message: String)?) async throws {
        let now = clock.wallNow
        let minReady = rs.minReadySeconds
        let templateLabels = rs.podTemplate?.metadata?.labels ?? [:]
        var status = rs.replicaSetStatus ?? AppsV1.ReplicaSetStatus(replicas: 0)
        status.replicas = Int32(owned.count)
        status.fullyLabeledReplicas = Int32(owned.filter { pod in
            let labels = pod.metadata?.labels ?? [:]
            return templateLabels.allSatisfy { labels[$0.key] == $0.value }
        }.count)
        status.readyReplicas = Int32(owned.filter(\.isReady).count)
        status.availableReplicas = Int32(owned.filter { $0.isAvailable(minReadySeconds: minReady, now: now) }.count)
        status.observedGeneration = rs.metadata?.generation
        var conditions = status.conditions ?? []
        let existing = conditions.firstIndex { $0.type == "ReplicaFailure" }
        if let failure {
            if existing == nil {
                conditions.append(AppsV1.ReplicaSetCondition(
                    lastTransitionTime: now.time, message: failure.message, reason: failure.reason, status: "True", type: "ReplicaFailure"))
            }
        } else if let existing {
            conditions.remove(at: existing)
        }
        status.conditions = conditions.isEmpty ? nil : conditions
        // Zero counts are omitted on the wire, as Go's omitempty writes them.
        for path in [\AppsV1.ReplicaSetStatus.fullyLabeledReplicas, \.readyReplicas, \.availableReplicas] where status[keyPath: path] == 0 {
            status[keyPath: path] = nil
        }
        if status != rs.replicaSetStatus {
            var copy = rs
            copy.replicaSetStatus = status
            _ = try await client.updateStatus(copy)
        }
        if failure == nil, minReady > 0, (status.readyReplicas ?? 0) == Int32(rs.desiredReplicas),
            (status.availableReplicas ?? 0) != (status.readyReplicas ?? 0)
        {
            queue.add(rs.queueKey, after: .seconds(Int(minReady)))
        }
    }
}

/// The `replicaset` controller.
public typealias ReplicaSetController = ReplicaController<AppsV1.ReplicaSet>
/// The `replicationcontroller` controller (upstream's ReplicationManager).
public typealias ReplicationManager = ReplicaController<CoreV1.ReplicationController>
