import APIMachinery
import Foundation

/// The pure rules of the deployment controller (upstream's `deploymentutil`): rollout
/// fenceposts, template hashing, revision and replica annotations, proportional scaling.
public enum DeploymentRules {
    public static let revisionAnnotation = "deployment.kubernetes.io/revision"
    public static let revisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
    public static let desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
    public static let maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
    public static let hashLabel = "pod-template-hash"
    /// Deployment annotations never copied onto its ReplicaSets.
    static let notCopied: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revisionAnnotation, revisionHistoryAnnotation,
        desiredReplicasAnnotation, maxReplicasAnnotation, "deprecated.deployment.rollback.to",
    ]

    // MARK: Fenceposts

    /// `value` of `total`: an integer, or a percentage rounded up or down.
    public static func scaled(_ value: IntOrString?, of total: Int32, roundUp: Bool, default fallback: String = "25%") -> Int32 {
        switch value ?? .string(fallback) {
        case .int(let number): return number
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Double(text.dropLast()) else { return 0 }
            let exact = percent * Double(total) / 100
            return Int32(roundUp ? exact.rounded(.up) : exact.rounded(.down))
        }
    }

    /// maxSurge and maxUnavailable as pod counts; both zero becomes an unavailability of 1.
    public static func fenceposts(_ d: AppsV1.Deployment) -> (surge: Int32, unavailable: Int32) {
        let replicas = d.spec?.replicas ?? 1
        let rolling = d.spec?.strategy?.rollingUpdate
        let surge = scaled(rolling?.maxSurge, of: replicas, roundUp: true)
        var unavailable = scaled(rolling?.maxUnavailable, of: replicas, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    public static func isRolling(_ d: AppsV1.Deployment) -> Bool { (d.spec?.strategy?.type ?? "RollingUpdate") == "RollingUpdate" }

    /// Pods that may be unavailable during a rolling update (never more than the replicas).
    public static func maxUnavailable(_ d: AppsV1.Deployment) -> Int32 {
        let replicas = d.spec?.replicas ?? 1
        guard isRolling(d), replicas > 0 else { return 0 }
        return min(fenceposts(d).unavailable, replicas)
    }

    /// Pods beyond the replicas a rolling update may create.
    public static func maxSurge(_ d: AppsV1.Deployment) -> Int32 { isRolling(d) ? fenceposts(d).surge : 0 }

    // MARK: Templates

    /// The template without the `pod-template-hash` label, for comparing a Deployment's
    /// template with its ReplicaSets' (upstream's `EqualIgnoreHash`).
    public static func withoutHash(_ template: CoreV1.PodTemplateSpec?) -> CoreV1.PodTemplateSpec {
        var copy = template ?? CoreV1.PodTemplateSpec()
        copy.metadata?.labels?[hashLabel] = nil
        if copy.metadata?.labels?.isEmpty == true { copy.metadata?.labels = nil }
        return copy
    }

    /// The `pod-template-hash` of `template`: FNV-1a (32 bit) of its JSON and the collision
    /// count, written in the vowel-free alphabet upstream uses, so names look like upstream's.
    /// (Upstream hashes Go's printed struct, which Swift cannot reproduce: values differ.)
    public static func hash(_ template: CoreV1.PodTemplateSpec, collisionCount: Int32?) -> String {
        var value: UInt32 = 2_166_136_261
        func mix(_ byte: UInt8) {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
        for byte in JSONCodec.encode(withoutHash(template)) { mix(byte) }
        if let collisionCount {
            for shift in stride(from: 0, to: 32, by: 8) { mix(UInt8(truncatingIfNeeded: UInt32(bitPattern: collisionCount) >> UInt32(shift))) }
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(value).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    // MARK: Revisions

    public static func revision(_ rs: AppsV1.ReplicaSet) -> Int64 {
        rs.metadata?.annotations?[revisionAnnotation].flatMap { Int64($0) } ?? 0
    }

    public static func maxRevision(_ sets: [AppsV1.ReplicaSet]) -> Int64 { sets.map(revision).max() ?? 0 }

    /// Copies the Deployment's annotations onto `rs` and sets its revision to `newRevision`
    /// (recording the old revision in the history when an old ReplicaSet comes back). Returns
    /// whether anything changed.
    @discardableResult
    public static func annotate(_ rs: inout AppsV1.ReplicaSet, from d: AppsV1.Deployment, newRevision: Int64?) -> Bool {
        var annotations = rs.metadata?.annotations ?? [:]
        let before = annotations
        for (key, value) in d.metadata?.annotations ?? [:] where !notCopied.contains(key) { annotations[key] = value }
        if let newRevision {
            let old = annotations[revisionAnnotation].flatMap { Int64($0) } ?? 0
            if old < newRevision {
                if old > 0 {
                    let history = annotations[revisionHistoryAnnotation].map { $0 + "," } ?? ""
                    annotations[revisionHistoryAnnotation] = history + String(old)
                }
                annotations[revisionAnnotation] = String(newRevision)
            }
        }
        if rs.metadata == nil { rs.metadata = MetaV1.ObjectMeta() }
        rs.metadata?.annotations = annotations.isEmpty ? nil : annotations
        return annotations != before
    }

    /// Sets the desired-replicas and max-replicas annotations; returns whether they changed.
    @discardableResult
    public static func setReplicaAnnotations(_ rs: inout AppsV1.ReplicaSet, desired: Int32, max: Int32) -> Bool {
        var annotations = rs.metadata?.annotations ?? [:]
        let before = annotations
        annotations[desiredReplicasAnnotation] = String(desired)
        annotations[maxReplicasAnnotation] = String(max)
        rs.metadata?.annotations = annotations
        return annotations != before
    }

    // MARK: Proportional scaling

    /// The share of a scaling of the Deployment (`toAdd` pods) that `rs` takes, given `added`
    /// already assigned to ReplicaSets before it (upstream's `GetProportion`).
    public static func proportion(_ rs: AppsV1.ReplicaSet, _ d: AppsV1.Deployment, toAdd: Int32, added: Int32) -> Int32 {
        let replicas = rs.spec?.replicas ?? 0
        guard replicas != 0, toAdd != 0, toAdd != added else { return 0 }
        let fraction = self.fraction(rs, d)
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    static func fraction(_ rs: AppsV1.ReplicaSet, _ d: AppsV1.Deployment) -> Int32 {
        let replicas = rs.spec?.replicas ?? 0
        let target = d.spec?.replicas ?? 1
        if target == 0 { return -replicas }
        let deploymentReplicas = target + maxSurge(d)
        let annotated = rs.metadata?.annotations?[maxReplicasAnnotation].flatMap { Int32($0) } ?? (d.status?.replicas ?? 0)
        guard annotated > 0 else { return 0 }
        let size = (Double(replicas) * Double(deploymentReplicas) / Double(annotated)).rounded()
        return Int32(size) - replicas
    }

    // MARK: Counting

    public static func specReplicas(_ sets: [AppsV1.ReplicaSet]) -> Int32 { sets.reduce(0) { $0 + ($1.spec?.replicas ?? 0) } }
    public static func actualReplicas(_ sets: [AppsV1.ReplicaSet]) -> Int32 { sets.reduce(0) { $0 + ($1.status?.replicas ?? 0) } }
    public static func readyReplicas(_ sets: [AppsV1.ReplicaSet]) -> Int32 { sets.reduce(0) { $0 + ($1.status?.readyReplicas ?? 0) } }
    public static func availableReplicas(_ sets: [AppsV1.ReplicaSet]) -> Int32 { sets.reduce(0) { $0 + ($1.status?.availableReplicas ?? 0) } }

    /// Oldest first (creation, then name).
    public static func oldestFirst(_ a: AppsV1.ReplicaSet, _ b: AppsV1.ReplicaSet) -> Bool {
        let ta = a.metadata?.creationTimestamp ?? .zero, tb = b.metadata?.creationTimestamp ?? .zero
        return ta != tb ? ta < tb : a.name < b.name
    }

    /// Larger first; newer first among equals (when scaling up), older first otherwise.
    public static func bySize(newerFirst: Bool) -> (AppsV1.ReplicaSet, AppsV1.ReplicaSet) -> Bool {
        { a, b in
            let ra = a.spec?.replicas ?? 0, rb = b.spec?.replicas ?? 0
            if ra != rb { return ra > rb }
            return newerFirst ? oldestFirst(b, a) : oldestFirst(a, b)
        }
    }
}
