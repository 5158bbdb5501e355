import APIMachinery
import Testing
@testable import Controllers

@Suite("DaemonSet rules")
struct DaemonSetRulesTests {
    typealias F = Fixtures
    typealias R = DaemonSetRules

    static func template(
        nodeSelector: [String: String]? = nil, affinity: CoreV1.Affinity? = nil, tolerations: [CoreV1.Toleration]? = nil,
        hostNetwork: Bool? = nil, nodeName: String? = nil
    ) -> CoreV1.PodTemplateSpec {
        F.daemonSet(nodeSelector: nodeSelector, affinity: affinity, tolerations: tolerations, hostNetwork: hostNetwork, nodeName: nodeName)
            .spec?.template ?? CoreV1.PodTemplateSpec()
    }

    /// `[shouldRun, shouldContinue]`.
    static func place(_ template: CoreV1.PodTemplateSpec, _ node: CoreV1.Node) -> [Bool] {
        let placement = R.placement(template, on: node)
        return [placement.shouldRun, placement.shouldContinue]
    }

    static func requiredLabel(_ key: String, _ op: String, _ values: [String]) -> CoreV1.Affinity {
        CoreV1.Affinity(nodeAffinity: CoreV1.NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                CoreV1.NodeSelectorTerm(matchExpressions: [CoreV1.NodeSelectorRequirement(key: key, operator: op, values: values)]),
            ])))
    }

    // MARK: Tolerations

    @Test("default tolerations: not-ready and unreachable NoExecute, pressure and unschedulable NoSchedule, network-unavailable only with hostNetwork")
    func defaultTolerations() {
        let plain = R.defaultTolerations(hostNetwork: false)
        #expect(plain.map { "\($0.key ?? ""):\($0.effect ?? "")" } == [
            "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule",
            "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule",
        ])
        // Forever: no tolerationSeconds, any value.
        #expect(plain.allSatisfy { $0.operator == "Exists" && $0.tolerationSeconds == nil && $0.value == nil })
        let host = R.defaultTolerations(hostNetwork: true)
        #expect(host.count == 7)
        #expect(Array(host.prefix(6)) == plain)
        #expect(host.last == CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/network-unavailable", operator: "Exists"))
    }

    @Test("a default toleration the template already has is not added twice; the template's own come first")
    func noDuplicateDefaults() {
        let own = [
            CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable", operator: "Exists"),
            CoreV1.Toleration(effect: "NoSchedule", key: "dedicated", operator: "Equal", value: "agents"),
        ]
        let merged = R.withDefaultTolerations(own, hostNetwork: false)
        #expect(merged.count == 7)
        #expect(Array(merged.prefix(2)) == own)
        #expect(merged.filter { $0.key == "node.kubernetes.io/unschedulable" }.count == 1)
        #expect(R.withDefaultTolerations(nil, hostNetwork: true) == R.defaultTolerations(hostNetwork: true))
    }

    // MARK: Placement

    @Test("nodeSelector: every pair must be on the node, else the node neither gets nor keeps a pod")
    func nodeSelector() {
        let template = Self.template(nodeSelector: ["role": "worker", "disk": "ssd"])
        #expect(Self.place(template, F.node("a", labels: ["role": "worker", "disk": "ssd", "extra": "x"])) == [true, true])
        #expect(Self.place(template, F.node("b", labels: ["role": "worker"])) == [false, false])
        #expect(Self.place(template, F.node("c")) == [false, false])
        #expect(Self.place(Self.template(), F.node("c")) == [true, true])
    }

    @Test("required node affinity, by label or by metadata.name, must match too")
    func requiredAffinity() {
        let zoned = Self.template(affinity: Self.requiredLabel("zone", "In", ["z1", "z2"]))
        #expect(Self.place(zoned, F.node("a", labels: ["zone": "z2"])) == [true, true])
        #expect(Self.place(zoned, F.node("b", labels: ["zone": "z3"])) == [false, false])
        #expect(Self.place(zoned, F.node("c")) == [false, false])

        let named = Self.template(affinity: F.daemonAffinity("b"))
        #expect(Self.place(named, F.node("a")) == [false, false])
        #expect(Self.place(named, F.node("b")) == [true, true])

        // Both the selector and the affinity must hold.
        let both = Self.template(nodeSelector: ["role": "worker"], affinity: Self.requiredLabel("zone", "In", ["z1"]))
        #expect(Self.place(both, F.node("a", labels: ["role": "worker", "zone": "z1"])) == [true, true])
        #expect(Self.place(both, F.node("b", labels: ["zone": "z1"])) == [false, false])
        #expect(Self.place(both, F.node("c", labels: ["role": "worker", "zone": "z2"])) == [false, false])
    }

    @Test("taints: an untolerated NoSchedule one only stops new pods, NoExecute also evicts; the daemon defaults tolerate node conditions", arguments: [
        ("dedicated", "NoSchedule", false, [false, true]),
        ("dedicated", "NoExecute", false, [false, false]),
        ("dedicated", "PreferNoSchedule", false, [true, true]),
        ("node.kubernetes.io/not-ready", "NoExecute", false, [true, true]),
        ("node.kubernetes.io/unreachable", "NoExecute", false, [true, true]),
        ("node.kubernetes.io/not-ready", "NoSchedule", false, [false, true]),
        ("node.kubernetes.io/unreachable", "NoSchedule", false, [false, true]),
        ("node.kubernetes.io/unschedulable", "NoSchedule", false, [true, true]),
        ("node.kubernetes.io/disk-pressure", "NoSchedule", false, [true, true]),
        ("node.kubernetes.io/memory-pressure", "NoSchedule", false, [true, true]),
        ("node.kubernetes.io/pid-pressure", "NoSchedule", false, [true, true]),
        ("node.kubernetes.io/network-unavailable", "NoSchedule", false, [false, true]),
        ("node.kubernetes.io/network-unavailable", "NoSchedule", true, [true, true]),
    ] as [(String, String, Bool, [Bool])])
    func taints(key: String, effect: String, hostNetwork: Bool, expected: [Bool]) {
        let node = F.node("a", taints: [F.daemonTaint(key, effect)])
        #expect(Self.place(Self.template(hostNetwork: hostNetwork), node) == expected)
    }

    @Test("the template's own tolerations count, with upstream's matching (key, operator, value, effect)")
    func templateTolerations() {
        let noExecute = F.node("a", taints: [F.daemonTaint("dedicated", "NoExecute", value: "agents")])
        let exists = Self.template(tolerations: [CoreV1.Toleration(effect: "NoExecute", key: "dedicated", operator: "Exists")])
        #expect(Self.place(exists, noExecute) == [true, true])
        let wrongValue = Self.template(tolerations: [CoreV1.Toleration(effect: "NoExecute", key: "dedicated", operator: "Equal", value: "other")])
        #expect(Self.place(wrongValue, noExecute) == [false, false])
        // A NoSchedule toleration does not cover a NoExecute taint.
        let wrongEffect = Self.template(tolerations: [CoreV1.Toleration(effect: "NoSchedule", key: "dedicated", operator: "Exists")])
        #expect(Self.place(wrongEffect, noExecute) == [false, false])
        // Several taints: the worst untolerated one decides.
        let mixed = F.node("b", taints: [F.daemonTaint("a", "NoSchedule"), F.daemonTaint("b", "NoExecute")])
        #expect(Self.place(Self.template(tolerations: [CoreV1.Toleration(key: "b", operator: "Exists")]), mixed) == [false, true])
        #expect(Self.place(Self.template(tolerations: [CoreV1.Toleration(key: "a", operator: "Exists")]), mixed) == [false, false])
    }

    @Test("a template that names a node (spec.nodeName) runs only there")
    func templateNodeName() {
        let pinned = Self.template(nodeName: "b")
        #expect(Self.place(pinned, F.node("b")) == [true, true])
        #expect(Self.place(pinned, F.node("a")) == [false, false])
    }

    // MARK: Target node

    @Test("a pod's node: spec.nodeName, else the metadata.name In term of its required node affinity")
    func targetNode() {
        let ds = F.daemonSet()
        #expect(R.targetNode(F.daemonPod("p", on: "a", of: ds, hash: "h")) == "a")
        #expect(R.targetNode(F.daemonPod("p", on: "b", of: ds, hash: "h", scheduled: false)) == "b")
        // nodeName wins over the affinity.
        var bound = F.daemonPod("p", on: "b", of: ds, hash: "h", scheduled: false)
        bound.spec?.nodeName = "c"
        #expect(R.targetNode(bound) == "c")
        // Empty nodeName means unscheduled.
        bound.spec?.nodeName = ""
        #expect(R.targetNode(bound) == "b")
        // Neither: no node.
        var loose = F.daemonPod("p", on: "a", of: ds, hash: "h", scheduled: false)
        loose.spec?.affinity = Self.requiredLabel("zone", "In", ["z1"])
        #expect(R.targetNode(loose) == nil)
        loose.spec?.affinity = nil
        #expect(R.targetNode(loose) == nil)
        // Only `In` names a node.
        loose.spec?.affinity = CoreV1.Affinity(nodeAffinity: CoreV1.NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                CoreV1.NodeSelectorTerm(matchFields: [CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "NotIn", values: ["a"])]),
            ])))
        #expect(R.targetNode(loose) == nil)
    }

    @Test("a metadata.name term with several values names no single node")
    func targetNodeAmbiguous() {
        var pod = F.daemonPod("p", on: "a", hash: "h", scheduled: false)
        pod.spec?.affinity = CoreV1.Affinity(nodeAffinity: CoreV1.NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                CoreV1.NodeSelectorTerm(matchFields: [CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["a", "b"])]),
            ])))
        #expect(R.targetNode(pod) == nil)
    }

    // MARK: The pod for a node

    @Test("pod(for:): template labels plus revision hash and generation, owned by the DaemonSet, default tolerations, affinity naming just the node")
    func podForNode() throws {
        let preferred = [CoreV1.PreferredSchedulingTerm(
            preference: CoreV1.NodeSelectorTerm(matchExpressions: [CoreV1.NodeSelectorRequirement(key: "disk", operator: "In", values: ["ssd"])]),
            weight: 10)]
        var affinity = Self.requiredLabel("zone", "In", ["z1"])
        affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.append(
            CoreV1.NodeSelectorTerm(matchExpressions: [CoreV1.NodeSelectorRequirement(key: "zone", operator: "In", values: ["z2"])]))
        affinity.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution = preferred
        let own = CoreV1.Toleration(effect: "NoSchedule", key: "dedicated", operator: "Equal", value: "agents")
        let ds = F.daemonSet(generation: 3, affinity: affinity, tolerations: [own])
        let pod = R.pod(for: ds, node: "n1", hash: "h1")

        #expect(pod.metadata?.generateName == "agent-")
        #expect(pod.metadata?.namespace == F.namespace)
        #expect(pod.metadata?.labels == ["app": "agent", "controller-revision-hash": "h1", "pod-template-generation": "3"])
        let owner = try #require(pod.controllerRef)
        #expect(owner.kind == "DaemonSet" && owner.name == "agent" && owner.uid == "ds-uid" && owner.blockOwnerDeletion == true)
        #expect(pod.spec?.nodeName == nil)
        #expect(pod.spec?.containers.map(\.image) == ["agent:1"])

        let tolerations = try #require(pod.spec?.tolerations)
        #expect(tolerations.first == own)
        #expect(Array(tolerations.dropFirst()) == R.defaultTolerations(hostNetwork: false))

        // The required terms are replaced by one matchFields term; the preferred ones stay.
        let nodeAffinity = try #require(pod.spec?.affinity?.nodeAffinity)
        #expect(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == CoreV1.NodeSelector(nodeSelectorTerms: [
            CoreV1.NodeSelectorTerm(matchFields: [CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["n1"])]),
        ]))
        #expect(nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution == preferred)
        // The DaemonSet's template is not touched.
        #expect(ds.spec?.template.spec?.tolerations == [own])
        #expect(ds.spec?.template.spec?.affinity == affinity)
    }

    @Test("pod(for:): a template without affinity gets one; hostNetwork adds the network-unavailable toleration")
    func podForNodeBare() throws {
        let pod = R.pod(for: F.daemonSet(hostNetwork: true), node: "n2", hash: "h2")
        #expect(pod.spec?.affinity == F.daemonAffinity("n2"))
        #expect(pod.spec?.tolerations == R.defaultTolerations(hostNetwork: true))
        #expect(pod.spec?.tolerations?.contains { $0.key == "node.kubernetes.io/network-unavailable" } == true)
        let plain = R.pod(for: F.daemonSet(), node: "n2", hash: "h2")
        #expect(plain.spec?.tolerations?.contains { $0.key == "node.kubernetes.io/network-unavailable" } == false)
    }

    @Test("pod(for:): a template toleration matching a default one (key, operator, value, effect) is replaced by the default, so it tolerates forever")
    func podTolerationSecondsReplaced() {
        let limited = CoreV1.Toleration(effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 60)
        let pod = R.pod(for: F.daemonSet(tolerations: [limited]), node: "n1", hash: "h1")
        let notReady = pod.spec?.tolerations?.filter { $0.key == "node.kubernetes.io/not-ready" } ?? []
        #expect(notReady.count == 1)
        #expect(notReady == [CoreV1.Toleration(effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists")])
    }

    // MARK: Revision data and scaling

    @Test("revision data: the template under spec.template, marked as a replacing patch")
    func revisionData() throws {
        let ds = F.daemonSet(image: "agent:7")
        let data = try ControllerHistory.data(ds.spec?.template)
        let template = try #require(data["spec"]?["template"])
        #expect(template["$patch"]?.stringValue == "replace")
        #expect(template["metadata"]?["labels"]?["app"]?.stringValue == "agent")
        #expect(template["spec"]?["containers"]?[0]?["image"]?.stringValue == "agent:7")
        #expect(data.objectValue?.keys == ["spec"])
        #expect(data["spec"]?.objectValue?.keys == ["template"])
        // Another template, other data.
        #expect(try ControllerHistory.data(F.daemonSet(image: "agent:8").spec?.template) != data)
    }

    @Test("maxUnavailable / maxSurge: integers as they are, percentages of the node count rounded up", arguments: [
        (IntOrString.int(2), 10, 1, 2),
        (.int(0), 10, 1, 0),
        (.string("25%"), 10, 1, 3),
        (.string("10%"), 5, 1, 1),
        (.string("33%"), 3, 0, 1),
        (.string("100%"), 3, 1, 3),
        (.string("0%"), 7, 1, 0),
        (.string("50%"), 0, 1, 0),
        (.string("20%"), 10, 1, 2),
    ] as [(IntOrString, Int, Int, Int)])
    func scaled(value: IntOrString, total: Int, fallback: Int, expected: Int) {
        #expect(R.scaled(value, total: total, default: fallback) == expected)
    }

    @Test("an unset value takes the default")
    func scaledDefault() {
        #expect(R.scaled(nil, total: 10, default: 1) == 1)
        #expect(R.scaled(nil, total: 10, default: 0) == 0)
    }
}
