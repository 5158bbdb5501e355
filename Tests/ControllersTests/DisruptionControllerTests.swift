import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("Disruption controller")
struct DisruptionControllerTests {
    typealias F = Fixtures

    final class Harness: Sendable {
        let budgets = ThreadSafeStore<PolicyV1.PodDisruptionBudget>()
        let pods = ThreadSafeStore<CoreV1.Pod>()
        let replicaSets = ThreadSafeStore<AppsV1.ReplicaSet>()
        let client = FakeControllerClient()
        let clock = ManualClock()
        let controller: DisruptionController

        init(_ budget: PolicyV1.PodDisruptionBudget, pods: [CoreV1.Pod], replicaSets: [AppsV1.ReplicaSet] = []) {
            controller = DisruptionController(
                budgets: Lister(store: budgets), pods: Lister(store: self.pods), replicaSets: Lister(store: self.replicaSets),
                deployments: Lister(store: ThreadSafeStore()), statefulSets: Lister(store: ThreadSafeStore()),
                replicationControllers: Lister(store: ThreadSafeStore()), client: client, clock: clock, logger: F.logger)
            client.mirror(budgets)
            client.mirror(self.pods)
            client.mirror(self.replicaSets)
            client.seed(budget)
            for pod in pods { client.seed(pod) }
            for rs in replicaSets { client.seed(rs) }
        }

        var status: PolicyV1.PodDisruptionBudgetStatus? { budgets.get(key: "default/pdb")?.status }
        var summary: String {
            guard let s = status else { return "none" }
            return "\(s.expectedPods)/\(s.desiredHealthy)/\(s.currentHealthy)/\(s.disruptionsAllowed)"
        }
    }

    static func budget(minAvailable: IntOrString? = nil, maxUnavailable: IntOrString? = nil, disrupted: [String: Time]? = nil) -> PolicyV1.PodDisruptionBudget {
        var meta = MetaV1.ObjectMeta(name: "pdb", namespace: F.namespace)
        meta.generation = 3
        meta.uid = "pdb-uid"
        meta.resourceVersion = "1"
        var budget = PolicyV1.PodDisruptionBudget(metadata: meta, spec: PolicyV1.PodDisruptionBudgetSpec(
            maxUnavailable: maxUnavailable, minAvailable: minAvailable, selector: MetaV1.LabelSelector(matchLabels: ["app": "web"])))
        if let disrupted {
            budget.status = PolicyV1.PodDisruptionBudgetStatus(currentHealthy: 0, desiredHealthy: 0, disruptedPods: disrupted, disruptionsAllowed: 0, expectedPods: 0)
        }
        return budget.withTypeMeta()
    }

    @Test("minAvailable as a number: expected is the selected pods, healthy the ready ones, and the condition says so")
    func minAvailableCount() async throws {
        let h = Harness(Self.budget(minAvailable: 2), pods: [F.pod("a"), F.pod("b"), F.pod("c", ready: false), F.pod("other", labels: ["app": "db"])])
        try await h.controller.sync("default/pdb")
        #expect(h.summary == "3/2/2/0")
        let condition = try #require(h.status?.conditions?.first)
        #expect(condition.type == "DisruptionAllowed" && condition.status == "False" && condition.reason == "InsufficientPods")
        #expect(h.status?.observedGeneration == 3)
    }

    @Test("maxUnavailable scales against the controller's replicas, each controller counted once")
    func maxUnavailableAgainstScale() async throws {
        let rs = F.replicaSet(replicas: 4)
        let pods = (0..<4).map { F.pod("p\($0)", owner: rs) }
        let h = Harness(Self.budget(maxUnavailable: "25%"), pods: pods, replicaSets: [rs])
        try await h.controller.sync("default/pdb")
        #expect(h.summary == "4/3/4/1")
        #expect(h.status?.conditions?.first?.reason == "SufficientPods")
    }

    @Test("a percentage with a pod that has no controller fails the sync safely: no disruption allowed")
    func percentageWithoutController() async throws {
        let h = Harness(Self.budget(minAvailable: "50%"), pods: [F.pod("bare")])
        try await h.controller.sync("default/pdb")
        #expect(h.status?.disruptionsAllowed == 0)
        #expect(h.status?.conditions?.first?.reason == "SyncFailed")
        #expect(h.status?.conditions?.first?.message.contains("found no controllers for pod \"bare\"") == true)
    }

    @Test("a recent eviction counts as a disruption until it expires after two minutes")
    func disruptedPodsExpire() async throws {
        let h = Harness(Self.budget(minAvailable: 1, disrupted: ["a": Self.h0()]), pods: [F.pod("a"), F.pod("b")])
        try await h.controller.sync("default/pdb")
        #expect(h.summary == "2/1/1/0")
        #expect(h.status?.disruptedPods?["a"] != nil)
        // The entry expires: the key comes back, and the pod counts as healthy again.
        h.clock.advance(by: .seconds(120))
        #expect(h.controller.queue.len == 1)
        try await h.controller.sync("default/pdb")
        #expect(h.summary == "2/1/2/1")
        #expect(h.status?.disruptedPods == nil)
    }

    @Test("an unchanged status is not written again")
    func noRewrite() async throws {
        let h = Harness(Self.budget(minAvailable: 1), pods: [F.pod("a")])
        try await h.controller.sync("default/pdb")
        h.client.clearActions()
        try await h.controller.sync("default/pdb")
        #expect(h.client.actions.isEmpty)
    }

    /// The ManualClock's wall time at start, as Kubernetes stores it.
    static func h0() -> Time { ManualClock().wallNow.time }
}
