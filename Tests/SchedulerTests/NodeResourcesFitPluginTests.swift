import APIMachinery
import Testing

@testable import Scheduler

/// NodeResourcesFit (filter and the three scoring strategies) and
/// NodeResourcesBalancedAllocation, with scores derived from upstream's formulas.
@Suite struct NodeResourcesFitPluginTests {
    struct FilterCase: Sendable, CustomStringConvertible {
        var description: String
        var node: CoreV1.Node
        var existing: [[String: String]] = []
        var pod: CoreV1.Pod
        var plugin = NodeResourcesFit()
        var reasons: [String]
    }

    static let filterCases: [FilterCase] = [
        FilterCase(
            description: "fits exactly", node: Fx.node("n", cpu: "1", memory: "1Gi"), existing: [["cpu": "500m"]],
            pod: Fx.pod("p", requests: [["cpu": "500m", "memory": "1Gi"]]), reasons: []),
        FilterCase(
            description: "one millicore too many", node: Fx.node("n", cpu: "1"), existing: [["cpu": "500m"]],
            pod: Fx.pod("p", requests: [["cpu": "501m"]]), reasons: ["Insufficient cpu"]),
        FilterCase(
            description: "pod count is checked even without requests", node: Fx.node("n", pods: 1), existing: [[:]],
            pod: Fx.pod("p"), reasons: ["Too many pods"]),
        FilterCase(
            description: "a zero-request pod fits a node whose CPU is taken", node: Fx.node("n", cpu: "1"),
            existing: [["cpu": "1"]], pod: Fx.pod("p"), reasons: []),
        FilterCase(
            description: "every failing resource, in upstream's order",
            node: Fx.node("n", cpu: "1", memory: "1Gi", pods: 1, extra: ["ephemeral-storage": "1Gi", "example.com/gpu": "1"]),
            existing: [[:]],
            pod: Fx.pod(
                "p",
                requests: [["cpu": "2", "memory": "2Gi", "ephemeral-storage": "2Gi", "example.com/gpu": "2", "hugepages-2Mi": "2Mi"]]),
            reasons: [
                "Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage",
                "Insufficient example.com/gpu", "Insufficient hugepages-2Mi",
            ]),
        FilterCase(
            description: "an extended resource the node lacks", node: Fx.node("n"),
            pod: Fx.pod("p", requests: [["example.com/gpu": "1"]]), reasons: ["Insufficient example.com/gpu"]),
        FilterCase(
            description: "ignored extended resource", node: Fx.node("n"),
            pod: Fx.pod("p", requests: [["example.com/gpu": "1"]]),
            plugin: NodeResourcesFit(ignoredResources: ["example.com/gpu"]), reasons: []),
        FilterCase(
            description: "ignored resource group; hugepages are not extended and stay checked", node: Fx.node("n"),
            pod: Fx.pod("p", requests: [["example.com/gpu": "1", "hugepages-2Mi": "2Mi"]]),
            plugin: NodeResourcesFit(ignoredResourceGroups: ["example.com"]), reasons: ["Insufficient hugepages-2Mi"]),
        FilterCase(
            description: "an init container bigger than the node", node: Fx.node("n", memory: "1Gi"),
            pod: Fx.pod(
                "p", requests: [["memory": "100Mi"]],
                initContainers: [Fx.container("init", requests: ["memory": "2Gi"])]),
            reasons: ["Insufficient memory"]),
        FilterCase(
            description: "overhead counts", node: Fx.node("n", cpu: "1"),
            pod: Fx.pod("p", requests: [["cpu": "900m"]], overhead: ["cpu": "200m"]), reasons: ["Insufficient cpu"]),
    ]

    @Test(arguments: filterCases)
    func filter(_ testCase: FilterCase) {
        let pods = testCase.existing.enumerated().map { Fx.pod("e\($0.offset)", node: "n", requests: [$0.element]) }
        let snapshot = Snapshot(nodes: [testCase.node], pods: pods)
        let status = testCase.plugin.filter(
            state: CycleState(snapshot: snapshot), pod: PodInfo(testCase.pod), nodeInfo: snapshot.nodeInfos[0])
        #expect(status.reasons == testCase.reasons)
        #expect(status.code == (testCase.reasons.isEmpty ? .success : .unschedulable))
    }

    @Test func insufficientResourcesCarryAmounts() {
        let snapshot = Snapshot(nodes: [Fx.node("n", cpu: "2")], pods: [Fx.pod("e", node: "n", requests: [["cpu": "1500m"]])])
        let found = NodeResourcesFit().insufficientResources(
            pod: PodInfo(Fx.pod("p", requests: [["cpu": "1"]])), nodeInfo: snapshot.nodeInfos[0])
        #expect(
            found == [
                NodeResourcesFit.InsufficientResource(
                    resourceName: "cpu", reason: "Insufficient cpu", requested: 1000, used: 1500, capacity: 2000)
            ])
    }

    // MARK: - Scoring

    /// Two nodes as in upstream's tests: cpu 4000m / memory 10000 and cpu 6000m / memory 10000.
    static let twoNodes = Snapshot(nodes: [Fx.node("n1", cpu: "4", memory: "10000"), Fx.node("n2", cpu: "6", memory: "10000")])
    static let pod3000 = PodInfo(Fx.pod("p", requests: [["cpu": "3", "memory": "5000"]]))

    @Test func leastAllocated() {
        // n1: cpu (4000−3000)×100/4000 = 25, memory (10000−5000)×100/10000 = 50 → (25+50)/2 = 37
        // n2: cpu (6000−3000)×100/6000 = 50, memory 50 → 50
        #expect(Fx.scores(NodeResourcesFit(), pod: Self.pod3000, snapshot: Self.twoNodes) == ["n1": 37, "n2": 50])
        // Weights cpu 2, memory 1: n1 (25×2 + 50)/3 = 33; n2 (50×2 + 50)/3 = 50.
        let weighted = NodeResourcesFit(
            scoringStrategy: .leastAllocated(resources: [ResourceSpec(name: "cpu", weight: 2), ResourceSpec(name: "memory")]))
        #expect(Fx.scores(weighted, pod: Self.pod3000, snapshot: Self.twoNodes) == ["n1": 33, "n2": 50])
    }

    @Test func leastAllocatedUsesNonZeroRequests() {
        // Existing pod without requests counts 100m / 200Mi; so does the incoming one:
        // cpu (1000 − 200)×100/1000 = 80, memory (2000Mi − 400Mi)×100/2000Mi = 80 → 80.
        let snapshot = Snapshot(nodes: [Fx.node("n", cpu: "1", memory: "2000Mi")], pods: [Fx.pod("e", node: "n")])
        #expect(Fx.scores(NodeResourcesFit(), pod: PodInfo(Fx.pod("p")), snapshot: snapshot) == ["n": 80])
        // Over-committed: requested above capacity scores 0 for that resource: cpu 0, memory 80 → 40.
        let busy = PodInfo(Fx.pod("q", requests: [["cpu": "2"]]))
        #expect(Fx.scores(NodeResourcesFit(), pod: busy, snapshot: snapshot) == ["n": 40])
    }

    @Test func mostAllocated() {
        // n1: cpu 3000×100/4000 = 75, memory 5000×100/10000 = 50 → 62; n2: 50, 50 → 50.
        let plugin = NodeResourcesFit(scoringStrategy: .mostAllocated(resources: ResourceSpec.defaults))
        #expect(Fx.scores(plugin, pod: Self.pod3000, snapshot: Self.twoNodes) == ["n1": 62, "n2": 50])
        // Requests above capacity are capped: cpu 100, memory 50 → 75.
        let huge = PodInfo(Fx.pod("q", requests: [["cpu": "5", "memory": "5000"]]))
        #expect(Fx.scores(plugin, pod: huge, snapshot: Self.twoNodes)["n1"] == 75)
    }

    @Test func requestedToCapacityRatio() {
        // Shape (0%, 0) → (100%, 10), scaled ×10: the score is the utilisation.
        // n1: cpu 75, memory 50 → 62.5, rounded half away from zero → 63; n2: 50, 50 → 50.
        let rising = NodeResourcesFit(
            scoringStrategy: .requestedToCapacityRatio(
                resources: ResourceSpec.defaults,
                shape: [UtilizationShapePoint(utilization: 0, score: 0), UtilizationShapePoint(utilization: 100, score: 10)]))
        #expect(Fx.scores(rising, pod: Self.pod3000, snapshot: Self.twoNodes) == ["n1": 63, "n2": 50])
        // The reverse shape: n1 cpu 25, memory 50 → 37.5 → 38.
        let falling = NodeResourcesFit(
            scoringStrategy: .requestedToCapacityRatio(
                resources: ResourceSpec.defaults,
                shape: [UtilizationShapePoint(utilization: 0, score: 10), UtilizationShapePoint(utilization: 100, score: 0)]))
        #expect(Fx.scores(falling, pod: Self.pod3000, snapshot: Self.twoNodes)["n1"] == 38)
        // A resource scoring 0 is left out of the mean: memory explicitly 0 → cpu alone, 75.
        let cpuOnly = PodInfo(Fx.pod("q", requests: [["cpu": "3", "memory": "0"]]))
        #expect(Fx.scores(rising, pod: cpuOnly, snapshot: Self.twoNodes)["n1"] == 75)
        // Broken line through (0,0), (50,10), (100,0): at 75% → 100 + (0 − 100)×(75 − 50)/50 = 50;
        // memory at 50% → 100; mean 75.
        let peaked = NodeResourcesFit(
            scoringStrategy: .requestedToCapacityRatio(
                resources: ResourceSpec.defaults,
                shape: [
                    UtilizationShapePoint(utilization: 0, score: 0), UtilizationShapePoint(utilization: 50, score: 10),
                    UtilizationShapePoint(utilization: 100, score: 0),
                ]))
        #expect(Fx.scores(peaked, pod: Self.pod3000, snapshot: Self.twoNodes)["n1"] == 75)
    }

    @Test func scalarResourcesScoreOnlyWhenRequested() {
        // Resources cpu and example.com/gpu: a pod requesting 1 of 4 GPUs on n (cpu 1000m):
        // cpu (1000 − 100)×100/1000 = 90 (non-zero default), gpu (4 − 1)×100/4 = 75 → 82.
        let snapshot = Snapshot(nodes: [Fx.node("n", cpu: "1", extra: ["example.com/gpu": "4"])])
        let plugin = NodeResourcesFit(
            scoringStrategy: .leastAllocated(resources: [ResourceSpec(name: "cpu"), ResourceSpec(name: "example.com/gpu")]))
        let gpuPod = PodInfo(Fx.pod("g", requests: [["example.com/gpu": "1"]]))
        #expect(Fx.scores(plugin, pod: gpuPod, snapshot: snapshot) == ["n": 82])
        // Without a GPU request the resource is left out: cpu alone, 90.
        #expect(Fx.scores(plugin, pod: PodInfo(Fx.pod("c")), snapshot: snapshot) == ["n": 90])
    }

    // MARK: - Balanced allocation

    @Test func balancedAllocation() {
        // n1: fractions cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5; std = |0.75 − 0.5|/2 =
        // 0.125 → (1 − 0.125)×100 = 87.5 → 87. n2: 0.5, 0.5 → std 0 → 100.
        let plugin = NodeResourcesBalancedAllocation()
        #expect(Fx.scores(plugin, pod: Self.pod3000, snapshot: Self.twoNodes) == ["n1": 87, "n2": 100])
        // Fractions are capped at 1: cpu 5000/4000 → 1, memory 0.5 → std 0.25 → 75.
        let huge = PodInfo(Fx.pod("q", requests: [["cpu": "5", "memory": "5000"]]))
        #expect(Fx.scores(plugin, pod: huge, snapshot: Self.twoNodes)["n1"] == 75)
    }

    @Test func balancedAllocationWithThreeResources() {
        // cpu 0.75, memory 0.5, ephemeral-storage 2000/10000 = 0.2: mean 0.48333,
        // std = sqrt(((0.26667)² + (0.01667)² + (0.28333)²)/3) = 0.22485 → 77.5 → 77.
        let snapshot = Snapshot(nodes: [Fx.node("n", cpu: "4", memory: "10000", extra: ["ephemeral-storage": "10000"])])
        let plugin = NodeResourcesBalancedAllocation(resources: ResourceSpec.defaults + [ResourceSpec(name: "ephemeral-storage")])
        let pod = PodInfo(Fx.pod("p", requests: [["cpu": "3", "memory": "5000", "ephemeral-storage": "2000"]]))
        #expect(Fx.scores(plugin, pod: pod, snapshot: snapshot) == ["n": 77])
    }

    @Test func balancedAllocationUsesExactRequestsAndSkipsBestEffortPods() {
        // The existing pod has no requests: it adds nothing (no 100m/200Mi defaults here).
        let snapshot = Snapshot(
            nodes: [Fx.node("n1", cpu: "4", memory: "10000"), Fx.node("n2", cpu: "6", memory: "10000")],
            pods: [Fx.pod("e", node: "n1")])
        #expect(Fx.scores(NodeResourcesBalancedAllocation(), pod: Self.pod3000, snapshot: snapshot) == ["n1": 87, "n2": 100])
        let state = CycleState(snapshot: snapshot)
        let status = NodeResourcesBalancedAllocation().preScore(
            state: state, pod: PodInfo(Fx.pod("best-effort")), nodes: snapshot.nodeInfos)
        #expect(status.isSkip)
    }
}
