import APIMachinery
import Testing

@testable import Scheduler

/// Profiles built from `SchedulerConfiguration` files: default plugin set, weights, disabled
/// points, plugin args; and the plugin registry.
@Suite struct FrameworkConfigurationTests {
    func profiles(_ yaml: String) throws -> [Profile] {
        try SchedulerConfiguration.parse(yaml).profiles.map { try Profile(configuration: $0) }
    }

    @Test func defaultProfileMatchesKubernetes() throws {
        let framework = try SchedulingFramework(profile: try Profile.defaultProfile())
        #expect(framework.profileName == "default-scheduler")
        #expect(framework.queueSortPlugin?.name == PluginNames.prioritySort)
        #expect(
            framework.pluginNames(at: .filter) == [
                "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
                "PodTopologySpread", "InterPodAffinity",
            ])
        #expect(framework.pluginNames(at: .preFilter) == ["NodeAffinity", "NodePorts", "PodTopologySpread", "InterPodAffinity"])
        #expect(framework.pluginNames(at: .postFilter) == ["DefaultPreemption"])
        #expect(
            framework.pluginNames(at: .score) == [
                "TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity",
                "NodeResourcesBalancedAllocation", "ImageLocality",
            ])
        let weights = framework.pluginNames(at: .score).map { framework.scoreWeight(of: $0) ?? 0 }
        #expect(weights == [3, 2, 1, 2, 2, 1, 1])
        #expect(framework.percentageOfNodesToScore == nil)
    }

    @Test func weightsDisabledPointsAndArgs() throws {
        let built = try profiles(
            """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: bin-packing
              percentageOfNodesToScore: 100
              plugins:
                score:
                  disabled:
                  - name: NodeResourcesBalancedAllocation
                  - name: ImageLocality
                  enabled:
                  - name: NodeResourcesFit
                    weight: 5
                filter:
                  disabled:
                  - name: NodePorts
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  ignoredResourceGroups: [example.com]
                  scoringStrategy:
                    type: MostAllocated
                    resources:
                    - {name: cpu, weight: 2}
                    - {name: memory}
            """)
        #expect(built.map(\.schedulerName) == ["default-scheduler", "bin-packing"])
        let profile = built[1]
        #expect(profile.percentageOfNodesToScore == 100)
        let framework = try SchedulingFramework(profile: profile)
        #expect(
            framework.pluginNames(at: .score) == [
                "TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity",
            ])
        #expect(framework.scoreWeight(of: "NodeResourcesFit") == 5)
        #expect(!framework.pluginNames(at: .filter).contains("NodePorts"))
        #expect(framework.pluginNames(at: .preFilter) == ["NodeAffinity", "NodePorts", "PodTopologySpread", "InterPodAffinity"])
        let fit = try #require(profile.plugins.first { $0.plugin.name == "NodeResourcesFit" }?.plugin as? NodeResourcesFit)
        #expect(fit.ignoredResourceGroups == ["example.com"])
        #expect(
            fit.scoringStrategy
                == .mostAllocated(resources: [ResourceSpec(name: "cpu", weight: 2), ResourceSpec(name: "memory", weight: 1)]))
    }

    @Test func requestedToCapacityRatioAndAddedAffinityArgs() throws {
        let built = try profiles(
            """
            profiles:
            - schedulerName: gpu
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: RequestedToCapacityRatio
                    resources: [{name: example.com/gpu, weight: 3}]
                    requestedToCapacityRatio:
                      shape: [{utilization: 0, score: 10}, {utilization: 100, score: 0}]
              - name: NodeResourcesBalancedAllocation
                args: {resources: [{name: cpu}, {name: memory}, {name: example.com/gpu}]}
              - name: NodeAffinity
                args:
                  addedAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms:
                      - matchExpressions: [{key: accelerator, operator: Exists}]
            """)
        let plugins = built[0].plugins.map(\.plugin)
        let fit = try #require(plugins.first { $0.name == "NodeResourcesFit" } as? NodeResourcesFit)
        #expect(
            fit.scoringStrategy
                == .requestedToCapacityRatio(
                    resources: [ResourceSpec(name: "example.com/gpu", weight: 3)],
                    shape: [UtilizationShapePoint(utilization: 0, score: 10), UtilizationShapePoint(utilization: 100, score: 0)]))
        let balanced = try #require(
            plugins.first { $0.name == "NodeResourcesBalancedAllocation" } as? NodeResourcesBalancedAllocation)
        #expect(balanced.resources.map(\.name) == ["cpu", "memory", "example.com/gpu"])
        let affinity = try #require(plugins.first { $0.name == "NodeAffinity" } as? NodeAffinity)
        let snapshot = Snapshot(nodes: [Fx.node("gpu", labels: ["accelerator": "a100"]), Fx.node("cpu")])
        #expect(
            Fx.filter(affinity, pod: PodInfo(Fx.pod("p")), snapshot: snapshot) == [
                "gpu": "", "cpu": "node(s) didn't match scheduler-enforced node affinity",
            ])
    }

    struct BadCase: Sendable, CustomStringConvertible {
        var description: String
        var yaml: String
        var message: String
    }

    static let badCases: [BadCase] = [
        BadCase(
            description: "unknown plugin", yaml: "profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]",
            message: "plugin \"Nope\" does not exist"),
        BadCase(
            description: "unknown scoring strategy",
            yaml: "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Random}}}]}]",
            message: "invalid args for plugin \"NodeResourcesFit\": scoringStrategy.type: Unsupported value: \"Random\""),
        BadCase(
            description: "shape not increasing",
            yaml: """
                profiles:
                - pluginConfig:
                  - name: NodeResourcesFit
                    args:
                      scoringStrategy:
                        type: RequestedToCapacityRatio
                        requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 50, score: 2}]}
                """,
            message:
                "invalid args for plugin \"NodeResourcesFit\": scoringStrategy.requestedToCapacityRatio.shape[1].utilization: "
                + "utilization values must be sorted in increasing order"),
        BadCase(
            description: "shape score out of range",
            yaml: """
                profiles:
                - pluginConfig:
                  - name: NodeResourcesFit
                    args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 11}]}}}
                """,
            message:
                "invalid args for plugin \"NodeResourcesFit\": scoringStrategy.requestedToCapacityRatio.shape[0].score: must be in the range [0, 10]"
        ),
        BadCase(
            description: "resource weight out of range",
            yaml:
                "profiles: [{pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 101}]}}]}]",
            message: "invalid args for plugin \"NodeResourcesBalancedAllocation\": resources[0].weight: must be in the range [1, 100]"),
        BadCase(
            description: "args not an object", yaml: "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: [1]}]}]",
            message: "invalid args for plugin \"NodeResourcesFit\": expected an object, got array"),
    ]

    @Test(arguments: badCases)
    func invalidPluginConfiguration(_ testCase: BadCase) {
        #expect(throws: FrameworkError(testCase.message)) { try profiles(testCase.yaml) }
    }

    @Test func registryBuildsEveryImplementedDefaultPlugin() throws {
        for setting in SchedulerConfiguration.defaultPlugins {
            let name = setting.name
            if PluginRegistry.inTree.contains(name) {
                #expect(try PluginRegistry.inTree.make(name).name == name)
            } else {
                #expect(PluginRegistry.handledElsewhere.contains(name) || PluginRegistry.notYetImplemented.contains(name))
            }
        }
        #expect(throws: FrameworkError("plugin \"Nope\" does not exist")) { try PluginRegistry.inTree.make("Nope") }
    }

    @Test func schedulingWithAConfiguredProfile() throws {
        // MostAllocated packs: the fuller node wins although both fit.
        //   busy:  cpu (3000 + 500)×100/4000 = 87, memory 5Gi×100/8Gi = 62 → 74
        //   empty: cpu 500×100/4000 = 12,         memory 1Gi×100/8Gi = 12 → 12
        let built = try profiles(
            """
            profiles:
            - schedulerName: packer
              plugins:
                multiPoint:
                  disabled: [{name: TaintToleration}, {name: NodeAffinity}, {name: NodeResourcesBalancedAllocation}, {name: ImageLocality}]
              pluginConfig:
              - name: NodeResourcesFit
                args: {scoringStrategy: {type: MostAllocated}}
            """)
        let framework = try SchedulingFramework(profile: built[0])
        #expect(framework.pluginNames(at: .score) == ["NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"])
        let snapshot = Snapshot(
            nodes: [Fx.node("empty"), Fx.node("busy")], pods: [Fx.pod("e", node: "busy", requests: [["cpu": "3", "memory": "4Gi"]])])
        let state = CycleState(snapshot: snapshot)
        let pod = PodInfo(Fx.pod("p", requests: [["cpu": "500m", "memory": "1Gi"]]))
        _ = framework.runPreScorePlugins(state: state, pod: pod, nodes: snapshot.nodeInfos)
        #expect(try framework.runScorePlugins(state: state, pod: pod, nodes: snapshot.nodeInfos).get().totals == [12, 74])
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 2))
        #expect(try algorithm.schedule(pod: pod, framework: framework, state: CycleState(snapshot: snapshot)).suggestedHost == "busy")
    }
}
