import APIMachinery
import Testing
@testable import Controllers

@Suite("Deployment rules: fenceposts, hashing, annotations, proportions")
struct DeploymentRulesTests {
    typealias F = Fixtures
    typealias R = DeploymentRules

    // MARK: Fenceposts

    @Test(
        "a percentage of the replicas: maxSurge rounds up, maxUnavailable rounds down",
        arguments: [
            ("25%", Int32(10), Int32(3), Int32(2)), ("25%", 4, 1, 1), ("25%", 3, 1, 0), ("25%", 1, 1, 0), ("50%", 5, 3, 2),
            ("100%", 7, 7, 7), ("0%", 10, 0, 0), ("10%", 0, 0, 0), ("33%", 10, 4, 3),
        ])
    func percentRounding(percent: String, total: Int32, up: Int32, down: Int32) {
        #expect(R.scaled(.string(percent), of: total, roundUp: true) == up)
        #expect(R.scaled(.string(percent), of: total, roundUp: false) == down)
    }

    @Test("an absolute number is taken as is; absent means 25%")
    func absoluteAndDefault() {
        #expect(R.scaled(.int(5), of: 3, roundUp: true) == 5)
        #expect(R.scaled(.int(0), of: 3, roundUp: false) == 0)
        #expect(R.scaled(nil, of: 10, roundUp: true) == 3)
        #expect(R.scaled(nil, of: 10, roundUp: false) == 2)
    }

    @Test("fenceposts of a Deployment: defaults 25%/25%, both zero becomes unavailability 1")
    func fenceposts() {
        let defaults = R.fenceposts(F.deployment(replicas: 10))
        #expect(defaults.surge == 3 && defaults.unavailable == 2)
        let zero = R.fenceposts(F.deployment(replicas: 10, strategy: F.rolling(.int(0), .int(0))))
        #expect(zero.surge == 0 && zero.unavailable == 1)
        let zeroPercent = R.fenceposts(F.deployment(replicas: 10, strategy: F.rolling("0%", "0%")))
        #expect(zeroPercent.surge == 0 && zeroPercent.unavailable == 1)
        // 25% of 1 rounds down to 0 unavailable, but the surge of 1 keeps it moving.
        let one = R.fenceposts(F.deployment(replicas: 1))
        #expect(one.surge == 1 && one.unavailable == 0)
        // Absent replicas mean 1.
        let absent = R.fenceposts(F.deployment(replicas: nil, strategy: F.rolling("50%", "50%")))
        #expect(absent.surge == 1 && absent.unavailable == 0)
    }

    @Test("maxUnavailable is capped at the replicas, and 0 for Recreate or no replicas")
    func maxUnavailable() {
        #expect(R.maxUnavailable(F.deployment(replicas: 3, strategy: F.rolling(.int(1), .int(5)))) == 3)
        #expect(R.maxUnavailable(F.deployment(replicas: 3, strategy: F.rolling(.int(1), .int(2)))) == 2)
        #expect(R.maxUnavailable(F.deployment(replicas: 10, strategy: F.recreate)) == 0)
        #expect(R.maxUnavailable(F.deployment(replicas: 0, strategy: F.rolling(.int(1), .int(1)))) == 0)
        #expect(R.maxUnavailable(F.deployment(replicas: 4, strategy: F.rolling(.int(0), .int(0)))) == 1)
    }

    @Test("maxSurge is 0 for Recreate")
    func maxSurge() {
        #expect(R.maxSurge(F.deployment(replicas: 10, strategy: F.recreate)) == 0)
        #expect(R.maxSurge(F.deployment(replicas: 10)) == 3)
        #expect(R.maxSurge(F.deployment(replicas: 10, strategy: F.rolling("40%", nil))) == 4)
        #expect(R.isRolling(F.deployment(strategy: nil)))
        #expect(!R.isRolling(F.deployment(strategy: F.recreate)))
    }

    // MARK: Hash

    @Test("the template hash is stable and uses only the vowel-free alphabet")
    func hashStable() {
        let alphabet = Set("bcdfghjklmnpqrstvwxz2456789")
        for image in ["nginx:1.27", "nginx:1.28", "redis:7", "busybox", ""] {
            let template = F.podTemplate(image: image)
            let hash = R.hash(template, collisionCount: nil)
            #expect(hash == R.hash(F.podTemplate(image: image), collisionCount: nil))
            #expect(!hash.isEmpty && hash.count <= 10)
            #expect(hash.allSatisfy { alphabet.contains($0) }, "\(hash)")
            for count: Int32 in [0, 1, 7, 1_000_000] {
                #expect(R.hash(template, collisionCount: count).allSatisfy { alphabet.contains($0) })
            }
        }
        #expect(R.hash(F.podTemplate(image: "a"), collisionCount: nil) != R.hash(F.podTemplate(image: "b"), collisionCount: nil))
    }

    @Test("the collision count changes the hash")
    func hashCollisionCount() {
        let template = F.podTemplate()
        let hashes = [nil, 0, 1, 2].map { R.hash(template, collisionCount: $0) }
        #expect(Set(hashes).count == 4)
    }

    @Test("the hash ignores the pod-template-hash label")
    func hashIgnoresHashLabel() {
        let plain = F.podTemplate(labels: ["app": "web"])
        var labelled = plain
        labelled.metadata?.labels?[R.hashLabel] = "abc123"
        #expect(R.hash(labelled, collisionCount: nil) == R.hash(plain, collisionCount: nil))
        #expect(R.withoutHash(labelled) == plain)
        var onlyHash = CoreV1.PodTemplateSpec(metadata: MetaV1.ObjectMeta(labels: [R.hashLabel: "x"]))
        onlyHash = R.withoutHash(onlyHash)
        #expect(onlyHash.metadata?.labels == nil)
        // Another label does change it.
        var other = plain
        other.metadata?.labels?["tier"] = "fe"
        #expect(R.hash(other, collisionCount: nil) != R.hash(plain, collisionCount: nil))
    }

    // MARK: Annotations

    @Test("annotate copies the Deployment's annotations but not kubectl's last-applied nor the rollout's own")
    func annotateCopies() {
        let d = F.deployment(annotations: [
            "team": "blue", "kubectl.kubernetes.io/last-applied-configuration": "{}", R.revisionAnnotation: "9",
            R.desiredReplicasAnnotation: "99", R.maxReplicasAnnotation: "99", "deprecated.deployment.rollback.to": "1",
            R.revisionHistoryAnnotation: "1,2",
        ])
        var rs = AppsV1.ReplicaSet(metadata: MetaV1.ObjectMeta(name: "web-x"))
        #expect(R.annotate(&rs, from: d, newRevision: 1))
        #expect(rs.metadata?.annotations == ["team": "blue", R.revisionAnnotation: "1"])
        #expect(!R.annotate(&rs, from: d, newRevision: 1))
    }

    @Test("a ReplicaSet brought back to a newer revision records its old ones in revision-history")
    func annotateHistory() {
        let d = F.deployment()
        var rs = AppsV1.ReplicaSet(metadata: MetaV1.ObjectMeta(annotations: [R.revisionAnnotation: "1"], name: "web-x"))
        #expect(R.annotate(&rs, from: d, newRevision: 3))
        #expect(rs.metadata?.annotations?[R.revisionAnnotation] == "3")
        #expect(rs.metadata?.annotations?[R.revisionHistoryAnnotation] == "1")
        #expect(R.annotate(&rs, from: d, newRevision: 5))
        #expect(rs.metadata?.annotations?[R.revisionAnnotation] == "5")
        #expect(rs.metadata?.annotations?[R.revisionHistoryAnnotation] == "1,3")
        // Never backwards.
        #expect(!R.annotate(&rs, from: d, newRevision: 4))
        #expect(rs.metadata?.annotations?[R.revisionAnnotation] == "5")
        #expect(R.revision(rs) == 5)
        #expect(R.maxRevision([rs, AppsV1.ReplicaSet(metadata: MetaV1.ObjectMeta(annotations: [R.revisionAnnotation: "2"]))]) == 5)
        #expect(R.maxRevision([]) == 0)
    }

    @Test("replica annotations: desired and max, reporting whether they changed")
    func replicaAnnotations() {
        var rs = AppsV1.ReplicaSet(metadata: MetaV1.ObjectMeta(name: "web-x"))
        #expect(R.setReplicaAnnotations(&rs, desired: 10, max: 13))
        #expect(rs.metadata?.annotations == [R.desiredReplicasAnnotation: "10", R.maxReplicasAnnotation: "13"])
        #expect(!R.setReplicaAnnotations(&rs, desired: 10, max: 13))
        #expect(R.setReplicaAnnotations(&rs, desired: 20, max: 25))
    }

    // MARK: Proportions

    static func sized(_ replicas: Int32, max: Int32?) -> AppsV1.ReplicaSet {
        var annotations: [String: String]? = nil
        if let max { annotations = [R.maxReplicasAnnotation: String(max)] }
        return AppsV1.ReplicaSet(
            metadata: MetaV1.ObjectMeta(annotations: annotations, name: "rs"), spec: AppsV1.ReplicaSetSpec(replicas: replicas))
    }

    @Test("two ReplicaSets of 5 at max-replicas 10, Deployment scaled to 20 without surge: 5 more each")
    func proportionNoSurge() {
        let d = F.deployment(replicas: 20, strategy: F.rolling(.int(0), .int(2)))
        let rs = Self.sized(5, max: 10)
        #expect(R.fraction(rs, d) == 5)
        #expect(R.proportion(rs, d, toAdd: 10, added: 0) == 5)
        #expect(R.proportion(rs, d, toAdd: 10, added: 5) == 5)
        #expect(R.proportion(rs, d, toAdd: 10, added: 10) == 0)
    }

    @Test("scaled to 20 with a 25% surge: 25 allowed, the first takes round(12.5) = 13 (half away from zero), the second the 7 left")
    func proportionWithSurge() {
        let d = F.deployment(replicas: 20)
        let rs = Self.sized(5, max: 10)
        #expect(R.fraction(rs, d) == 8)
        #expect(R.proportion(rs, d, toAdd: 15, added: 0) == 8)
        #expect(R.proportion(rs, d, toAdd: 15, added: 8) == 7)
    }

    @Test("scaling down: a negative share, bounded by what is left to remove")
    func proportionDown() {
        let d = F.deployment(replicas: 5, strategy: F.rolling(.int(0), .int(1)))
        let rs = Self.sized(5, max: 10)
        #expect(R.fraction(rs, d) == -2)  // round(2.5) = 3
        #expect(R.proportion(rs, d, toAdd: -5, added: 0) == -2)
        #expect(R.proportion(rs, d, toAdd: -5, added: -4) == -1)
    }

    @Test("no max-replicas annotation falls back to the Deployment's status replicas, or no share at all")
    func proportionFallback() {
        var d = F.deployment(replicas: 20, strategy: F.rolling(.int(0), .int(1)))
        d.status = AppsV1.DeploymentStatus(replicas: 10)
        #expect(R.fraction(Self.sized(5, max: nil), d) == 5)
        d.status = nil
        #expect(R.fraction(Self.sized(5, max: nil), d) == 0)
    }

    @Test("scaling to zero removes everything; an empty ReplicaSet takes no share")
    func proportionEdges() {
        let zero = F.deployment(replicas: 0)
        #expect(R.fraction(Self.sized(4, max: 10), zero) == -4)
        let d = F.deployment(replicas: 20)
        #expect(R.proportion(Self.sized(0, max: 10), d, toAdd: 10, added: 0) == 0)
        #expect(R.proportion(Self.sized(5, max: 10), d, toAdd: 0, added: 0) == 0)
    }

    // MARK: Ordering and counting

    @Test("oldest first by creation then name; by size larger first, ties newer-first when scaling up")
    func ordering() {
        func rs(_ name: String, _ created: Int64, _ replicas: Int32) -> AppsV1.ReplicaSet {
            AppsV1.ReplicaSet(
                metadata: MetaV1.ObjectMeta(creationTimestamp: F.time(created), name: name), spec: AppsV1.ReplicaSetSpec(replicas: replicas),
                status: AppsV1.ReplicaSetStatus(availableReplicas: replicas, readyReplicas: replicas, replicas: replicas + 1))
        }
        let sets = [rs("c", 30, 5), rs("a", 10, 5), rs("b", 10, 7)]
        #expect(sets.sorted(by: R.oldestFirst).map(\.name) == ["a", "b", "c"])
        #expect(sets.sorted(by: R.bySize(newerFirst: true)).map(\.name) == ["b", "c", "a"])
        #expect(sets.sorted(by: R.bySize(newerFirst: false)).map(\.name) == ["b", "a", "c"])
        #expect(R.specReplicas(sets) == 17)
        #expect(R.actualReplicas(sets) == 20)
        #expect(R.readyReplicas(sets) == 17)
        #expect(R.availableReplicas(sets) == 17)
    }
}
