import APIMachinery
import Component
import Testing
@testable import Controllers

@Suite("Deployment controller: rollouts")
struct DeploymentRolloutTests {
    typealias F = Fixtures
    typealias R = DeploymentRules

    // MARK: A new Deployment

    @Test("a new Deployment creates one ReplicaSet <name>-<hash>, controlled, labelled and annotated, with all the replicas")
    func createsFirstReplicaSet() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3, annotations: ["team": "blue", "kubectl.kubernetes.io/last-applied-configuration": "{}"]))
        #expect(await h.sync() == nil)

        #expect(h.client.actions("create").map(\.description) == ["create ReplicaSet \(h.expectedNewName)"])
        let rs = try #require(h.sets.first)
        #expect(h.sets.count == 1)
        let hash = R.hash(h.deployment.spec!.template, collisionCount: nil)
        #expect(rs.name == "web-\(hash)")
        #expect(rs.metadata?.labels == ["app": "web", R.hashLabel: hash])
        #expect(rs.spec?.selector.matchLabels == ["app": "web", R.hashLabel: hash])
        #expect(rs.spec?.template?.metadata?.labels == ["app": "web", R.hashLabel: hash])
        #expect(rs.spec?.template?.spec == h.deployment.spec?.template.spec)
        #expect(rs.spec?.replicas == 3)
        #expect(rs.metadata?.ownerReferences == [MetaV1.OwnerReference(
            kind: "Deployment", apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, name: "web", uid: "d-uid")])
        #expect(rs.metadata?.annotations == [
            "team": "blue", R.revisionAnnotation: "1", R.desiredReplicasAnnotation: "3", R.maxReplicasAnnotation: "4",
        ])

        let scaling = h.events.with(reason: "ScalingReplicaSet")
        #expect(scaling.map(\.message) == ["Scaled up replica set \(rs.name) from 0 to 3"])
        #expect(scaling.first?.type == .normal)
        #expect(scaling.first?.object.kind == "Deployment" && scaling.first?.object.name == "web")
        #expect(h.deployment.metadata?.annotations?[R.revisionAnnotation] == "1")
        #expect(h.deployment.metadata?.annotations?["team"] == "blue")
    }

    @Test("a second sync with nothing new writes nothing")
    func idempotent() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3))
        await h.sync()
        h.client.clearActions()
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.sets.count == 1)
    }

    @Test("a create refused as AlreadyExists while the informer has not shown the ReplicaSet is retried, not taken for a hash collision")
    func laggingInformer() async throws {
        let h = DeploymentHarness(F.deployment(replicas: 3))
        h.client.setLagging(AppsV1.ReplicaSet.self)
        await h.sync()
        #expect(h.replicaSets.count == 0)
        let error = await h.sync()
        #expect((error as? StatusError)?.isAlreadyExists == true)
        await h.sync()
        #expect(h.status?.collisionCount == nil)
        #expect(h.client.objects(AppsV1.ReplicaSet.self).count == 1)
    }

    @Test("a hash collision with a different template bumps collisionCount; the next sync creates the ReplicaSet under another name")
    func hashCollision() async throws {
        let d = F.deployment(replicas: 3)
        let taken = "web-" + R.hash(d.spec!.template, collisionCount: nil)
        var squatter = F.replicaSet(of: d, image: "nginx:1.20", replicas: 0, revision: 1)
        squatter.metadata?.name = taken
        let h = DeploymentHarness(d, replicaSets: [squatter])
        let error = await h.sync()
        #expect((error as? StatusError)?.isAlreadyExists == true)
        #expect(h.status?.collisionCount == 1)
        #expect(await h.sync() == nil)
        let new = try #require(h.newRS)
        #expect(new.name == "web-" + R.hash(d.spec!.template, collisionCount: 1))
        #expect(new.name != taken)
        #expect(new.spec?.replicas == 3)
    }

    // MARK: RollingUpdate

    /// replicas 4, an old ReplicaSet of 4 all available, and the template changed to 1.28.
    static func rollingUpdate(_ strategy: AppsV1.DeploymentStrategy? = nil) -> DeploymentHarness {
        let old = F.deployment(replicas: 4, strategy: strategy, annotations: [R.revisionAnnotation: "1"])
        let rs = F.replicaSet(of: old, image: "nginx:1.27", replicas: 4, revision: 1, status: (4, 4))
        var d = old
        d.spec?.template = F.podTemplate(image: "nginx:1.28")
        d.metadata?.generation = 2
        return DeploymentHarness(d, replicaSets: [rs])
    }

    @Test("a template change, 25%/25% of 4: the new ReplicaSet starts at 1 (surge) and the old goes to 3 (one unavailable allowed)")
    func rollingFirstStep() async throws {
        let h = Self.rollingUpdate()
        let oldName = try #require(h.sets.first?.name)
        #expect(await h.sync() == nil)

        let new = try #require(h.newRS)
        #expect(new.name != oldName)
        #expect(h.sets.count == 2)
        #expect(new.spec?.replicas == 1)
        #expect(new.metadata?.annotations?[R.revisionAnnotation] == "2")
        #expect(new.metadata?.annotations?[R.desiredReplicasAnnotation] == "4")
        #expect(new.metadata?.annotations?[R.maxReplicasAnnotation] == "5")
        #expect(h.replicas(oldName) == 3)
        #expect(h.deployment.metadata?.annotations?[R.revisionAnnotation] == "2")
        #expect(h.messages() == [
            "Scaled up replica set \(new.name) from 0 to 1", "Scaled down replica set \(oldName) from 4 to 3",
        ])
    }

    @Test("rolling on: the new ReplicaSet grows within the surge, the old shrinks only as new pods become available")
    func rollingSteps() async throws {
        let h = Self.rollingUpdate()
        let oldName = try #require(h.sets.first?.name)
        await h.sync()
        let newName = try #require(h.newRS?.name)

        // 1 + 3 = 4 < 5: the new one may take one more.
        await h.sync()
        #expect(h.replicas(newName) == 2)
        #expect(h.replicas(oldName) == 3)

        // 5 pods wanted, none of the new available: 3 + 0 = 3 available = the minimum; nothing moves.
        h.client.clearActions()
        h.report(oldName, replicas: 3, available: 3)
        await h.sync()
        #expect(h.replicas(newName) == 2)
        #expect(h.replicas(oldName) == 3)
        #expect(h.client.actions("update", kind: "ReplicaSet").isEmpty)

        // One new pod available: one old pod may go.
        h.report(newName, replicas: 2, available: 1)
        await h.sync()
        #expect(h.replicas(oldName) == 2)
        #expect(h.replicas(newName) == 2)

        // Both new available: the old shrinks by two more... bounded by the minimum of 3 available.
        h.report(oldName, replicas: 2, available: 2)
        h.report(newName, replicas: 2, available: 2)
        await h.sync()
        #expect(h.replicas(newName) == 3)
        await h.sync()
        #expect(h.replicas(oldName) == 1)

        h.report(oldName, replicas: 1, available: 1)
        h.report(newName, replicas: 3, available: 3)
        await h.sync()
        #expect(h.replicas(newName) == 4)
        await h.sync()
        #expect(h.replicas(oldName) == 0)
        #expect(h.messages().last == "Scaled down replica set \(oldName) from 1 to 0")
    }

    @Test("maxUnavailable 0: the old ReplicaSet keeps all 4 until new pods are available")
    func rollingNoUnavailable() async throws {
        let h = Self.rollingUpdate(F.rolling(.int(1), .int(0)))
        let oldName = try #require(h.sets.first?.name)
        await h.sync()
        let newName = try #require(h.newRS?.name)
        #expect(h.replicas(newName) == 1)
        #expect(h.replicas(oldName) == 4)
        await h.sync()
        #expect(h.replicas(newName) == 1)
        #expect(h.replicas(oldName) == 4)

        h.report(newName, replicas: 1, available: 1)
        await h.sync()
        #expect(h.replicas(oldName) == 3)
        #expect(h.replicas(newName) == 1)
        await h.sync()
        #expect(h.replicas(newName) == 2)
    }

    @Test("unhealthy old replicas are scaled down first, within maxScaledDown, costing no availability")
    func unhealthyFirst() async throws {
        let h = Self.rollingUpdate()
        let oldName = try #require(h.sets.first?.name)
        await h.sync()  // new 1, old 3
        let newName = try #require(h.newRS?.name)
        await h.sync()  // new 2
        // Of the 3 old pods only 1 is available, of the 2 new ones 1.
        h.report(oldName, replicas: 3, available: 1)
        h.report(newName, replicas: 2, available: 1)
        await h.sync()
        // maxScaledDown = 5 - 3 - 1 = 1: one unhealthy old pod goes, none of the available.
        #expect(h.replicas(oldName) == 2)
    }

    // MARK: Recreate

    @Test("Recreate: old ReplicaSets go to 0 first; the new one comes only when no old pod remains")
    func recreate() async throws {
        let original = F.deployment(replicas: 3, strategy: F.recreate)
        let oldRS = F.replicaSet(of: original, image: "nginx:1.27", replicas: 3, revision: 1, status: (3, 3))
        var d = original
        d.spec?.template = F.podTemplate(image: "nginx:1.28")
        let oldPod = F.pod("old-pod", owner: oldRS)
        let h = DeploymentHarness(d, replicaSets: [oldRS], pods: [oldPod])

        #expect(await h.sync() == nil)
        #expect(h.replicas(oldRS.name) == 0)
        #expect(h.sets.count == 1)
        #expect(h.messages() == ["Scaled down replica set \(oldRS.name) from 3 to 0"])

        // The ReplicaSet still reports pods: wait.
        await h.sync()
        #expect(h.sets.count == 1)

        // Reported gone, but a pod is still in the informer: wait.
        h.report(oldRS.name, replicas: 0, available: 0)
        await h.sync()
        #expect(h.sets.count == 1)

        // A finished pod does not count.
        var finished = oldPod
        finished.status?.phase = "Succeeded"
        h.client.seed(finished)
        await h.sync()
        let new = try #require(h.newRS)
        #expect(h.sets.count == 2)
        #expect(new.spec?.replicas == 3)
        #expect(new.metadata?.annotations?[R.revisionAnnotation] == "2")
        #expect(new.metadata?.annotations?[R.maxReplicasAnnotation] == "3")
        #expect(h.messages().last == "Scaled up replica set \(new.name) from 0 to 3")
    }

    @Test("a Recreate Deployment's pod deletion requeues it")
    func recreatePodDeletionHandler() async throws {
        // Checked through `owner(of:)`, which the pod handler uses.
        let d = F.deployment(strategy: F.recreate)
        let rs = F.replicaSet(of: d, image: "nginx:1.27", replicas: 0, revision: 1)
        let h = DeploymentHarness(d, replicaSets: [rs])
        #expect(h.controller.owner(of: rs)?.uid == "d-uid")
        var foreign = rs
        foreign.metadata?.ownerReferences = [MetaV1.OwnerReference(
            kind: "Deployment", apiVersion: "apps/v1", controller: true, name: "web", uid: "other-uid")]
        #expect(h.controller.owner(of: foreign) == nil)
    }

    // MARK: Scaling and pause

    @Test("a change of replicas alone scales the one active ReplicaSet and updates its annotations")
    func scalingEvent() async throws {
        let d = F.deployment(replicas: 3)
        let rs = F.replicaSet(of: d, image: "nginx:1.27", replicas: 3, revision: 1, status: (3, 3))
        let h = DeploymentHarness(d, replicaSets: [rs])
        h.edit { $0.spec?.replicas = 5 }
        #expect(await h.sync() == nil)
        #expect(h.sets.count == 1)
        #expect(h.replicas(rs.name) == 5)
        #expect(h.rs(rs.name)?.metadata?.annotations?[R.desiredReplicasAnnotation] == "5")
        #expect(h.rs(rs.name)?.metadata?.annotations?[R.maxReplicasAnnotation] == "7")
        #expect(h.messages() == ["Scaled up replica set \(rs.name) from 3 to 5"])
    }

    @Test("paused: a template change creates no ReplicaSet; resuming rolls it out")
    func pausedTemplateChange() async throws {
        let d = F.deployment(replicas: 3)
        let rs = F.replicaSet(of: d, image: "nginx:1.27", replicas: 3, revision: 1, status: (3, 3))
        let h = DeploymentHarness(d, replicaSets: [rs])
        h.edit {
            $0.spec?.paused = true
            $0.spec?.template = F.podTemplate(image: "nginx:1.28")
        }
        #expect(await h.sync() == nil)
        #expect(h.client.actions("create").isEmpty)
        #expect(h.sets.count == 1)
        let paused = try #require(h.condition("Progressing"))
        #expect(paused.status == "Unknown" && paused.reason == "DeploymentPaused" && paused.message == "Deployment is paused")

        // Scaling still applies while paused.
        h.edit { $0.spec?.replicas = 5 }
        await h.sync()
        #expect(h.replicas(rs.name) == 5)
        #expect(h.sets.count == 1)

        h.edit { $0.spec?.paused = false }
        await h.sync()
        #expect(h.sets.count == 2)
        #expect(h.newRS?.metadata?.annotations?[R.revisionAnnotation] == "2")
    }

    /// A paused Deployment in the middle of a rollout: old (older) and new ReplicaSets of 5
    /// each, annotated for 10 replicas at most.
    static func pausedMidRollout(strategy: AppsV1.DeploymentStrategy?) -> (DeploymentHarness, old: String, new: String) {
        let before = F.deployment(replicas: 10, strategy: strategy, paused: true)
        let old = F.replicaSet(of: before, image: "nginx:1.26", replicas: 5, revision: 1, created: -7200, status: (5, 5), maxReplicas: 10)
        let new = F.replicaSet(of: before, image: "nginx:1.27", replicas: 5, revision: 2, created: -3600, status: (5, 5), maxReplicas: 10)
        let h = DeploymentHarness(before, replicaSets: [old, new])
        return (h, old.name, new.name)
    }

    @Test("paused and scaled from 10 to 20 without surge: 5 + 5 become 10 + 10")
    func proportionalNoSurge() async throws {
        let (h, old, new) = Self.pausedMidRollout(strategy: F.rolling(.int(0), .int(2)))
        h.edit { $0.spec?.replicas = 20 }
        #expect(await h.sync() == nil)
        #expect(h.replicas(old) == 10)
        #expect(h.replicas(new) == 10)
        #expect(h.client.actions("create").isEmpty)
        #expect(h.rs(old)?.metadata?.annotations?[R.maxReplicasAnnotation] == "20")
        #expect(h.rs(new)?.metadata?.annotations?[R.desiredReplicasAnnotation] == "20")
    }

    @Test("paused and scaled from 10 to 20 with a 25% surge: 25 allowed, the newer takes 13 and the older 12")
    func proportionalWithSurge() async throws {
        let (h, old, new) = Self.pausedMidRollout(strategy: nil)
        h.edit { $0.spec?.replicas = 20 }
        await h.sync()
        #expect(h.replicas(new) == 13)
        #expect(h.replicas(old) == 12)
    }

    @Test("scaled down from 10 to 5 without surge: the older ReplicaSet takes the leftover (2 and 3)")
    func proportionalDown() async throws {
        let (h, old, new) = Self.pausedMidRollout(strategy: F.rolling(.int(0), .int(1)))
        h.edit { $0.spec?.replicas = 5 }
        await h.sync()
        #expect(h.replicas(old) == 2)
        #expect(h.replicas(new) == 3)
    }

    @Test("not paused, a scale during a rollout is also proportional (a scaling event, not a rollout step)")
    func proportionalUnpaused() async throws {
        let (h, old, new) = Self.pausedMidRollout(strategy: F.rolling(.int(0), .int(2)))
        h.edit {
            $0.spec?.paused = false
            $0.spec?.replicas = 20
        }
        await h.sync()
        #expect(h.replicas(old) == 10)
        #expect(h.replicas(new) == 10)
    }

    // MARK: History

    /// A complete rollout at revision 4 (3 of 3 available) with old ReplicaSets at revisions 1-3.
    static func history(limit: Int32?, oldReplicas: [Int32] = [0, 0, 0], paused: Bool? = nil) -> (DeploymentHarness, [String]) {
        let d = F.deployment(
            replicas: 3, strategy: F.rolling(.int(0), .int(1)), paused: paused, historyLimit: limit,
            annotations: [R.revisionAnnotation: "4"])
        var olds: [AppsV1.ReplicaSet] = []
        for (index, replicas) in oldReplicas.enumerated() {
            let revision = Int64(index + 1)
            olds.append(F.replicaSet(
                of: d, image: "nginx:1.2\(revision)", replicas: replicas, revision: revision, created: -10_000 + revision * 100,
                status: (replicas, replicas)))
        }
        let new = F.replicaSet(of: d, image: "nginx:1.27", replicas: 3, revision: 4, created: -100, status: (3, 3))
        return (DeploymentHarness(d, replicaSets: olds + [new]), olds.map(\.name))
    }

    @Test("revisionHistoryLimit: the oldest fully scaled-down ReplicaSets beyond the limit are deleted once the rollout is complete")
    func cleanup() async throws {
        let (h, olds) = Self.history(limit: 1)
        #expect(await h.sync() == nil)
        let deleted = h.client.actions("delete", kind: "ReplicaSet").map(\.name)
        #expect(deleted == [olds[0], olds[1]])
        #expect(h.sets.map(\.name).contains(olds[2]))
        #expect(h.sets.count == 2)
    }

    @Test("the default limit of 10 keeps 3 old ReplicaSets")
    func cleanupDefault() async throws {
        let (h, _) = Self.history(limit: nil)
        await h.sync()
        #expect(h.client.actions("delete").isEmpty)
    }

    @Test("a ReplicaSet not yet fully scaled down or observed is never deleted")
    func cleanupSkipsBusy() async throws {
        let (h, olds) = Self.history(limit: 0)
        // Its controller has not observed its last change.
        var unobserved = try #require(h.rs(olds[1]))
        unobserved.metadata?.generation = 2
        h.client.seed(unobserved)
        await h.sync()
        #expect(h.client.actions("delete", kind: "ReplicaSet").map(\.name) == [olds[0], olds[2]])
    }

    @Test(
        "cleanup considers only the oldest (count - limit) ReplicaSets, as upstream: one still scaled up is skipped, not replaced by a newer one")
    func cleanupKeepsNewerHistory() async throws {
        // Paused mid-rollout (cleanup also runs when paused): revision 1 still has 2 replicas.
        let (h, olds) = Self.history(limit: 1, oldReplicas: [2, 0, 0], paused: true)
        await h.sync()
        let deleted = h.client.actions("delete", kind: "ReplicaSet").map(\.name)
        #expect(deleted == [olds[1]])
        #expect(!deleted.contains(olds[0]))
    }

    // MARK: Adoption

    @Test("an orphan ReplicaSet matching the selector is adopted (and becomes the new one when its template matches)")
    func adoptsOrphan() async throws {
        let d = F.deployment(replicas: 3)
        let orphan = F.replicaSet(of: d, image: "nginx:1.27", replicas: 3, revision: 1, status: (3, 3), owned: false)
        let h = DeploymentHarness(d, replicaSets: [orphan])
        #expect(await h.sync() == nil)
        let patches = h.client.actions("patch", kind: "ReplicaSet")
        #expect(patches.map(\.name) == [orphan.name])
        #expect(h.client.actions("create").isEmpty)
        let adopted = try #require(h.rs(orphan.name))
        #expect(adopted.controllerRef?.uid == "d-uid")
        #expect(adopted.controllerRef?.kind == "Deployment")
        #expect(h.deployment.metadata?.annotations?[R.revisionAnnotation] == "1")
    }

    @Test("a ReplicaSet controlled by another owner, or not matching the selector, is left alone")
    func doesNotAdoptOthers() async throws {
        let d = F.deployment(replicas: 3)
        var other = F.replicaSet(of: d, image: "nginx:1.20", replicas: 1, revision: 1, owned: false)
        other.metadata?.ownerReferences = [MetaV1.OwnerReference(
            kind: "Deployment", apiVersion: "apps/v1", controller: true, name: "other", uid: "other-uid")]
        var unrelated = F.replicaSet(of: d, image: "nginx:1.21", replicas: 1, revision: 1, owned: false)
        unrelated.metadata?.labels = ["app": "db"]
        let h = DeploymentHarness(d, replicaSets: [other, unrelated])
        await h.sync()
        #expect(h.client.actions("patch").isEmpty)
        #expect(h.rs(other.name)?.controllerRef?.uid == "other-uid")
        #expect(h.rs(unrelated.name)?.controllerRef == nil)
    }

    @Test("an owned ReplicaSet that stopped matching the selector is released")
    func releases() async throws {
        let d = F.deployment(replicas: 3)
        var stray = F.replicaSet(of: d, image: "nginx:1.20", replicas: 1, revision: 1)
        stray.metadata?.labels = ["app": "other"]
        let h = DeploymentHarness(d, replicaSets: [stray])
        await h.sync()
        #expect(h.client.actions("patch", kind: "ReplicaSet").map(\.name) == [stray.name])
        #expect(h.rs(stray.name)?.metadata?.ownerReferences == nil)
    }

    @Test("a Deployment selecting everything is refused with a SelectingAll warning")
    func selectingAll() async throws {
        let h = DeploymentHarness(F.deployment(selector: [:]))
        #expect(await h.sync() == nil)
        #expect(h.client.actions.isEmpty)
        #expect(h.events.with(reason: "SelectingAll").first?.type == .warning)
    }
}
