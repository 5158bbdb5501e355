import APIMachinery
import Foundation
import Testing

@testable import Scheduler

/// PodTopologySpread: the DoNotSchedule filter (skew, self-match, minDomains, inclusion
/// policies, matchLabelKeys, missing labels), ScheduleAnyway scoring with upstream's formula,
/// default constraints from workload selectors (system defaults and lists), add/remove, and
/// plugin args.
@Suite struct PodTopologySpreadPluginTests {
    static let zoneKey = "topology.kubernetes.io/zone"
    static let reason = "node(s) didn't match pod topology spread constraints"
    static let missing = reason + " (missing required label)"

    static func constraint(
        _ key: String, skew: Int32 = 1, _ action: String = "DoNotSchedule", selector: [String: String]? = ["app": "foo"],
        minDomains: Int32? = nil, matchLabelKeys: [String]? = nil, nodeAffinityPolicy: String? = nil,
        nodeTaintsPolicy: String? = nil
    ) -> CoreV1.TopologySpreadConstraint {
        CoreV1.TopologySpreadConstraint(
            labelSelector: selector.map { MetaV1.LabelSelector(matchLabels: $0) }, matchLabelKeys: matchLabelKeys,
            maxSkew: skew, minDomains: minDomains, nodeAffinityPolicy: nodeAffinityPolicy,
            nodeTaintsPolicy: nodeTaintsPolicy, topologyKey: key, whenUnsatisfiable: action)
    }

    static func spreadPod(
        _ constraints: [CoreV1.TopologySpreadConstraint], labels: [String: String] = ["app": "foo"],
        nodeSelector: [String: String]? = nil
    ) -> CoreV1.Pod {
        var pod = Fx.pod("p", nodeSelector: nodeSelector, labels: labels)
        pod.spec?.topologySpreadConstraints = constraints
        return pod
    }

    /// Zone a holds 3 foo pods (a1: 2, a2: 1), zone b none; x1 has no zone label and 1 foo
    /// pod. b1 carries an untolerated NoSchedule taint.
    static let nodes = [
        Fx.node("a1", labels: ["zone": "a"]), Fx.node("a2", labels: ["zone": "a"]),
        Fx.node("b1", labels: ["zone": "b"], taints: [Fx.taint("dedicated", "x")]), Fx.node("x1"),
    ]
    static let pods = [
        Fx.pod("f1", node: "a1", labels: ["app": "foo", "rev": "1"]),
        Fx.pod("f2", node: "a1", labels: ["app": "foo", "rev": "1"]),
        Fx.pod("f3", node: "a2", labels: ["app": "foo", "rev": "2"]),
        Fx.pod("f4", node: "x1", labels: ["app": "foo", "rev": "1"]),
        Fx.pod("bar", node: "b1", labels: ["app": "bar"]),
        Fx.pod("foo-elsewhere", node: "b1", labels: ["app": "foo"], namespace: "other"),
    ]

    struct FilterCase: Sendable, CustomStringConvertible {
        var description: String
        var pod: CoreV1.Pod
        var extraPods: [CoreV1.Pod] = []
        var expected: [String: String]
    }

    static let filterCases: [FilterCase] = [
        FilterCase(
            // zone a: 3 + 1 − 0 = 4 > 1; zone b: 0 + 1 − 0 = 1 (the other namespace's foo does not count).
            description: "zone skew", pod: spreadPod([constraint("zone")]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
        FilterCase(
            description: "a larger maxSkew admits zone a", pod: spreadPod([constraint("zone", skew: 4)]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            // Not matching its own selector, the pod adds nothing: 3 + 0 − 0 = 3 ≤ 3.
            description: "self-match counts", pod: spreadPod([constraint("zone", skew: 3)], labels: ["app": "other"]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            description: "self-match counts (matching)", pod: spreadPod([constraint("zone", skew: 3)]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
        FilterCase(
            // hostname domains: a1 2, a2 1, b1 0, x1 1; minimum 0.
            description: "hostname skew", pod: spreadPod([constraint("kubernetes.io/hostname")]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": reason]),
        FilterCase(
            // With a foo pod in zone b the minimum is 1: b 1 + 1 − 1 = 1 passes.
            description: "global minimum", pod: spreadPod([constraint("zone")]),
            extraPods: [Fx.pod("f5", node: "b1", labels: ["app": "foo"])],
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
        FilterCase(
            // Two domains < minDomains 3: the minimum counts as 0, so b 1 + 1 − 0 = 2 > 1.
            description: "minDomains", pod: spreadPod([constraint("zone", minDomains: 3)]),
            extraPods: [Fx.pod("f5", node: "b1", labels: ["app": "foo"])],
            expected: ["a1": reason, "a2": reason, "b1": reason, "x1": missing]),
        FilterCase(
            // Honor (default): only zone a nodes count, its minimum is 3: 3 + 1 − 3 = 1.
            description: "nodeAffinityPolicy Honor", pod: spreadPod([constraint("zone")], nodeSelector: ["zone": "a"]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            description: "nodeAffinityPolicy Ignore",
            pod: spreadPod([constraint("zone", nodeAffinityPolicy: "Ignore")], nodeSelector: ["zone": "a"]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
        FilterCase(
            // Honor: tainted b1 leaves the count, so zone a (minimum 3) is the only domain;
            // b1 itself is not counted but still filtered (0 + 1 − 3), TaintToleration rejects it.
            description: "nodeTaintsPolicy Honor", pod: spreadPod([constraint("zone", nodeTaintsPolicy: "Honor")]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            // Selector app=foo,rev=2: zone a 1, zone b 0; 1 + 1 − 0 = 2 ≤ 2 (without the key: 4 > 2).
            description: "matchLabelKeys", pod: spreadPod([constraint("zone", skew: 2, matchLabelKeys: ["rev"])], labels: ["app": "foo", "rev": "2"]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            description: "without matchLabelKeys", pod: spreadPod([constraint("zone", skew: 2)], labels: ["app": "foo", "rev": "2"]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
        FilterCase(
            description: "no labelSelector selects nothing", pod: spreadPod([constraint("zone", selector: nil)]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": missing]),
        FilterCase(
            description: "ScheduleAnyway constraints do not filter", pod: spreadPod([constraint("zone", "ScheduleAnyway")]),
            expected: ["a1": "", "a2": "", "b1": "", "x1": ""]),
        FilterCase(
            description: "every constraint must hold",
            pod: spreadPod([constraint("zone", skew: 5), constraint("kubernetes.io/hostname")]),
            expected: ["a1": reason, "a2": reason, "b1": "", "x1": missing]),
    ]

    @Test(arguments: filterCases)
    func filter(_ testCase: FilterCase) {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods + testCase.extraPods)
        #expect(Fx.filter(PodTopologySpread(), pod: PodInfo(testCase.pod), snapshot: snapshot) == testCase.expected)
    }

    @Test func missingLabelIsUnresolvable() throws {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods)
        let plugin = PodTopologySpread()
        let pod = PodInfo(Self.spreadPod([Self.constraint("zone")]))
        let state = CycleState(snapshot: snapshot)
        #expect(plugin.preFilter(state: state, pod: pod).1.isSuccess)
        #expect(plugin.filter(state: state, pod: pod, nodeInfo: try #require(snapshot.nodeInfo(named: "x1"))).code == .unschedulableAndUnresolvable)
        #expect(plugin.filter(state: state, pod: pod, nodeInfo: try #require(snapshot.nodeInfo(named: "a1"))).code == .unschedulable)
    }

    @Test func addAndRemovePodMoveTheCounts() throws {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods)
        let plugin = PodTopologySpread()
        let pod = PodInfo(Self.spreadPod([Self.constraint("zone", skew: 2)]))
        let state = CycleState(snapshot: snapshot)
        _ = plugin.preFilter(state: state, pod: pod)
        let a1 = try #require(snapshot.nodeInfo(named: "a1"))
        let b1 = try #require(snapshot.nodeInfo(named: "b1"))
        // zone a 3 + 1 − 0 = 4 > 2; with one foo pod removed from a1 and one added to b1: 2 + 1 − 1 = 2.
        #expect(!plugin.filter(state: state, pod: pod, nodeInfo: a1).isSuccess)
        #expect(plugin.removePod(state: state, podToSchedule: pod, podToRemove: a1.pods[0], nodeInfo: a1).isSuccess)
        #expect(!plugin.filter(state: state, pod: pod, nodeInfo: a1).isSuccess)
        let added = PodInfo(Fx.pod("new", node: "b1", labels: ["app": "foo"]))
        #expect(plugin.addPod(state: state, podToSchedule: pod, podToAdd: added, nodeInfo: b1).isSuccess)
        #expect(plugin.filter(state: state, pod: pod, nodeInfo: a1).isSuccess)
        // Pods of another namespace change nothing.
        let foreign = PodInfo(Fx.pod("far", node: "a1", labels: ["app": "foo"], namespace: "other"))
        #expect(plugin.addPod(state: state, podToSchedule: pod, podToAdd: foreign, nodeInfo: a1).isSuccess)
        #expect(plugin.filter(state: state, pod: pod, nodeInfo: a1).isSuccess)
    }

    // MARK: - Scoring

    struct ScoreCase: Sendable, CustomStringConvertible {
        var description: String
        var constraints: [CoreV1.TopologySpreadConstraint]
        var expected: [String: Int64]
    }

    /// Scored over all four nodes of `nodes`/`pods` (foo pods: a1 2, a2 1, b1 0, x1 1).
    static let scoreCases: [ScoreCase] = [
        ScoreCase(
            // x1 lacks the zone key and is ignored (0). Domains a, b → weight ln(2 + 2) = 1.386.
            // a1, a2: 3 × 1.386 + (1 − 1) = 4.16 → 4; b1: 0. Normalised 100 × (4 + 0 − s) / 4.
            description: "zone", constraints: [constraint("zone", "ScheduleAnyway")],
            expected: ["a1": 0, "a2": 0, "b1": 100, "x1": 0]),
        ScoreCase(
            // Four hostname domains → ln(6) = 1.792; + maxSkew − 1 = 2.
            // a1 2 × 1.792 + 2 = 5.58 → 6, a2 3.79 → 4, b1 2, x1 3.79 → 4.
            // 100 × (6 + 2 − s) / 6: a1 200/6 = 33, a2 400/6 = 66, b1 100, x1 66.
            description: "hostname", constraints: [constraint("kubernetes.io/hostname", skew: 3, "ScheduleAnyway")],
            expected: ["a1": 33, "a2": 66, "b1": 100, "x1": 66]),
        ScoreCase(
            description: "DoNotSchedule constraints do not score", constraints: [constraint("zone")], expected: [:]),
    ]

    @Test(arguments: scoreCases)
    func score(_ testCase: ScoreCase) {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods)
        let pod = PodInfo(Self.spreadPod(testCase.constraints))
        #expect(Fx.scores(PodTopologySpread(), pod: pod, snapshot: snapshot) == testCase.expected)
    }

    // MARK: - Default constraints

    static let replicaSet = AppsV1.ReplicaSet(
        metadata: MetaV1.ObjectMeta(name: "web", namespace: "default"),
        spec: AppsV1.ReplicaSetSpec(selector: MetaV1.LabelSelector(matchLabels: ["app": "web"])))

    static func ownedPod(_ name: String, node: String? = nil, owner: String = "web", kind: String = "ReplicaSet") -> CoreV1.Pod {
        var pod = Fx.pod(name, node: node, labels: ["app": "web"])
        pod.metadata?.ownerReferences = [
            MetaV1.OwnerReference(kind: kind, apiVersion: "apps/v1", controller: true, name: owner, uid: "rs-uid")
        ]
        return pod
    }

    /// a1 2 web pods, a2 1, b1 0, n0 (no zone label) 1.
    static func defaultsCache() -> SchedulerCache {
        let cache = SchedulerCache()
        for node in [
            Fx.node("a1", labels: [zoneKey: "a"]), Fx.node("a2", labels: [zoneKey: "a"]), Fx.node("b1", labels: [zoneKey: "b"]),
            Fx.node("n0"),
        ] {
            cache.addNode(node)
        }
        for pod in [ownedPod("w1", node: "a1"), ownedPod("w2", node: "a1"), ownedPod("w3", node: "a2"), ownedPod("w4", node: "n0")] {
            try? cache.addPod(PodInfo(pod))
        }
        return cache
    }

    @Test func systemDefaultsScoreAReplicaSetsPods() {
        // hostname (maxSkew 3): 4 scored nodes → ln 6 = 1.792; zone (maxSkew 5): domains a, b
        // and "" (n0 has no zone but system defaults do not require every key) → ln 5 = 1.609.
        // Zone counts: a 3, b 0. Per node (hostname part + zone part):
        //   a1 2×1.792 + 2 + 3×1.609 + 4 = 14.41 → 14;  a2 1.792 + 2 + 8.83 = 12.62 → 13
        //   b1 0 + 2 + 0 + 4 = 6;                        n0 1.792 + 2 (no zone label) = 3.79 → 4
        // Normalised 100 × (14 + 4 − s) / 14: a1 28, a2 35, b1 85, n0 100.
        let cache = Self.defaultsCache()
        cache.addReplicaSet(Self.replicaSet)
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let owned = PodInfo(Self.ownedPod("new"))
        #expect(Fx.scores(PodTopologySpread(), pod: owned, snapshot: snapshot) == ["a1": 28, "a2": 35, "b1": 85, "n0": 100])
        // No owner and no Service: no default constraints, scoring is skipped.
        #expect(Fx.scores(PodTopologySpread(), pod: PodInfo(Fx.pod("loose", labels: ["app": "web"])), snapshot: snapshot).isEmpty)
        // Owned by a ReplicaSet the cache does not know: likewise.
        #expect(Fx.scores(PodTopologySpread(), pod: PodInfo(Self.ownedPod("orphan", owner: "gone")), snapshot: snapshot).isEmpty)
        // A Service selecting the loose pod brings the same constraints and scores.
        cache.addService(
            CoreV1.Service(
                metadata: MetaV1.ObjectMeta(name: "web", namespace: "default"), spec: CoreV1.ServiceSpec(selector: ["app": "web"])))
        cache.updateSnapshot(&snapshot)
        #expect(
            Fx.scores(PodTopologySpread(), pod: PodInfo(Fx.pod("loose", labels: ["app": "web"])), snapshot: snapshot)
                == ["a1": 28, "a2": 35, "b1": 85, "n0": 100])
        cache.removeService(namespace: "default", name: "web")
        cache.removeReplicaSet(namespace: "default", name: "web")
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.workloadSelectors.isEmpty)
        #expect(Fx.scores(PodTopologySpread(), pod: owned, snapshot: snapshot).isEmpty)
    }

    @Test func workloadSelectorsMatchLikeUpstream() {
        var selectors = WorkloadSelectors()
        selectors.setService(
            CoreV1.Service(metadata: MetaV1.ObjectMeta(name: "s1", namespace: "default"), spec: CoreV1.ServiceSpec(selector: ["app": "web"])))
        selectors.setService(CoreV1.Service(metadata: MetaV1.ObjectMeta(name: "headless", namespace: "default"), spec: CoreV1.ServiceSpec()))
        selectors.setService(
            CoreV1.Service(metadata: MetaV1.ObjectMeta(name: "s2", namespace: "default"), spec: CoreV1.ServiceSpec(selector: ["app": "db"])))
        selectors.setStatefulSet(
            AppsV1.StatefulSet(
                metadata: MetaV1.ObjectMeta(name: "ss", namespace: "default"),
                spec: AppsV1.StatefulSetSpec(selector: MetaV1.LabelSelector(matchLabels: ["tier": "cache"]), serviceName: "s1")))
        selectors.setReplicationController(
            CoreV1.ReplicationController(
                metadata: MetaV1.ObjectMeta(name: "rc", namespace: "default"),
                spec: CoreV1.ReplicationControllerSpec(selector: ["legacy": "yes"])))
        var pod = Fx.pod("p", labels: ["app": "web", "tier": "cache"])
        pod.metadata?.ownerReferences = [MetaV1.OwnerReference(kind: "StatefulSet", apiVersion: "apps/v1", controller: true, name: "ss")]
        #expect(selectors.combinedSelector(for: PodInfo(pod))?.description == "app=web,tier=cache")
        pod.metadata?.ownerReferences = [MetaV1.OwnerReference(kind: "ReplicationController", apiVersion: "v1", controller: true, name: "rc")]
        #expect(selectors.combinedSelector(for: PodInfo(pod))?.description == "app=web,legacy=yes")
        // An owner that is not the controller is not followed.
        pod.metadata?.ownerReferences = [MetaV1.OwnerReference(kind: "StatefulSet", apiVersion: "apps/v1", name: "ss")]
        #expect(selectors.combinedSelector(for: PodInfo(pod))?.description == "app=web")
        #expect(selectors.combinedSelector(for: PodInfo(Fx.pod("q", labels: ["app": "api"]))) == nil)
        #expect(selectors.selectors(for: PodInfo(Fx.pod("r", labels: ["app": "web"], namespace: "other"))).isEmpty)
    }

    @Test func listDefaultsFilterToo() {
        // Zone maxSkew 1 DoNotSchedule for the ReplicaSet's pods: zone a 3 + 1 − 0 = 4 > 1.
        let plugin = PodTopologySpread(
            defaulting: .list, defaultConstraints: [Self.constraint(Self.zoneKey, selector: nil)])
        let cache = Self.defaultsCache()
        cache.addReplicaSet(Self.replicaSet)
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(
            Fx.filter(plugin, pod: PodInfo(Self.ownedPod("new")), snapshot: snapshot)
                == ["a1": Self.reason, "a2": Self.reason, "b1": "", "n0": Self.missing])
        let loose = PodInfo(Fx.pod("loose", labels: ["app": "web"]))
        #expect(Fx.filter(plugin, pod: loose, snapshot: snapshot) == ["a1": "", "a2": "", "b1": "", "n0": ""])
        // A pod's own constraints replace the defaults.
        let own = PodInfo(Self.spreadPod([Self.constraint(Self.zoneKey, skew: 9)], labels: ["app": "web"]))
        #expect(Fx.filter(plugin, pod: own, snapshot: snapshot) == ["a1": "", "a2": "", "b1": "", "n0": Self.missing])
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func replicaSetPodsSpreadAcrossZonesWithTheDefaultProfile(seed: UInt64) throws {
        // Zone a has four nodes, b and c one each. Every node is empty, so resource scoring
        // barely differs; the system default zone constraint (weight 2) puts the first three
        // replicas in three different zones whichever node each tie-break picks.
        let cache = SchedulerCache()
        for (name, zone) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("a4", "a"), ("b1", "b"), ("c1", "c")] {
            cache.addNode(Fx.node(name, labels: [Self.zoneKey: zone]))
        }
        cache.addReplicaSet(Self.replicaSet)
        let framework = try SchedulingFramework(profile: try Profile.defaultProfile())
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: seed))
        var snapshot = Snapshot()
        var zones: [String] = []
        for index in 0..<3 {
            cache.updateSnapshot(&snapshot)
            var pod = Self.ownedPod("web-\(index)")
            pod.spec?.containers = [Fx.container(requests: ["cpu": "100m", "memory": "128Mi"])]
            let info = PodInfo(pod)
            let host = try algorithm.schedule(pod: info, framework: framework, state: CycleState(snapshot: snapshot)).suggestedHost
            try cache.assumePod(info.assigned(to: host))
            zones.append(String(host.prefix(1)))
        }
        #expect(Set(zones) == ["a", "b", "c"])
    }

    @Test func rememberedCountsFollowTheCache() throws {
        // One plugin instance keeps its domain counts across snapshots; after every change
        // they must equal the counts taken by visiting every node (forced here by a node
        // selector that every node matches, which makes the counts depend on the pod).
        let cache = SchedulerCache()
        for (name, rack) in [("r1", "x"), ("r2", "x"), ("r3", "y"), ("r4", "z")] {
            cache.addNode(Fx.node(name, labels: ["rack": rack, "pool": "main"]))
        }
        let plugin = PodTopologySpread()
        let soft = [Self.constraint("rack", skew: 2, "ScheduleAnyway"), Self.constraint("rack", skew: 1)]
        let memoised = PodInfo(Self.spreadPod(soft))
        let direct = PodInfo(Self.spreadPod(soft, nodeSelector: ["pool": "main"]))
        var snapshot = Snapshot()
        func check(_ step: String) {
            cache.updateSnapshot(&snapshot)
            let scores = Fx.scores(plugin, pod: memoised, snapshot: snapshot)
            #expect(scores == Fx.scores(plugin, pod: direct, snapshot: snapshot), "\(step)")
            #expect(
                Fx.filter(plugin, pod: memoised, snapshot: snapshot) == Fx.filter(plugin, pod: direct, snapshot: snapshot),
                "\(step)")
            #expect(!scores.isEmpty)
        }
        check("empty")
        for (index, node) in ["r1", "r1", "r2", "r3"].enumerated() {
            try cache.addPod(PodInfo(Fx.pod("f\(index)", node: node, labels: ["app": "foo"])))
        }
        check("pods added")
        try cache.removePod(PodInfo(Fx.pod("f0", node: "r1")))
        check("pod removed")
        cache.updateNode(Fx.node("r4", labels: ["rack": "y", "pool": "main"]))
        check("node moved to another rack")
        var terminating = Fx.pod("t", node: "r4", labels: ["app": "foo"])
        terminating.metadata?.deletionTimestamp = Time(secondsSinceEpoch: 5)
        try cache.addPod(PodInfo(terminating))
        check("terminating pod added")
        try cache.removeNode(named: "r2")
        check("node removed")
        // Filter and score count the same thing (app=foo by rack), so they share one entry.
        #expect(plugin.memo.count == 1)
    }

    // MARK: - Args

    @Test func args() throws {
        let list = try PodTopologySpread(
            args: [
                "defaultingType": "List",
                "defaultConstraints": [["maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"]],
            ])
        #expect(!list.systemDefaulted)
        #expect(list.defaultConstraints.map(\.topologyKey) == ["zone"])
        let system = try PodTopologySpread(args: nil)
        #expect(system.systemDefaulted)
        #expect(system.defaultConstraints.map { "\($0.topologyKey)/\($0.maxSkew)" } == ["kubernetes.io/hostname/3", "topology.kubernetes.io/zone/5"])
        let prefix = "invalid args for plugin \"PodTopologySpread\": "
        let bad: [(JSONValue, String)] = [
            (
                ["defaultConstraints": [["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"]]],
                "defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"
            ),
            (["defaultingType": "Sometimes"], "defaultingType: Unsupported value: \"Sometimes\": supported values: \"List\", \"System\""),
            (
                ["defaultingType": "List", "defaultConstraints": [["maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"]]],
                "defaultConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"
            ),
            (
                [
                    "defaultingType": "List",
                    "defaultConstraints": [
                        ["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": ["matchLabels": ["a": "b"]]]
                    ],
                ],
                "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod"
            ),
        ]
        for (args, message) in bad {
            #expect(throws: FrameworkError(prefix + message)) { try PodTopologySpread(args: args) }
        }
    }
}
