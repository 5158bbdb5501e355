import APIMachinery
import Client
import Component
import Logging

/// The `deployment` controller: rolls a Deployment's pod template out through ReplicaSets
/// named `<deployment>-<pod-template-hash>` — RollingUpdate within maxSurge/maxUnavailable,
/// or Recreate — scales proportionally during a rollout, keeps `revisionHistoryLimit` old
/// ReplicaSets, and reports replicas and the Available and Progressing conditions
/// (progressDeadlineSeconds) in status, so that `kubectl rollout status|history|undo|pause|
/// resume|restart` work as upstream.
///
/// Level-triggered like every controller here: `sync(_:)` reads the listers and writes only
/// the next step of the rollout.
public final class DeploymentController: Sendable {
    let deployments: Lister<AppsV1.Deployment>
    let replicaSets: Lister<AppsV1.ReplicaSet>
    let pods: Lister<CoreV1.Pod>
    let client: any ControllerClient
    let events: any EventEmitter
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        deployments: Lister<AppsV1.Deployment>, replicaSets: Lister<AppsV1.ReplicaSet>, pods: Lister<CoreV1.Pod>,
        client: any ControllerClient, events: any EventEmitter, clock: any ComponentClock, logger: Logger
    ) {
        self.deployments = deployments
        self.replicaSets = replicaSets
        self.pods = pods
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
        ControllerIndex.ensure(replicaSets.store)
        ControllerIndex.ensure(pods.store)
    }

    public func register(
        deployments: SharedInformer<AppsV1.Deployment>, replicaSets: SharedInformer<AppsV1.ReplicaSet>, pods: SharedInformer<CoreV1.Pod>
    ) {
        _ = deployments.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.queueKey) },
            onUpdate: { [queue] _, new in queue.add(new.queueKey) },
            onDelete: { [queue] in queue.add($0.key) }))
        _ = replicaSets.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in replicaSetChanged($0) },
            onUpdate: { [self] old, new in
                if old.controllerRef != new.controllerRef { replicaSetChanged(old) }
                replicaSetChanged(new)
            },
            onDelete: { [self] in replicaSetChanged($0.object) }))
        _ = pods.addEventHandler(ResourceEventHandler(
            onAdd: { _ in }, onUpdate: { _, _ in },
            onDelete: { [self] deleted in
                // A Recreate rollout waits for the old pods to be gone.
                guard let ref = deleted.object.controllerRef, ref.kind == "ReplicaSet",
                    let rs = replicaSets.lister.get(namespace: deleted.object.namespace, name: ref.name),
                    let d = owner(of: rs), d.spec?.strategy?.type == "Recreate"
                else { return }
                queue.add(d.queueKey)
            }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "deployment", metrics: metrics, logger: logger, failure: "deployment sync failed; retrying", label: "deployment") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    func owner(of rs: AppsV1.ReplicaSet) -> AppsV1.Deployment? {
        guard let ref = rs.controllerRef, ref.kind == "Deployment",
            let d = deployments.get(namespace: rs.namespace, name: ref.name), d.uid == ref.uid
        else { return nil }
        return d
    }

    func replicaSetChanged(_ rs: AppsV1.ReplicaSet) {
        if rs.controllerRef != nil {
            if let d = owner(of: rs) { queue.add(d.queueKey) }
            return
        }
        let labels = rs.metadata?.labels ?? [:]
        for d in deployments.list(namespace: rs.namespace) {
            guard let query = logger.query(d.spec?.selector, of: "deployment \(d.queueKey)"), query != .everything, query.matches(labels) else { continue }
            queue.add(d.queueKey)
        }
    }

    // MARK: Sync

    /// Reconciles the Deployment `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let cached = deployments.get(namespace: namespace, name: name),
            let spec = cached.spec
        else { return }
        var d = cached
        let selector: LabelSelectorQuery
        do { selector = try spec.selector.query() } catch { return }
        if selector == .everything {
            events.event(regarding: d, type: .warning, reason: "SelectingAll", message: "This deployment is selecting all pods. A non-empty selector is required.")
            return
        }
        let candidates = ControllerIndex.controlled(by: d.uid, in: replicaSets) + ControllerIndex.orphans(in: d.namespace, replicaSets)
        let sets = try await ControllerRefManager(owner: d, selector: selector, client: client).claim(candidates)
        if d.isBeingDeleted {
            try await syncStatusOnly(d, sets)
            return
        }
        try await checkPausedConditions(&d)
        if spec.paused == true {
            try await scaleOnly(d, sets)
            return
        }
        if isScalingEvent(d, sets) {
            try await scaleOnly(d, sets)
            return
        }
        if spec.strategy?.type == "Recreate" {
            try await rolloutRecreate(d, sets)
        } else {
            try await rolloutRolling(d, sets)
        }
    }

    /// The ReplicaSet whose template is `d`'s (the oldest if several), and the others.
    func split(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) -> (new: AppsV1.ReplicaSet?, old: [AppsV1.ReplicaSet]) {
        let template = DeploymentRules.withoutHash(d.spec?.template)
        let sorted = sets.sorted(by: DeploymentRules.oldestFirst)
        guard let new = sorted.first(where: { DeploymentRules.withoutHash($0.spec?.template) == template }) else { return (nil, sorted) }
        return (new, sorted.filter { $0.uid != new.uid })
    }

    /// A change of `spec.replicas` alone: some active ReplicaSet's desired-replicas annotation
    /// differs from the Deployment's replicas.
    func isScalingEvent(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) -> Bool {
        let replicas = d.spec?.replicas ?? 1
        for rs in sets where (rs.spec?.replicas ?? 0) > 0 {
            guard let desired = rs.metadata?.annotations?[DeploymentRules.desiredReplicasAnnotation].flatMap({ Int32($0) }) else { continue }
            if desired != replicas { return true }
        }
        return false
    }

    // MARK: New ReplicaSet

    /// The new ReplicaSet, brought to the next revision; created (with the replicas the
    /// rollout allows) when `create` and there is none. Nil when absent and not created.
    func newReplicaSet(_ d: inout AppsV1.Deployment, _ new: AppsV1.ReplicaSet?, _ old: [AppsV1.ReplicaSet], create: Bool) async throws -> AppsV1.ReplicaSet? {
        let newRevision = DeploymentRules.maxRevision(old) + 1
        if var existing = new {
            var changed = DeploymentRules.annotate(&existing, from: d, newRevision: newRevision)
            if (existing.spec?.minReadySeconds ?? 0) != (d.spec?.minReadySeconds ?? 0) {
                existing.spec?.minReadySeconds = d.spec?.minReadySeconds
                changed = true
            }
            if changed { existing = try await client.update(existing) }
            try await setDeploymentRevision(&d, DeploymentRules.revision(existing))
            if progressingCondition(d) == nil, d.spec?.progressDeadlineSeconds != nil {
                try await setProgressing(&d, status: "True", reason: "FoundNewReplicaSet", message: "Found new replica set \"\(existing.name)\"")
            }
            return existing
        }
        guard create, let spec = d.spec else { return nil }
        let hash = DeploymentRules.hash(spec.template, collisionCount: d.status?.collisionCount)
        var template = spec.template
        if template.metadata == nil { template.metadata = MetaV1.ObjectMeta() }
        var podLabels = template.metadata?.labels ?? [:]
        podLabels[DeploymentRules.hashLabel] = hash
        template.metadata?.labels = podLabels
        var selector = spec.selector
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([DeploymentRules.hashLabel: hash]) { $1 }
        var meta = MetaV1.ObjectMeta(name: "\(d.name)-\(hash)", namespace: d.namespace)
        meta.labels = template.metadata?.labels
        meta.ownerReferences = [d.asControllerRef]
        let all = old
        let replicas = newReplicaCount(d, all, nil)
        var rs = AppsV1.ReplicaSet(metadata: meta, spec: AppsV1.ReplicaSetSpec(
            minReadySeconds: spec.minReadySeconds, replicas: replicas, selector: selector, template: template)).withTypeMeta()
        DeploymentRules.annotate(&rs, from: d, newRevision: newRevision)
        DeploymentRules.setReplicaAnnotations(&rs, desired: spec.replicas ?? 1, max: (spec.replicas ?? 1) + DeploymentRules.maxSurge(d))
        let created: AppsV1.ReplicaSet
        do {
            created = try await client.create(rs)
        } catch let error as StatusError where error.isAlreadyExists {
            // Ours from an earlier sync, a cache that has not shown it yet (retry), or a hash collision.
            guard let existing = replicaSets.get(namespace: d.namespace, name: rs.name) else { throw error }
            if existing.controllerRef?.uid == d.uid,
                DeploymentRules.withoutHash(existing.spec?.template) == DeploymentRules.withoutHash(spec.template)
            {
                return existing
            }
            var copy = d
            var status = copy.status ?? AppsV1.DeploymentStatus()
            status.collisionCount = (status.collisionCount ?? 0) + 1
            copy.status = status
            _ = try await client.updateStatus(copy)
            throw error
        } catch {
            events.event(regarding: d, type: .warning, reason: "FailedCreate", message: "Failed to create new replica set \"\(rs.name)\": \(error)")
            throw error
        }
        if replicas > 0 {
            events.event(regarding: d, type: .normal, reason: "ScalingReplicaSet", message: "Scaled up replica set \(created.name) from 0 to \(replicas)")
        }
        try await setDeploymentRevision(&d, DeploymentRules.revision(created))
        if d.spec?.progressDeadlineSeconds != nil {
            try await setProgressing(&d, status: "True", reason: "NewReplicaSetCreated", message: "Created new replica set \"\(created.name)\"")
        }
        return created
    }

    /// Replicas the new ReplicaSet may have now (upstream's `NewRSNewReplicas`).
    func newReplicaCount(_ d: AppsV1.Deployment, _ all: [AppsV1.ReplicaSet], _ new: AppsV1.ReplicaSet?) -> Int32 {
        let replicas = d.spec?.replicas ?? 1
        guard DeploymentRules.isRolling(d) else { return replicas }
        let current = DeploymentRules.specReplicas(all)
        let maxTotal = replicas + DeploymentRules.maxSurge(d)
        let newReplicas = new?.spec?.replicas ?? 0
        if current >= maxTotal { return newReplicas }
        return newReplicas + min(maxTotal - current, max(0, replicas - newReplicas))
    }

    /// Records the new ReplicaSet's revision on the Deployment (the revision `kubectl rollout
    /// history` lists).
    func setDeploymentRevision(_ d: inout AppsV1.Deployment, _ revision: Int64) async throws {
        let text = String(revision)
        guard d.metadata?.annotations?[DeploymentRules.revisionAnnotation] != text else { return }
        var annotations = d.metadata?.annotations ?? [:]
        annotations[DeploymentRules.revisionAnnotation] = text
        d.metadata?.annotations = annotations
        d = try await client.update(d)
    }

    // MARK: Scaling

    /// Sets `rs`'s replicas (and its desired/max annotations), with upstream's event.
    @discardableResult
    func scale(_ rs: AppsV1.ReplicaSet, to replicas: Int32, _ d: AppsV1.Deployment) async throws -> AppsV1.ReplicaSet {
        var copy = rs
        let old = rs.spec?.replicas ?? 0
        let target = d.spec?.replicas ?? 1
        let annotated = DeploymentRules.setReplicaAnnotations(&copy, desired: target, max: target + DeploymentRules.maxSurge(d))
        guard old != replicas || annotated else { return rs }
        copy.spec?.replicas = replicas
        let updated = try await client.update(copy)
        if old != replicas {
            let direction = old < replicas ? "up" : "down"
            events.event(regarding: d, type: .normal, reason: "ScalingReplicaSet", message: "Scaled \(direction) replica set \(rs.name) from \(old) to \(replicas)")
        }
        return updated
    }

    /// A change of replicas (or a paused Deployment): resizes the ReplicaSets without
    /// advancing the rollout, proportionally while more than one is active.
    func scaleOnly(_ d: AppsV1.Deployment, _ sets: [AppsV1.ReplicaSet]) async throws {
        var d = d
        let (found, old) = split(d, sets)
        let new = try await newReplicaSet(&d, found, old, create: false)
        try await resize(d, new, old)
        if d.spec?.paused == true { try await cleanup(d, old) }
        try await syncStatusOnly(d, sets)
    }

    /// Upstream's `scale`: one active ReplicaSet takes the replicas; a saturated new one
    /// retires the old; otherwise the difference is shared out in proportion.
    func resize(_ d: AppsV1.Deployment, _ new: AppsV1.ReplicaSet?, _ old: [AppsV1.ReplicaSet]) async throws {
        let replicas = d.spec?.replicas ?? 1
        let all = ([new].compactMap { $0 } + old)
        let active = all.filter { ($0.spec?.replicas ?? 0) > 0 }
        if active.count <= 1 {
            let target = active.first ?? new ?? old.sorted(by: DeploymentRules.oldestFirst).last
            if let target { try await scale(target, to: replicas, d) }
            return
        }
        if let new, new.spec?.replicas == replicas,
            new.metadata?.annotations?[DeploymentRules.desiredReplicasAnnotation] == String(replicas),
            (new.status?.availableReplicas ?? 0) >= replicas
        {
            for rs in old where (rs.spec?.replicas ?? 0) > 0 { try await scale(rs, to: 0, d) }
            return
        }
        guard DeploymentRules.isRolling(d) else { return }
        let allowed = replicas + DeploymentRules.maxSurge(d)
        let toAdd = allowed - DeploymentRules.specReplicas(active)
        guard toAdd != 0 else { return }
        let ordered = active.sorted(by: DeploymentRules.bySize(newerFirst: toAdd > 0))
        var sizes: [String: Int32] = [:]
        var added: Int32 = 0
        for rs in ordered {
            let share = DeploymentRules.proportion(rs, d, toAdd: toAdd, added: added)
            sizes[rs.name] = (rs.spec?.replicas ?? 0) + share
            added += share
        }
        if let first = ordered.first, added != toAdd {
            sizes[first.name] = max(0, (sizes[first.name] ?? 0) + toAdd - added)
        }
        for rs in ordered { try await scale(rs, to: sizes[rs.name] ?? 0, d) }
    }

    /// Deletes the oldest fully scaled-down ReplicaSets beyond `revisionHistoryLimit` (10).
    func cleanup(_ d: AppsV1.Deployment, _ old: [AppsV1.ReplicaSet]) async throws {
        let limit = Int(d.spec?.revisionHistoryLimit ?? 10)
        let alive = old.filter { !$0.isBeingDeleted }
        guard alive.count > limit else { return }
        // The oldest `excess` revisions are candidates; one still running is skipped, not replaced
        // by a newer one (as upstream).
        let byRevision = alive.sorted { DeploymentRules.revision($0) < DeploymentRules.revision($1) }
        for rs in byRevision.prefix(alive.count - limit) {
            guard (rs.status?.replicas ?? 0) == 0, (rs.spec?.replicas ?? 0) == 0,
                rs.metadata?.generation == rs.status?.observedGeneration
            else { continue }
            do {
                try await client.delete(AppsV1.ReplicaSet.self, namespace: rs.namespace, name: rs.name, uid: rs.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound {}
        }
    }
}
