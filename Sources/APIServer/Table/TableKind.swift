import APIMachinery

/// The printer a kind gets: one case per built-in kind that kube-apiserver 1.32 prints with its
/// own columns, and `generic` (Name, Created At) for every other kind, including Role,
/// ClusterRole, LimitRange and CustomResourceDefinition, which have no printer upstream.
///
/// Kinds are matched by group and kind; the version only matters where two versions have
/// different shapes (handled by the cell printers).
enum TableKind: CaseIterable, Sendable {
    // core
    case pod, podTemplate, node, namespace, service, endpoints, configMap, secret, serviceAccount, event
    case replicationController, persistentVolume, persistentVolumeClaim, resourceQuota, componentStatus
    // apps, batch, autoscaling, policy
    case deployment, replicaSet, statefulSet, daemonSet, controllerRevision
    case job, cronJob, horizontalPodAutoscaler, podDisruptionBudget
    // networking, discovery
    case ingress, ingressClass, networkPolicy, endpointSlice
    // rbac, storage, admission, scheduling, coordination, node, certificates
    case roleBinding, clusterRoleBinding
    case storageClass, csiDriver, csiNode, csiStorageCapacity, volumeAttachment
    case mutatingWebhookConfiguration, validatingWebhookConfiguration
    case validatingAdmissionPolicy, validatingAdmissionPolicyBinding
    case priorityClass, lease, runtimeClass, certificateSigningRequest
    /// Any other kind: Name and Created At.
    case generic

    init(_ gvk: GroupVersionKind) {
        switch (gvk.group, gvk.kind) {
        case ("", "Pod"): self = .pod
        case ("", "PodTemplate"): self = .podTemplate
        case ("", "Node"): self = .node
        case ("", "Namespace"): self = .namespace
        case ("", "Service"): self = .service
        case ("", "Endpoints"): self = .endpoints
        case ("", "ConfigMap"): self = .configMap
        case ("", "Secret"): self = .secret
        case ("", "ServiceAccount"): self = .serviceAccount
        case ("", "Event"), ("events.k8s.io", "Event"): self = .event
        case ("", "ReplicationController"): self = .replicationController
        case ("", "PersistentVolume"): self = .persistentVolume
        case ("", "PersistentVolumeClaim"): self = .persistentVolumeClaim
        case ("", "ResourceQuota"): self = .resourceQuota
        case ("", "ComponentStatus"): self = .componentStatus
        case ("apps", "Deployment"), ("extensions", "Deployment"): self = .deployment
        case ("apps", "ReplicaSet"), ("extensions", "ReplicaSet"): self = .replicaSet
        case ("apps", "StatefulSet"): self = .statefulSet
        case ("apps", "DaemonSet"), ("extensions", "DaemonSet"): self = .daemonSet
        case ("apps", "ControllerRevision"): self = .controllerRevision
        case ("batch", "Job"): self = .job
        case ("batch", "CronJob"): self = .cronJob
        case ("autoscaling", "HorizontalPodAutoscaler"): self = .horizontalPodAutoscaler
        case ("policy", "PodDisruptionBudget"): self = .podDisruptionBudget
        case ("networking.k8s.io", "Ingress"), ("extensions", "Ingress"): self = .ingress
        case ("networking.k8s.io", "IngressClass"): self = .ingressClass
        case ("networking.k8s.io", "NetworkPolicy"), ("extensions", "NetworkPolicy"): self = .networkPolicy
        case ("discovery.k8s.io", "EndpointSlice"): self = .endpointSlice
        case ("rbac.authorization.k8s.io", "RoleBinding"): self = .roleBinding
        case ("rbac.authorization.k8s.io", "ClusterRoleBinding"): self = .clusterRoleBinding
        case ("storage.k8s.io", "StorageClass"): self = .storageClass
        case ("storage.k8s.io", "CSIDriver"): self = .csiDriver
        case ("storage.k8s.io", "CSINode"): self = .csiNode
        case ("storage.k8s.io", "CSIStorageCapacity"): self = .csiStorageCapacity
        case ("storage.k8s.io", "VolumeAttachment"): self = .volumeAttachment
        case ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): self = .mutatingWebhookConfiguration
        case ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"):
            self = .validatingWebhookConfiguration
        case ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): self = .validatingAdmissionPolicy
        case ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"):
            self = .validatingAdmissionPolicyBinding
        case ("scheduling.k8s.io", "PriorityClass"): self = .priorityClass
        case ("coordination.k8s.io", "Lease"): self = .lease
        case ("node.k8s.io", "RuntimeClass"): self = .runtimeClass
        case ("certificates.k8s.io", "CertificateSigningRequest"): self = .certificateSigningRequest
        default: self = .generic
        }
    }

    /// The column definitions, in cell order. Names, types, formats and priorities are
    /// kube-apiserver 1.32's; descriptions are Skiff's own wording.
    var columns: [TableColumn] {
        typealias C = TableColumn
        let name = C(name: "Name", format: "name", description: "Name of the object, unique within its namespace.")
        let age = C(name: "Age", description: "Time since the object was created.")
        let containers = C(name: "Containers", description: "Names of the containers in the pod template.", priority: 1)
        let images = C(name: "Images", description: "Images of the containers in the pod template.", priority: 1)
        let selector = C(name: "Selector", description: "Label selector for the pods this object manages.", priority: 1)
        switch self {
        case .pod:
            return [
                name,
                C(name: "Ready", description: "Ready containers out of all containers of the pod."),
                C(name: "Status", description: "Summary of the pod's phase and container states."),
                C(name: "Restarts", description: "Container restarts, and how long ago the last one happened."),
                age,
                C(name: "IP", description: "The pod's primary IP address.", priority: 1),
                C(name: "Node", description: "Node the pod is bound to.", priority: 1),
                C(name: "Nominated Node", description: "Node nominated by preemption.", priority: 1),
                C(name: "Readiness Gates", description: "Readiness gates that are true, out of all gates.", priority: 1),
            ]
        case .podTemplate:
            return [
                name,
                C(name: "Containers", description: "Names of the containers in the template."),
                C(name: "Images", description: "Images of the containers in the template."),
                C(name: "Pod Labels", description: "Labels of the pod template."),
            ]
        case .node:
            return [
                name,
                C(name: "Status", description: "Readiness of the node, and whether scheduling is disabled."),
                C(name: "Roles", description: "Roles from the node-role.kubernetes.io/ labels."),
                age,
                C(name: "Version", description: "Kubelet version."),
                C(name: "Internal-IP", description: "First internal address.", priority: 1),
                C(name: "External-IP", description: "First external address.", priority: 1),
                C(name: "OS-Image", description: "Operating system image.", priority: 1),
                C(name: "Kernel-Version", description: "Kernel version.", priority: 1),
                C(name: "Container-Runtime", description: "Container runtime and its version.", priority: 1),
            ]
        case .namespace:
            return [name, C(name: "Status", description: "Phase of the namespace."), age]
        case .service:
            return [
                name,
                C(name: "Type", description: "How the service is exposed."),
                C(name: "Cluster-IP", description: "Primary cluster IP."),
                C(name: "External-IP", description: "External addresses or load-balancer ingress points."),
                C(name: "Port(s)", description: "Service ports, with node ports where allocated."),
                age,
                C(name: "Selector", description: "Label selector for the service's pods.", priority: 1),
            ]
        case .endpoints:
            return [name, C(name: "Endpoints", description: "First addresses with their ports."), age]
        case .configMap:
            return [name, C(name: "Data", description: "Number of data and binaryData entries."), age]
        case .secret:
            return [
                name, C(name: "Type", description: "Secret type."), C(name: "Data", description: "Number of data entries."),
                age,
            ]
        case .serviceAccount:
            return [name, C(name: "Secrets", description: "Number of secrets listed."), age]
        case .event:
            return [
                C(name: "Last Seen", description: "Time since the event was last observed."),
                C(name: "Type", description: "Event type."),
                C(name: "Reason", description: "Short reason for the event."),
                C(name: "Object", description: "Object the event is about."),
                C(name: "Subobject", description: "Part of the object the event is about.", priority: 1),
                C(name: "Source", description: "Component that reported the event.", priority: 1),
                C(name: "Message", description: "Event message."),
                C(name: "First Seen", description: "Time since the event was first observed.", priority: 1),
                C(name: "Count", description: "Number of occurrences.", priority: 1),
                C(name: "Name", format: "name", description: "Name of the event object.", priority: 1),
            ]
        case .replicationController, .replicaSet:
            return [
                name,
                C(name: "Desired", type: "integer", description: "Desired number of replicas."),
                C(name: "Current", type: "integer", description: "Current number of replicas."),
                C(name: "Ready", type: "integer", description: "Number of ready replicas."),
                age, containers, images, selector,
            ]
        case .persistentVolume:
            return [
                name,
                C(name: "Capacity", description: "Storage capacity."),
                C(name: "Access Modes", description: "Access modes."),
                C(name: "Reclaim Policy", description: "What happens to the volume when released."),
                C(name: "Status", description: "Phase of the volume."),
                C(name: "Claim", description: "Claim bound to the volume."),
                C(name: "StorageClass", description: "Storage class of the volume."),
                C(name: "VolumeAttributesClass", description: "Volume attributes class of the volume."),
                C(name: "Reason", description: "Reason for a failed phase."),
                age,
                C(name: "VolumeMode", description: "Filesystem or Block.", priority: 1),
            ]
        case .persistentVolumeClaim:
            return [
                name,
                C(name: "Status", description: "Phase of the claim."),
                C(name: "Volume", description: "Volume bound to the claim."),
                C(name: "Capacity", description: "Capacity of the bound volume."),
                C(name: "Access Modes", description: "Access modes of the bound volume."),
                C(name: "StorageClass", description: "Storage class of the claim."),
                C(name: "VolumeAttributesClass", description: "Volume attributes class of the claim."),
                age,
                C(name: "VolumeMode", description: "Filesystem or Block.", priority: 1),
            ]
        case .resourceQuota:
            return [
                name, age,
                C(name: "Request", description: "Used and hard amounts of the non-limit resources."),
                C(name: "Limit", description: "Used and hard amounts of the limits.* resources."),
            ]
        case .componentStatus:
            return [
                name,
                C(name: "Status", description: "Health of the component."),
                C(name: "Message", description: "Message of the health condition."),
                C(name: "Error", description: "Error of the health condition."),
            ]
        case .deployment:
            return [
                name,
                C(name: "Ready", description: "Ready replicas out of desired replicas."),
                C(name: "Up-to-date", description: "Replicas running the current template."),
                C(name: "Available", description: "Available replicas."),
                age, containers, images, selector,
            ]
        case .statefulSet:
            return [name, C(name: "Ready", description: "Ready replicas out of desired replicas."), age, containers, images]
        case .daemonSet:
            return [
                name,
                C(name: "Desired", type: "integer", description: "Nodes that should run the daemon pod."),
                C(name: "Current", type: "integer", description: "Nodes running the daemon pod."),
                C(name: "Ready", type: "integer", description: "Nodes with a ready daemon pod."),
                C(name: "Up-to-date", type: "integer", description: "Nodes running the current template."),
                C(name: "Available", type: "integer", description: "Nodes with an available daemon pod."),
                C(name: "Node Selector", description: "Node selector of the pod template."),
                age, containers, images, selector,
            ]
        case .controllerRevision:
            return [
                name,
                C(name: "Controller", description: "Object that owns the revision."),
                C(name: "Revision", description: "Revision number."),
                age,
            ]
        case .job:
            return [
                name,
                C(name: "Status", description: "State of the job."),
                C(name: "Completions", description: "Succeeded pods out of required completions."),
                C(name: "Duration", description: "Time the job took, or has taken so far."),
                age, containers, images, selector,
            ]
        case .cronJob:
            return [
                name,
                C(name: "Schedule", description: "Cron schedule."),
                C(name: "Timezone", description: "Time zone of the schedule."),
                C(name: "Suspend", type: "boolean", description: "Whether new runs are suspended."),
                C(name: "Active", type: "integer", description: "Number of running jobs."),
                C(name: "Last Schedule", description: "Time since a job was last scheduled."),
                age, containers, images, selector,
            ]
        case .horizontalPodAutoscaler:
            return [
                name,
                C(name: "Reference", description: "Object being scaled."),
                C(name: "Targets", description: "Current and target metric values."),
                C(name: "MinPods", description: "Lower replica bound."),
                C(name: "MaxPods", description: "Upper replica bound."),
                C(name: "Replicas", description: "Current number of replicas."),
                age,
            ]
        case .podDisruptionBudget:
            return [
                name,
                C(name: "Min Available", description: "Pods that must stay available."),
                C(name: "Max Unavailable", description: "Pods that may be unavailable."),
                C(name: "Allowed Disruptions", type: "integer", description: "Pods that may be disrupted now."),
                age,
            ]
        case .ingress:
            return [
                name,
                C(name: "Class", description: "Ingress class."),
                C(name: "Hosts", description: "Hosts the rules match."),
                C(name: "Address", description: "Load-balancer ingress points."),
                C(name: "Ports", description: "Ports served."),
                age,
            ]
        case .ingressClass:
            return [
                name,
                C(name: "Controller", description: "Controller implementing the class."),
                C(name: "Parameters", description: "Object holding the class parameters."),
                age,
            ]
        case .networkPolicy:
            return [name, C(name: "Pod-Selector", description: "Pods the policy applies to."), age]
        case .endpointSlice:
            return [
                name,
                C(name: "AddressType", description: "Address family of the endpoints."),
                C(name: "Ports", description: "First ports of the slice."),
                C(name: "Endpoints", description: "First addresses of the slice."),
                age,
            ]
        case .roleBinding, .clusterRoleBinding:
            return [
                name,
                C(name: "Role", description: "Role granted, as Kind/name."),
                age,
                C(name: "Users", description: "Users bound.", priority: 1),
                C(name: "Groups", description: "Groups bound.", priority: 1),
                C(name: "ServiceAccounts", description: "Service accounts bound, as namespace/name.", priority: 1),
            ]
        case .storageClass:
            return [
                name,
                C(name: "Provisioner", description: "Volume provisioner."),
                C(name: "ReclaimPolicy", description: "Reclaim policy of provisioned volumes."),
                C(name: "VolumeBindingMode", description: "When volumes are bound and provisioned."),
                C(name: "AllowVolumeExpansion", description: "Whether volumes may be expanded."),
                age,
            ]
        case .csiDriver:
            return [
                name,
                C(name: "AttachRequired", type: "boolean", description: "Whether volumes need an attach step."),
                C(name: "PodInfoOnMount", type: "boolean", description: "Whether pod information is passed on mount."),
                C(name: "StorageCapacity", type: "boolean", description: "Whether storage capacity is reported."),
                C(name: "TokenRequests", description: "Audiences of service account tokens passed to the driver."),
                C(name: "RequiresRepublish", type: "boolean", description: "Whether volumes are republished periodically."),
                C(name: "Modes", description: "Volume lifecycle modes."),
                age,
            ]
        case .csiNode:
            return [name, C(name: "Drivers", type: "integer", description: "Number of CSI drivers on the node."), age]
        case .csiStorageCapacity:
            return [
                name,
                C(name: "StorageClassName", description: "Storage class the capacity applies to."),
                C(name: "Capacity", description: "Available capacity."),
            ]
        case .volumeAttachment:
            return [
                name,
                C(name: "Attacher", format: "name", description: "Driver that attaches the volume."),
                C(name: "PV", description: "Persistent volume being attached."),
                C(name: "Node", description: "Node the volume is attached to."),
                C(name: "Attached", type: "boolean", description: "Whether the attach succeeded."),
                age,
            ]
        case .mutatingWebhookConfiguration, .validatingWebhookConfiguration:
            return [name, C(name: "Webhooks", type: "integer", description: "Number of webhooks."), age]
        case .validatingAdmissionPolicy:
            return [
                name,
                C(name: "Validations", type: "integer", description: "Number of validation rules."),
                C(name: "ParamKind", description: "Kind of the parameter resource."),
                age,
            ]
        case .validatingAdmissionPolicyBinding:
            return [
                name,
                C(name: "PolicyName", description: "Policy that is bound."),
                C(name: "ParamRef", description: "Parameter resource of the binding."),
                age,
            ]
        case .priorityClass:
            return [
                name,
                C(name: "Value", type: "integer", description: "Priority value."),
                C(name: "Global-Default", type: "boolean", description: "Whether this is the default class."),
                age,
                C(name: "PreemptionPolicy", description: "Whether pods of this class may preempt others."),
            ]
        case .lease:
            return [name, C(name: "Holder", description: "Current holder of the lease."), age]
        case .runtimeClass:
            return [name, C(name: "Handler", description: "Runtime handler."), age]
        case .certificateSigningRequest:
            return [
                name, age,
                C(name: "SignerName", description: "Signer asked to sign."),
                C(name: "Requestor", description: "User that created the request."),
                C(name: "RequestedDuration", description: "Requested validity of the certificate."),
                C(name: "Condition", description: "Approval state, and whether a certificate was issued."),
            ]
        case .generic:
            return [name, C(name: "Created At", type: "date", description: "Time the object was created (RFC 3339, UTC).")]
        }
    }
}
