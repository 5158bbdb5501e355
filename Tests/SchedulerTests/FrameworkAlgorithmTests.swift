import APIMachinery
import Testing

@testable import Scheduler

/// `SchedulingAlgorithm` and `SchedulingFramework`: sampling, the rotating start index,
/// failure messages, PreFilter results, nominated nodes and pods, scoring and host choice.
@Suite struct FrameworkAlgorithmTests {
    static let filters: [any SchedulerPlugin] = [
        NodeUnschedulable(), NodeName(), TaintToleration(), NodeAffinity(), NodePorts(), NodeResourcesFit(),
    ]

    func schedule(
        _ pod: CoreV1.Pod, on snapshot: Snapshot, plugins: [any SchedulerPlugin] = filters,
        algorithm: inout SchedulingAlgorithm, nominated: (any NominatedPodLister)? = nil
    ) throws -> Result<ScheduleResult, ScheduleError> {
        let framework = try Fx.framework(plugins)
        let state = CycleState(snapshot: snapshot)
        do {
            return .success(
                try algorithm.schedule(pod: PodInfo(pod), framework: framework, state: state, nominatedPods: nominated))
        } catch {
            return .failure(error)
        }
    }

    func failureMessage(_ result: Result<ScheduleResult, ScheduleError>) -> String? {
        if case .failure(let error) = result { return error.description }
        return nil
    }

    // MARK: - Sampling

    struct SamplingCase: Sendable {
        var nodes: Int
        var percentage: Int32
        var expected: Int
    }

    static let samplingCases: [SamplingCase] = [
        SamplingCase(nodes: 10, percentage: 0, expected: 10),  // below 100: every node
        SamplingCase(nodes: 99, percentage: 5, expected: 99),
        SamplingCase(nodes: 100, percentage: 0, expected: 100),  // 50% of 100 = 50, raised to 100
        SamplingCase(nodes: 1000, percentage: 0, expected: 420),  // 50 - 1000/125 = 42%
        SamplingCase(nodes: 5000, percentage: 0, expected: 500),  // 50 - 40 = 10%
        SamplingCase(nodes: 6000, percentage: 0, expected: 300),  // 50 - 48 = 2% → floor of 5%
        SamplingCase(nodes: 15000, percentage: 0, expected: 750),  // negative → 5%
        SamplingCase(nodes: 5000, percentage: 30, expected: 1500),  // configured percentage
        SamplingCase(nodes: 500, percentage: 10, expected: 100),  // 50 raised to the minimum 100
        SamplingCase(nodes: 5000, percentage: 100, expected: 5000),
    ]

    @Test(arguments: samplingCases)
    func numFeasibleNodesToFind(_ testCase: SamplingCase) {
        #expect(
            SchedulingAlgorithm.numFeasibleNodesToFind(numAllNodes: testCase.nodes, percentage: testCase.percentage)
                == testCase.expected)
    }

    static func bigSnapshot(_ count: Int) -> Snapshot {
        let cache = SchedulerCache()
        for index in 0..<count { cache.addNode(Fx.node(String(format: "node-%05d", index))) }
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        return snapshot
    }

    @Test func samplingStopsEarlyAndRotatesTheStart() throws {
        let snapshot = Self.bigSnapshot(1000)
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        let pod = Fx.pod("p", requests: [["cpu": "100m"]])
        var starts: [Int] = []
        for _ in 0..<3 {
            starts.append(algorithm.nextStartNodeIndex)
            let result = try schedule(pod, on: snapshot, algorithm: &algorithm).get()
            #expect(result.feasibleNodes == 420)
            #expect(result.evaluatedNodes == 420)
        }
        #expect(starts == [0, 420, 840])
        #expect(algorithm.nextStartNodeIndex == 260)  // (840 + 420) mod 1000
    }

    @Test func fiveThousandNodesFilterFiveHundred() throws {
        let snapshot = Self.bigSnapshot(5000)
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        let result = try schedule(Fx.pod("p"), on: snapshot, algorithm: &algorithm).get()
        #expect(result.feasibleNodes == 500)
        #expect(result.evaluatedNodes == 500)
        // A profile's own percentage overrides the scheduler-wide one.
        var configured = SchedulingAlgorithm(percentageOfNodesToScore: 20, random: SeededRandom(seed: 1))
        #expect(try schedule(Fx.pod("q"), on: snapshot, algorithm: &configured).get().feasibleNodes == 1000)
    }

    @Test func rejectedNodesCountAsEvaluated() throws {
        // 200 nodes, every other one too small: 100 feasible wanted, so the search goes on
        // until 100 fit, evaluating the 99 rejected nodes met on the way.
        let cache = SchedulerCache()
        for index in 0..<200 { cache.addNode(Fx.node(String(format: "n%03d", index), cpu: index % 2 == 0 ? "4" : "1")) }
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 3))
        let result = try schedule(Fx.pod("p", requests: [["cpu": "2"]]), on: snapshot, algorithm: &algorithm).get()
        #expect(result.feasibleNodes == 100)
        #expect(result.evaluatedNodes == 199)
        #expect(algorithm.nextStartNodeIndex == 199)
    }

    // MARK: - Failure messages

    @Test func fitErrorMessageMatchesKubernetes() throws {
        let snapshot = Snapshot(nodes: [
            Fx.node("control-plane", cpu: "8", taints: [Fx.taint("node-role.kubernetes.io/control-plane")]),
            Fx.node("worker-1", cpu: "1"),
            Fx.node("worker-2", cpu: "1"),
        ])
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        let result = try schedule(Fx.pod("p", requests: [["cpu": "2"]]), on: snapshot, algorithm: &algorithm)
        #expect(
            failureMessage(result)
                == "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                + "2 Insufficient cpu.")
        guard case .failure(.unschedulable(let fitError)) = result else {
            Issue.record("expected a FitError")
            return
        }
        #expect(fitError.diagnosis.unschedulablePlugins == [PluginNames.taintToleration, PluginNames.nodeResourcesFit])
        #expect(fitError.diagnosis.nodeToStatus.status(forNode: "worker-1").plugin == PluginNames.nodeResourcesFit)
        #expect(fitError.diagnosis.nodeToStatus.status(forNode: "control-plane").code == .unschedulableAndUnresolvable)
    }

    struct MessageCase: Sendable, CustomStringConvertible {
        var description: String
        var nodes: [CoreV1.Node]
        var pods: [CoreV1.Pod] = []
        var pod: CoreV1.Pod
        var message: String
    }

    static let messageCases: [MessageCase] = [
        MessageCase(
            description: "every failing resource of a node is counted",
            nodes: [Fx.node("n1", cpu: "1", memory: "1Gi")],
            pod: Fx.pod("p", requests: [["cpu": "2", "memory": "2Gi"]]),
            message: "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."),
        MessageCase(
            // Entries are sorted as strings, as upstream does: "10 …" before "2 …".
            description: "reasons sort as strings",
            nodes: (0..<10).map { Fx.node("full-\($0)", pods: 0) } + [Fx.node("a", cpu: "1"), Fx.node("b", cpu: "1")],
            pod: Fx.pod("p", requests: [["cpu": "2"]]),
            message: "0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu."),
        MessageCase(
            description: "filters stop at the first failing plugin",
            nodes: [
                Fx.node("cordoned", cpu: "1", unschedulable: true),
                Fx.node("labelled", cpu: "1"),
                Fx.node("named", cpu: "1", labels: ["disk": "ssd"]),
            ],
            pod: Fx.pod("p", requests: [["cpu": "2"]], nodeSelector: ["disk": "ssd"]),
            message:
                "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, "
                + "1 node(s) were unschedulable."),
        MessageCase(
            description: "the requested node name",
            nodes: [Fx.node("a"), Fx.node("b")],
            pod: Fx.pod("p", node: "c"),
            message: "0/2 nodes are available: 2 node(s) didn't match the requested node name."),
        MessageCase(
            description: "host ports",
            nodes: [Fx.node("a")],
            pods: [Fx.pod("web", node: "a", containers: [Fx.container(hostPorts: [(80, nil, "10.0.0.1")])])],
            pod: Fx.pod("p", containers: [Fx.container(hostPorts: [(80, nil, nil)])]),
            message: "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."),
        MessageCase(
            // PreFilter rejects the pod: its message replaces the per-node reasons.
            description: "PreFilter conflict",
            nodes: [Fx.node("a"), Fx.node("b")],
            pod: Fx.pod(
                "p",
                affinity: CoreV1.Affinity(
                    nodeAffinity: CoreV1.NodeAffinity(
                        requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                            CoreV1.NodeSelectorTerm(matchFields: [
                                CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["a"]),
                                CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["b"]),
                            ])
                        ])))),
            message: "0/2 nodes are available: pod affinity terms conflict."),
        MessageCase(
            // Nodes outside the PreFilter result share one status.
            description: "PreFilter narrows to named nodes",
            nodes: [Fx.node("a"), Fx.node("b", cpu: "1"), Fx.node("c")],
            pod: Fx.pod(
                "p", requests: [["cpu": "2"]],
                affinity: CoreV1.Affinity(
                    nodeAffinity: CoreV1.NodeAffinity(
                        requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                            CoreV1.NodeSelectorTerm(matchFields: [
                                CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["b"])
                            ])
                        ])))),
            message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]."),
    ]

    @Test(arguments: messageCases)
    func failureMessages(_ testCase: MessageCase) throws {
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        let result = try schedule(testCase.pod, on: Snapshot(nodes: testCase.nodes, pods: testCase.pods), algorithm: &algorithm)
        #expect(failureMessage(result) == testCase.message)
    }

    @Test func noNodesIsItsOwnError() throws {
        var algorithm = SchedulingAlgorithm()
        let result = try schedule(Fx.pod("p"), on: Snapshot(), algorithm: &algorithm)
        #expect(failureMessage(result) == "no nodes available to schedule pods")
    }

    /// A PostFilter that reports what preemption would: no victims anywhere.
    struct NoVictims: PostFilterPlugin {
        var name: String { "FakePreemption" }
        var nominate: String?
        func postFilter(state: CycleState, pod: PodInfo, context: PostFilterContext) -> (PostFilterResult?, Status) {
            if let nominate { return (PostFilterResult(nominatedNodeName: nominate), .success) }
            let count = context.nodeToStatus.nodesWhereUnschedulable(among: state.snapshot.nodeInfos).count
            return (
                nil,
                Status(
                    .unschedulable,
                    "preemption: 0/\(state.snapshot.count) nodes are available: \(count) No preemption victims found for incoming pod")
            )
        }
    }

    @Test func postFilterMessageIsAppended() throws {
        let snapshot = Snapshot(nodes: [Fx.node("a", cpu: "1"), Fx.node("b", cpu: "1", unschedulable: true)])
        let framework = try Fx.framework(Self.filters + [NoVictims()])
        let state = CycleState(snapshot: snapshot)
        var algorithm = SchedulingAlgorithm()
        let pod = PodInfo(Fx.pod("p", requests: [["cpu": "2"]]))
        #expect(throws: ScheduleError.self) { try algorithm.schedule(pod: pod, framework: framework, state: state) }
        do {
            _ = try algorithm.schedule(pod: pod, framework: framework, state: state)
        } catch {
            guard case .unschedulable(var fitError) = error else {
                Issue.record("expected a FitError, got \(error)")
                return
            }
            let (result, status) = SchedulingAlgorithm.runPostFilter(fitError: &fitError, framework: framework, state: state)
            #expect(result == nil)
            #expect(status.plugin == "FakePreemption")
            #expect(
                fitError.message
                    == "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. "
                    + "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod.")
            #expect(fitError.diagnosis.unschedulablePlugins.contains("FakePreemption"))
        }
        let nominating = try Fx.framework(Self.filters + [NoVictims(nominate: "a")])
        var fitError = FitError(pod: pod, numAllNodes: 2, diagnosis: Diagnosis())
        let (result, status) = SchedulingAlgorithm.runPostFilter(fitError: &fitError, framework: nominating, state: state)
        #expect(status.isSuccess)
        #expect(result?.nominatedNodeName == "a")
    }

    // MARK: - Nominations

    @Test func nominatedNodeIsTriedFirst() throws {
        let snapshot = Self.bigSnapshot(200)
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 9))
        let pod = Fx.pod("p", nominatedNodeName: "node-00150")
        let result = try schedule(pod, on: snapshot, algorithm: &algorithm).get()
        #expect(result == ScheduleResult(suggestedHost: "node-00150", evaluatedNodes: 1, feasibleNodes: 1))
        // A nominated node that no longer fits falls back to the full search.
        let full = Snapshot(nodes: [Fx.node("small", cpu: "1"), Fx.node("big", cpu: "8")])
        let other = try schedule(
            Fx.pod("q", requests: [["cpu": "2"]], nominatedNodeName: "small"), on: full, algorithm: &algorithm
        ).get()
        #expect(other.suggestedHost == "big")
    }

    struct Nominations: NominatedPodLister {
        var byNode: [String: [PodInfo]]
        func nominatedPods(forNode nodeName: String) -> [PodInfo] { byNode[nodeName] ?? [] }
    }

    @Test func nominatedPodsOfHigherPriorityTakeTheirRoom() throws {
        let snapshot = Snapshot(nodes: [Fx.node("a", cpu: "4"), Fx.node("b", cpu: "4")])
        let nominated = Nominations(byNode: [
            "a": [PodInfo(Fx.pod("vip", requests: [["cpu": "3"]], priority: 100))]
        ])
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 5))
        for _ in 0..<4 {
            let low = try schedule(
                Fx.pod("low", requests: [["cpu": "2"]], priority: 10), on: snapshot, algorithm: &algorithm,
                nominated: nominated
            ).get()
            #expect(low.suggestedHost == "b")
            #expect(low.feasibleNodes == 1)
        }
        // Equal or higher priority pods ignore lower-priority nominations... and the pod's own.
        let high = try schedule(
            Fx.pod("vip", requests: [["cpu": "2"]], priority: 100), on: snapshot, algorithm: &algorithm,
            nominated: nominated
        ).get()
        #expect(high.feasibleNodes == 2)
        let higher = try schedule(
            Fx.pod("boss", requests: [["cpu": "2"]], priority: 50), on: snapshot, algorithm: &algorithm,
            nominated: Nominations(byNode: ["a": [PodInfo(Fx.pod("minor", requests: [["cpu": "3"]], priority: 1))]])
        ).get()
        #expect(higher.feasibleNodes == 2)
    }

    // MARK: - Scoring and host selection

    @Test func weightedScoresPickTheBestNode() throws {
        // TaintToleration (weight 3) strongly prefers the untainted node; NodeResourcesFit
        // (weight 1) prefers the emptier, tainted one. The weights decide.
        let cache = SchedulerCache()
        cache.addNode(Fx.node("clean"))
        cache.addNode(Fx.node("tainted", taints: [Fx.taint("soft", "x", "PreferNoSchedule")]))
        try cache.addPod(Fx.podInfo("existing", node: "clean", requests: [["cpu": "1", "memory": "0"]]))
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let framework = try Fx.framework(
            [TaintToleration(), NodeResourcesFit()],
            weights: [PluginNames.taintToleration: 3, PluginNames.nodeResourcesFit: 1])
        let state = CycleState(snapshot: snapshot)
        let pod = PodInfo(Fx.pod("p", requests: [["cpu": "500m", "memory": "256Mi"]]))
        _ = framework.runPreScorePlugins(state: state, pod: pod, nodes: snapshot.nodeInfos)
        let scores = try framework.runScorePlugins(state: state, pod: pod, nodes: snapshot.nodeInfos).get()
        // memory: (8Gi − 256Mi) / 8Gi × 100 = 96.875 → 96; cpu on clean: (4000 − 1500)/4000 → 62
        // (mean (62 + 96) / 2 = 79); cpu on tainted: 3500/4000 → 87 (mean (87 + 96) / 2 = 91).
        #expect(scores.byPlugin.map(\.plugin) == [PluginNames.taintToleration, PluginNames.nodeResourcesFit])
        #expect(scores.byPlugin[0].scores == [300, 0])
        #expect(scores.byPlugin[1].scores == [79, 91])
        #expect(scores.totals == [379, 91])
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 1))
        #expect(try algorithm.schedule(pod: pod, framework: framework, state: CycleState(snapshot: snapshot)).suggestedHost == "clean")
    }

    @Test func tiesAreBrokenByTheInjectedRandomSource() throws {
        let snapshot = Snapshot(nodes: ["a", "b", "c"].map { Fx.node($0) })
        func picks(seed: UInt64) throws -> [String] {
            var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: seed))
            var result: [String] = []
            for index in 0..<60 {
                result.append(
                    try schedule(Fx.pod("p\(index)"), on: snapshot, plugins: [NodeResourcesFit()], algorithm: &algorithm)
                        .get().suggestedHost)
            }
            return result
        }
        let first = try picks(seed: 7)
        #expect(try picks(seed: 7) == first)  // reproducible
        #expect(Set(first) == ["a", "b", "c"])  // every tied node gets chosen
        for name in ["a", "b", "c"] { #expect(first.filter { $0 == name }.count >= 10) }
    }

    @Test func withoutScorePluginsEveryNodeTies() throws {
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 11))
        let snapshot = Snapshot(nodes: ["a", "b"].map { Fx.node($0) })
        var seen = Set<String>()
        for index in 0..<20 {
            seen.insert(
                try schedule(Fx.pod("p\(index)"), on: snapshot, plugins: [NodeName()], algorithm: &algorithm).get()
                    .suggestedHost)
        }
        #expect(seen == ["a", "b"])
    }

    // MARK: - Framework rules

    struct Broken: FilterPlugin, ScorePlugin {
        var name: String { "Broken" }
        var filterStatus = Status.success
        var scoreValue: Int64 = 0
        func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status { filterStatus }
        func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) { (scoreValue, .success) }
    }

    @Test func pluginErrorsAreInternalErrors() throws {
        let snapshot = Snapshot(nodes: [Fx.node("a"), Fx.node("b")])
        var algorithm = SchedulingAlgorithm()
        let filterError = try schedule(
            Fx.pod("p"), on: snapshot, plugins: [Broken(filterStatus: .error("boom"))], algorithm: &algorithm)
        #expect(failureMessage(filterError) == "running \"Broken\" filter plugin: boom")
        let badScore = try schedule(Fx.pod("p"), on: snapshot, plugins: [Broken(scoreValue: 101)], algorithm: &algorithm)
        #expect(
            failureMessage(badScore)
                == "plugin \"Broken\" returns an invalid score 101, it should in the range of [0, 100] after normalizing")
        // With a single feasible node nothing is scored.
        let single = try schedule(
            Fx.pod("p"), on: Snapshot(nodes: [Fx.node("a")]), plugins: [Broken(scoreValue: 101)], algorithm: &algorithm)
        #expect(try single.get().suggestedHost == "a")
    }

    @Test func frameworkRejectsBadProfiles() {
        #expect(throws: FrameworkError("plugin \"NodeName\" already registered in profile test-scheduler")) {
            try Fx.framework([NodeName(), NodeName()])
        }
        #expect(throws: FrameworkError("score plugin \"ImageLocality\" has a non-positive weight 0")) {
            try Fx.framework([ImageLocality()], weights: [PluginNames.imageLocality: 0])
        }
        #expect(throws: FrameworkError.self) { try Fx.framework([PrioritySort(), OtherSort()]) }
    }

    struct OtherSort: QueueSortPlugin {
        var name: String { "OtherSort" }
        func less<T: Comparable & Sendable>(_ lhs: QueueSortEntry<T>, _ rhs: QueueSortEntry<T>) -> Bool { false }
    }

    @Test func disabledPointsAreHonoured() throws {
        let framework = try SchedulingFramework(
            profile: Profile(
                schedulerName: "s",
                plugins: [
                    Profile.Entry(TaintToleration(), weight: 3, disabledPoints: [.score]),
                    Profile.Entry(NodeAffinity(), weight: 2),
                ]))
        #expect(framework.pluginNames(at: .filter) == [PluginNames.taintToleration, PluginNames.nodeAffinity])
        #expect(framework.pluginNames(at: .score) == [PluginNames.nodeAffinity])
        #expect(framework.pluginNames(at: .preScore) == [PluginNames.taintToleration, PluginNames.nodeAffinity])
        #expect(framework.pluginNames(at: .preFilter) == [PluginNames.nodeAffinity])
        #expect(framework.scoreWeight(of: PluginNames.nodeAffinity) == 2)
        #expect(framework.scoreWeight(of: PluginNames.taintToleration) == nil)
    }

    @Test func preFilterSkipsFiltersForTheCycle() throws {
        let snapshot = Snapshot(nodes: [Fx.node("a")])
        let framework = try Fx.framework(Self.filters)
        let state = CycleState(snapshot: snapshot)
        let outcome = framework.runPreFilterPlugins(state: state, pod: PodInfo(Fx.pod("p")))
        #expect(outcome.status.isSuccess)
        #expect(state.skipFilterPlugins == [PluginNames.nodeAffinity, PluginNames.nodePorts])
        #expect(state.clone().skipFilterPlugins == state.skipFilterPlugins)
    }
}
