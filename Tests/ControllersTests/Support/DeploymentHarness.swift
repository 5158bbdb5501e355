import APIMachinery
import Client
import Component
@testable import Controllers

extension Fixtures {
    // MARK: Deployments

    /// A pod template labelled `labels` running `image`.
    static func podTemplate(image: String = "nginx:1.27", labels: [String: String] = ["app": "web"]) -> CoreV1.PodTemplateSpec {
        CoreV1.PodTemplateSpec(
            metadata: MetaV1.ObjectMeta(labels: labels),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: image, name: "web")]))
    }

    static func rolling(_ surge: IntOrString?, _ unavailable: IntOrString?) -> AppsV1.DeploymentStrategy {
        AppsV1.DeploymentStrategy(
            rollingUpdate: AppsV1.RollingUpdateDeployment(maxSurge: surge, maxUnavailable: unavailable), type: "RollingUpdate")
    }

    static let recreate = AppsV1.DeploymentStrategy(type: "Recreate")

    static func deployment(
        _ name: String = "web", uid: String = "d-uid", replicas: Int32? = 3, image: String = "nginx:1.27",
        selector: [String: String] = ["app": "web"], strategy: AppsV1.DeploymentStrategy? = nil, paused: Bool? = nil,
        progressDeadline: Int32? = 600, historyLimit: Int32? = nil, annotations: [String: String]? = nil, generation: Int64 = 1
    ) -> AppsV1.Deployment {
        let meta = MetaV1.ObjectMeta(
            annotations: annotations, creationTimestamp: time(-86_400), generation: generation, name: name, namespace: namespace,
            resourceVersion: "1", uid: uid)
        return AppsV1.Deployment(
            metadata: meta,
            spec: AppsV1.DeploymentSpec(
                paused: paused, progressDeadlineSeconds: progressDeadline, replicas: replicas, revisionHistoryLimit: historyLimit,
                selector: MetaV1.LabelSelector(matchLabels: selector), strategy: strategy,
                template: podTemplate(image: image, labels: selector))
        ).withTypeMeta()
    }

    /// A ReplicaSet of `d` as the deployment controller names and labels it, for `image`,
    /// at `revision`, created `created` seconds after the epoch.
    static func replicaSet(
        of d: AppsV1.Deployment, image: String, replicas: Int32, revision: Int64, created: Int64 = -3600,
        status: (replicas: Int32, available: Int32)? = nil, desired: Int32? = nil, maxReplicas: Int32? = nil, owned: Bool = true
    ) -> AppsV1.ReplicaSet {
        var template = podTemplate(image: image, labels: d.spec?.selector.matchLabels ?? [:])
        let hash = DeploymentRules.hash(template, collisionCount: nil)
        template.metadata?.labels?[DeploymentRules.hashLabel] = hash
        let target = desired ?? d.spec?.replicas ?? 1
        var meta = MetaV1.ObjectMeta(
            annotations: [
                DeploymentRules.revisionAnnotation: String(revision),
                DeploymentRules.desiredReplicasAnnotation: String(target),
                DeploymentRules.maxReplicasAnnotation: String(maxReplicas ?? target + DeploymentRules.maxSurge(d)),
            ],
            creationTimestamp: time(created), generation: 1, labels: template.metadata?.labels, name: "\(d.name)-\(hash)",
            namespace: namespace, resourceVersion: "1", uid: "rs-\(image)-\(revision)")
        if owned { meta.ownerReferences = [d.asControllerRef] }
        var selector = d.spec?.selector ?? MetaV1.LabelSelector()
        selector.matchLabels?[DeploymentRules.hashLabel] = hash
        var rs = AppsV1.ReplicaSet(
            metadata: meta, spec: AppsV1.ReplicaSetSpec(replicas: replicas, selector: selector, template: template)
        ).withTypeMeta()
        if let status {
            rs.status = AppsV1.ReplicaSetStatus(
                availableReplicas: status.available, observedGeneration: 1, readyReplicas: status.available, replicas: status.replicas)
        } else {
            rs.status = AppsV1.ReplicaSetStatus(observedGeneration: 1, replicas: 0)
        }
        return rs
    }
}

/// A `DeploymentController` over listers the fake client keeps up to date, on a manual
/// clock; tests seed ReplicaSet statuses (what the ReplicaSet controller would report) and
/// call `sync` directly.
struct DeploymentHarness {
    let clock = ManualClock()
    let deployments = ThreadSafeStore<AppsV1.Deployment>()
    let replicaSets = ThreadSafeStore<AppsV1.ReplicaSet>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let client = FakeControllerClient()
    let events = RecordingEvents()
    let controller: DeploymentController
    let key: String

    init(_ deployment: AppsV1.Deployment, replicaSets sets: [AppsV1.ReplicaSet] = [], pods: [CoreV1.Pod] = []) {
        controller = DeploymentController(
            deployments: Lister(store: deployments), replicaSets: Lister(store: replicaSets), pods: Lister(store: self.pods),
            client: client, events: events, clock: clock, logger: Fixtures.logger)
        key = deployment.queueKey
        client.mirror(deployments)
        client.mirror(replicaSets)
        client.mirror(self.pods)
        client.seed(deployment)
        for rs in sets { client.seed(rs) }
        for pod in pods { client.seed(pod) }
    }

    /// The Deployment as the informer holds it.
    var deployment: AppsV1.Deployment { deployments.get(key: key)! }
    var status: AppsV1.DeploymentStatus? { deployment.status }

    /// Every ReplicaSet in the informer, oldest first.
    var sets: [AppsV1.ReplicaSet] { replicaSets.list().sorted(by: DeploymentRules.oldestFirst) }

    func rs(_ name: String) -> AppsV1.ReplicaSet? { replicaSets.get(key: "\(Fixtures.namespace)/\(name)") }

    /// The ReplicaSet whose template is the Deployment's.
    var newRS: AppsV1.ReplicaSet? {
        let template = DeploymentRules.withoutHash(deployment.spec?.template)
        return sets.first { DeploymentRules.withoutHash($0.spec?.template) == template }
    }

    /// The expected name of the ReplicaSet for the Deployment's current template.
    var expectedNewName: String {
        "\(deployment.name)-\(DeploymentRules.hash(deployment.spec!.template, collisionCount: deployment.status?.collisionCount))"
    }

    func replicas(_ name: String) -> Int32? { rs(name)?.spec?.replicas }

    /// What the ReplicaSet controller would report for `name`: `replicas` pods, `available`
    /// of them available (and ready).
    func report(_ name: String, replicas: Int32, available: Int32, ready: Int32? = nil) {
        guard var rs = rs(name) else { preconditionFailure("no ReplicaSet \(name)") }
        rs.status = AppsV1.ReplicaSetStatus(
            availableReplicas: available, observedGeneration: rs.metadata?.generation, readyReplicas: ready ?? available,
            replicas: replicas)
        client.seed(rs)
    }

    /// Changes the Deployment as a user would (the apiserver bumps the generation).
    func edit(_ change: (inout AppsV1.Deployment) -> Void) {
        var d = deployment
        change(&d)
        let generation = d.metadata?.generation ?? 1
        d.metadata?.generation = generation + 1
        client.seed(d)
    }

    func condition(_ type: String) -> AppsV1.DeploymentCondition? { status?.conditions?.first { $0.type == type } }

    @discardableResult
    func sync() async -> (any Error)? {
        do {
            try await controller.sync(key)
            return nil
        } catch {
            return error
        }
    }

    func messages(_ reason: String = "ScalingReplicaSet") -> [String] { events.with(reason: reason).map(\.message) }
}
