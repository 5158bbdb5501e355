import APIMachinery
import Testing

@testable import Scheduler

/// DefaultPreemption: eligibility, candidate nodes, victim selection with reprieve and PDBs,
/// upstream's candidate ordering, the candidate count and injected offset, the nominated pods
/// to clear, the FitError suffix, and plugin args.
@Suite struct DefaultPreemptionPluginTests {
    static func pod(
        _ name: String, node: String? = nil, cpu: String = "1", priority: Int32 = 0, labels: [String: String]? = nil,
        started: Int64? = nil
    ) -> CoreV1.Pod {
        var pod = Fx.pod(name, node: node, requests: [["cpu": cpu]], priority: priority, labels: labels)
        if let started { pod.status = CoreV1.PodStatus(startTime: Time(secondsSinceEpoch: started)) }
        return pod
    }

    static func budget(_ name: String, app: String, allowed: Int32, disrupted: [String] = []) -> PolicyV1.PodDisruptionBudget {
        PolicyV1.PodDisruptionBudget(
            metadata: MetaV1.ObjectMeta(name: name, namespace: "default"),
            spec: PolicyV1.PodDisruptionBudgetSpec(selector: MetaV1.LabelSelector(matchLabels: ["app": app])),
            status: PolicyV1.PodDisruptionBudgetStatus(
                disruptedPods: disrupted.isEmpty ? nil : Dictionary(uniqueKeysWithValues: disrupted.map { ($0, Time(secondsSinceEpoch: 1)) }),
                disruptionsAllowed: allowed))
    }

    struct Nominated: NominatedPodLister {
        var byNode: [String: [PodInfo]]
        func nominatedPods(forNode nodeName: String) -> [PodInfo] { byNode[nodeName] ?? [] }
    }

    struct Outcome {
        var result: PostFilterResult?
        var status: Status
        var message: String
    }

    /// Schedules `pod` (which must fit nowhere) with filters and `plugin`, then runs PostFilter.
    static func run(
        _ pod: CoreV1.Pod, nodes: [CoreV1.Node], pods: [CoreV1.Pod], budgets: [PolicyV1.PodDisruptionBudget] = [],
        plugin: DefaultPreemption = DefaultPreemption(randomOffset: { _ in 0 }), nominated: Nominated? = nil
    ) throws -> Outcome {
        let cache = SchedulerCache()
        for node in nodes { cache.addNode(node) }
        for existing in pods { try cache.addPod(PodInfo(existing)) }
        for budget in budgets { cache.addPodDisruptionBudget(budget) }
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let framework = try Fx.framework([NodeUnschedulable(), TaintToleration(), NodeResourcesFit(), plugin])
        let state = CycleState(snapshot: snapshot)
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        do {
            let placed = try algorithm.schedule(pod: PodInfo(pod), framework: framework, state: state, nominatedPods: nominated)
            Issue.record("expected no fit, got \(placed.suggestedHost)")
            return Outcome(result: nil, status: .success, message: "")
        } catch {
            guard case .unschedulable(var fitError) = error else { throw error }
            let (result, status) = SchedulingAlgorithm.runPostFilter(
                fitError: &fitError, framework: framework, state: state, nominatedPods: nominated)
            return Outcome(result: result, status: status, message: fitError.message)
        }
    }

    static let twoCPU = ["n1", "n2", "n3"].map { Fx.node($0, cpu: "2") }

    @Test func choosesTheNodeWithTheLeastImportantVictims() throws {
        // n1: two priority-10 pods; removing one (the later-started) is enough. n2: one
        // priority-50 pod. n3: only a pod more important than the preemptor. The lowest
        // highest-victim priority wins: n1, victim low-b.
        let outcome = try Self.run(
            Self.pod("p", priority: 100),
            nodes: Self.twoCPU,
            pods: [
                Self.pod("low-a", node: "n1", priority: 10, started: 100),
                Self.pod("low-b", node: "n1", priority: 10, started: 200),
                Self.pod("mid", node: "n2", cpu: "2", priority: 50),
                Self.pod("high", node: "n3", cpu: "2", priority: 1000),
            ])
        #expect(outcome.status.isSuccess)
        #expect(outcome.result?.nominatedNodeName == "n1")
        #expect(outcome.result?.victims.map(\.name) == ["low-b"])
        #expect(outcome.message == "0/3 nodes are available: 3 Insufficient cpu.")
    }

    @Test func suffixWhenPreemptionCannotHelp() throws {
        // n1: Insufficient cpu but nothing of lower priority; n2, n3: untolerated taints
        // (unresolvable), so preemption does not consider them.
        let tainted = [Fx.taint("dedicated", "x")]
        let outcome = try Self.run(
            Self.pod("p", priority: 100),
            nodes: [
                Fx.node("n1", cpu: "2"), Fx.node("n2", cpu: "2", taints: tainted), Fx.node("n3", cpu: "2", taints: tainted),
            ],
            pods: [Self.pod("high", node: "n1", cpu: "2", priority: 1000)])
        #expect(outcome.status.code == .unschedulable)
        #expect(outcome.result?.nominatedNodeName == "")
        #expect(outcome.result?.victims.isEmpty == true)
        // Upstream's message: the inner fit error ends with "." and the outer sentence adds one.
        #expect(
            outcome.message
                == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: x}. "
                + "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
                + "2 Preemption is not helpful for scheduling..")
    }

    @Test func stillNotFittingIsReportedPerNode() throws {
        // Removing the priority-1 pod frees 1 CPU of 2; the pod wants 3.
        let outcome = try Self.run(
            Self.pod("p", cpu: "3", priority: 100), nodes: [Fx.node("n1", cpu: "2")],
            pods: [Self.pod("low", node: "n1", priority: 1)])
        #expect(
            outcome.message
                == "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu..")
    }

    struct BudgetCase: Sendable, CustomStringConvertible {
        var description: String
        var budgets: [PolicyV1.PodDisruptionBudget]
        var node: String
    }

    /// n1 holds `guarded` (priority 10, covered by the budget), n2 `free` (priority 20).
    static let budgetCases: [BudgetCase] = [
        BudgetCase(description: "no budget: lowest priority victim", budgets: [], node: "n1"),
        BudgetCase(
            description: "a violated budget outweighs priority", budgets: [budget("pdb", app: "guarded", allowed: 0)],
            node: "n2"),
        BudgetCase(
            description: "a budget with room is not violated", budgets: [budget("pdb", app: "guarded", allowed: 1)],
            node: "n1"),
        BudgetCase(
            description: "already disrupted pods do not count",
            budgets: [budget("pdb", app: "guarded", allowed: 0, disrupted: ["guarded"])], node: "n1"),
        BudgetCase(
            description: "budgets of other labels do not apply", budgets: [budget("pdb", app: "other", allowed: 0)],
            node: "n1"),
    ]

    @Test(arguments: budgetCases)
    func budgetsAreAvoided(_ testCase: BudgetCase) throws {
        let outcome = try Self.run(
            Self.pod("p", priority: 100), nodes: [Fx.node("n1", cpu: "2"), Fx.node("n2", cpu: "2")],
            pods: [
                Self.pod("guarded", node: "n1", cpu: "2", priority: 10, labels: ["app": "guarded"]),
                Self.pod("free", node: "n2", cpu: "2", priority: 20),
            ], budgets: testCase.budgets)
        #expect(outcome.result?.nominatedNodeName == testCase.node)
        #expect(outcome.result?.victims.count == 1)
    }

    @Test func violatingVictimsAreReprievedFirst() throws {
        // One of the three 1-CPU pods may stay next to the 2-CPU preemptor. In importance
        // order b (20), a (10), c (5); with a's budget exhausted, a is reprieved first.
        let nodes = [Fx.node("n1", cpu: "3")]
        let pods = [
            Self.pod("a", node: "n1", priority: 10, labels: ["app": "a"]), Self.pod("b", node: "n1", priority: 20),
            Self.pod("c", node: "n1", priority: 5),
        ]
        let guarded = try Self.run(
            Self.pod("p", cpu: "2", priority: 100), nodes: nodes, pods: pods, budgets: [Self.budget("pdb", app: "a", allowed: 0)])
        #expect(guarded.result?.victims.map(\.name) == ["b", "c"])
        let plain = try Self.run(Self.pod("p", cpu: "2", priority: 100), nodes: nodes, pods: pods)
        #expect(plain.result?.victims.map(\.name) == ["a", "c"])
    }

    @Test func budgetViolationsAreCountedInOrder() {
        // Two pods under a budget allowing one disruption: the second one violates it.
        let pods = ["x1", "x2", "y"].map { PodInfo(Self.pod($0, labels: ["app": $0 == "y" ? "y" : "x"])) }
        let budgets = [DisruptionBudget(Self.budget("pdb", app: "x", allowed: 1))]
        let (violating, nonViolating) = DefaultPreemption.splitByBudgetViolation(pods, budgets: budgets)
        #expect(violating.map(\.name) == ["x2"])
        #expect(nonViolating.map(\.name) == ["x1", "y"])
    }

    // MARK: - Candidate choice

    struct PickCase: Sendable, CustomStringConvertible {
        var description: String
        /// Per candidate: PDB violations and victims as (priority, start time or nil).
        var candidates: [(violations: Int, victims: [(Int32, Int64?)])]
        var expected: Int
    }

    static let pickCases: [PickCase] = [
        PickCase(description: "fewest PDB violations", candidates: [(1, [(1, nil)]), (0, [(100, nil)])], expected: 1),
        PickCase(description: "lowest highest priority", candidates: [(0, [(5, nil), (50, nil)]), (0, [(20, nil)])], expected: 1),
        PickCase(description: "smallest priority sum", candidates: [(0, [(10, nil), (5, nil)]), (0, [(10, nil), (1, nil)])], expected: 1),
        // Priorities are shifted by 2³¹ before summing, so a victim of priority Int32.min adds 0:
        // equal sums, and the single victim wins on count.
        PickCase(description: "fewest victims", candidates: [(0, [(10, nil), (Int32.min, nil)]), (0, [(10, nil)])], expected: 1),
        PickCase(description: "latest start of the highest-priority victims", candidates: [(0, [(10, 200)]), (0, [(10, 300)])], expected: 1),
        PickCase(description: "not started counts as latest", candidates: [(0, [(10, nil)]), (0, [(10, 300)])], expected: 0),
        PickCase(description: "ties go to the first", candidates: [(0, [(10, 300)]), (0, [(10, 300)])], expected: 0),
    ]

    @Test(arguments: pickCases)
    func candidateOrder(_ testCase: PickCase) {
        let candidates = testCase.candidates.enumerated().map { index, candidate in
            DefaultPreemption.Candidate(
                nodeName: "n\(index)",
                victims: candidate.victims.enumerated().map { PodInfo(Self.pod("v\(index)-\($0.offset)", priority: $0.element.0, started: $0.element.1)) },
                pdbViolations: candidate.violations)
        }
        #expect(DefaultPreemption.selectCandidate(candidates)?.nodeName == "n\(testCase.expected)")
    }

    /// max(absolute, nodes × percentage / 100), capped at the node count.
    @Test(arguments: [
        (nodes: 5000, percentage: Int32(10), absolute: Int32(100), expected: 500), (500, 10, 100, 100), (50, 10, 100, 50),
        (1000, 0, 10, 10), (1000, 100, 0, 1000),
    ])
    func numberOfCandidates(_ c: (nodes: Int, percentage: Int32, absolute: Int32, expected: Int)) {
        let plugin = DefaultPreemption(minCandidateNodesPercentage: c.percentage, minCandidateNodesAbsolute: c.absolute)
        #expect(plugin.numCandidates(numNodes: c.nodes) == c.expected)
    }

    @Test(arguments: [0, 1, 2, 3])
    func theSearchStartsAtTheInjectedOffset(offset: Int) throws {
        // Four identical candidates and one candidate wanted: the first tried wins.
        let nodes = ["n1", "n2", "n3", "n4"].map { Fx.node($0, cpu: "1") }
        let pods = nodes.map { Self.pod("low-\($0.metadata?.name ?? "")", node: $0.metadata?.name, priority: 1) }
        let plugin = DefaultPreemption(minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1, randomOffset: { _ in offset })
        let outcome = try Self.run(Self.pod("p", priority: 100), nodes: nodes, pods: pods, plugin: plugin)
        #expect(outcome.result?.nominatedNodeName == "n\(offset + 1)")
    }

    // MARK: - Eligibility and nominations

    @Test func preemptionPolicyNever() throws {
        var pod = Self.pod("p", priority: 100)
        pod.spec?.preemptionPolicy = "Never"
        let outcome = try Self.run(pod, nodes: [Fx.node("n1", cpu: "1")], pods: [Self.pod("low", node: "n1", priority: 1)])
        #expect(outcome.result == nil)
        #expect(outcome.status.message == "preemption: not eligible due to preemptionPolicy=Never.")
    }

    @Test func waitsForVictimsTerminatingOnTheNominatedNode() throws {
        var victim = Self.pod("low", node: "n1", priority: 1)
        victim.metadata?.deletionTimestamp = Time(secondsSinceEpoch: 10)
        victim.status = CoreV1.PodStatus(
            conditions: [CoreV1.PodCondition(reason: "PreemptionByScheduler", status: "True", type: "DisruptionTarget")])
        var pod = Self.pod("p", priority: 100)
        pod.status = CoreV1.PodStatus(nominatedNodeName: "n1")
        let waiting = try Self.run(
            pod, nodes: [Fx.node("n1", cpu: "1"), Fx.node("n2", cpu: "1")],
            pods: [victim, Self.pod("big", node: "n2", priority: 1000)])
        #expect(waiting.result == nil)
        #expect(waiting.status.message == "preemption: not eligible due to a terminating pod on the nominated node.")
        // Once the nominated node is ruled out for good (here: unschedulable), it may preempt again.
        let cordoned = try Self.run(
            pod, nodes: [Fx.node("n1", cpu: "1", unschedulable: true), Fx.node("n2", cpu: "1")],
            pods: [victim, Self.pod("other", node: "n2", priority: 1)])
        #expect(cordoned.result?.nominatedNodeName == "n2")
    }

    @Test func lowerPriorityNominationsOnTheChosenNodeAreCleared() throws {
        // n1 (3 CPU) runs a (priority 1, 2 CPU) and b (priority 200, 0.5 CPU); waiting-high
        // (priority 500, 0.5 CPU) is nominated there and counts as running, waiting-low
        // (priority 50) does not. Removing a makes room; waiting-low loses its nomination.
        let lower = PodInfo(Self.pod("waiting-low", priority: 50))
        let nominated = Nominated(byNode: ["n1": [lower, PodInfo(Self.pod("waiting-high", cpu: "500m", priority: 500))]])
        let outcome = try Self.run(
            Self.pod("p", priority: 100), nodes: [Fx.node("n1", cpu: "3")],
            pods: [Self.pod("a", node: "n1", cpu: "2", priority: 1), Self.pod("b", node: "n1", cpu: "500m", priority: 200)],
            nominated: nominated)
        #expect(outcome.result?.nominatedNodeName == "n1")
        #expect(outcome.result?.victims.map(\.name) == ["a"])
        #expect(outcome.result?.nominatedPodsToClear.map(\.name) == ["waiting-low"])
    }

    // MARK: - Registration and args

    @Test func args() throws {
        let plugin = try DefaultPreemption(args: ["minCandidateNodesPercentage": 20, "minCandidateNodesAbsolute": 5])
        #expect(plugin.minCandidateNodesPercentage == 20)
        #expect(plugin.minCandidateNodesAbsolute == 5)
        let defaults = try DefaultPreemption(args: nil)
        #expect((defaults.minCandidateNodesPercentage, defaults.minCandidateNodesAbsolute) == (10, 100))
        let prefix = "invalid args for plugin \"DefaultPreemption\": "
        #expect(throws: FrameworkError(prefix + "minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]")) {
            try DefaultPreemption(args: ["minCandidateNodesPercentage": 101])
        }
        #expect(
            throws: FrameworkError(
                prefix + "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute")
        ) { try DefaultPreemption(args: ["minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 0]) }
    }
}
