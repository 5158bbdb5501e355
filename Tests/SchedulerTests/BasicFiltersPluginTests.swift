import APIMachinery
import Testing

@testable import Scheduler

/// NodeName, NodeUnschedulable, NodePorts and PrioritySort.
@Suite struct BasicFiltersPluginTests {
    @Test func nodeName() {
        let snapshot = Snapshot(nodes: [Fx.node("a"), Fx.node("b")])
        #expect(Fx.filter(NodeName(), pod: PodInfo(Fx.pod("p")), snapshot: snapshot) == ["a": "", "b": ""])
        #expect(
            Fx.filter(NodeName(), pod: PodInfo(Fx.pod("p", node: "b")), snapshot: snapshot) == [
                "a": "node(s) didn't match the requested node name", "b": "",
            ])
    }

    @Test func nodeUnschedulable() {
        let snapshot = Snapshot(nodes: [Fx.node("open"), Fx.node("cordoned", unschedulable: true)])
        let plain = PodInfo(Fx.pod("p"))
        #expect(Fx.filter(NodeUnschedulable(), pod: plain, snapshot: snapshot) == ["open": "", "cordoned": "node(s) were unschedulable"])
        let status = NodeUnschedulable().filter(
            state: CycleState(snapshot: snapshot), pod: plain, nodeInfo: snapshot.nodeInfos[1])
        #expect(status.code == .unschedulableAndUnresolvable)
        // Tolerating the unschedulable taint (as DaemonSet pods do) lets the pod in.
        for toleration in [
            Fx.toleration("node.kubernetes.io/unschedulable", "Exists", effect: "NoSchedule"),
            Fx.toleration("node.kubernetes.io/unschedulable", "Exists"),
            Fx.toleration(nil, "Exists"),
        ] {
            let tolerant = PodInfo(Fx.pod("d", tolerations: [toleration]))
            #expect(Fx.filter(NodeUnschedulable(), pod: tolerant, snapshot: snapshot) == ["open": "", "cordoned": ""])
        }
        let wrongEffect = PodInfo(
            Fx.pod("w", tolerations: [Fx.toleration("node.kubernetes.io/unschedulable", "Exists", effect: "NoExecute")]))
        #expect(Fx.filter(NodeUnschedulable(), pod: wrongEffect, snapshot: snapshot)["cordoned"] == "node(s) were unschedulable")
    }

    struct PortCase: Sendable, CustomStringConvertible {
        var description: String
        var used: [(port: Int32, protocol: String?, ip: String?)]
        var wanted: [(port: Int32, protocol: String?, ip: String?)]
        var fits: Bool
    }

    static let portCases: [PortCase] = [
        PortCase(description: "free", used: [(8080, nil, nil)], wanted: [(80, nil, nil)], fits: true),
        PortCase(description: "same port, default TCP", used: [(80, "TCP", nil)], wanted: [(80, nil, nil)], fits: false),
        PortCase(description: "other protocol", used: [(80, "UDP", nil)], wanted: [(80, "TCP", nil)], fits: true),
        PortCase(description: "wildcard wanted vs one address", used: [(80, nil, "10.0.0.1")], wanted: [(80, nil, nil)], fits: false),
        PortCase(description: "one address vs used wildcard", used: [(80, nil, "0.0.0.0")], wanted: [(80, nil, "10.0.0.2")], fits: false),
        PortCase(description: "different addresses", used: [(80, nil, "10.0.0.1")], wanted: [(80, nil, "10.0.0.2")], fits: true),
        PortCase(description: "same address", used: [(80, nil, "10.0.0.1")], wanted: [(80, nil, "10.0.0.1")], fits: false),
        PortCase(description: "any wanted port conflicting", used: [(443, nil, nil)], wanted: [(80, nil, nil), (443, nil, nil)], fits: false),
    ]

    @Test(arguments: portCases)
    func nodePorts(_ testCase: PortCase) {
        let snapshot = Snapshot(
            nodes: [Fx.node("n")], pods: [Fx.pod("used", node: "n", containers: [Fx.container(hostPorts: testCase.used)])])
        let pod = PodInfo(Fx.pod("p", containers: [Fx.container(hostPorts: testCase.wanted)]))
        let message = Fx.filter(NodePorts(), pod: pod, snapshot: snapshot)["n"]
        #expect(message == (testCase.fits ? "" : "node(s) didn't have free ports for the requested pod ports"))
    }

    @Test func nodePortsSkipsPodsWithoutHostPorts() {
        let snapshot = Snapshot(nodes: [Fx.node("n")])
        let state = CycleState(snapshot: snapshot)
        #expect(NodePorts().preFilter(state: state, pod: PodInfo(Fx.pod("p"))).1.isSkip)
        let sidecarPort = PodInfo(
            Fx.pod(
                "s", initContainers: [Fx.container("proxy", hostPorts: [(15001, nil, nil)], restartPolicy: "Always")]))
        #expect(NodePorts().preFilter(state: state, pod: sidecarPort).1.isSuccess)
    }

    @Test func prioritySortOrdersByPriorityThenTimestamp() {
        let sort = PrioritySort()
        func entry(_ name: String, _ priority: Int32?, _ time: Int) -> QueueSortEntry<Int> {
            QueueSortEntry(pod: PodInfo(Fx.pod(name, priority: priority)), timestamp: time)
        }
        let entries = [entry("late-high", 100, 5), entry("early-low", nil, 1), entry("early-high", 100, 2), entry("neg", -5, 0)]
        #expect(entries.sorted(by: sort.less).map(\.pod.name) == ["early-high", "late-high", "early-low", "neg"])
        #expect(!sort.less(entry("a", 1, 1), entry("b", 1, 1)))
    }
}
