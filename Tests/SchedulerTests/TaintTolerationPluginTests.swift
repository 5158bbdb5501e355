import APIMachinery
import Testing

@testable import Scheduler

/// TaintToleration: the filter's matching rules and message, and the reversed score.
@Suite struct TaintTolerationPluginTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var taints: [CoreV1.Taint]
        var tolerations: [CoreV1.Toleration]
        var reason: String?
    }

    static let cases: [Case] = [
        Case(description: "no taints", taints: [], tolerations: [], reason: nil),
        Case(
            description: "equal key, value and effect", taints: [Fx.taint("foo", "bar")],
            tolerations: [Fx.toleration("foo", "Equal", "bar", effect: "NoSchedule")], reason: nil),
        Case(
            description: "empty operator means Equal", taints: [Fx.taint("foo", "bar")],
            tolerations: [Fx.toleration("foo", nil, "bar")], reason: nil),
        Case(
            description: "Exists without effect", taints: [Fx.taint("foo", "bar", "NoExecute")],
            tolerations: [Fx.toleration("foo", "Exists")], reason: nil),
        Case(
            description: "empty key with Exists tolerates everything", taints: [Fx.taint("a"), Fx.taint("b", "c", "NoExecute")],
            tolerations: [Fx.toleration(nil, "Exists")], reason: nil),
        Case(
            description: "value mismatch", taints: [Fx.taint("foo", "bar")],
            tolerations: [Fx.toleration("foo", "Equal", "baz")], reason: "node(s) had untolerated taint {foo: bar}"),
        Case(
            description: "effect mismatch", taints: [Fx.taint("foo", "bar")],
            tolerations: [Fx.toleration("foo", "Exists", effect: "NoExecute")],
            reason: "node(s) had untolerated taint {foo: bar}"),
        Case(
            description: "a taint without value prints an empty value",
            taints: [Fx.taint("node-role.kubernetes.io/control-plane")], tolerations: [],
            reason: "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
        Case(
            description: "PreferNoSchedule does not filter", taints: [Fx.taint("soft", "x", "PreferNoSchedule")],
            tolerations: [], reason: nil),
        Case(
            description: "the first untolerated taint is named",
            taints: [Fx.taint("a", "1"), Fx.taint("soft", nil, "PreferNoSchedule"), Fx.taint("b", "x", "NoExecute"), Fx.taint("c")],
            tolerations: [Fx.toleration("a", "Equal", "1")], reason: "node(s) had untolerated taint {b: x}"),
        Case(
            description: "an unknown operator tolerates nothing", taints: [Fx.taint("n", "5")],
            tolerations: [Fx.toleration("n", "Gt", "3")], reason: "node(s) had untolerated taint {n: 5}"),
    ]

    @Test(arguments: cases)
    func filter(_ testCase: Case) {
        let snapshot = Snapshot(nodes: [Fx.node("n", taints: testCase.taints)])
        let pod = PodInfo(Fx.pod("p", tolerations: testCase.tolerations))
        let status = TaintToleration().filter(state: CycleState(snapshot: snapshot), pod: pod, nodeInfo: snapshot.nodeInfos[0])
        if let reason = testCase.reason {
            #expect(status.code == .unschedulableAndUnresolvable)
            #expect(status.reasons == [reason])
        } else {
            #expect(status.isSuccess)
        }
    }

    @Test func scoreCountsUntoleratedPreferNoScheduleTaintsReversed() {
        // Raw counts of PreferNoSchedule taints the pod does not tolerate:
        //   clean 0, one 1, two 2, tolerated-one 1 (t1 tolerated, t2 not),
        //   noschedule-toleration 1 (a toleration with effect NoSchedule does not count).
        // Reversed normalisation over max 2: 100 − 100×count/2 → 100, 50, 0, 50, 50.
        let soft = { (key: String) in Fx.taint(key, "v", "PreferNoSchedule") }
        let snapshot = Snapshot(nodes: [
            Fx.node("clean"),
            Fx.node("one", taints: [soft("t2")]),
            Fx.node("two", taints: [soft("t2"), soft("t3")]),
            Fx.node("tolerated-one", taints: [soft("t1"), soft("t2")]),
            Fx.node("noschedule-toleration", taints: [soft("t4"), Fx.taint("hard", "v", "NoSchedule")]),
        ])
        let pod = PodInfo(
            Fx.pod(
                "p",
                tolerations: [
                    Fx.toleration("t1", "Exists", effect: "PreferNoSchedule"),
                    Fx.toleration("t4", "Exists", effect: "NoSchedule"),
                    Fx.toleration("hard", "Exists"),
                ]))
        #expect(
            Fx.scores(TaintToleration(), pod: pod, snapshot: snapshot) == [
                "clean": 100, "one": 50, "two": 0, "tolerated-one": 50, "noschedule-toleration": 50,
            ])
        // No node has such taints: every node scores 100.
        let plain = Snapshot(nodes: [Fx.node("a"), Fx.node("b")])
        #expect(Fx.scores(TaintToleration(), pod: pod, snapshot: plain) == ["a": 100, "b": 100])
    }
}
