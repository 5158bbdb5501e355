import APIMachinery
import Client
import Component
import Logging
@testable import Controllers

/// Objects the controller tests build, with only the fields that matter to them.
enum Fixtures {
    static let namespace = "default"
    /// `ManualClock`'s default wall time, 2026-01-01T00:00:00Z, in seconds.
    static let epoch: Int64 = 1_767_225_600
    static let logger = Logger(label: "controllers-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func time(_ secondsAfterEpoch: Int64) -> Time { Time(secondsSinceEpoch: epoch + secondsAfterEpoch) }

    // MARK: ReplicaSets and pods

    static func replicaSet(
        _ name: String = "web", uid: String = "rs-uid", replicas: Int32? = 3, selector: [String: String] = ["app": "web"],
        templateLabels: [String: String]? = nil, minReadySeconds: Int32? = nil, generation: Int64 = 1, deleting: Bool = false
    ) -> AppsV1.ReplicaSet {
        var meta = MetaV1.ObjectMeta(generation: generation, name: name, namespace: namespace, resourceVersion: "1", uid: uid)
        if deleting { meta.deletionTimestamp = time(0) }
        let template = CoreV1.PodTemplateSpec(
            metadata: MetaV1.ObjectMeta(annotations: ["team": "blue"], labels: templateLabels ?? selector),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "nginx:1.27", name: "web")]))
        return AppsV1.ReplicaSet(
            metadata: meta,
            spec: AppsV1.ReplicaSetSpec(
                minReadySeconds: minReadySeconds, replicas: replicas, selector: MetaV1.LabelSelector(matchLabels: selector),
                template: template)
        ).withTypeMeta()
    }

    /// A pod; `owner` makes it controlled by that ReplicaSet.
    static func pod(
        _ name: String, labels: [String: String] = ["app": "web"], owner: AppsV1.ReplicaSet? = nil,
        phase: String? = "Running", ready: Bool = true, readySince: Int64 = -3600, node: String? = "node-1",
        created: Int64 = -7200, restarts: [Int32] = [], cost: String? = nil, deleting: Bool = false,
        extraOwners: [MetaV1.OwnerReference] = []
    ) -> CoreV1.Pod {
        var meta = MetaV1.ObjectMeta(
            creationTimestamp: time(created), labels: labels, name: name, namespace: namespace, resourceVersion: "1", uid: "uid-\(name)")
        var owners = extraOwners
        if let owner { owners.append(owner.asControllerRef) }
        if !owners.isEmpty { meta.ownerReferences = owners }
        if let cost { meta.annotations = [PodDeletionRank.deletionCostAnnotation: cost] }
        if deleting { meta.deletionTimestamp = time(0) }
        let condition = CoreV1.PodCondition(lastTransitionTime: time(readySince), status: ready ? "True" : "False", type: "Ready")
        let statuses = restarts.enumerated().map { CoreV1.ContainerStatus(name: "c\($0.offset)", restartCount: $0.element) }
        return CoreV1.Pod(
            metadata: meta,
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "nginx:1.27", name: "web")], nodeName: node),
            status: CoreV1.PodStatus(conditions: [condition], containerStatuses: statuses.isEmpty ? nil : statuses, phase: phase)
        ).withTypeMeta()
    }

    // MARK: Namespaces

    static func namespace(_ name: String, terminating: Bool = false, finalizers: [String] = ["kubernetes"]) -> CoreV1.Namespace {
        var meta = MetaV1.ObjectMeta(name: name, resourceVersion: "1", uid: "ns-\(name)")
        if terminating { meta.deletionTimestamp = time(0) }
        return CoreV1.Namespace(
            metadata: meta, spec: CoreV1.NamespaceSpec(finalizers: finalizers),
            status: CoreV1.NamespaceStatus(phase: terminating ? "Terminating" : "Active")
        ).withTypeMeta()
    }

    // MARK: Nodes, Leases and tolerations

    /// A node whose kubelet last posted at `heartbeat` (seconds after `epoch`). Its Ready
    /// condition has status `ready` (no Ready condition when nil); MemoryPressure, DiskPressure
    /// and PIDPressure follow Ready (False, or Unknown when Ready is) unless `conditions` names
    /// them, and NetworkUnavailable is only there when `conditions` names it. `zone` sets the
    /// GA topology labels (region `r`).
    static func node(
        _ name: String, ready: String? = "True", heartbeat: Int64 = 0, conditions overrides: [String: String] = [:],
        zone: String? = nil, labels: [String: String] = [:], unschedulable: Bool? = nil, taints: [CoreV1.Taint]? = nil,
        created: Int64 = -86_400
    ) -> CoreV1.Node {
        var conditions: [CoreV1.NodeCondition] = []
        if let ready {
            conditions.append(CoreV1.NodeCondition(
                lastHeartbeatTime: time(heartbeat), lastTransitionTime: time(created), message: "kubelet reports \(ready)",
                reason: "KubeletReady", status: ready, type: "Ready"))
        }
        for type in ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"] {
            let following: String? = ready == nil || type == "NetworkUnavailable" ? nil : (ready == "Unknown" ? "Unknown" : "False")
            guard let status = overrides[type] ?? following else { continue }
            conditions.append(CoreV1.NodeCondition(
                lastHeartbeatTime: time(heartbeat), lastTransitionTime: time(created), status: status, type: type))
        }
        var allLabels = labels
        if let zone {
            allLabels["topology.kubernetes.io/region"] = "r"
            allLabels["topology.kubernetes.io/zone"] = zone
        }
        return CoreV1.Node(
            metadata: MetaV1.ObjectMeta(
                creationTimestamp: time(created), labels: allLabels.isEmpty ? nil : allLabels, name: name, resourceVersion: "1",
                uid: "uid-\(name)"),
            spec: unschedulable == nil && taints == nil ? nil : CoreV1.NodeSpec(taints: taints, unschedulable: unschedulable),
            status: conditions.isEmpty ? nil : CoreV1.NodeStatus(conditions: conditions)
        ).withTypeMeta()
    }

    /// The kubelet's Lease for `node` (in `kube-node-lease`), last renewed `renewed` seconds after `epoch`.
    static func lease(_ node: String, renewed: Int64) -> CoordinationV1.Lease {
        CoordinationV1.Lease(
            metadata: MetaV1.ObjectMeta(name: node, namespace: "kube-node-lease", resourceVersion: "1", uid: "lease-\(node)"),
            spec: CoordinationV1.LeaseSpec(
                holderIdentity: node, leaseDurationSeconds: 40,
                renewTime: MicroTime(microsecondsSinceEpoch: (epoch + renewed) * 1_000_000))
        ).withTypeMeta()
    }

    /// A toleration of taints with `key` (every key when nil): `Exists`, or `Equal` to `value`.
    static func toleration(_ key: String?, seconds: Int64? = nil, effect: String? = "NoExecute", value: String? = nil) -> CoreV1.Toleration {
        CoreV1.Toleration(effect: effect, key: key, operator: value == nil ? "Exists" : "Equal", tolerationSeconds: seconds, value: value)
    }

    /// The tolerations the DefaultTolerationSeconds admission plugin gives every pod.
    static let defaultTolerations = [
        toleration("node.kubernetes.io/not-ready", seconds: 300), toleration("node.kubernetes.io/unreachable", seconds: 300),
    ]

    // MARK: Resources and metadata

    static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static func resource(
        _ group: String, _ version: String, _ kind: String, _ plural: String, namespaced: Bool = true, verbs: [String] = allVerbs
    ) -> ResourceInfo {
        ResourceInfo(
            gvk: GroupVersionKind(group: group, version: version, kind: kind), plural: plural, singular: kind.lowercased(),
            namespaced: namespaced, verbs: verbs)
    }

    static let pods = resource("", "v1", "Pod", "pods")
    static let configMaps = resource("", "v1", "ConfigMap", "configmaps")
    static let replicaSets = resource("apps", "v1", "ReplicaSet", "replicasets")
    static let deployments = resource("apps", "v1", "Deployment", "deployments")
    static let clusterRoles = resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false)
    static let namespaces = resource("", "v1", "Namespace", "namespaces", namespaced: false)

    /// Owner reference to an object of `resource`.
    static func ref(
        _ resource: ResourceInfo, _ name: String, uid: String, controller: Bool? = nil, block: Bool? = nil
    ) -> MetaV1.OwnerReference {
        MetaV1.OwnerReference(
            kind: resource.gvk.kind, apiVersion: resource.gvk.apiVersion, blockOwnerDeletion: block, controller: controller,
            name: name, uid: uid)
    }

    static func metadata(
        _ resource: ResourceInfo, _ name: String, namespace: String? = Fixtures.namespace, uid: String? = nil,
        owners: [MetaV1.OwnerReference] = [], finalizers: [String] = [], deleting: Bool = false, resourceVersion: String = "7",
        gracePeriod: Int64? = nil
    ) -> ObjectMetadata {
        var meta = MetaV1.ObjectMeta(
            deletionGracePeriodSeconds: gracePeriod, name: name, namespace: resource.namespaced ? namespace : nil,
            resourceVersion: resourceVersion, uid: uid ?? "uid-\(name)")
        if !owners.isEmpty { meta.ownerReferences = owners }
        if !finalizers.isEmpty { meta.finalizers = finalizers }
        if deleting { meta.deletionTimestamp = time(0) }
        return ObjectMetadata(apiVersion: resource.gvk.apiVersion, kind: resource.gvk.kind, metadata: meta)
    }
}
