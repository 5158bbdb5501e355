import Testing
@testable import Scheduler

@Suite("Scheduler configuration file")
struct SchedulerConfigurationTests {
    @Test func defaultsMatchKubernetes() throws {
        let config = try SchedulerConfiguration.parse("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n")
        #expect(config.leaderElection.leaderElect)
        #expect(config.leaderElection.leaseDuration == .seconds(15))
        #expect(config.leaderElection.renewDeadline == .seconds(10))
        #expect(config.leaderElection.retryPeriod == .seconds(2))
        #expect(config.profiles.map(\.schedulerName) == ["default-scheduler"])
        let profile = try #require(config.profiles.first)
        #expect(profile.weight("TaintToleration") == 3)
        #expect(profile.weight("NodeAffinity") == 2)
        #expect(profile.weight("NodeResourcesFit") == 1)
        #expect(profile.isEnabled("DefaultPreemption"))
    }

    @Test func profilesWeightsDisablesAndArgs() throws {
        let config = try SchedulerConfiguration.parse("""
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        percentageOfNodesToScore: 30
        podInitialBackoffSeconds: 2
        podMaxBackoffSeconds: 20
        leaderElection: {leaderElect: false, leaseDuration: 1m30s, renewDeadline: 500ms, resourceName: skiff-scheduler}
        profiles:
        - schedulerName: default-scheduler
        - schedulerName: bin-packer
          plugins:
            score:
              disabled: [{name: NodeResourcesBalancedAllocation}]
              enabled: [{name: NodeResourcesFit, weight: 5}, {name: MyScore}]
            filter:
              disabled: [{name: TaintToleration}]
            multiPoint:
              disabled: [{name: ImageLocality}]
          pluginConfig:
          - name: NodeResourcesFit
            args: {scoringStrategy: {type: MostAllocated}}
        """)
        #expect(config.percentageOfNodesToScore == 30)
        #expect(config.podInitialBackoff == .seconds(2) && config.podMaxBackoff == .seconds(20))
        #expect(!config.leaderElection.leaderElect)
        #expect(config.leaderElection.leaseDuration == .seconds(90))
        #expect(config.leaderElection.renewDeadline == .milliseconds(500))
        #expect(config.leaderElection.resourceName == "skiff-scheduler")
        let packer = config.profiles[1]
        #expect(packer.schedulerName == "bin-packer")
        #expect(packer.weight("NodeResourcesFit") == 5)
        #expect(packer.weight("NodeResourcesBalancedAllocation") == 0)
        #expect(packer.weight("MyScore") == 1)
        #expect(!packer.isEnabled("ImageLocality"))
        #expect(packer.isEnabled("TaintToleration", at: "score"))
        #expect(!packer.isEnabled("TaintToleration", at: "filter"))
        #expect(packer.pluginArgs["NodeResourcesFit"]?["scoringStrategy"]?["type"] == "MostAllocated")
    }

    @Test(arguments: [
        ("kind: Pod", "kind is Pod, expected KubeSchedulerConfiguration"),
        ("percentageOfNodesToScore: 101", "percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]"),
        ("podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2", "podMaxBackoffSeconds: Invalid value: must be greater than or equal to PodInitialBackoffSeconds"),
        ("leaderElection: {leaseDuration: soon}", "leaderElection.leaseDuration: invalid duration \"soon\""),
        ("profiles: [{schedulerName: a}, {schedulerName: a}]", "profiles[].schedulerName: Duplicate value: \"a\""),
    ])
    func badFilesAreRefusedWithTheField(text: String, message: String) {
        #expect(throws: SchedulerConfigurationError.self) { try SchedulerConfiguration.parse(text) }
        do { _ = try SchedulerConfiguration.parse(text) } catch { #expect("\(error)" == "scheduler configuration: " + message) }
    }
}
