import APIMachinery

/// Kubernetes' defaulting of built-in kinds, applied to JSON trees.
///
/// Defaults are added where a field is absent, `null`, or (for Go non-pointer fields) empty,
/// and appended after the existing members, so the order of what the client sent is kept.
/// Applying twice gives the same tree as applying once. Besides the versioned defaults of
/// Kubernetes 1.32 this fills a few values the apiserver sets at create time: Job selectors
/// (when `metadata.uid` is already set), the Namespace name label, Service IP families and
/// `clusterIPs`, a Pod's `priority`/`preemptionPolicy` without a priority class, Secret
/// `stringData` folded into `data`, and the 80% CPU target autoscaling/v1 conversion supplies.
/// Kinds without upstream defaults (policy/v1 PodDisruptionBudgets among them) and unknown
/// kinds are returned unchanged.
public enum Defaulting {
    /// Applies the defaults for `gvk` to `object` and returns the defaulted tree.
    public static func apply(_ object: JSONValue, gvk: GroupVersionKind) -> JSONValue {
        guard case .object = object else { return object }
        var tree = object
        switch (gvk.group, gvk.kind) {
        case ("", "Pod"): PodDefaults.pod(&tree)
        case ("", "PodTemplate"): WorkloadDefaults.podTemplate(&tree)
        case ("", "ReplicationController"): WorkloadDefaults.replicationController(&tree)
        case ("", "Service"): ServiceDefaults.service(&tree)
        case ("", "Secret"): CoreDefaults.secret(&tree)
        case ("", "Namespace"): CoreDefaults.namespace(&tree)
        case ("", "PersistentVolumeClaim"): CoreDefaults.persistentVolumeClaim(&tree)
        case ("", "PersistentVolume"): CoreDefaults.persistentVolume(&tree)
        case ("", "Endpoints"): CoreDefaults.endpoints(&tree)
        case ("", "LimitRange"): CoreDefaults.limitRange(&tree)
        case ("", "Node"): CoreDefaults.node(&tree)
        case ("apps", "Deployment"): WorkloadDefaults.deployment(&tree)
        case ("apps", "ReplicaSet"): WorkloadDefaults.replicaSet(&tree)
        case ("apps", "DaemonSet"): WorkloadDefaults.daemonSet(&tree)
        case ("apps", "StatefulSet"): WorkloadDefaults.statefulSet(&tree)
        case ("batch", "Job"): WorkloadDefaults.job(&tree)
        case ("batch", "CronJob"): WorkloadDefaults.cronJob(&tree)
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            APIGroupDefaults.binding(&tree)
        case ("scheduling.k8s.io", "PriorityClass"): APIGroupDefaults.priorityClass(&tree)
        case ("discovery.k8s.io", "EndpointSlice"): APIGroupDefaults.endpointSlice(&tree)
        case ("storage.k8s.io", "StorageClass"): APIGroupDefaults.storageClass(&tree)
        case ("networking.k8s.io", "NetworkPolicy"): NetworkingDefaults.networkPolicy(&tree)
        case ("networking.k8s.io", "IngressClass"): NetworkingDefaults.ingressClass(&tree)
        case ("autoscaling", "HorizontalPodAutoscaler"):
            if gvk.version == "v1" {
                AutoscalingDefaults.horizontalPodAutoscalerV1(&tree)
            } else {
                AutoscalingDefaults.horizontalPodAutoscalerV2(&tree)
            }
        default: break
        }
        return tree
    }
}
