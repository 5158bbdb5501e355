import APIMachinery

/// Server-side validation of built-in kinds, with Kubernetes' field paths and messages.
///
/// Objects are expected in the state defaulting leaves them (`Defaulting.apply`), and for
/// creates after server-owned metadata (name from generateName, uid) is filled: a Job's
/// generated selector needs `metadata.uid`. Checks follow Kubernetes 1.32; what is not
/// covered is listed on each kind's validator. Unknown kinds (custom resources, kinds without
/// a validator here) get the ObjectMeta checks only.
public enum Validation {
    /// Validates a create (`old == nil`) or an update of an object of kind `gvk`, both given as
    /// JSON trees; `namespaced` is the resource's scope. Returns every problem found, without
    /// duplicates, in Kubernetes' order as far as it is deterministic; empty means valid.
    /// A tree that does not decode as its kind yields one `InternalError`.
    public static func validate(_ object: JSONValue, old: JSONValue?, gvk: GroupVersionKind, namespaced: Bool) -> [FieldError] {
        var errors: [FieldError]
        do {
            errors = try metadataErrors(object, old: old, gvk: gvk, namespaced: namespaced)
            errors += try kindErrors(Input(object: object, old: old), gvk: gvk)
        } catch {
            let message = (error as? JSONDecodeError)?.message ?? String(describing: error)
            return [FieldError(type: .internalError, field: "", detail: message)]
        }
        var seen: Set<String> = []
        return errors.filter { seen.insert($0.description).inserted }
    }

    // MARK: Metadata

    static func metadataErrors(_ object: JSONValue, old: JSONValue?, gvk: GroupVersionKind, namespaced: Bool) throws -> [FieldError] {
        let meta = try decodeMetadata(object)
        let builtIn = isBuiltInGroup(gvk.group)
        if gvk.group.isEmpty && gvk.kind == "Event" {
            // Core events skip metadata rules; a name is still needed to store them.
            return old == nil && (meta.name ?? "").isEmpty
                ? [.required("metadata.name", "name or generateName is required")] : []
        }
        if let old {
            return ObjectMetaValidation.validateUpdate(meta, old: try decodeMetadata(old), builtIn: builtIn)
        }
        return ObjectMetaValidation.validate(meta, namespaced: namespaced, nameRule: nameRule(gvk), builtIn: builtIn)
    }

    static func decodeMetadata(_ object: JSONValue) throws -> MetaV1.ObjectMeta {
        guard let tree = object["metadata"], tree != .null else { return MetaV1.ObjectMeta() }
        return try JSONCodec.decode(MetaV1.ObjectMeta.self, from: tree)
    }

    /// Groups whose validation uses core's ObjectMeta rules (stricter finalizer names);
    /// apiextensions and apiregistration use apimachinery's generic ones, like custom resources.
    static func isBuiltInGroup(_ group: String) -> Bool {
        if group == "apiextensions.k8s.io" || group == "apiregistration.k8s.io" { return false }
        return group.isEmpty || group.hasSuffix(".k8s.io") || ["apps", "batch", "policy", "autoscaling"].contains(group)
    }

    /// The format of `metadata.name` for a kind.
    static func nameRule(_ gvk: GroupVersionKind) -> ObjectMetaValidation.NameRule {
        switch (gvk.group, gvk.kind) {
        case ("", "Service"): .dns1035Label
        case ("", "Namespace"), ("apps", "StatefulSet"): .dns1123Label
        case ("rbac.authorization.k8s.io", _): .pathSegment
        default: .dns1123Subdomain
        }
    }

    // MARK: Kinds

    /// The object (and old object) of one request, decoded on demand.
    struct Input {
        var object: JSONValue
        var old: JSONValue?

        func decode<T: JSONDecodable>(_ type: T.Type) throws -> (new: T, old: T?) {
            let new = try JSONCodec.decode(type, from: object)
            let previous = try old.map { try JSONCodec.decode(type, from: $0) }
            return (new, previous)
        }

        var specTree: JSONValue? { object["spec"] }
        var oldSpecTree: JSONValue? { old?["spec"] }
    }

    static func kindErrors(_ input: Input, gvk: GroupVersionKind) throws -> [FieldError] {
        switch (gvk.group, gvk.kind) {
        case ("", "Pod"):
            let (pod, old) = try input.decode(CoreV1.Pod.self)
            guard let old, let oldTree = input.old else { return PodValidation.validateCreate(pod) }
            return PodValidation.validateUpdate(pod, old: old, newTree: input.object, oldTree: oldTree)
        case ("", "PodTemplate"):
            return AppsValidation.validatePodTemplate(try input.decode(CoreV1.PodTemplate.self).new)
        case ("", "ReplicationController"):
            return AppsValidation.validateReplicationController(try input.decode(CoreV1.ReplicationController.self).new)
        case ("", "Service"):
            let (service, old) = try input.decode(CoreV1.Service.self)
            guard let old else { return ServiceValidation.validate(service) }
            return ServiceValidation.validateUpdate(service, old: old)
        case ("", "ConfigMap"):
            let (configMap, old) = try input.decode(CoreV1.ConfigMap.self)
            let changes = old.map { ConfigValidation.validateConfigMapUpdate(configMap, old: $0) } ?? []
            return changes + ConfigValidation.validateConfigMap(configMap)
        case ("", "Secret"):
            let (secret, old) = try input.decode(CoreV1.Secret.self)
            let changes = old.map { ConfigValidation.validateSecretUpdate(secret, old: $0) } ?? []
            return changes + ConfigValidation.validateSecret(secret)
        case ("", "Namespace"):
            let (namespace, old) = try input.decode(CoreV1.Namespace.self)
            return old == nil ? ClusterValidation.validateNamespace(namespace) : []
        case ("", "Node"):
            let (node, old) = try input.decode(CoreV1.Node.self)
            let changes = old.map { ClusterValidation.validateNodeUpdate(node, old: $0) } ?? []
            return changes + ClusterValidation.validateNode(node)
        case ("", "PersistentVolumeClaim"):
            let (claim, old) = try input.decode(CoreV1.PersistentVolumeClaim.self)
            var errors = StorageValidation.validateClaim(claim)
            if let old, let oldTree = input.old {
                errors += StorageValidation.validateClaimUpdate(claim, old: old, newTree: input.object, oldTree: oldTree)
            }
            return errors
        case ("", "PersistentVolume"):
            let (volume, old) = try input.decode(CoreV1.PersistentVolume.self)
            guard let old, let oldTree = input.old else { return StorageValidation.validatePersistentVolume(volume) }
            return StorageValidation.validatePersistentVolumeUpdate(volume, old: old, newTree: input.object, oldTree: oldTree)
        case ("", "Endpoints"):
            return EndpointsValidation.validateEndpoints(try input.decode(CoreV1.Endpoints.self).new)
        case ("", "ServiceAccount"):
            return []  // ObjectMeta rules only, as upstream
        case ("discovery.k8s.io", "EndpointSlice"):
            let (slice, old) = try input.decode(DiscoveryV1.EndpointSlice.self)
            guard let old else { return EndpointsValidation.validateEndpointSlice(slice) }
            return EndpointsValidation.validateEndpointSliceUpdate(slice, old: old)
        case ("", "ResourceQuota"):
            let (quota, old) = try input.decode(CoreV1.ResourceQuota.self)
            return QuotaValidation.validateQuota(quota) + (old.map { QuotaValidation.validateQuotaUpdate(quota, old: $0) } ?? [])
        case ("", "LimitRange"):
            return QuotaValidation.validateLimitRange(try input.decode(CoreV1.LimitRange.self).new)
        case ("", "Event"):
            return EventValidation.validateCoreEvent(try input.decode(CoreV1.Event.self).new)
        case ("events.k8s.io", "Event"):
            return EventValidation.validateEventsEvent(try input.decode(EventsV1.Event.self).new)
        case ("apps", "Deployment"):
            let (deployment, old) = try input.decode(AppsV1.Deployment.self)
            var errors = AppsValidation.validateDeployment(deployment, specTree: input.specTree)
            if old != nil {
                errors += AppsValidation.immutableSelector(
                    new: deployment.spec?.selector ?? .init(), newSpecTree: input.specTree, oldSpecTree: input.oldSpecTree)
            }
            return errors
        case ("apps", "ReplicaSet"):
            let (replicaSet, old) = try input.decode(AppsV1.ReplicaSet.self)
            var errors = AppsValidation.validateReplicaSet(replicaSet, specTree: input.specTree)
            if old != nil {
                errors += AppsValidation.immutableSelector(
                    new: replicaSet.spec?.selector ?? .init(), newSpecTree: input.specTree, oldSpecTree: input.oldSpecTree)
            }
            return errors
        case ("apps", "DaemonSet"):
            let (daemonSet, old) = try input.decode(AppsV1.DaemonSet.self)
            var errors = AppsValidation.validateDaemonSet(daemonSet, specTree: input.specTree)
            if old != nil {
                errors += AppsValidation.immutableSelector(
                    new: daemonSet.spec?.selector ?? .init(), newSpecTree: input.specTree, oldSpecTree: input.oldSpecTree)
            }
            return errors
        case ("apps", "StatefulSet"):
            let (statefulSet, old) = try input.decode(AppsV1.StatefulSet.self)
            var errors = AppsValidation.validateStatefulSet(statefulSet, specTree: input.specTree)
            if old != nil {
                errors += AppsValidation.validateStatefulSetUpdate(newSpecTree: input.specTree, oldSpecTree: input.oldSpecTree)
            }
            return errors
        case ("batch", "Job"):
            let (job, old) = try input.decode(BatchV1.Job.self)
            var errors = old == nil ? BatchValidation.generatedSelector(job) : []
            errors += BatchValidation.validateJob(job, specTree: input.specTree)
            if let old {
                errors += BatchValidation.validateJobUpdate(job, old: old, newSpecTree: input.specTree, oldSpecTree: input.oldSpecTree)
            }
            return errors
        case ("batch", "CronJob"):
            let (cronJob, old) = try input.decode(BatchV1.CronJob.self)
            return BatchValidation.validateCronJob(cronJob, checkName: old == nil)
        case ("rbac.authorization.k8s.io", "Role"):
            return RBACValidation.validateRules(try input.decode(RBACV1.Role.self).new.rules ?? [], namespaced: true)
        case ("rbac.authorization.k8s.io", "ClusterRole"):
            return RBACValidation.validateClusterRole(try input.decode(RBACV1.ClusterRole.self).new)
        case ("rbac.authorization.k8s.io", "RoleBinding"):
            let (binding, old) = try input.decode(RBACV1.RoleBinding.self)
            let errors = RBACValidation.validateBinding(roleRef: binding.roleRef, subjects: binding.subjects ?? [], namespaced: true)
            return errors + (old.map { RBACValidation.validateRoleRefUpdate(new: binding.roleRef, old: $0.roleRef) } ?? [])
        case ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            let (binding, old) = try input.decode(RBACV1.ClusterRoleBinding.self)
            let errors = RBACValidation.validateBinding(roleRef: binding.roleRef, subjects: binding.subjects ?? [], namespaced: false)
            return errors + (old.map { RBACValidation.validateRoleRefUpdate(new: binding.roleRef, old: $0.roleRef) } ?? [])
        case ("networking.k8s.io", "Ingress"):
            return NetworkingValidation.validateIngress(try input.decode(NetworkingV1.Ingress.self).new)
        case ("networking.k8s.io", "NetworkPolicy"):
            return NetworkingValidation.validateNetworkPolicy(try input.decode(NetworkingV1.NetworkPolicy.self).new)
        case ("networking.k8s.io", "IngressClass"):
            let (ingressClass, old) = try input.decode(NetworkingV1.IngressClass.self)
            guard let old else { return NetworkingValidation.validateIngressClass(ingressClass) }
            return NetworkingValidation.validateIngressClassUpdate(ingressClass, old: old)
        case ("autoscaling", "HorizontalPodAutoscaler"):
            // Both served versions arrive here; v1 is validated as converted to the stored
            // (v2) form, annotated metrics and behavior included.
            var converted = input
            if gvk.version == "v1" {
                _ = try input.decode(AutoscalingV1.HorizontalPodAutoscaler.self)
                converted.object = .object(AutoscalerConversion.toV2(input.object.objectValue ?? JSONObject()))
                converted.old = input.old.map { .object(AutoscalerConversion.toV2($0.objectValue ?? JSONObject())) }
            }
            let (autoscaler, old) = try converted.decode(AutoscalingV2.HorizontalPodAutoscaler.self)
            return AutoscalingValidation.validate(
                autoscaler.spec ?? AutoscalingV2.HorizontalPodAutoscalerSpec(), old: old.map { $0.spec ?? AutoscalingV2.HorizontalPodAutoscalerSpec() })
        case ("policy", "PodDisruptionBudget"):
            return PolicyValidation.validatePodDisruptionBudget(try input.decode(PolicyV1.PodDisruptionBudget.self).new)
        case ("storage.k8s.io", "StorageClass"):
            let (storageClass, old) = try input.decode(StorageV1.StorageClass.self)
            guard let old else { return StorageValidation.validateStorageClass(storageClass) }
            return StorageValidation.validateStorageClassUpdate(storageClass, old: old)
        case ("scheduling.k8s.io", "PriorityClass"):
            let (priorityClass, old) = try input.decode(SchedulingV1.PriorityClass.self)
            guard let old else { return SchedulingValidation.validatePriorityClass(priorityClass) }
            return SchedulingValidation.validatePriorityClassUpdate(priorityClass, old: old)
        case ("coordination.k8s.io", "Lease"):
            return SchedulingValidation.validateLease(try input.decode(CoordinationV1.Lease.self).new)
        default:
            return []
        }
    }
}
