import APIMachinery
import Client

/// What the replica controller reads and writes of the objects it keeps pods for: a ReplicaSet,
/// or a core ReplicationController (which upstream runs through the same controller by
/// converting it to a ReplicaSet and back; here it conforms instead).
public protocol ReplicaOwner: ControlledObject {
    /// The controller's name in logs and metrics (`replicaset`, `replicationmanager`).
    static var controllerName: String { get }
    /// `spec.replicas` (1 when unset).
    var desiredReplicas: Int { get }
    /// `spec.minReadySeconds` (0 when unset).
    var minReadySeconds: Int32 { get }
    /// `spec.template`; nil when the object has no spec.
    var podTemplate: CoreV1.PodTemplateSpec? { get }
    /// The pods it selects (`spec.selector`); nil when the object has no spec.
    var podLabelSelector: MetaV1.LabelSelector? { get }
    /// `status` in ReplicaSet form (the two kinds' status fields are the same).
    var replicaSetStatus: AppsV1.ReplicaSetStatus? { get set }
}

extension AppsV1.ReplicaSet: ReplicaOwner {
    public static var controllerName: String { "replicaset" }
    public var desiredReplicas: Int { Int(spec?.replicas ?? 1) }
    public var minReadySeconds: Int32 { spec?.minReadySeconds ?? 0 }
    public var podTemplate: CoreV1.PodTemplateSpec? { spec?.template }
    public var podLabelSelector: MetaV1.LabelSelector? { spec?.selector }
    public var replicaSetStatus: AppsV1.ReplicaSetStatus? {
        get { status }
        set { status = newValue }
    }
}

extension CoreV1.ReplicationController: ReplicaOwner {
    public static var controllerName: String { "replicationmanager" }
    public var desiredReplicas: Int { Int(spec?.replicas ?? 1) }
    public var minReadySeconds: Int32 { spec?.minReadySeconds ?? 0 }
    public var podTemplate: CoreV1.PodTemplateSpec? { spec?.template }
    /// An equality selector; the apiserver defaults an empty one to the template's labels.
    public var podLabelSelector: MetaV1.LabelSelector? { spec.map { MetaV1.LabelSelector(matchLabels: $0.selector ?? [:]) } }
    public var replicaSetStatus: AppsV1.ReplicaSetStatus? {
        get {
            status.map { s in
                AppsV1.ReplicaSetStatus(
                    availableReplicas: s.availableReplicas,
                    conditions: s.conditions?.map {
                        AppsV1.ReplicaSetCondition(lastTransitionTime: $0.lastTransitionTime, message: $0.message, reason: $0.reason, status: $0.status, type: $0.type)
                    },
                    fullyLabeledReplicas: s.fullyLabeledReplicas, observedGeneration: s.observedGeneration, readyReplicas: s.readyReplicas,
                    replicas: s.replicas)
            }
        }
        set {
            status = newValue.map { s in
                CoreV1.ReplicationControllerStatus(
                    availableReplicas: s.availableReplicas,
                    conditions: s.conditions?.map {
                        CoreV1.ReplicationControllerCondition(lastTransitionTime: $0.lastTransitionTime, message: $0.message, reason: $0.reason, status: $0.status, type: $0.type)
                    },
                    fullyLabeledReplicas: s.fullyLabeledReplicas, observedGeneration: s.observedGeneration, readyReplicas: s.readyReplicas,
                    replicas: s.replicas)
            }
        }
    }
}
