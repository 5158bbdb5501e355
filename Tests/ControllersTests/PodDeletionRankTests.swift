import APIMachinery
import Testing
@testable import Controllers

@Suite("PodDeletionRank")
struct PodDeletionRankTests {
    typealias F = Fixtures

    func order(_ pods: [CoreV1.Pod], related: [CoreV1.Pod]? = nil) -> [String] {
        PodDeletionRank.sorted(pods, related: related ?? pods).map(\.name)
    }

    @Test("unscheduled pods go before scheduled ones")
    func unscheduledFirst() {
        let pods = [F.pod("scheduled", phase: "Pending", ready: false), F.pod("unscheduled", phase: "Pending", ready: false, node: nil)]
        #expect(order(pods) == ["unscheduled", "scheduled"])
        #expect(order(pods.reversed()) == ["unscheduled", "scheduled"])
    }

    @Test("Pending before Unknown before Running")
    func phaseOrder() {
        let pods = [F.pod("running", ready: false), F.pod("unknown", phase: "Unknown", ready: false), F.pod("pending", phase: "Pending", ready: false)]
        #expect(order(pods) == ["pending", "unknown", "running"])
    }

    @Test("not ready before ready")
    func notReadyFirst() {
        let pods = [F.pod("ready"), F.pod("not-ready", ready: false)]
        #expect(order(pods) == ["not-ready", "ready"])
    }

    @Test("lower pod-deletion-cost first; a missing or malformed cost counts as 0")
    func deletionCost() {
        let pods = [F.pod("high", cost: "100"), F.pod("none"), F.pod("negative", cost: "-5"), F.pod("bad", created: -7100, cost: "x")]
        // "none" and "bad" both cost 0; "bad" is newer, so it goes first among them.
        #expect(order(pods) == ["negative", "bad", "none", "high"])
    }

    @Test("pods sharing their node with more related pods go first")
    func doubledUp() {
        let crowded = F.pod("crowded", node: "node-a", created: -10000)
        let alone = F.pod("alone", node: "node-b")
        let neighbours = [F.pod("n1", node: "node-a"), F.pod("n2", node: "node-a")]
        #expect(order([alone, crowded], related: [alone, crowded] + neighbours) == ["crowded", "alone"])
        // Inactive neighbours do not count.
        let gone = [F.pod("g1", phase: "Succeeded", node: "node-a"), F.pod("g2", phase: "Failed", node: "node-a")]
        #expect(order([alone, crowded], related: [alone, crowded] + gone) == ["alone", "crowded"])
    }

    @Test("among ready pods, the one ready for less time goes first")
    func readyTime() {
        let pods = [F.pod("long", readySince: -3600, created: -100), F.pod("short", readySince: -60, created: -7200)]
        #expect(order(pods) == ["short", "long"])
    }

    @Test("more restarts first")
    func restarts() {
        let pods = [F.pod("calm", created: -100, restarts: [0]), F.pod("crashy", created: -7200, restarts: [7])]
        #expect(order(pods) == ["crashy", "calm"])
    }

    @Test("newer pods before older ones, then by name")
    func creationTime() {
        let pods = [F.pod("old", created: -9000), F.pod("new", created: -10), F.pod("b", created: -500), F.pod("a", created: -500)]
        #expect(order(pods) == ["new", "a", "b", "old"])
    }

    @Test("a mixed set sorts by every rule in turn")
    func mixed() {
        let pods = [
            F.pod("ready-old", created: -9000),
            F.pod("ready-new", created: -10),
            F.pod("running-not-ready", ready: false),
            F.pod("unscheduled", phase: "Pending", ready: false, node: nil),
            F.pod("pending", phase: "Pending", ready: false),
            F.pod("expensive-not-ready", ready: false, cost: "1000"),
        ]
        #expect(order(pods) == ["unscheduled", "pending", "running-not-ready", "expensive-not-ready", "ready-new", "ready-old"])
    }

    @Test("restarts compare by the container that restarted most, as upstream's maxContainerRestarts")
    func maxContainerRestarts() {
        // Upstream deletes the pod whose worst container restarted 5 times before the one whose
        // two containers restarted 3 times each; summing the counts inverts that.
        let pods = [F.pod("spread", created: -100, restarts: [3, 3]), F.pod("one-bad", created: -7200, restarts: [5, 0])]
        #expect(order(pods) == ["one-bad", "spread"])
    }
}
