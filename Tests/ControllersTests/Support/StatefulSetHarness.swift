import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

// MARK: StatefulSets, their pods, claims and revisions

extension Fixtures {
    /// The labels of a StatefulSet's pod template, which its selector selects.
    static let statefulLabels = ["app": "web"]

    /// A volumeClaimTemplate `name` (ReadWriteOnce).
    static func statefulClaimTemplate(_ name: String, labels: [String: String]? = nil) -> CoreV1.PersistentVolumeClaim {
        CoreV1.PersistentVolumeClaim(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name),
            spec: CoreV1.PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"]))
    }

    /// A StatefulSet `web` (uid `set-uid`, generation 1, resourceVersion 1) selecting and
    /// labelling its pods `app=web`, one container `nginx` running `image`, serviceName `web`,
    /// a claim template per name in `claimTemplates`. The update strategy is `updateStrategy`
    /// with `rollingUpdate.partition` (a nil partition: no rollingUpdate block); `OnDelete` has
    /// none. `retention` nil leaves `persistentVolumeClaimRetentionPolicy` out (Retain/Retain).
    static func statefulSet(
        name: String = "web", uid: String = "set-uid", replicas: Int32? = 3, podManagementPolicy: String? = "OrderedReady",
        updateStrategy: String = "RollingUpdate", partition: Int32? = 0, claimTemplates: [String] = ["www"],
        retention: (whenScaled: String, whenDeleted: String)? = nil, minReadySeconds: Int32? = nil, ordinalsStart: Int32? = nil,
        revisionHistoryLimit: Int32? = 10, image: String = "nginx:1.27", annotations: [String: String]? = nil,
        generation: Int64 = 1, deleting: Bool = false
    ) -> AppsV1.StatefulSet {
        var meta = MetaV1.ObjectMeta(
            annotations: annotations, generation: generation, name: name, namespace: namespace, resourceVersion: "1", uid: uid)
        if deleting { meta.deletionTimestamp = time(0) }
        let strategy = updateStrategy == "OnDelete"
            ? AppsV1.StatefulSetUpdateStrategy(type: "OnDelete")
            : AppsV1.StatefulSetUpdateStrategy(
                rollingUpdate: partition.map { AppsV1.RollingUpdateStatefulSetStrategy(partition: $0) }, type: updateStrategy)
        let template = CoreV1.PodTemplateSpec(
            metadata: MetaV1.ObjectMeta(labels: statefulLabels),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: image, name: "nginx")]))
        let policy = retention.map {
            AppsV1.StatefulSetPersistentVolumeClaimRetentionPolicy(whenDeleted: $0.whenDeleted, whenScaled: $0.whenScaled)
        }
        return AppsV1.StatefulSet(
            metadata: meta,
            spec: AppsV1.StatefulSetSpec(
                minReadySeconds: minReadySeconds, ordinals: ordinalsStart.map { AppsV1.StatefulSetOrdinals(start: $0) },
                persistentVolumeClaimRetentionPolicy: policy, podManagementPolicy: podManagementPolicy, replicas: replicas,
                revisionHistoryLimit: revisionHistoryLimit, selector: MetaV1.LabelSelector(matchLabels: statefulLabels),
                serviceName: "web", template: template, updateStrategy: strategy,
                volumeClaimTemplates: claimTemplates.isEmpty ? nil : claimTemplates.map { statefulClaimTemplate($0) })
        ).withTypeMeta()
    }

    /// A controller reference to the StatefulSet `name` (`controller: false` makes it a plain
    /// owner reference, as an older beta wrote).
    static func statefulSetRef(_ name: String = "web", uid: String = "set-uid", controller: Bool = true) -> MetaV1.OwnerReference {
        MetaV1.OwnerReference(
            kind: "StatefulSet", apiVersion: "apps/v1", blockOwnerDeletion: controller ? true : nil, controller: controller,
            name: name, uid: uid)
    }

    /// A controller reference to the pod `name`.
    static func statefulPodRef(_ name: String, uid: String) -> MetaV1.OwnerReference {
        MetaV1.OwnerReference(kind: "Pod", apiVersion: "v1", blockOwnerDeletion: true, controller: true, name: name, uid: uid)
    }

    /// Pod `<set>-<ordinal>` as the controller would have made it at `revision` (identity
    /// labels, hostname, subdomain, claim volumes, controlled by `set` unless not `owned`),
    /// uid `uid-<name>`, in `phase` (no status when nil) with Ready `ready` since `readySince`
    /// seconds after `epoch`.
    static func statefulPod(
        _ set: AppsV1.StatefulSet, _ ordinal: Int, revision: String, phase: String? = "Running", ready: Bool = true,
        readySince: Int64 = -3600, deleting: Bool = false, owned: Bool = true, labels: [String: String] = Fixtures.statefulLabels
    ) -> CoreV1.Pod {
        let name = "\(set.name)-\(ordinal)"
        var allLabels = labels
        allLabels["statefulset.kubernetes.io/pod-name"] = name
        allLabels["apps.kubernetes.io/pod-index"] = String(ordinal)
        allLabels["controller-revision-hash"] = revision
        var meta = MetaV1.ObjectMeta(
            creationTimestamp: time(-7200), labels: allLabels, name: name, namespace: namespace,
            ownerReferences: owned ? [statefulSetRef(set.name, uid: set.uid)] : nil, resourceVersion: "1", uid: "uid-\(name)")
        if deleting { meta.deletionTimestamp = time(0) }
        let volumes = (set.spec?.volumeClaimTemplates ?? []).map { template -> CoreV1.Volume in
            let claim = template.metadata?.name ?? ""
            return CoreV1.Volume(
                name: claim, persistentVolumeClaim: CoreV1.PersistentVolumeClaimVolumeSource(claimName: "\(claim)-\(name)", readOnly: false))
        }
        let status = phase.map { phase in
            CoreV1.PodStatus(
                conditions: [CoreV1.PodCondition(lastTransitionTime: time(readySince), status: ready ? "True" : "False", type: "Ready")],
                phase: phase)
        }
        let image = set.spec?.template.spec?.containers.first?.image ?? "nginx:1.27"
        return CoreV1.Pod(
            metadata: meta,
            spec: CoreV1.PodSpec(
                containers: [CoreV1.Container(image: image, name: "nginx")], hostname: name, subdomain: set.spec?.serviceName,
                volumes: volumes.isEmpty ? nil : volumes),
            status: status
        ).withTypeMeta()
    }

    /// A PersistentVolumeClaim `name` labelled `app=web` (uid `uid-<name>`).
    static func statefulClaim(_ name: String, owners: [MetaV1.OwnerReference]? = nil, deleting: Bool = false) -> CoreV1.PersistentVolumeClaim {
        var meta = MetaV1.ObjectMeta(
            labels: statefulLabels, name: name, namespace: namespace, ownerReferences: owners, resourceVersion: "1", uid: "uid-\(name)")
        if deleting { meta.deletionTimestamp = time(0) }
        return CoreV1.PersistentVolumeClaim(metadata: meta, spec: CoreV1.PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"]))
            .withTypeMeta()
    }

    /// A ControllerRevision `name` numbered `revision` holding `data`.
    static func statefulRevision(
        _ name: String, data: JSONValue, revision: Int64, labels: [String: String] = Fixtures.statefulLabels, owners: [MetaV1.OwnerReference]?
    ) -> AppsV1.ControllerRevision {
        AppsV1.ControllerRevision(
            metadata: MetaV1.ObjectMeta(
                labels: labels, name: name, namespace: namespace, ownerReferences: owners, resourceVersion: "1", uid: "uid-\(name)"),
            data: data, revision: revision
        ).withTypeMeta()
    }
}

/// A `StatefulSetController` over informer stores (StatefulSets, pods, claims,
/// ControllerRevisions) that the fake apiserver keeps up to date, on a manual clock. Tests call
/// `sync()` (one pass; no workers run) and play the rest of the cluster with the helpers:
/// after each sync every pod without a phase gets `Pending`, as the apiserver does on create
/// (so the next pass sees it as created); `markRunningReady` plays the kubelet;
/// `removePod` / `removeClaim` a deletion that has completed; `updateSet` a user's edit
/// (generation + 1).
struct StatefulSetHarness {
    let clock = ManualClock()
    let sets = ThreadSafeStore<AppsV1.StatefulSet>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let claims = ThreadSafeStore<CoreV1.PersistentVolumeClaim>()
    let revisions = ThreadSafeStore<AppsV1.ControllerRevision>()
    let client = FakeControllerClient()
    let events = RecordingEvents()
    let controller: StatefulSetController
    let name: String
    let key: String

    init(
        _ set: AppsV1.StatefulSet = Fixtures.statefulSet(), pods: [CoreV1.Pod] = [], claims: [CoreV1.PersistentVolumeClaim] = [],
        revisions: [AppsV1.ControllerRevision] = []
    ) {
        name = set.name
        key = set.queueKey
        controller = StatefulSetController(
            sets: Lister(store: sets), pods: Lister(store: self.pods), claims: Lister(store: self.claims),
            revisions: Lister(store: self.revisions), client: client, events: events, clock: clock, logger: Fixtures.logger)
        client.mirror(sets)
        client.mirror(self.pods)
        client.mirror(self.claims)
        client.mirror(self.revisions)
        client.seed(set)
        for pod in pods { client.seed(pod) }
        for claim in claims { client.seed(claim) }
        for revision in revisions { client.seed(revision) }
    }

    // MARK: Reading

    /// The StatefulSet as the informer holds it.
    var set: AppsV1.StatefulSet? { sets.get(key: key) }
    var status: AppsV1.StatefulSetStatus? { sets.get(key: key)?.status }

    /// The name `<set>-<hash>` the set's current template gets as a ControllerRevision (with
    /// no hash collision); the `controller-revision-hash` of pods at that template.
    var templateRevision: String {
        guard let current = sets.get(key: key), let data = try? ControllerHistory.data(current.spec?.template) else { return "" }
        return "\(name)-\(ControllerHistory.hash(data, collisionCount: 0))"
    }

    /// The pods in the informer, sorted by name.
    var allPods: [CoreV1.Pod] { pods.list().sorted { $0.name < $1.name } }
    var podNames: [String] { allPods.map(\.name) }
    /// The `controller-revision-hash` of each pod, in name order.
    var podRevisions: [String?] { allPods.map { $0.metadata?.labels?["controller-revision-hash"] } }

    func storedPod(_ podName: String) -> CoreV1.Pod? { client.object(CoreV1.Pod.self, namespace: Fixtures.namespace, name: podName) }
    func storedClaim(_ claimName: String) -> CoreV1.PersistentVolumeClaim? {
        client.object(CoreV1.PersistentVolumeClaim.self, namespace: Fixtures.namespace, name: claimName)
    }
    func storedRevision(_ revisionName: String) -> AppsV1.ControllerRevision? {
        client.object(AppsV1.ControllerRevision.self, namespace: Fixtures.namespace, name: revisionName)
    }
    /// The ControllerRevisions the apiserver holds, sorted by name.
    var revisionNames: [String] { client.objects(AppsV1.ControllerRevision.self).map(\.name).sorted() }

    /// Names of the objects of `kind` the client was asked to `verb`, in order.
    func names(_ verb: String, _ kind: String) -> [String] { client.actions(verb, kind: kind).map(\.name) }
    var createdPods: [String] { names("create", "Pod") }
    var deletedPods: [String] { names("delete", "Pod") }
    var createdClaims: [String] { names("create", "PersistentVolumeClaim") }
    /// Every call about a pod (create, update, patch, delete).
    var podWrites: [FakeControllerClient.Action] { client.actions.filter { $0.kind == "Pod" } }

    /// The events as `<type> <reason>: <message>`, in order.
    var eventLog: [String] { events.all.map { "\($0.type.rawValue) \($0.reason): \($0.message)" } }

    // MARK: Building

    /// Pod `web-<ordinal>` of the set as stored (at `revision`, by default the current template's).
    func makePod(
        _ ordinal: Int, revision: String? = nil, phase: String? = "Running", ready: Bool = true, readySince: Int64 = -3600,
        deleting: Bool = false, owned: Bool = true, labels: [String: String] = Fixtures.statefulLabels
    ) -> CoreV1.Pod {
        let current = sets.get(key: key) ?? Fixtures.statefulSet()
        return Fixtures.statefulPod(
            current, ordinal, revision: revision ?? templateRevision, phase: phase, ready: ready, readySince: readySince,
            deleting: deleting, owned: owned, labels: labels)
    }

    /// A ControllerRevision `name` holding the set's current template, its image replaced by
    /// `image` when given, controlled by the set unless not `owned`.
    func makeRevision(
        _ revisionName: String, image: String? = nil, number: Int64, labels: [String: String] = Fixtures.statefulLabels, owned: Bool = true
    ) throws -> AppsV1.ControllerRevision {
        let current = sets.get(key: key)
        var template = current?.spec?.template ?? CoreV1.PodTemplateSpec()
        if let image { template.spec?.containers[0].image = image }
        let owners = owned ? [Fixtures.statefulSetRef(name, uid: current?.uid ?? "set-uid")] : nil
        return Fixtures.statefulRevision(
            revisionName, data: try ControllerHistory.data(template), revision: number, labels: labels, owners: owners)
    }

    // MARK: Acting

    /// Runs one sync, then gives every pod without a phase `Pending` (the apiserver's
    /// defaulting on create). Returns the error the sync threw, if any.
    @discardableResult
    func sync() async -> (any Error)? {
        var failure: (any Error)?
        do {
            try await controller.sync(key)
        } catch {
            failure = error
        }
        admitNewPods()
        return failure
    }

    /// `passes` times: a sync, then every pod Running and Ready (a cluster that keeps up).
    func converge(passes: Int = 10) async {
        for _ in 0..<passes {
            await sync()
            markAllRunningReady()
        }
    }

    /// Gives every stored pod without a phase `Pending`.
    func admitNewPods() {
        for var pod in client.objects(CoreV1.Pod.self) where (pod.status?.phase ?? "").isEmpty {
            var status = pod.status ?? CoreV1.PodStatus()
            status.phase = "Pending"
            pod.status = status
            client.seed(pod)
        }
    }

    /// Stores objects as the apiserver and the informers hold them.
    func seed<T: ControlledObject>(_ objects: T...) {
        for object in objects { client.seed(object) }
    }

    /// Stores healthy pods (Running, Ready for an hour) for `ordinals` at the current template.
    func seedHealthy(_ ordinals: Range<Int>) {
        for ordinal in ordinals { client.seed(makePod(ordinal)) }
    }

    /// Plays the kubelet: each pod runs and is Ready since `since` (seconds after `epoch`), or now.
    func markRunningReady(_ podNames: [String], since: Int64? = nil) {
        let when = since.map { Fixtures.time($0) } ?? clock.wallNow.time
        for podName in podNames {
            guard var pod = storedPod(podName) else {
                Issue.record("no pod \(podName) to mark Running and Ready")
                continue
            }
            pod.status = CoreV1.PodStatus(
                conditions: [CoreV1.PodCondition(lastTransitionTime: when, status: "True", type: "Ready")], phase: "Running")
            client.seed(pod)
        }
    }

    /// Marks Running and Ready every pod that is not already, nor terminating, nor finished.
    func markAllRunningReady() {
        let waiting = client.objects(CoreV1.Pod.self).filter { pod in
            let phase = pod.status?.phase
            return pod.metadata?.deletionTimestamp == nil && phase != "Failed" && phase != "Succeeded"
                && !(phase == "Running" && pod.isReady)
        }
        markRunningReady(waiting.map(\.name))
    }

    /// Plays the kubelet: pod `podName` reaches `phase`, Ready `ready` from now.
    func setPhase(_ podName: String, _ phase: String, ready: Bool = false) {
        guard var pod = storedPod(podName) else {
            Issue.record("no pod \(podName)")
            return
        }
        pod.status = CoreV1.PodStatus(
            conditions: [CoreV1.PodCondition(lastTransitionTime: clock.wallNow.time, status: ready ? "True" : "False", type: "Ready")],
            phase: phase)
        client.seed(pod)
    }

    /// Pod `podName` has a deletionTimestamp (graceful deletion under way).
    func markTerminating(_ podName: String) {
        guard var pod = storedPod(podName) else {
            Issue.record("no pod \(podName)")
            return
        }
        pod.metadata?.deletionTimestamp = Fixtures.time(0)
        client.seed(pod)
    }

    /// Pod `podName` is gone, from the apiserver and the informer (a deletion that completed).
    func removePod(_ podName: String) {
        client.forget(CoreV1.Pod.self, namespace: Fixtures.namespace, name: podName)
        _ = pods.delete(key: "\(Fixtures.namespace)/\(podName)")
    }

    /// Claim `claimName` is gone, from the apiserver and the informer.
    func removeClaim(_ claimName: String) {
        client.forget(CoreV1.PersistentVolumeClaim.self, namespace: Fixtures.namespace, name: claimName)
        _ = claims.delete(key: "\(Fixtures.namespace)/\(claimName)")
    }

    /// Changes the StatefulSet as a user would; its generation goes up (its status is kept).
    func updateSet(_ change: (inout AppsV1.StatefulSet) -> Void) {
        guard var updated = client.object(AppsV1.StatefulSet.self, namespace: Fixtures.namespace, name: name) else {
            Issue.record("no StatefulSet \(name)")
            return
        }
        change(&updated)
        let generation = (updated.metadata?.generation ?? 0) + 1
        updated.metadata?.generation = generation
        client.seed(updated)
    }

    /// A new pod template: the container's image becomes `image`.
    func setImage(_ image: String) { updateSet { $0.spec?.template.spec?.containers[0].image = image } }

    /// `spec.replicas` becomes `replicas`.
    func scale(to replicas: Int32) { updateSet { $0.spec?.replicas = replicas } }
}
