import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

/// The StatefulSet controller against the behaviour of upstream's (Kubernetes 1.32): stable pod
/// identity and storage, claim ownership under the retention policy, ControllerRevisions,
/// ordered and parallel scaling, rolling and OnDelete updates, status, adoption. Section
/// numbers (§) refer to the behavioural spec the controller was written from.
@Suite("StatefulSet controller")
struct StatefulSetControllerTests {
    typealias F = Fixtures
    typealias Rules = StatefulSetRules

    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"

    /// The volume of claim template `name` naming claim `claim`.
    static func claimVolume(_ name: String, _ claim: String) -> CoreV1.Volume {
        CoreV1.Volume(name: name, persistentVolumeClaim: CoreV1.PersistentVolumeClaimVolumeSource(claimName: claim, readOnly: false))
    }

    /// A pod that has only a name (for the name parsing rules).
    static func bare(_ name: String) -> CoreV1.Pod {
        CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: name, namespace: Fixtures.namespace))
    }

    // MARK: Identity (§1)

    @Test("a new pod is <set>-<ordinal>: pod-name, pod-index and revision labels, hostname, subdomain, claim volumes, controller ref (§1.2)")
    func newPodIdentity() async throws {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        await h.sync()
        let revision = h.templateRevision
        let pod = try #require(h.storedPod("web-0"))
        #expect(pod.namespace == F.namespace)
        #expect(pod.metadata?.labels == ["app": "web", Self.podNameLabel: "web-0", Self.podIndexLabel: "0", Self.revisionLabel: revision])
        #expect(pod.spec?.hostname == "web-0")
        #expect(pod.spec?.subdomain == "web")
        #expect(pod.spec?.volumes == [Self.claimVolume("www", "www-web-0")])
        #expect(pod.metadata?.ownerReferences == [F.statefulSetRef()])
        #expect(pod.spec?.containers.map(\.image) == ["nginx:1.27"])

        // Built directly for ordinal 1: a template volume named like a claim template is
        // replaced by the claim's, other template volumes are kept.
        var set = F.statefulSet()
        set.spec?.template.spec?.volumes = [
            CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "www"),
            CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "scratch"),
        ]
        let direct = Rules.newPod(set, template: set.spec?.template, revision: "web-abc", ordinal: 1)
        #expect(direct.name == "web-1")
        #expect(direct.namespace == F.namespace)
        #expect(direct.metadata?.labels == ["app": "web", Self.podNameLabel: "web-1", Self.podIndexLabel: "1", Self.revisionLabel: "web-abc"])
        #expect(direct.spec?.hostname == "web-1")
        #expect(direct.spec?.subdomain == "web")
        #expect(direct.spec?.volumes == [
            Self.claimVolume("www", "www-web-1"), CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "scratch"),
        ])
        #expect(direct.metadata?.ownerReferences == [F.statefulSetRef()])
    }

    static let nameCases: [(String, String, Int)] = [
        ("web-1", "web", 1), ("1-bar", "", -1), ("web-1-2", "web-1", 2), ("web-01", "web", 1), ("web", "", -1),
    ]

    @Test("pod names parse greedily as <parent>-<ordinal>; otherwise no parent and ordinal -1 (§1.1)", arguments: StatefulSetControllerTests.nameCases)
    func parsesPodNames(name: String, parent: String, ordinal: Int) {
        let identity = Rules.identity(of: name)
        #expect((identity?.parent ?? "") == parent)
        #expect((identity?.ordinal ?? -1) == ordinal)
        #expect(Rules.ordinal(Self.bare(name)) == ordinal)
    }

    @Test("only pods whose parsed parent is the set's name are members; web-01 is one, but its identity does not match (§1.1)")
    func membership() {
        let web = F.statefulSet(), web2 = F.statefulSet(name: "web2")
        #expect(Rules.isMember(Self.bare("web-1"), of: web))
        #expect(!Rules.isMember(Self.bare("web-1"), of: web2))
        #expect(!Rules.isMember(Self.bare("web-1-2"), of: web))
        #expect(!Rules.isMember(Self.bare("db-1"), of: web))
        #expect(Rules.isMember(Self.bare("web-01"), of: web))
        var padded = Rules.newPod(web, template: web.spec?.template, revision: "r", ordinal: 1)
        padded.metadata?.name = "web-01"
        padded.metadata?.labels?[Self.podNameLabel] = "web-01"
        #expect(!Rules.identityMatches(web, padded))
    }

    @Test(
        "identity fails for another name, another namespace or a missing pod-name label; the repair restores it (§1.3)",
        arguments: ["name", "namespace", "label"])
    func identityMismatch(change: String) {
        let set = F.statefulSet()
        var pod = Rules.newPod(set, template: set.spec?.template, revision: "r", ordinal: 1)
        #expect(Rules.identityMatches(set, pod))
        switch change {
        case "name": pod.metadata?.name = "db-1"
        case "namespace": pod.metadata?.namespace = "other"
        default: pod.metadata?.labels?[Self.podNameLabel] = nil
        }
        #expect(!Rules.identityMatches(set, pod))
        let fixed = Rules.repaired(set, pod)
        #expect(Rules.identityMatches(set, fixed))
        #expect(fixed.name == "web-1")
        #expect(fixed.namespace == F.namespace)
        #expect(fixed.metadata?.labels?[Self.podNameLabel] == "web-1")
        #expect(fixed.metadata?.labels?[Self.podIndexLabel] == "1")
    }

    @Test(
        "storage fails without volumes, without a claim source, with another claim, or without an ordinal; the repair fixes the first three (§1.3)",
        arguments: ["no volumes", "no claim source", "other claim", "no ordinal"])
    func storageMismatch(change: String) {
        let set = F.statefulSet()
        var pod = Rules.newPod(set, template: set.spec?.template, revision: "r", ordinal: 1)
        #expect(Rules.storageMatches(set, pod))
        switch change {
        case "no volumes": pod.spec?.volumes = nil
        case "no claim source": pod.spec?.volumes = [CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "www")]
        case "other claim": pod.spec?.volumes = [Self.claimVolume("www", "foo")]
        default: pod.metadata?.name = "foo"
        }
        #expect(!Rules.storageMatches(set, pod))
        guard change != "no ordinal" else { return }
        let fixed = Rules.repaired(set, pod)
        #expect(Rules.storageMatches(set, fixed))
        #expect(fixed.spec?.volumes == [Self.claimVolume("www", "www-web-1")])
    }

    @Test("hostname and subdomain are set at creation only: a pod with others is left alone (§1.2)")
    func hostnameNotRepaired() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        var pod = h.makePod(0)
        pod.spec?.hostname = "elsewhere"
        pod.spec?.subdomain = "other"
        h.seed(pod)
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.podWrites.isEmpty)
        #expect(h.storedPod("web-0")?.spec?.hostname == "elsewhere")
    }

    static let claimLabelCases: [([String: String], [String: String])] = [
        (["test": "test"], ["test": "test", "app": "foo"]),
        (["app": "bar", "test": "test"], ["app": "foo", "test": "test"]),
    ]

    @Test(
        "a claim is <template>-<set>-<ordinal>, labelled with the template's labels and the selector's (the selector wins), no owners (§1.4)",
        arguments: StatefulSetControllerTests.claimLabelCases)
    func claimFromTemplate(templateLabels: [String: String], expected: [String: String]) throws {
        var set = F.statefulSet()
        set.spec?.selector = MetaV1.LabelSelector(matchLabels: ["app": "foo"])
        set.spec?.volumeClaimTemplates = [F.statefulClaimTemplate("www", labels: templateLabels)]
        let claims = Rules.claims(set, ordinal: 0)
        #expect(claims.map(\.name) == ["www-web-0"])
        let claim = try #require(claims.first)
        #expect(claim.namespace == F.namespace)
        #expect(claim.metadata?.labels == expected)
        #expect(claim.metadata?.ownerReferences == nil)
        #expect(claim.spec?.accessModes == ["ReadWriteOnce"])
    }

    // MARK: Claim owners under the retention policy (§1.5)

    static let retentionPolicies: [(String, String)] = [("Retain", "Retain"), ("Retain", "Delete"), ("Delete", "Retain"), ("Delete", "Delete")]

    /// The spec's table: which of (set, pod) should own a claim, by `whenScaled/whenDeleted/<pod>`.
    static let wantedOwners: [String: (set: Bool, pod: Bool)] = [
        "Retain/Retain/remaining": (false, false), "Retain/Retain/condemned": (false, false),
        "Retain/Delete/remaining": (true, false), "Retain/Delete/condemned": (true, false),
        "Delete/Retain/remaining": (false, false), "Delete/Retain/condemned": (false, true),
        "Delete/Delete/remaining": (true, false), "Delete/Delete/condemned": (false, true),
    ]

    @Test(
        "claim owners: exactly the refs the policy table wants are up to date, and the update yields them; extra plain refs change nothing (§1.5)",
        arguments: StatefulSetControllerTests.retentionPolicies)
    func claimOwnerMatrix(whenScaled: String, whenDeleted: String) throws {
        let set = F.statefulSet(retention: (whenScaled, whenDeleted))
        var pod = Rules.newPod(set, template: set.spec?.template, revision: "r", ordinal: 1)
        pod.metadata?.uid = "pod-uid"
        let setRef = F.statefulSetRef(), podRef = F.statefulPodRef("web-1", uid: "pod-uid")
        let extraRef = MetaV1.OwnerReference(kind: "ConfigMap", apiVersion: "v1", name: "settings", uid: "cm-uid")
        for condemned in [false, true] {
            let row = "\(whenScaled)/\(whenDeleted)/\(condemned ? "condemned" : "remaining")"
            let wanted = try #require(Self.wantedOwners[row])
            for hasSet in [false, true] {
                for hasPod in [false, true] {
                    for extra in [false, true] {
                        var refs: [MetaV1.OwnerReference] = []
                        if extra { refs.append(extraRef) }
                        if hasSet { refs.append(setRef) }
                        if hasPod { refs.append(podRef) }
                        let claim = F.statefulClaim("www-web-1", owners: refs.isEmpty ? nil : refs)
                        let upToDate = hasSet == wanted.set && hasPod == wanted.pod
                        #expect(
                            Rules.claimOwnersUpToDate(claim, set, pod, condemned: condemned) == upToDate,
                            "\(row) set=\(hasSet) pod=\(hasPod) extra=\(extra)")
                        var owners = extra ? [extraRef] : []
                        if wanted.set { owners.append(setRef) }
                        if wanted.pod { owners.append(podRef) }
                        #expect(Rules.claimOwners(claim, set, pod, condemned: condemned) == owners, "\(row) set=\(hasSet) pod=\(hasPod) extra=\(extra)")
                    }
                }
            }
        }
    }

    @Test("a claim referring to an earlier set or pod of the same name (another uid) is up to date, and never written (§1.5)")
    func staleReferenceLeftAlone() async {
        let set = F.statefulSet(replicas: 1, retention: ("Delete", "Delete"))
        let stale = F.statefulSetRef(uid: "old-uid")
        let h = StatefulSetHarness(set, claims: [F.statefulClaim("www-web-0", owners: [stale])])
        h.seedHealthy(0..<1)
        let pod = h.makePod(0)
        for condemned in [false, true] {
            #expect(Rules.claimOwnersUpToDate(F.statefulClaim("www-web-0", owners: [stale]), set, pod, condemned: condemned))
            let stalePod = F.statefulPodRef("web-0", uid: "old-pod-uid")
            #expect(Rules.claimOwnersUpToDate(F.statefulClaim("www-web-0", owners: [stalePod]), set, pod, condemned: condemned))
        }
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.client.actions.filter { $0.kind == "PersistentVolumeClaim" }.isEmpty)
        #expect(h.storedClaim("www-web-0")?.metadata?.ownerReferences == [stale])
        #expect(h.events.all.isEmpty)
    }

    @Test("a claim another controller controls loses only our reference, with a ConflictingController warning; then it is left alone (§1.5)")
    func conflictingController() async {
        let set = F.statefulSet(replicas: 1, retention: ("Delete", "Delete"))
        let foreign = MetaV1.OwnerReference(
            kind: "StatefulSet", apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, name: "other", uid: "other-uid")
        let h = StatefulSetHarness(set, claims: [F.statefulClaim("www-web-0", owners: [foreign, F.statefulSetRef()])])
        h.seedHealthy(0..<1)
        let pod = h.makePod(0)
        let claim = F.statefulClaim("www-web-0", owners: [foreign, F.statefulSetRef()])
        #expect(!Rules.claimOwnersUpToDate(claim, set, pod, condemned: false))
        #expect(Rules.claimOwners(claim, set, pod, condemned: false) == [foreign])

        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("update", "PersistentVolumeClaim") == ["www-web-0"])
        #expect(h.storedClaim("www-web-0")?.metadata?.ownerReferences == [foreign])
        #expect(h.events.with(reason: "ConflictingController").map { "\($0.type.rawValue) \($0.message)" } == [
            "Warning PersistentVolumeClaim www-web-0 has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim",
        ])

        h.client.clearActions()
        await h.sync()
        #expect(h.client.actions.filter { $0.kind == "PersistentVolumeClaim" }.isEmpty)
        #expect(h.events.with(reason: "ConflictingController").count == 1)
    }

    @Test("our set's reference without controller=true is not up to date; the update makes it a controller reference (§1.5)")
    func plainReferenceUpgraded() async {
        let set = F.statefulSet(replicas: 1, retention: ("Retain", "Delete"))
        let plain = F.statefulSetRef(controller: false)
        let h = StatefulSetHarness(set, claims: [F.statefulClaim("www-web-0", owners: [plain])])
        h.seedHealthy(0..<1)
        #expect(!Rules.claimOwnersUpToDate(F.statefulClaim("www-web-0", owners: [plain]), set, h.makePod(0), condemned: false))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("update", "PersistentVolumeClaim") == ["www-web-0"])
        #expect(h.storedClaim("www-web-0")?.metadata?.ownerReferences == [F.statefulSetRef()])
    }

    @Test("fixing a replica's claim owners marks the pod dirty: it is PUT, with SuccessfulUpdate (§1.3)")
    func claimFixUpdatesPod() async {
        let set = F.statefulSet(replicas: 1, retention: ("Retain", "Delete"))
        let h = StatefulSetHarness(set, claims: [F.statefulClaim("www-web-0", owners: [F.statefulSetRef(controller: false)])])
        h.seedHealthy(0..<1)
        await h.sync()
        // spec §1.3: upstream's UpdateStatefulPod sets consistent=false after fixing the claims
        // (UpdatePodClaimForRetentionPolicy), so the pod itself is PUT and an update event follows.
        #expect(h.names("update", "Pod") == ["web-0"])
        #expect(h.events.with(reason: "SuccessfulUpdate").map(\.message) == ["update Pod web-0 in StatefulSet web successful"])
    }

    // MARK: Revisions (§3)

    @Test("the first sync records the template as ControllerRevision web-<hash>, revision 1; both status revisions name it (§3.2)")
    func firstRevision() async throws {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1, annotations: ["kubernetes.io/change-cause": "kubectl apply"]))
        await h.sync()
        let name = h.templateRevision
        #expect(h.names("create", "ControllerRevision") == [name])
        let revision = try #require(h.storedRevision(name))
        let hash = String(name.dropFirst("web-".count))
        #expect(!hash.isEmpty)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        #expect(revision.revision == 1)
        #expect(revision.metadata?.labels == ["app": "web", "controller.kubernetes.io/hash": hash])
        #expect(revision.metadata?.annotations == ["kubernetes.io/change-cause": "kubectl apply"])
        #expect(revision.metadata?.ownerReferences == [F.statefulSetRef()])
        let template = try #require(revision.data?["spec"]?["template"])
        #expect(template["$patch"]?.stringValue == "replace")
        #expect(template["spec"]?["containers"]?[0]?["image"]?.stringValue == "nginx:1.27")
        #expect(revision.data?["spec"]?["replicas"] == nil)
        #expect(h.status?.currentRevision == name)
        #expect(h.status?.updateRevision == name)
        #expect(h.status?.collisionCount == 0)
        #expect(h.storedPod("web-0")?.metadata?.labels?[Self.revisionLabel] == name)
    }

    @Test("a new template becomes revision 2 and the update revision, the current one stays; syncing again adds none (§3.2)")
    func templateChangeAddsRevision() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        await h.sync()
        let first = h.templateRevision
        h.setImage("nginx:1.28")
        let second = h.templateRevision
        #expect(second != first)
        await h.sync()
        #expect(h.names("create", "ControllerRevision") == [first, second])
        #expect(h.storedRevision(first)?.revision == 1)
        #expect(h.storedRevision(second)?.revision == 2)
        #expect(h.status?.currentRevision == first)
        #expect(h.status?.updateRevision == second)
        #expect(h.status?.observedGeneration == 2)

        h.client.clearActions()
        await h.sync()
        #expect(h.names("create", "ControllerRevision").isEmpty)
        #expect(h.revisionNames == [first, second].sorted())
        #expect(h.status?.updateRevision == second)
    }

    @Test("changing only replicas makes no revision; the update revision stays (§3.2)")
    func replicasChangeKeepsRevision() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        await h.sync()
        let revision = h.templateRevision
        h.scale(to: 2)
        h.client.clearActions()
        await h.sync()
        #expect(h.names("create", "ControllerRevision").isEmpty)
        #expect(h.names("update", "ControllerRevision").isEmpty)
        #expect(h.revisionNames == [revision])
        #expect(h.status?.updateRevision == revision)
        #expect(h.status?.observedGeneration == 2)
    }

    @Test("a template equal to an older revision renumbers it max+1 and makes it the update revision; nothing is created (§3.2)")
    func olderRevisionRenumbered() async throws {
        var set = F.statefulSet(replicas: 1)
        set.status = AppsV1.StatefulSetStatus(currentRevision: "web-r1", observedGeneration: 1, updateRevision: "web-r3")
        let h = StatefulSetHarness(set)
        try h.seed(
            h.makeRevision("web-r1", image: "nginx:1.25", number: 1), h.makeRevision("web-r2", number: 2),
            h.makeRevision("web-r3", image: "nginx:1.26", number: 3))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("create", "ControllerRevision").isEmpty)
        #expect(h.names("update", "ControllerRevision") == ["web-r2"])
        #expect(h.storedRevision("web-r1")?.revision == 1)
        #expect(h.storedRevision("web-r2")?.revision == 4)
        #expect(h.storedRevision("web-r3")?.revision == 3)
        #expect(h.revisionNames == ["web-r1", "web-r2", "web-r3"])
        #expect(h.status?.currentRevision == "web-r1")
        #expect(h.status?.updateRevision == "web-r2")
        #expect(h.storedPod("web-0")?.metadata?.labels?[Self.revisionLabel] == "web-r2")
    }

    @Test("rollout undo: the first template back renumbers its revision 3, and every pod rolls back to it (§3.6)")
    func undoRollsBack() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2))
        h.seedHealthy(0..<2)
        await h.sync()
        let a = h.templateRevision
        h.setImage("nginx:1.28")
        let b = h.templateRevision
        await h.converge()
        #expect(h.podRevisions == [b, b])
        #expect(h.status?.currentRevision == b)

        h.setImage("nginx:1.27")
        #expect(h.templateRevision == a)
        h.client.clearActions()
        await h.sync()
        #expect(h.names("create", "ControllerRevision").isEmpty)
        #expect(h.names("update", "ControllerRevision") == [a])
        #expect(h.storedRevision(a)?.revision == 3)
        #expect(h.status?.updateRevision == a)
        #expect(h.status?.currentRevision == b)

        await h.converge()
        #expect(h.podRevisions == [a, a])
        #expect(h.allPods.map { $0.spec?.containers.first?.image } == ["nginx:1.27", "nginx:1.27"])
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.currentReplicas == 2)
        #expect(h.revisionNames == [a, b].sorted())
    }

    @Test("a revision name another template holds bumps collisionCount; the revision takes the new hash's name (§3.2)")
    func hashCollision() async throws {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        let taken = h.templateRevision
        try h.seed(h.makeRevision(taken, image: "nginx:1.25", number: 1))
        let error = await h.sync()
        #expect(error == nil)
        let data = try ControllerHistory.data(h.set?.spec?.template)
        let renamed = "web-\(ControllerHistory.hash(data, collisionCount: 1))"
        #expect(renamed != taken)
        #expect(h.names("create", "ControllerRevision") == [taken, renamed])
        #expect(h.storedRevision(renamed)?.revision == 2)
        #expect(h.storedRevision(taken)?.data?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.stringValue == "nginx:1.25")
        #expect(h.status?.collisionCount == 1)
        #expect(h.status?.updateRevision == renamed)
        #expect(h.storedPod("web-0")?.metadata?.labels?[Self.revisionLabel] == renamed)
    }

    static let trimCases: [([String], [String], [String])] = [
        (["web-r6"], ["web-r1", "web-r2", "web-r3"], ["web-r4", "web-r5", "web-r6"]),
        (["web-r6", "web-r1"], ["web-r2", "web-r3"], ["web-r1", "web-r4", "web-r5", "web-r6"]),
    ]

    @Test(
        "history: beyond revisionHistoryLimit the oldest revisions are deleted, but not the current, update or any pod's (§3.4)",
        arguments: StatefulSetControllerTests.trimCases)
    func trimsHistory(podRevisions: [String], deleted: [String], kept: [String]) async throws {
        var set = F.statefulSet(replicas: Int32(podRevisions.count), revisionHistoryLimit: 2)
        set.status = AppsV1.StatefulSetStatus(currentRevision: "web-r6", observedGeneration: 1, updateRevision: "web-r6")
        let h = StatefulSetHarness(set)
        for number in 1...5 {
            try h.seed(h.makeRevision("web-r\(number)", image: "nginx:1.\(number)", number: Int64(number)))
        }
        try h.seed(h.makeRevision("web-r6", number: 6))
        for (ordinal, revision) in podRevisions.enumerated() {
            h.seed(h.makePod(ordinal, revision: revision))
        }
        await h.sync()
        #expect(h.names("create", "ControllerRevision").isEmpty)
        #expect(h.names("delete", "ControllerRevision") == deleted)
        #expect(h.revisionNames == kept)
    }

    @Test("a status.currentRevision naming a deleted revision falls back to the update revision (§3.2)")
    func missingCurrentRevision() async {
        var set = F.statefulSet(replicas: 1)
        set.status = AppsV1.StatefulSetStatus(
            currentReplicas: 1, currentRevision: "web-gone", observedGeneration: 1, replicas: 1, updateRevision: "web-gone")
        let h = StatefulSetHarness(set)
        h.seed(h.makePod(0, phase: "Pending", ready: false))
        await h.sync()
        #expect(h.status?.currentRevision == h.templateRevision)
        #expect(h.status?.updateRevision == h.templateRevision)
        #expect(h.status?.currentReplicas == 1)
        #expect(h.status?.updatedReplicas == 1)
    }

    @Test("an orphan revision matching the selector is adopted; one controlled by another uid is ignored (§6.2)")
    func adoptsOrphanRevisions() async throws {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        let orphan = try h.makeRevision("web-old", image: "nginx:1.25", number: 1, owned: false)
        var foreign = try h.makeRevision("web-foreign", image: "nginx:1.26", number: 7, owned: false)
        foreign.metadata?.ownerReferences = [F.statefulSetRef(uid: "other-uid")]
        h.seed(orphan, foreign)
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("patch", "ControllerRevision") == ["web-old"])
        #expect(h.storedRevision("web-old")?.controllerRef?.uid == "set-uid")
        #expect(h.storedRevision("web-foreign")?.metadata?.ownerReferences == [F.statefulSetRef(uid: "other-uid")])
        // The foreign revision is not part of the history: the new one comes right after web-old.
        #expect(h.storedRevision(h.templateRevision)?.revision == 2)
        #expect(h.names("delete", "ControllerRevision").isEmpty)
    }

    @Test("an owned revision whose labels stopped matching the selector is never released (§6.2)")
    func ownedRevisionNeverReleased() async throws {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        try h.seed(h.makeRevision("web-stray", image: "nginx:1.25", number: 1, labels: ["app": "other"]))
        await h.sync()
        // spec §6.2: revisions are only ever adopted ("Once adopted, revisions are never released");
        // upstream lists them by selector and has no release step for them.
        #expect(h.names("patch", "ControllerRevision").isEmpty)
        #expect(h.storedRevision("web-stray")?.controllerRef?.uid == "set-uid")
    }

    // MARK: Scaling and lifecycle (§2)

    @Test("OrderedReady from nothing: the first pass creates claim www-web-0 and pod web-0 only, with their events (§2.3)")
    func orderedReadyFirstPass() async {
        let h = StatefulSetHarness(F.statefulSet())
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.client.actions.map(\.description) == [
            "create ControllerRevision \(h.templateRevision)", "create PersistentVolumeClaim www-web-0", "create Pod web-0",
            "updateStatus StatefulSet web",
        ])
        #expect(h.eventLog == [
            "Normal SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success",
            "Normal SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
        ])
        // A pod created this pass is not counted yet.
        #expect(h.status?.replicas == 0)
        #expect(h.status?.observedGeneration == 1)
    }

    @Test("OrderedReady: web-1 waits while web-0 is Pending or Running but not Ready, and is created once web-0 is Ready (§2.4)")
    func orderedReadyWaitsForReady() async {
        let h = StatefulSetHarness(F.statefulSet())
        await h.sync()
        #expect(h.createdPods == ["web-0"])
        await h.sync()
        #expect(h.createdPods == ["web-0"])
        #expect(h.status?.replicas == 1)

        h.setPhase("web-0", "Running", ready: false)
        await h.sync()
        #expect(h.createdPods == ["web-0"])
        #expect((h.status?.readyReplicas ?? 0) == 0)

        h.markRunningReady(["web-0"])
        await h.sync()
        #expect(h.createdPods == ["web-0", "web-1"])
        #expect(h.status?.readyReplicas == 1)
    }

    static let minReadyCases: [(Int64, Bool)] = [(-1800, false), (-7200, true), (-3600, false)]

    @Test(
        "minReadySeconds: a pod Ready for less than minReadySeconds is not available and holds back the next ordinal (§2.3)",
        arguments: StatefulSetControllerTests.minReadyCases)
    func minReadySeconds(readySince: Int64, available: Bool) async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2, minReadySeconds: 3600))
        h.seed(h.makePod(0, readySince: readySince))
        await h.sync()
        // The last row is the boundary, Ready exactly minReadySeconds ago: spec "Available(minReady)"
        // wants lastTransitionTime + minReadySeconds strictly before now (upstream's IsPodAvailable).
        #expect(h.status?.readyReplicas == 1)
        #expect(h.status?.availableReplicas == Int32(available ? 1 : 0))
        #expect(h.createdPods == (available ? ["web-1"] : []))
    }

    @Test("Parallel: one pass creates every missing pod (batches of 1 then 2) without waiting for readiness (§2.4)")
    func parallelCreatesAll() async {
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: "Parallel"))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.createdPods.first == "web-0")
        #expect(h.createdPods.sorted() == ["web-0", "web-1", "web-2"])
        #expect(h.createdClaims.sorted() == ["www-web-0", "www-web-1", "www-web-2"])
        #expect(h.events.with(reason: "SuccessfulCreate").count == 6)
        await h.sync()
        #expect(h.createdPods.count == 3)
        #expect(h.status?.replicas == 3)
    }

    static let ordinalStartCases: [(String, [String], [String])] = [
        ("OrderedReady", ["web-2"], []), ("Parallel", ["web-2", "web-3", "web-4"], ["web-0"]),
    ]

    @Test(
        "ordinals.start 2 with 3 replicas: pods web-2..web-4 with their claims; a pod below the range is condemned (§1.1)",
        arguments: StatefulSetControllerTests.ordinalStartCases)
    func ordinalsStart(policy: String, firstCreates: [String], firstDeletes: [String]) async {
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: policy, ordinalsStart: 2))
        h.seedHealthy(0..<1)
        await h.sync()
        #expect(h.createdPods.sorted() == firstCreates)
        #expect(h.deletedPods == firstDeletes)
        #expect(h.storedPod("web-2")?.metadata?.labels?[Self.podIndexLabel] == "2")
        #expect(h.storedPod("web-2")?.spec?.volumes == [Self.claimVolume("www", "www-web-2")])
        #expect(h.createdClaims.first == "www-web-2")

        await h.converge()
        #expect(h.podNames == ["web-2", "web-3", "web-4"])
        #expect(h.deletedPods == ["web-0"])
        #expect(h.status?.replicas == 3)
        #expect(h.status?.readyReplicas == 3)
    }

    @Test("OrderedReady scale 3→1: web-2 first, nothing while it terminates, then web-1 (§2.4)")
    func orderedScaleDown() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        h.seedHealthy(0..<3)
        await h.sync()
        #expect(h.deletedPods == ["web-2"])
        #expect(h.eventLog == ["Normal SuccessfulDelete: delete Pod web-2 in StatefulSet web successful"])

        h.seed(h.makePod(2, deleting: true))  // still terminating
        await h.sync()
        #expect(h.deletedPods == ["web-2"])

        h.removePod("web-2")
        await h.sync()
        #expect(h.deletedPods == ["web-2", "web-1"])
    }

    @Test("Parallel scale 5→1: every condemned pod is deleted in one pass; a terminating one is skipped, not waited on (§2.4)")
    func parallelScaleDown() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1, podManagementPolicy: "Parallel"))
        h.seedHealthy(0..<5)
        h.seed(h.makePod(3, deleting: true))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.deletedPods.sorted() == ["web-1", "web-2", "web-4"])
    }

    @Test("OrderedReady scale-down waits while a remaining replica is not Ready (§2.3 step 7)")
    func scaleDownWaitsForReplicas() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        h.seedHealthy(1..<3)
        h.seed(h.makePod(0, ready: false))
        await h.sync()
        #expect(h.podWrites.isEmpty)
        h.markRunningReady(["web-0"])
        await h.sync()
        #expect(h.deletedPods == ["web-2"])
    }

    @Test(
        "a Failed or Succeeded replica is deleted (SuccessfulDelete only) and recreated next pass; OrderedReady does nothing else meanwhile (§2.3)",
        arguments: ["Failed", "Succeeded"], ["OrderedReady", "Parallel"])
    func finishedPodReplaced(phase: String, policy: String) async {
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: policy))
        h.seed(h.makePod(0, phase: phase, ready: false))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.deletedPods == ["web-0"])
        #expect(h.events.with(reason: "SuccessfulDelete").map(\.message) == ["delete Pod web-0 in StatefulSet web successful"])
        #expect(h.events.all.allSatisfy { !$0.reason.hasPrefix("Recreating") })
        #expect(h.createdPods.sorted() == (policy == "Parallel" ? ["web-1", "web-2"] : []))

        await h.sync()
        #expect(h.createdPods.sorted() == (policy == "Parallel" ? ["web-0", "web-1", "web-2"] : ["web-0"]))
        #expect(h.deletedPods == ["web-0"])
        #expect(h.storedPod("web-0")?.status?.phase == "Pending")
    }

    @Test("a Failed pod already terminating is not deleted again; the pass waits (§2.3)")
    func terminatingFailedPod() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2))
        h.seed(h.makePod(0, phase: "Failed", ready: false, deleting: true))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.podWrites.isEmpty)
    }

    @Test("a failing delete of a Failed pod: one attempt, FailedDelete, the error returned, the status still written (§2.2)")
    func failedDeleteOfFinishedPod() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        h.seed(h.makePod(0, phase: "Failed", ready: false))
        h.client.failDeletes(with: StatusError.internalError("etcd unavailable"))
        let error = await h.sync()
        #expect((error as? StatusError)?.description == "Internal error occurred: etcd unavailable")
        #expect(h.deletedPods == ["web-0"])
        #expect(h.names("updateStatus", "StatefulSet") == ["web"])
        #expect(h.status?.replicas == 1)
        #expect(h.eventLog == ["Warning FailedDelete: delete Pod web-0 in StatefulSet web failed error: Internal error occurred: etcd unavailable"])
    }

    @Test("a Pending pod whose claim went away gets it recreated (§2.3 step 7c)")
    func pendingPodClaimRecreated() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        await h.sync()
        #expect(h.storedPod("web-0")?.status?.phase == "Pending")
        h.removeClaim("www-web-0")
        h.client.clearActions()
        await h.sync()
        #expect(h.createdClaims == ["www-web-0"])
        #expect(h.createdPods.isEmpty)
        #expect(h.storedClaim("www-web-0") != nil)
    }

    @Test("a claim being deleted blocks its pod: no create, FailedCreate naming the claim (§1.4)")
    func terminatingClaimBlocksPod() async {
        let h = StatefulSetHarness(F.statefulSet(), claims: [F.statefulClaim("www-web-0", deleting: true)])
        let error = await h.sync()
        #expect(error != nil)
        #expect(h.createdPods.isEmpty)
        #expect(h.createdClaims.isEmpty)
        #expect(h.eventLog == ["Warning FailedCreate: create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted"])
        #expect(h.names("updateStatus", "StatefulSet") == ["web"])
    }

    @Test("whenScaled=Delete: a claim still owned by an earlier pod of the name holds the pod back, without error or event (§1.5)")
    func staleClaimHoldsCreate() async {
        let set = F.statefulSet(retention: ("Delete", "Retain"))
        let h = StatefulSetHarness(set, claims: [F.statefulClaim("www-web-2", owners: [F.statefulPodRef("web-2", uid: "old-uid")])])
        h.seedHealthy(0..<2)
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.createdPods.isEmpty)
        #expect(h.createdClaims.isEmpty)
        #expect(h.events.all.isEmpty)

        // Once the garbage collector has deleted the claim, web-2 comes.
        h.removeClaim("www-web-2")
        await h.sync()
        #expect(h.createdPods == ["web-2"])
        #expect(h.createdClaims == ["www-web-2"])
    }

    @Test("a pod create answered AlreadyExists returns the error without an event (§2.5)")
    func createAlreadyExists() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1), claims: [F.statefulClaim("www-web-0")])
        // The apiserver has web-0; the informer has not seen it yet.
        h.client.seed(h.makePod(0, phase: "Pending", ready: false), mirror: false)
        let error = await h.sync()
        #expect((error as? StatusError)?.isAlreadyExists == true)
        #expect(h.createdPods == ["web-0"])
        #expect(h.events.all.isEmpty)
    }

    @Test("a pod missing its pod-name and pod-index labels is PUT with them, with SuccessfulUpdate (§1.3)")
    func repairsIdentityLabels() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 1))
        var pod = h.makePod(0)
        pod.metadata?.labels?[Self.podNameLabel] = nil
        pod.metadata?.labels?[Self.podIndexLabel] = nil
        h.seed(pod)
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("update", "Pod") == ["web-0"])
        #expect(h.storedPod("web-0")?.metadata?.labels?[Self.podNameLabel] == "web-0")
        #expect(h.storedPod("web-0")?.metadata?.labels?[Self.podIndexLabel] == "0")
        #expect(h.eventLog == ["Normal SuccessfulUpdate: update Pod web-0 in StatefulSet web successful"])

        h.client.clearActions()
        await h.sync()
        #expect(h.podWrites.isEmpty)
    }

    @Test("a set being deleted: no pod or claim writes (no delete, create or adoption), status still written (§2.3 step 5)")
    func deletingSetWritesNoPods() async {
        let h = StatefulSetHarness(F.statefulSet(deleting: true))
        h.seed(h.makePod(0, phase: "Failed", ready: false))
        h.seed(h.makePod(1, owned: false))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.client.actions.filter { $0.kind == "Pod" || $0.kind == "PersistentVolumeClaim" }.isEmpty)
        #expect(h.names("updateStatus", "StatefulSet") == ["web"])
        #expect(h.status?.replicas == 1)
        #expect(h.status?.observedGeneration == 1)
    }

    @Test("retention Delete/Delete: new claims get the set as controller; a condemned pod's claim is handed to the pod before the pod is deleted (§1.5)")
    func retentionDeleteDeleteHandOver() async throws {
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: "Parallel", retention: ("Delete", "Delete")))
        await h.sync()
        #expect(h.createdClaims.sorted() == ["www-web-0", "www-web-1", "www-web-2"])
        for claim in ["www-web-0", "www-web-1", "www-web-2"] {
            #expect(h.storedClaim(claim)?.metadata?.ownerReferences == [F.statefulSetRef()], "\(claim)")
        }
        h.markAllRunningReady()
        await h.sync()

        h.scale(to: 2)
        let web2 = try #require(h.storedPod("web-2"))
        h.client.clearActions()
        await h.sync()
        #expect(h.deletedPods == ["web-2"])
        #expect(h.storedClaim("www-web-2")?.metadata?.ownerReferences == [F.statefulPodRef("web-2", uid: web2.uid)])
        let actions = h.client.actions.map(\.description)
        let handOver = try #require(actions.firstIndex(of: "update PersistentVolumeClaim www-web-2"))
        let deletion = try #require(actions.firstIndex(of: "delete Pod web-2"))
        #expect(handOver < deletion)
        #expect(h.storedClaim("www-web-0")?.metadata?.ownerReferences == [F.statefulSetRef()])
        #expect(h.storedClaim("www-web-1")?.metadata?.ownerReferences == [F.statefulSetRef()])
        // The garbage collector deletes the claim, not the controller.
        #expect(h.names("delete", "PersistentVolumeClaim").isEmpty)
    }

    static let retentionCases: [(String, Bool, String)] = [
        ("", false, "none"), ("Retain/Retain", false, "none"), ("Retain/Delete", true, "set"), ("Delete/Retain", false, "pod"),
        ("Delete/Delete", true, "pod"),
    ]

    @Test(
        "retention policies after scale-up then 3→2: who owns a remaining and a condemned pod's claim (nil policy: Retain/Retain) (§1.5)",
        arguments: StatefulSetControllerTests.retentionCases)
    func retentionPolicyOwners(policy: String, remainingOwnedBySet: Bool, condemnedOwner: String) async throws {
        let parts = policy.split(separator: "/").map(String.init)
        var retention: (whenScaled: String, whenDeleted: String)?
        if parts.count == 2 { retention = (whenScaled: parts[0], whenDeleted: parts[1]) }
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: "Parallel", retention: retention))
        await h.sync()
        h.markAllRunningReady()
        await h.sync()
        h.scale(to: 2)
        let web2 = try #require(h.storedPod("web-2"))
        await h.sync()
        #expect(h.deletedPods == ["web-2"])
        let remaining: [MetaV1.OwnerReference]? = remainingOwnedBySet ? [F.statefulSetRef()] : nil
        #expect(h.storedClaim("www-web-0")?.metadata?.ownerReferences == remaining)
        #expect(h.storedClaim("www-web-1")?.metadata?.ownerReferences == remaining)
        let condemned: [MetaV1.OwnerReference]? = switch condemnedOwner {
        case "set": [F.statefulSetRef()]
        case "pod": [F.statefulPodRef("web-2", uid: web2.uid)]
        default: nil
        }
        #expect(h.storedClaim("www-web-2")?.metadata?.ownerReferences == condemned)
        #expect(h.names("delete", "PersistentVolumeClaim").isEmpty)
        if policy.isEmpty || policy == "Retain/Retain" {
            #expect(h.names("update", "PersistentVolumeClaim").isEmpty)
        }
    }

    // MARK: Updates (§2.3 step 12)

    @Test(
        "RollingUpdate: one pod at a time from the highest ordinal, each updated pod Running and Ready before the next; Parallel alike (§2.3)",
        arguments: ["OrderedReady", "Parallel"])
    func rollingUpdate(policy: String) async {
        let h = StatefulSetHarness(F.statefulSet(podManagementPolicy: policy))
        h.seedHealthy(0..<3)
        await h.sync()
        let a = h.templateRevision
        #expect(h.status?.currentRevision == a)
        h.setImage("nginx:1.28")
        let b = h.templateRevision
        h.client.clearActions()

        await h.sync()
        #expect(h.deletedPods == ["web-2"])
        #expect(h.status?.replicas == 3)
        #expect(h.status?.readyReplicas == 3)
        #expect(h.status?.currentReplicas == 2)
        #expect((h.status?.updatedReplicas ?? 0) == 0)
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.updateRevision == b)

        await h.sync()
        #expect(h.createdPods == ["web-2"])
        #expect(h.storedPod("web-2")?.metadata?.labels?[Self.revisionLabel] == b)
        #expect(h.storedPod("web-2")?.spec?.containers.first?.image == "nginx:1.28")

        await h.sync()  // web-2 is Pending: wait
        #expect(h.deletedPods == ["web-2"])

        h.markRunningReady(["web-2"])
        await h.sync()
        #expect(h.deletedPods == ["web-2", "web-1"])

        await h.converge()
        #expect(h.deletedPods == ["web-2", "web-1", "web-0"])
        #expect(h.podRevisions == [b, b, b])
        #expect(h.status?.currentRevision == b)
        #expect(h.status?.updateRevision == b)
        #expect(h.status?.currentReplicas == 3)
        #expect(h.status?.updatedReplicas == 3)
    }

    @Test("a failing rolling-update delete: error returned, currentReplicas stays 3; the retry deletes and counts 2 (§2.3)")
    func rollingUpdateDeleteError() async {
        let h = StatefulSetHarness(F.statefulSet())
        h.seedHealthy(0..<3)
        await h.sync()
        let a = h.templateRevision
        h.setImage("nginx:1.28")
        h.client.failDeletes(with: StatusError.internalError("etcd unavailable"))
        let error = await h.sync()
        #expect(error != nil)
        #expect(h.deletedPods == ["web-2"])
        #expect(h.status?.currentReplicas == 3)
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.updateRevision == h.templateRevision)
        #expect(h.events.with(reason: "FailedDelete").map(\.message) == [
            "delete Pod web-2 in StatefulSet web failed error: Internal error occurred: etcd unavailable",
        ])

        h.client.failDeletes(with: nil)
        let retry = await h.sync()
        #expect(retry == nil)
        #expect(h.deletedPods == ["web-2", "web-2"])
        #expect(h.status?.currentReplicas == 2)
    }

    @Test("partition 2: only web-2 is updated and the revision never completes; new pods at or above the partition get the update (§3.5)")
    func partition() async {
        let h = StatefulSetHarness(F.statefulSet(partition: 2))
        h.seedHealthy(0..<3)
        await h.sync()
        let a = h.templateRevision
        h.setImage("nginx:1.28")
        let b = h.templateRevision
        await h.converge()
        #expect(h.deletedPods == ["web-2"])
        #expect(h.podRevisions == [a, a, b])
        #expect(h.status?.updatedReplicas == 1)
        #expect(h.status?.currentReplicas == 2)
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.updateRevision == b)

        h.scale(to: 5)
        await h.converge()
        #expect(h.podRevisions == [a, a, b, b, b])
        #expect(h.deletedPods == ["web-2"])
        #expect(h.status?.updatedReplicas == 3)
        #expect(h.status?.currentReplicas == 2)
        #expect(h.status?.currentRevision == a)
    }

    @Test("template change with scale 5→3 (OrderedReady): web-4 and web-3 go first, then web-2.. are updated (§2.4)")
    func scaleDownBeforeUpdate() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 5))
        h.seedHealthy(0..<5)
        await h.sync()
        h.updateSet { set in
            set.spec?.template.spec?.containers[0].image = "nginx:1.28"
            set.spec?.replicas = 3
        }
        let b = h.templateRevision
        for _ in 0..<3 { await h.sync() }
        #expect(h.deletedPods == ["web-4", "web-3", "web-2"])
        #expect(h.createdPods.isEmpty)

        await h.converge()
        #expect(h.podNames == ["web-0", "web-1", "web-2"])
        #expect(h.podRevisions == [b, b, b])
        #expect(h.status?.currentRevision == b)
    }

    @Test("OnDelete: nothing is deleted for an update; new and user-deleted pods come back at the update revision; current never advances (§2.3 step 11)")
    func onDelete() async {
        let h = StatefulSetHarness(F.statefulSet(updateStrategy: "OnDelete"))
        h.seedHealthy(0..<3)
        await h.sync()
        let a = h.templateRevision
        h.setImage("nginx:1.28")
        let b = h.templateRevision
        await h.converge()
        #expect(h.deletedPods.isEmpty)
        #expect(h.podRevisions == [a, a, a])
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.updateRevision == b)

        h.scale(to: 5)
        await h.converge()
        #expect(h.podRevisions == [a, a, a, b, b])

        h.removePod("web-0")
        await h.converge()
        #expect(h.podRevisions == [b, a, a, b, b])
        #expect(h.storedPod("web-0")?.spec?.containers.first?.image == "nginx:1.28")
        #expect(h.deletedPods.isEmpty)
        #expect(h.status?.currentRevision == a)
        #expect(h.status?.currentReplicas == 2)
        #expect(h.status?.updatedReplicas == 3)
    }

    // MARK: Status (§4)

    @Test("a terminating Running+Ready pod counts in replicas and readyReplicas, not in currentReplicas or updatedReplicas (§4.1)")
    func terminatingPodCounts() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2))
        h.seedHealthy(0..<1)
        h.seed(h.makePod(1, deleting: true))
        await h.sync()
        #expect(h.status?.replicas == 2)
        #expect(h.status?.readyReplicas == 2)
        #expect(h.status?.availableReplicas == 2)
        #expect(h.status?.currentReplicas == 1)
        #expect(h.status?.updatedReplicas == 1)
        #expect(h.podWrites.isEmpty)
    }

    @Test("status is written only when it changed or the generation went up (§4.3)")
    func statusWrittenOnlyOnChange() async {
        let h = StatefulSetHarness(F.statefulSet())
        h.seedHealthy(0..<3)
        await h.sync()
        let revision = h.templateRevision
        #expect(h.names("updateStatus", "StatefulSet") == ["web"])
        #expect(h.status == AppsV1.StatefulSetStatus(
            availableReplicas: 3, collisionCount: 0, currentReplicas: 3, currentRevision: revision, observedGeneration: 1,
            readyReplicas: 3, replicas: 3, updateRevision: revision, updatedReplicas: 3))

        h.client.clearActions()
        await h.sync()
        #expect(h.client.actions.isEmpty)

        h.updateSet { _ in }
        await h.sync()
        #expect(h.names("updateStatus", "StatefulSet") == ["web"])
        #expect(h.status?.observedGeneration == 2)
    }

    // MARK: Adoption (§6.1)

    @Test("pods: an orphan member is adopted; orphan db-1 and a terminating orphan are not; an owned pod no longer selected is released (§6.1)")
    func adoptionAndRelease() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2))
        h.seedHealthy(0..<1)
        h.seed(h.makePod(1, owned: false))
        var db = h.makePod(1, owned: false)
        db.metadata?.name = "db-1"
        db.metadata?.uid = "uid-db-1"
        h.seed(db)
        h.seed(h.makePod(2, labels: ["app": "other"]))
        h.seed(h.makePod(5, deleting: true, owned: false))
        let error = await h.sync()
        #expect(error == nil)
        #expect(h.names("patch", "Pod").sorted() == ["web-1", "web-2"])
        #expect(h.storedPod("web-1")?.controllerRef?.uid == "set-uid")
        #expect((h.storedPod("web-2")?.metadata?.ownerReferences ?? []).isEmpty)
        #expect(h.storedPod("db-1")?.metadata?.ownerReferences == nil)
        #expect(h.storedPod("web-5")?.metadata?.ownerReferences == nil)
        // The released pod drops out of the pass: it is not condemned.
        #expect(h.deletedPods.isEmpty)
        #expect(h.createdPods.isEmpty)
        #expect(h.status?.replicas == 2)
        #expect(h.events.all.isEmpty)
    }

    @Test("before adopting, the set is read live: one recreated under the name (new uid) adopts nothing and the sync fails (§6.1)")
    func adoptionRechecksLiveSet() async {
        let h = StatefulSetHarness(F.statefulSet(replicas: 2))
        h.seedHealthy(0..<1)
        h.seed(h.makePod(1, owned: false))
        // The apiserver already holds a new set of that name; the informer has not seen it.
        h.client.seed(F.statefulSet(uid: "new-uid", replicas: 2), mirror: false)
        let error = await h.sync()
        // spec §6.1: upstream GETs the set before the first adoption (RecheckDeletionTimestamp) and
        // refuses to adopt when its uid changed; ClaimPods then returns that error.
        #expect(error != nil)
        #expect(h.names("patch", "Pod").isEmpty)
        #expect(h.storedPod("web-1")?.metadata?.ownerReferences == nil)
    }
}
