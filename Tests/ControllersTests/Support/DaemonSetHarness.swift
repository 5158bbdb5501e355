import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

// MARK: DaemonSets, their pods and revisions

extension Fixtures {
    /// The labels of a DaemonSet's pod template, which its selector selects.
    static let daemonLabels = ["app": "agent"]

    /// A DaemonSet `agent` (uid `ds-uid`) whose template runs one container `agent`, with the
    /// update strategy the apiserver defaults to (RollingUpdate, maxUnavailable 1, maxSurge 0)
    /// unless `onDelete`, and revisionHistoryLimit 10.
    static func daemonSet(
        _ name: String = "agent", uid: String = "ds-uid", generation: Int64 = 1, image: String = "agent:1",
        nodeSelector: [String: String]? = nil, affinity: CoreV1.Affinity? = nil, tolerations: [CoreV1.Toleration]? = nil,
        hostNetwork: Bool? = nil, nodeName: String? = nil, onDelete: Bool = false, maxUnavailable: IntOrString? = 1,
        maxSurge: IntOrString? = 0, minReadySeconds: Int32? = nil, revisionHistoryLimit: Int32? = 10,
        annotations: [String: String]? = nil
    ) -> AppsV1.DaemonSet {
        let template = CoreV1.PodTemplateSpec(
            metadata: MetaV1.ObjectMeta(labels: daemonLabels),
            spec: CoreV1.PodSpec(
                affinity: affinity, containers: [CoreV1.Container(image: image, name: "agent")], hostNetwork: hostNetwork,
                nodeName: nodeName, nodeSelector: nodeSelector, tolerations: tolerations))
        let strategy = onDelete
            ? AppsV1.DaemonSetUpdateStrategy(type: "OnDelete")
            : AppsV1.DaemonSetUpdateStrategy(
                rollingUpdate: AppsV1.RollingUpdateDaemonSet(maxSurge: maxSurge, maxUnavailable: maxUnavailable), type: "RollingUpdate")
        return AppsV1.DaemonSet(
            metadata: MetaV1.ObjectMeta(
                annotations: annotations, generation: generation, name: name, namespace: namespace, resourceVersion: "1", uid: uid),
            spec: AppsV1.DaemonSetSpec(
                minReadySeconds: minReadySeconds, revisionHistoryLimit: revisionHistoryLimit,
                selector: MetaV1.LabelSelector(matchLabels: daemonLabels), template: template, updateStrategy: strategy)
        ).withTypeMeta()
    }

    /// The `controller-revision-hash` of `ds`'s current template.
    static func daemonHash(_ ds: AppsV1.DaemonSet) -> String {
        DeploymentRules.hash(ds.spec?.template ?? CoreV1.PodTemplateSpec(), collisionCount: ds.status?.collisionCount)
    }

    /// A taint of `key` with `effect`.
    static func daemonTaint(_ key: String, _ effect: String, value: String? = nil) -> CoreV1.Taint {
        CoreV1.Taint(effect: effect, key: key, value: value)
    }

    /// A required node affinity naming `node` by `metadata.name`, as the controller writes it.
    static func daemonAffinity(_ node: String) -> CoreV1.Affinity {
        CoreV1.Affinity(nodeAffinity: CoreV1.NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                CoreV1.NodeSelectorTerm(matchFields: [CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: [node])]),
            ])))
    }

    /// A pod of `ds` for `node` labelled with revision `hash`: bound there (unless not
    /// `scheduled`, when only its node affinity names the node), `Running` and Ready since
    /// `readySince` unless told otherwise.
    static func daemonPod(
        _ name: String, on node: String, of ds: AppsV1.DaemonSet = Fixtures.daemonSet(), hash: String, phase: String = "Running",
        ready: Bool = true, readySince: Int64 = -3600, created: Int64 = -7200, scheduled: Bool = true, deleting: Bool = false
    ) -> CoreV1.Pod {
        var meta = MetaV1.ObjectMeta(
            creationTimestamp: time(created), labels: daemonLabels.merging([DaemonSetRules.revisionHashLabel: hash]) { $1 },
            name: name, namespace: namespace, ownerReferences: [ds.asControllerRef], resourceVersion: "1", uid: "uid-\(name)")
        if deleting { meta.deletionTimestamp = time(0) }
        let condition = CoreV1.PodCondition(lastTransitionTime: time(readySince), status: ready ? "True" : "False", type: "Ready")
        return CoreV1.Pod(
            metadata: meta,
            spec: CoreV1.PodSpec(
                affinity: daemonAffinity(node), containers: [CoreV1.Container(image: "agent:1", name: "agent")],
                nodeName: scheduled ? node : nil),
            status: CoreV1.PodStatus(conditions: [condition], phase: phase)
        ).withTypeMeta()
    }

    /// A ControllerRevision `<ds>-<hash>` of `ds` numbered `revision`; its data is `data`, or a
    /// template of its own when nil.
    static func daemonRevision(of ds: AppsV1.DaemonSet = Fixtures.daemonSet(), hash: String, revision: Int64, data: JSONValue? = nil) -> AppsV1.ControllerRevision {
        let labels: JSONValue = ["app": "agent", "old": .string(hash)]
        let metadata: JSONValue = ["labels": labels]
        let template: JSONValue = ["$patch": "replace", "metadata": metadata]
        let ownData: JSONValue = ["spec": ["template": template]]
        return AppsV1.ControllerRevision(
            metadata: MetaV1.ObjectMeta(
                labels: daemonLabels.merging([DaemonSetRules.revisionHashLabel: hash]) { $1 }, name: "\(ds.name)-\(hash)",
                namespace: namespace, ownerReferences: [ds.asControllerRef], resourceVersion: "1", uid: "uid-rev-\(hash)"),
            data: data ?? ownData,
            revision: revision
        ).withTypeMeta()
    }
}

/// A `DaemonSetController` over listers whose stores the fake client keeps up to date, on a
/// manual clock; tests call `sync` directly (no workers run) and play the kubelet and the
/// scheduler with `makeReady` and `setPhase`.
struct DaemonSetHarness {
    let clock = ManualClock()
    let daemonSets = ThreadSafeStore<AppsV1.DaemonSet>()
    let nodes = ThreadSafeStore<CoreV1.Node>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let revisions = ThreadSafeStore<AppsV1.ControllerRevision>()
    let client = FakeControllerClient()
    let events = RecordingEvents()
    let controller: DaemonSetController
    let name: String
    let key: String

    init(
        _ ds: AppsV1.DaemonSet = Fixtures.daemonSet(), nodes: [CoreV1.Node], pods: [CoreV1.Pod] = [],
        revisions: [AppsV1.ControllerRevision] = []
    ) {
        name = ds.name
        key = ds.queueKey
        controller = DaemonSetController(
            daemonSets: Lister(store: daemonSets), nodes: Lister(store: self.nodes), pods: Lister(store: self.pods),
            revisions: Lister(store: self.revisions), client: client, events: events, clock: clock, logger: Fixtures.logger)
        client.mirror(daemonSets)
        client.mirror(self.nodes)
        client.mirror(self.pods)
        client.mirror(self.revisions)
        client.seed(ds)
        for node in nodes { client.seed(node) }
        for pod in pods { client.seed(pod) }
        for revision in revisions { client.seed(revision) }
    }

    // MARK: Reading

    /// The DaemonSet as the informer holds it.
    var daemonSet: AppsV1.DaemonSet? { daemonSets.get(key: key) }
    var status: AppsV1.DaemonSetStatus? { daemonSet?.status }

    /// The hash of the DaemonSet's current template.
    var hash: String { daemonSet.map(Fixtures.daemonHash) ?? "" }

    /// The node a daemon pod is for: `spec.nodeName`, else its `metadata.name` affinity
    /// (written here, not taken from the code under test).
    static func target(of pod: CoreV1.Pod) -> String? {
        if let node = pod.spec?.nodeName, !node.isEmpty { return node }
        let terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
        return terms.flatMap { $0.matchFields ?? [] }.first { $0.key == "metadata.name" && $0.operator == "In" }?.values?.first
    }

    /// The pods in the informer for `node` that are not being deleted, sorted by name.
    func podsOn(_ node: String) -> [CoreV1.Pod] {
        pods.list().filter { Self.target(of: $0) == node && $0.metadata?.deletionTimestamp == nil }.sorted { $0.name < $1.name }
    }

    /// Names of the pods created, in order.
    var createdPods: [String] { client.actions("create", kind: "Pod").map(\.name) }

    /// The nodes the pods created (and still stored) are for, sorted.
    var createdNodes: [String] {
        createdPods.compactMap { client.object(CoreV1.Pod.self, namespace: Fixtures.namespace, name: $0).flatMap(Self.target) }.sorted()
    }

    /// Names of the pods deleted, sorted.
    var deletedPods: [String] { client.actions("delete", kind: "Pod").map(\.name).sorted() }

    /// Names of the ControllerRevisions deleted, in order.
    var deletedRevisions: [String] { client.actions("delete", kind: "ControllerRevision").map(\.name) }

    /// The ControllerRevision `<ds>-<hash>` in the informer.
    func revision(_ hash: String) -> AppsV1.ControllerRevision? {
        revisions.get(key: "\(Fixtures.namespace)/\(name)-\(hash)")
    }

    /// The wall clock now, as an API timestamp.
    var now: Time { clock.wallNow.time }

    // MARK: Acting

    /// Runs one sync.
    func sync() async throws { try await controller.sync(key) }

    /// What a caught-up informer does: observes every creation still expected and every pod
    /// deletion issued, so that the next sync manages pods again.
    func settle() {
        let adds = controller.expectations.pending(key)?.adds ?? 0
        for _ in 0..<max(adds, 0) { controller.expectations.creationObserved(key) }
        for pod in deletedPods { controller.expectations.deletionObserved(key, "\(Fixtures.namespace)/\(pod)") }
    }

    /// Stores the ControllerRevision of the current template, as an earlier sync made it.
    func seedCurrentRevision(revision: Int64 = 1) throws {
        let ds = try #require(daemonSet)
        let data = try ControllerHistory.data(ds.spec?.template)
        client.seed(Fixtures.daemonRevision(of: ds, hash: hash, revision: revision, data: data))
    }

    /// Changes the DaemonSet as a user would; its generation goes up (its status is kept).
    func updateDaemonSet(_ change: (inout AppsV1.DaemonSet) -> Void) throws {
        var ds = try #require(client.object(AppsV1.DaemonSet.self, namespace: Fixtures.namespace, name: name))
        change(&ds)
        let generation = ds.metadata?.generation ?? 0
        ds.metadata?.generation = generation + 1
        client.seed(ds)
    }

    /// Replaces a node (new labels, taints).
    func setNode(_ node: CoreV1.Node) { client.seed(node) }

    /// Plays the scheduler and the kubelet: pod `name` runs on its node and is Ready from now.
    func makeReady(_ name: String) throws {
        var pod = try #require(client.object(CoreV1.Pod.self, namespace: Fixtures.namespace, name: name))
        let target = Self.target(of: pod)
        pod.spec?.nodeName = target
        pod.status = CoreV1.PodStatus(
            conditions: [CoreV1.PodCondition(lastTransitionTime: now, status: "True", type: "Ready")], phase: "Running")
        client.seed(pod)
    }

    /// Plays the kubelet: pod `name` reaches `phase`, not ready.
    func setPhase(_ name: String, _ phase: String) throws {
        var pod = try #require(client.object(CoreV1.Pod.self, namespace: Fixtures.namespace, name: name))
        pod.status = CoreV1.PodStatus(phase: phase)
        client.seed(pod)
    }

    /// A user deletes pod `name` and it is gone (apiserver and informer alike).
    func userDeletes(_ name: String) {
        client.forget(CoreV1.Pod.self, namespace: Fixtures.namespace, name: name)
        _ = pods.delete(key: "\(Fixtures.namespace)/\(name)")
    }
}
