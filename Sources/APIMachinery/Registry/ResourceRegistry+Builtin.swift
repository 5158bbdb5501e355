// Built-in resources of Kubernetes 1.32, as a default kube-apiserver reports them in discovery
// (names, scope, verbs, short names, categories, subresources and their kinds).
//
// Only the GA group versions Skiff implements are listed. Deliberately absent in 1.32:
// - `pods/resize`: registered only with the alpha `InPlacePodVerticalScaling` gate (off by default).
// - `services` has no `deletecollection`; `namespaces` has none either.
// - Not yet GA in 1.32: networking `ipaddresses`/`servicecidrs`, storage
//   `volumeattributesclasses`, admissionregistration `mutatingadmissionpolicies`,
//   certificates `clustertrustbundles`, coordination `leasecandidates`.

extension ResourceRegistry {
    /// The built-in resource table, grouped by API group in discovery order.
    static let builtinResources: [ResourceInfo] = [
        // MARK: core/v1
        res(core, "Binding", "bindings", .namespaced, verbs: createOnly, stored: false),
        res(core, "ComponentStatus", "componentstatuses", .cluster, verbs: getList, short: ["cs"],
            stored: false),
        res(core, "ConfigMap", "configmaps", .namespaced, short: ["cm"]),
        res(core, "Endpoints", "endpoints", .namespaced, short: ["ep"]),
        res(core, "Event", "events", .namespaced, short: ["ev"]),
        res(core, "LimitRange", "limitranges", .namespaced, short: ["limits"]),
        res(core, "Namespace", "namespaces", .cluster, verbs: standardNoCollection, short: ["ns"],
            sub: [.finalize, .status]),
        res(core, "Node", "nodes", .cluster, short: ["no"], sub: [.proxy, .status]),
        res(core, "PersistentVolumeClaim", "persistentvolumeclaims", .namespaced, short: ["pvc"],
            sub: [.status]),
        res(core, "PersistentVolume", "persistentvolumes", .cluster, short: ["pv"], sub: [.status]),
        res(core, "Pod", "pods", .namespaced, short: ["po"], cat: allCategory,
            sub: [.attach, .binding, .ephemeralContainers, .eviction, .exec, .log, .portForward,
                  .proxy, .status]),
        res(core, "PodTemplate", "podtemplates", .namespaced),
        res(core, "ReplicationController", "replicationcontrollers", .namespaced, short: ["rc"],
            cat: allCategory, sub: [.scale, .status]),
        res(core, "ResourceQuota", "resourcequotas", .namespaced, short: ["quota"], sub: [.status]),
        res(core, "Secret", "secrets", .namespaced),
        res(core, "ServiceAccount", "serviceaccounts", .namespaced, short: ["sa"], sub: [.token]),
        res(core, "Service", "services", .namespaced, verbs: standardNoCollection, short: ["svc"],
            cat: allCategory, sub: [.proxy, .status]),

        // MARK: apps/v1
        res(apps, "ControllerRevision", "controllerrevisions", .namespaced),
        res(apps, "DaemonSet", "daemonsets", .namespaced, short: ["ds"], cat: allCategory, sub: [.status]),
        res(apps, "Deployment", "deployments", .namespaced, short: ["deploy"], cat: allCategory,
            sub: [.scale, .status]),
        res(apps, "ReplicaSet", "replicasets", .namespaced, short: ["rs"], cat: allCategory,
            sub: [.scale, .status]),
        res(apps, "StatefulSet", "statefulsets", .namespaced, short: ["sts"], cat: allCategory,
            sub: [.scale, .status]),

        // MARK: events.k8s.io/v1
        res(eventsV1, "Event", "events", .namespaced, short: ["ev"], storage: core.kind("Event")),

        // MARK: authentication.k8s.io/v1
        res(authnV1, "SelfSubjectReview", "selfsubjectreviews", .cluster, verbs: createOnly, stored: false),
        res(authnV1, "TokenReview", "tokenreviews", .cluster, verbs: createOnly, stored: false),

        // MARK: metrics.k8s.io/v1beta1 (resource metrics, read from the kubelets on request)
        res(metricsV1beta1, "NodeMetrics", "nodes", .cluster, verbs: getList, stored: false),
        res(metricsV1beta1, "PodMetrics", "pods", .namespaced, verbs: getList, stored: false),

        // MARK: authorization.k8s.io/v1
        res(authzV1, "LocalSubjectAccessReview", "localsubjectaccessreviews", .namespaced,
            verbs: createOnly, stored: false),
        res(authzV1, "SelfSubjectAccessReview", "selfsubjectaccessreviews", .cluster,
            verbs: createOnly, stored: false),
        res(authzV1, "SelfSubjectRulesReview", "selfsubjectrulesreviews", .cluster,
            verbs: createOnly, stored: false),
        res(authzV1, "SubjectAccessReview", "subjectaccessreviews", .cluster, verbs: createOnly, stored: false),

        // MARK: autoscaling/v2, autoscaling/v1
        res(autoscalingV2, "HorizontalPodAutoscaler", "horizontalpodautoscalers", .namespaced,
            short: ["hpa"], cat: allCategory, sub: [.status]),
        res(autoscalingV1, "HorizontalPodAutoscaler", "horizontalpodautoscalers", .namespaced,
            short: ["hpa"], cat: allCategory, sub: [.status],
            storage: autoscalingV2.kind("HorizontalPodAutoscaler")),

        // MARK: batch/v1
        res(batchV1, "CronJob", "cronjobs", .namespaced, short: ["cj"], cat: allCategory, sub: [.status]),
        res(batchV1, "Job", "jobs", .namespaced, cat: allCategory, sub: [.status]),

        // MARK: certificates.k8s.io/v1
        res(certificatesV1, "CertificateSigningRequest", "certificatesigningrequests", .cluster,
            short: ["csr"], sub: [.approval, .status]),

        // MARK: networking.k8s.io/v1
        res(networkingV1, "IngressClass", "ingressclasses", .cluster),
        res(networkingV1, "Ingress", "ingresses", .namespaced, short: ["ing"], sub: [.status]),
        res(networkingV1, "NetworkPolicy", "networkpolicies", .namespaced, short: ["netpol"]),

        // MARK: policy/v1
        res(policyV1, "PodDisruptionBudget", "poddisruptionbudgets", .namespaced, short: ["pdb"],
            sub: [.status]),

        // MARK: rbac.authorization.k8s.io/v1
        res(rbacV1, "ClusterRoleBinding", "clusterrolebindings", .cluster),
        res(rbacV1, "ClusterRole", "clusterroles", .cluster),
        res(rbacV1, "RoleBinding", "rolebindings", .namespaced),
        res(rbacV1, "Role", "roles", .namespaced),

        // MARK: storage.k8s.io/v1
        res(storageV1, "CSIDriver", "csidrivers", .cluster),
        res(storageV1, "CSINode", "csinodes", .cluster),
        res(storageV1, "CSIStorageCapacity", "csistoragecapacities", .namespaced),
        res(storageV1, "StorageClass", "storageclasses", .cluster, short: ["sc"]),
        res(storageV1, "VolumeAttachment", "volumeattachments", .cluster, sub: [.status]),

        // MARK: admissionregistration.k8s.io/v1
        res(admissionV1, "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", .cluster,
            cat: apiExtensions),
        res(admissionV1, "ValidatingAdmissionPolicy", "validatingadmissionpolicies", .cluster,
            cat: apiExtensions, sub: [.status]),
        res(admissionV1, "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings",
            .cluster, cat: apiExtensions),
        res(admissionV1, "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
            .cluster, cat: apiExtensions),

        // MARK: apiextensions.k8s.io/v1
        res(apiextensionsV1, "CustomResourceDefinition", "customresourcedefinitions", .cluster,
            short: ["crd", "crds"], cat: apiExtensions, sub: [.status]),

        // MARK: scheduling.k8s.io/v1
        res(schedulingV1, "PriorityClass", "priorityclasses", .cluster, short: ["pc"]),

        // MARK: coordination.k8s.io/v1
        res(coordinationV1, "Lease", "leases", .namespaced),

        // MARK: node.k8s.io/v1
        res(nodeV1, "RuntimeClass", "runtimeclasses", .cluster),

        // MARK: discovery.k8s.io/v1
        res(discoveryV1, "EndpointSlice", "endpointslices", .namespaced),
    ]
}

// MARK: - Verb sets

extension ResourceInfo {
    /// Verbs of an ordinary stored resource, in discovery's (alphabetical) order.
    static let standardVerbs = [
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
    ]
    /// Verbs of a virtual resource that only accepts a POST (reviews, `bindings`).
    static let createOnlyVerbs = ["create"]
}

private let standardVerbs = ResourceInfo.standardVerbs
/// Standard verbs minus `deletecollection` (namespaces, services).
private let standardNoCollection = standardVerbs.filter { $0 != "deletecollection" }
private let createOnly = ResourceInfo.createOnlyVerbs
private let getList = ["get", "list"]
private let getPatchUpdate = ["get", "patch", "update"]
private let connectVerbs = ["create", "get"]
private let proxyVerbs = ["create", "delete", "get", "patch", "update"]

// MARK: - Categories

private let allCategory = ["all"]
private let apiExtensions = ["api-extensions"]

// MARK: - Group versions

private struct GV: Sendable {
    let group: String
    let version: String
    func kind(_ kind: String) -> GroupVersionKind {
        GroupVersionKind(group: group, version: version, kind: kind)
    }
}

private let core = GV(group: "", version: "v1")
private let apps = GV(group: "apps", version: "v1")
private let batchV1 = GV(group: "batch", version: "v1")
private let autoscalingV1 = GV(group: "autoscaling", version: "v1")
private let autoscalingV2 = GV(group: "autoscaling", version: "v2")
private let networkingV1 = GV(group: "networking.k8s.io", version: "v1")
private let policyV1 = GV(group: "policy", version: "v1")
private let rbacV1 = GV(group: "rbac.authorization.k8s.io", version: "v1")
private let coordinationV1 = GV(group: "coordination.k8s.io", version: "v1")
private let discoveryV1 = GV(group: "discovery.k8s.io", version: "v1")
private let eventsV1 = GV(group: "events.k8s.io", version: "v1")
private let storageV1 = GV(group: "storage.k8s.io", version: "v1")
private let schedulingV1 = GV(group: "scheduling.k8s.io", version: "v1")
private let nodeV1 = GV(group: "node.k8s.io", version: "v1")
private let apiextensionsV1 = GV(group: "apiextensions.k8s.io", version: "v1")
private let admissionV1 = GV(group: "admissionregistration.k8s.io", version: "v1")
private let authnV1 = GV(group: "authentication.k8s.io", version: "v1")
private let authzV1 = GV(group: "authorization.k8s.io", version: "v1")
private let certificatesV1 = GV(group: "certificates.k8s.io", version: "v1")
private let metricsV1beta1 = GV(group: "metrics.k8s.io", version: "v1beta1")

// MARK: - Subresources

/// A subresource template; `kind` is resolved against the parent resource by `res`.
private struct Sub: Sendable {
    enum Kind: Sendable {
        /// Same kind as the parent (status, finalize, approval, ephemeralcontainers).
        case parent
        /// Streaming or connect endpoint without an object body.
        case none
        case other(GroupVersionKind)
    }

    let name: String
    let kind: Kind
    let verbs: [String]

    static let status = Sub(name: "status", kind: .parent, verbs: getPatchUpdate)
    static let scale = Sub(name: "scale", kind: .other(autoscalingV1.kind("Scale")), verbs: getPatchUpdate)
    static let finalize = Sub(name: "finalize", kind: .parent, verbs: ["update"])
    static let approval = Sub(name: "approval", kind: .parent, verbs: getPatchUpdate)
    static let ephemeralContainers = Sub(name: "ephemeralcontainers", kind: .parent, verbs: getPatchUpdate)
    static let binding = Sub(name: "binding", kind: .other(core.kind("Binding")), verbs: createOnly)
    static let eviction = Sub(name: "eviction", kind: .other(policyV1.kind("Eviction")), verbs: createOnly)
    static let token = Sub(name: "token", kind: .other(authnV1.kind("TokenRequest")), verbs: createOnly)
    static let log = Sub(name: "log", kind: .none, verbs: ["get"])
    static let exec = Sub(name: "exec", kind: .none, verbs: connectVerbs)
    static let attach = Sub(name: "attach", kind: .none, verbs: connectVerbs)
    static let portForward = Sub(name: "portforward", kind: .none, verbs: connectVerbs)
    static let proxy = Sub(name: "proxy", kind: .none, verbs: proxyVerbs)
}

// MARK: - Constructor

private enum Scope {
    case namespaced, cluster
}

/// One table row. The singular name is the lower-cased kind, which holds for every built-in.
private func res(
    _ gv: GV, _ kind: String, _ plural: String, _ scope: Scope,
    verbs: [String] = standardVerbs, short: [String] = [], cat: [String] = [], sub: [Sub] = [],
    storage: GroupVersionKind? = nil, stored: Bool = true
) -> ResourceInfo {
    let gvk = gv.kind(kind)
    let subresources = sub.map { s -> SubresourceInfo in
        let subKind: GroupVersionKind?
        switch s.kind {
        case .parent: subKind = gvk
        case .none: subKind = nil
        case .other(let other): subKind = other
        }
        return SubresourceInfo(name: s.name, kind: subKind, verbs: s.verbs)
    }
    return ResourceInfo(
        gvk: gvk, plural: plural, singular: kind.lowercased(), namespaced: scope == .namespaced,
        verbs: verbs, shortNames: short, categories: cat, subresources: subresources,
        storageVersion: stored ? (storage ?? gvk) : nil)
}
