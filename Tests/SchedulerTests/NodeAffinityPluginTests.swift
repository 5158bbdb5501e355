import APIMachinery
import Testing

@testable import Scheduler

/// NodeAffinity: nodeSelector, required terms with every operator and matchFields, the
/// PreFilter narrowing, added affinity, and preferred-term scoring.
@Suite struct NodeAffinityPluginTests {
    static let nodes = Snapshot(nodes: [
        Fx.node("ssd-8", labels: ["disk": "ssd", "cpus": "8", "zone": "a"]),
        Fx.node("ssd-4", labels: ["disk": "ssd", "cpus": "4", "zone": "b"]),
        Fx.node("hdd", labels: ["disk": "hdd", "cpus": "abc"]),
        Fx.node("bare"),
    ])

    static func requirement(_ key: String, _ op: String, _ values: [String]? = nil) -> CoreV1.NodeSelectorRequirement {
        CoreV1.NodeSelectorRequirement(key: key, operator: op, values: values)
    }

    static func required(_ terms: [CoreV1.NodeSelectorTerm]) -> CoreV1.Affinity {
        CoreV1.Affinity(
            nodeAffinity: CoreV1.NodeAffinity(
                requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: terms)))
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var nodeSelector: [String: String]? = nil
        var terms: [CoreV1.NodeSelectorTerm]? = nil
        var feasible: Set<String>
    }

    static let cases: [Case] = [
        Case(description: "no constraints", feasible: ["ssd-8", "ssd-4", "hdd", "bare"]),
        Case(description: "nodeSelector", nodeSelector: ["disk": "ssd"], feasible: ["ssd-8", "ssd-4"]),
        Case(description: "nodeSelector needs every pair", nodeSelector: ["disk": "ssd", "zone": "b"], feasible: ["ssd-4"]),
        Case(
            description: "In", terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "In", ["hdd", "nvme"])])],
            feasible: ["hdd"]),
        Case(
            description: "NotIn matches nodes without the label",
            terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "NotIn", ["ssd"])])],
            feasible: ["hdd", "bare"]),
        Case(
            description: "Exists", terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("zone", "Exists")])],
            feasible: ["ssd-8", "ssd-4"]),
        Case(
            description: "DoesNotExist", terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("zone", "DoesNotExist")])],
            feasible: ["hdd", "bare"]),
        Case(
            description: "Gt compares integers; non-integer labels never match",
            terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("cpus", "Gt", ["4"])])], feasible: ["ssd-8"]),
        Case(
            description: "Lt", terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("cpus", "Lt", ["8"])])],
            feasible: ["ssd-4"]),
        Case(
            description: "expressions of a term are ANDed",
            terms: [
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "In", ["ssd"]), requirement("zone", "In", ["a"])])
            ],
            feasible: ["ssd-8"]),
        Case(
            description: "terms are ORed",
            terms: [
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("zone", "In", ["b"])]),
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "In", ["hdd"])]),
            ],
            feasible: ["ssd-4", "hdd"]),
        Case(
            description: "matchFields on metadata.name",
            terms: [CoreV1.NodeSelectorTerm(matchFields: [requirement("metadata.name", "NotIn", ["ssd-8"])])],
            feasible: ["ssd-4", "hdd", "bare"]),
        Case(description: "no terms match nothing", terms: [], feasible: []),
        Case(description: "an empty term matches nothing", terms: [CoreV1.NodeSelectorTerm()], feasible: []),
        Case(
            description: "an invalid term matches nothing, others still may",
            terms: [
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "Like", ["ssd"])]),
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("cpus", "Gt", ["four"])]),
                CoreV1.NodeSelectorTerm(matchExpressions: [requirement("disk", "In", ["hdd"])]),
            ],
            feasible: ["hdd"]),
        Case(
            description: "nodeSelector and affinity both apply", nodeSelector: ["disk": "ssd"],
            terms: [CoreV1.NodeSelectorTerm(matchExpressions: [requirement("zone", "In", ["b"])])], feasible: ["ssd-4"]),
    ]

    @Test(arguments: cases)
    func filter(_ testCase: Case) {
        let pod = PodInfo(
            Fx.pod("p", nodeSelector: testCase.nodeSelector, affinity: testCase.terms.map { Self.required($0) }))
        let results = Fx.filter(NodeAffinity(), pod: pod, snapshot: Self.nodes)
        #expect(Set(results.filter { $0.value.isEmpty }.keys) == testCase.feasible)
        for (_, message) in results where !message.isEmpty {
            #expect(message == "node(s) didn't match Pod's node affinity/selector")
        }
    }

    @Test func preFilterSkipsAndNarrows() {
        let state = CycleState(snapshot: Self.nodes)
        #expect(NodeAffinity().preFilter(state: state, pod: PodInfo(Fx.pod("p"))).1.isSkip)
        #expect(NodeAffinity().preFilter(state: state, pod: PodInfo(Fx.pod("p", nodeSelector: ["a": "b"]))).1.isSuccess)

        // Each term pins names: the union of the per-term intersections.
        let pinned = PodInfo(
            Fx.pod(
                "p",
                affinity: Self.required([
                    CoreV1.NodeSelectorTerm(matchFields: [
                        Self.requirement("metadata.name", "In", ["ssd-8", "hdd"]),
                        Self.requirement("metadata.name", "In", ["hdd", "bare"]),
                    ]),
                    CoreV1.NodeSelectorTerm(matchFields: [Self.requirement("metadata.name", "In", ["ssd-4"])]),
                ])))
        let (result, status) = NodeAffinity().preFilter(state: state, pod: pinned)
        #expect(status.isSuccess)
        #expect(result.nodeNames == ["hdd", "ssd-4"])

        // A term without a name pin lets every node through.
        let open = PodInfo(
            Fx.pod(
                "p",
                affinity: Self.required([
                    CoreV1.NodeSelectorTerm(matchFields: [Self.requirement("metadata.name", "In", ["hdd"])]),
                    CoreV1.NodeSelectorTerm(matchExpressions: [Self.requirement("disk", "Exists")]),
                ])))
        #expect(NodeAffinity().preFilter(state: state, pod: open).0.isAllNodes)
    }

    @Test func addedAffinityIsEnforcedForEveryPod() {
        let plugin = NodeAffinity(
            addedAffinity: CoreV1.NodeAffinity(
                requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                    CoreV1.NodeSelectorTerm(matchExpressions: [Self.requirement("disk", "In", ["ssd"])])
                ])))
        let results = Fx.filter(plugin, pod: PodInfo(Fx.pod("p")), snapshot: Self.nodes)
        #expect(results["ssd-8"] == "")
        #expect(results["hdd"] == "node(s) didn't match scheduler-enforced node affinity")
    }

    @Test func preferredTermsScoreByWeight() throws {
        // Weights: zone=a → 2, disk=ssd → 5. Raw: ssd-8 7, ssd-4 5, hdd 0, bare 0.
        // Normalised by the maximum 7: 100, 100×5/7 = 71, 0, 0.
        let pod = PodInfo(
            try Fx.pod(
                yaml: """
                    metadata: {name: p, namespace: default, uid: p}
                    spec:
                      containers: [{name: c}]
                      affinity:
                        nodeAffinity:
                          preferredDuringSchedulingIgnoredDuringExecution:
                          - {weight: 2, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}}
                          - {weight: 5, preference: {matchExpressions: [{key: disk, operator: In, values: [ssd]}]}}
                          - {weight: 0, preference: {matchExpressions: [{key: disk, operator: In, values: [hdd]}]}}
                    """))
        #expect(Fx.scores(NodeAffinity(), pod: pod, snapshot: Self.nodes) == ["ssd-8": 100, "ssd-4": 71, "hdd": 0, "bare": 0])
        // Without preferred terms the plugin does not score.
        #expect(Fx.scores(NodeAffinity(), pod: PodInfo(Fx.pod("q")), snapshot: Self.nodes).isEmpty)
        // An unparsable preferred term is an error, as upstream.
        let broken = PodInfo(
            try Fx.pod(
                yaml: """
                    metadata: {name: b, namespace: default, uid: b}
                    spec:
                      containers: [{name: c}]
                      affinity:
                        nodeAffinity:
                          preferredDuringSchedulingIgnoredDuringExecution:
                          - {weight: 1, preference: {matchExpressions: [{key: cpus, operator: Gt, values: [x]}]}}
                    """))
        let status = NodeAffinity().preScore(state: CycleState(snapshot: Self.nodes), pod: broken, nodes: Self.nodes.nodeInfos)
        #expect(status.code == .error)
    }
}
