import APIMachinery

extension InformerObject where Self: KubernetesObject {
    public var objectNamespace: String { namespace }
    public var objectName: String { name }
    public var objectResourceVersion: String { metadata?.resourceVersion ?? "" }
}

extension LabeledInformerObject where Self: KubernetesObject {
    public var objectLabels: [String: String] { metadata?.labels ?? [:] }
}

// Every generated kind that has a list kind, so can be listed and watched. Other
// `KubernetesObject` types conform the same way, with an empty extension.
extension APIExtensionsV1.CustomResourceDefinition: LabeledInformerObject {}
extension AdmissionRegistrationV1.MutatingWebhookConfiguration: LabeledInformerObject {}
extension AdmissionRegistrationV1.ValidatingAdmissionPolicy: LabeledInformerObject {}
extension AdmissionRegistrationV1.ValidatingAdmissionPolicyBinding: LabeledInformerObject {}
extension AdmissionRegistrationV1.ValidatingWebhookConfiguration: LabeledInformerObject {}
extension AppsV1.ControllerRevision: LabeledInformerObject {}
extension AppsV1.DaemonSet: LabeledInformerObject {}
extension AppsV1.Deployment: LabeledInformerObject {}
extension AppsV1.ReplicaSet: LabeledInformerObject {}
extension AppsV1.StatefulSet: LabeledInformerObject {}
extension AutoscalingV1.HorizontalPodAutoscaler: LabeledInformerObject {}
extension AutoscalingV2.HorizontalPodAutoscaler: LabeledInformerObject {}
extension BatchV1.CronJob: LabeledInformerObject {}
extension BatchV1.Job: LabeledInformerObject {}
extension CertificatesV1.CertificateSigningRequest: LabeledInformerObject {}
extension CoordinationV1.Lease: LabeledInformerObject {}
extension CoreV1.ComponentStatus: LabeledInformerObject {}
extension CoreV1.ConfigMap: LabeledInformerObject {}
extension CoreV1.Endpoints: LabeledInformerObject {}
extension CoreV1.Event: LabeledInformerObject {}
extension CoreV1.LimitRange: LabeledInformerObject {}
extension CoreV1.Namespace: LabeledInformerObject {}
extension CoreV1.Node: LabeledInformerObject {}
extension CoreV1.PersistentVolume: LabeledInformerObject {}
extension CoreV1.PersistentVolumeClaim: LabeledInformerObject {}
extension CoreV1.Pod: LabeledInformerObject {}
extension CoreV1.PodTemplate: LabeledInformerObject {}
extension CoreV1.ReplicationController: LabeledInformerObject {}
extension CoreV1.ResourceQuota: LabeledInformerObject {}
extension CoreV1.Secret: LabeledInformerObject {}
extension CoreV1.Service: LabeledInformerObject {}
extension CoreV1.ServiceAccount: LabeledInformerObject {}
extension DiscoveryV1.EndpointSlice: LabeledInformerObject {}
extension EventsV1.Event: LabeledInformerObject {}
extension NetworkingV1.Ingress: LabeledInformerObject {}
extension NetworkingV1.IngressClass: LabeledInformerObject {}
extension NetworkingV1.NetworkPolicy: LabeledInformerObject {}
extension NodeV1.RuntimeClass: LabeledInformerObject {}
extension PolicyV1.PodDisruptionBudget: LabeledInformerObject {}
extension RBACV1.ClusterRole: LabeledInformerObject {}
extension RBACV1.ClusterRoleBinding: LabeledInformerObject {}
extension RBACV1.Role: LabeledInformerObject {}
extension RBACV1.RoleBinding: LabeledInformerObject {}
extension SchedulingV1.PriorityClass: LabeledInformerObject {}
extension StorageV1.CSIDriver: LabeledInformerObject {}
extension StorageV1.CSINode: LabeledInformerObject {}
extension StorageV1.CSIStorageCapacity: LabeledInformerObject {}
extension StorageV1.StorageClass: LabeledInformerObject {}
extension StorageV1.VolumeAttachment: LabeledInformerObject {}
