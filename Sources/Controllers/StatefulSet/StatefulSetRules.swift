import APIMachinery
import Component

/// The pure rules of the `statefulset` controller (upstream's `stateful_set_utils`): pod and
/// claim identity, which revision a new pod gets, the claims' owner references under
/// `persistentVolumeClaimRetentionPolicy`, and the status counts.
enum StatefulSetRules {
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"

    // MARK: Identity

    /// The set name and ordinal a pod name `<parent>-<ordinal>` carries (ordinal -1 when the
    /// digits do not fit 32 bits); nil when it has none.
    static func identity(of podName: String) -> (parent: String, ordinal: Int)? {
        guard let dash = podName.lastIndex(of: "-") else { return nil }
        let digits = podName[podName.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return (String(podName[..<dash]), Int32(digits).map(Int.init) ?? -1)
    }

    /// The pod's ordinal, or -1 when its name carries none.
    static func ordinal(_ pod: CoreV1.Pod) -> Int { identity(of: pod.name)?.ordinal ?? -1 }

    /// Whether `pod` is named after `set` (only such pods are adopted or kept).
    static func isMember(_ pod: CoreV1.Pod, of set: AppsV1.StatefulSet) -> Bool { identity(of: pod.name)?.parent == set.name }

    static func podName(_ set: AppsV1.StatefulSet, _ ordinal: Int) -> String { "\(set.name)-\(ordinal)" }

    static func claimName(_ template: String, _ set: AppsV1.StatefulSet, _ ordinal: Int) -> String { "\(template)-\(set.name)-\(ordinal)" }

    /// `spec.ordinals.start`.
    static func start(_ set: AppsV1.StatefulSet) -> Int { Int(set.spec?.ordinals?.start ?? 0) }

    static func replicas(_ set: AppsV1.StatefulSet) -> Int { Int(set.spec?.replicas ?? 1) }

    /// The pod of `ordinal` built from `template` (a revision's), labelled with `revision`.
    static func newPod(_ set: AppsV1.StatefulSet, template: CoreV1.PodTemplateSpec?, revision: String, ordinal: Int) -> CoreV1.Pod {
        var pod = OwnedPods.pod(from: template, owner: set)
        let name = podName(set, ordinal)
        pod.metadata?.name = name
        var labels = pod.metadata?.labels ?? [:]
        labels[podNameLabel] = name
        labels[podIndexLabel] = String(ordinal)
        labels[revisionLabel] = revision
        pod.metadata?.labels = labels
        var spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        spec.hostname = name
        if let service = set.spec?.serviceName, !service.isEmpty { spec.subdomain = service }
        spec.volumes = volumes(set, ordinal: ordinal, existing: spec.volumes)
        pod.spec = spec
        return pod
    }

    /// A volume per claim template, then the template's volumes of other names.
    static func volumes(_ set: AppsV1.StatefulSet, ordinal: Int, existing: [CoreV1.Volume]?) -> [CoreV1.Volume]? {
        let templates = set.spec?.volumeClaimTemplates ?? []
        guard !templates.isEmpty else { return existing }
        let claimed = templates.map { template -> CoreV1.Volume in
            let name = template.metadata?.name ?? ""
            return CoreV1.Volume(
                name: name,
                persistentVolumeClaim: CoreV1.PersistentVolumeClaimVolumeSource(claimName: claimName(name, set, ordinal), readOnly: false))
        }
        let names = Set(claimed.map(\.name))
        return claimed + (existing ?? []).filter { !names.contains($0.name) }
    }

    /// Name, namespace and the pod-name label are the set's for the pod's ordinal.
    static func identityMatches(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) -> Bool {
        guard let (parent, ordinal) = identity(of: pod.name), ordinal >= 0 else { return false }
        return parent == set.name && pod.name == podName(set, ordinal) && pod.namespace == set.namespace
            && pod.metadata?.labels?[podNameLabel] == pod.name
    }

    /// Every claim template has its volume naming the ordinal's claim.
    static func storageMatches(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) -> Bool {
        let ordinal = ordinal(pod)
        guard ordinal >= 0 else { return false }
        let volumes = pod.spec?.volumes ?? []
        return (set.spec?.volumeClaimTemplates ?? []).allSatisfy { template in
            let name = template.metadata?.name ?? ""
            return volumes.contains { $0.name == name && $0.persistentVolumeClaim?.claimName == claimName(name, set, ordinal) }
        }
    }

    /// `pod` with its identity labels and claim volumes put right.
    static func repaired(_ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) -> CoreV1.Pod {
        var pod = pod
        let ordinal = ordinal(pod)
        pod.metadata?.name = podName(set, ordinal)
        pod.metadata?.namespace = set.namespace
        var labels = pod.metadata?.labels ?? [:]
        labels[podNameLabel] = pod.name
        labels[podIndexLabel] = String(ordinal)
        pod.metadata?.labels = labels
        let fixed = volumes(set, ordinal: ordinal, existing: pod.spec?.volumes)
        pod.spec?.volumes = fixed
        return pod
    }

    // MARK: Claims

    /// The claims of `ordinal`, from the claim templates: labelled with the template's labels
    /// and the selector's (the selector's win).
    static func claims(_ set: AppsV1.StatefulSet, ordinal: Int) -> [CoreV1.PersistentVolumeClaim] {
        (set.spec?.volumeClaimTemplates ?? []).map { template in
            var claim = template
            var meta = template.metadata ?? MetaV1.ObjectMeta()
            meta.name = claimName(meta.name ?? "", set, ordinal)
            meta.namespace = set.namespace
            var labels = meta.labels ?? [:]
            for (key, value) in set.spec?.selector.matchLabels ?? [:] { labels[key] = value }
            meta.labels = labels.isEmpty ? nil : labels
            meta.ownerReferences = nil
            claim.metadata = meta
            claim.status = nil
            return claim.withTypeMeta()
        }
    }

    /// Who should own a claim under the retention policy: the pod when it is condemned and
    /// scaled-away claims are deleted, the set when a deleted set's claims are, else no one.
    enum ClaimOwner: Equatable { case none, set, pod }

    static func wantedOwner(_ set: AppsV1.StatefulSet, condemned: Bool) -> ClaimOwner {
        let policy = set.spec?.persistentVolumeClaimRetentionPolicy
        if condemned && policy?.whenScaled == "Delete" { return .pod }
        if policy?.whenDeleted == "Delete" { return .set }
        return .none
    }

    static func isRetainAll(_ set: AppsV1.StatefulSet) -> Bool {
        let policy = set.spec?.persistentVolumeClaimRetentionPolicy
        return (policy?.whenScaled ?? "Retain") != "Delete" && (policy?.whenDeleted ?? "Retain") != "Delete"
    }

    /// The reference names `object` by kind and name (its uid aside).
    static func names<T: KubernetesObject>(_ ref: MetaV1.OwnerReference, _ object: T) -> Bool {
        ref.kind == T.groupVersionKind.kind && ref.name == object.name
            && GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind)?.group == T.groupVersionKind.group
    }

    /// A controller reference on `claim` naming neither `set` nor `pod`: the retention policy
    /// then leaves the claim alone (upstream warns `ConflictingController`).
    static func hasConflictingController(_ claim: CoreV1.PersistentVolumeClaim, _ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod) -> Bool {
        guard !isRetainAll(set) else { return false }
        return (claim.metadata?.ownerReferences ?? []).contains { $0.controller == true && !names($0, set) && !names($0, pod) }
    }

    /// Whether `claim`'s references to `set` and `pod` are what the policy wants.
    static func claimOwnersUpToDate(_ claim: CoreV1.PersistentVolumeClaim, _ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod, condemned: Bool) -> Bool {
        let refs = claim.metadata?.ownerReferences ?? []
        // A reference to an earlier set or pod of the same name: the garbage collector's.
        if refs.contains(where: { (names($0, set) && $0.uid != set.uid) || (names($0, pod) && $0.uid != pod.uid) }) { return true }
        let ours = refs.filter { $0.uid == set.uid || $0.uid == pod.uid }
        if hasConflictingController(claim, set, pod) { return ours.isEmpty }
        if ours.contains(where: { $0.controller != true }) { return false }
        let hasSet = ours.contains { $0.uid == set.uid }, hasPod = ours.contains { $0.uid == pod.uid }
        switch wantedOwner(set, condemned: condemned) {
        case .none: return !hasSet && !hasPod
        case .set: return hasSet && !hasPod
        case .pod: return hasPod && !hasSet
        }
    }

    /// `claim`'s references with those to `set` and `pod` set as the policy wants (only
    /// removed when another controller owns it).
    static func claimOwners(_ claim: CoreV1.PersistentVolumeClaim, _ set: AppsV1.StatefulSet, _ pod: CoreV1.Pod, condemned: Bool) -> [MetaV1.OwnerReference] {
        var refs = (claim.metadata?.ownerReferences ?? []).filter { !names($0, set) && !names($0, pod) }
        if hasConflictingController(claim, set, pod) { return refs }
        switch wantedOwner(set, condemned: condemned) {
        case .none: break
        case .set: refs.append(set.asControllerRef)
        case .pod: refs.append(pod.asControllerRef)
        }
        return refs
    }

    // MARK: Pods

    /// Running with `Ready` true.
    static func isRunningAndReady(_ pod: CoreV1.Pod) -> Bool { pod.status?.phase == "Running" && pod.isReady }

    /// The apiserver has it (a pod built this pass has no phase).
    static func isCreated(_ pod: CoreV1.Pod) -> Bool { !(pod.status?.phase ?? "").isEmpty }

    static func isFinished(_ pod: CoreV1.Pod) -> Bool { pod.status?.phase == "Failed" || pod.status?.phase == "Succeeded" }

    /// Running, ready and not terminating.
    static func isHealthy(_ pod: CoreV1.Pod) -> Bool { isRunningAndReady(pod) && !pod.isBeingDeleted }

    static func revision(_ pod: CoreV1.Pod) -> String? { pod.metadata?.labels?[revisionLabel] }

    /// Whether the pod of `ordinal` is built from the current revision rather than the update
    /// revision: below the partition, or (with no rolling-update settings) among the first
    /// `currentReplicas`.
    static func usesCurrentRevision(_ set: AppsV1.StatefulSet, ordinal: Int) -> Bool {
        let strategy = set.spec?.updateStrategy
        let start = start(set)
        if let rolling = strategy?.rollingUpdate {
            return ordinal < start + Int(rolling.partition ?? 0)
        }
        if (strategy?.type ?? "RollingUpdate") == "RollingUpdate" {
            return ordinal < start + Int(set.status?.currentReplicas ?? 0)
        }
        return false
    }

    /// Status counts over `pods` (upstream's): replicas created, ready, available after
    /// `minReadySeconds`, and current and updated (not terminating) by revision label.
    static func counts(
        _ pods: [CoreV1.Pod], current: String, update: String, minReadySeconds: Int32, now: WallTime
    ) -> (replicas: Int, ready: Int, available: Int, current: Int, updated: Int) {
        var result = (replicas: 0, ready: 0, available: 0, current: 0, updated: 0)
        for pod in pods where isCreated(pod) {
            result.replicas += 1
            if isRunningAndReady(pod) {
                result.ready += 1
                if pod.isAvailable(minReadySeconds: minReadySeconds, now: now) { result.available += 1 }
            }
            guard !pod.isBeingDeleted else { continue }
            let revision = revision(pod)
            if revision == current { result.current += 1 }
            if revision == update { result.updated += 1 }
        }
        return result
    }
}
