import APIMachinery
import Testing

@testable import Scheduler

/// InterPodAffinity: required affinity and anti-affinity of the incoming pod, existing pods'
/// anti-affinity, the first-pod-of-a-group exception, namespaces and namespace selectors,
/// PreFilter add/remove, preferred-term scoring in both directions, and plugin args.
@Suite struct InterPodAffinityPluginTests {
    static func affinity(_ yaml: String) -> CoreV1.Affinity {
        (try? YAMLCodec.decode(CoreV1.Affinity.self, from: yaml)) ?? CoreV1.Affinity()
    }

    /// A required (anti-)affinity term as YAML: `podAffinity` or `podAntiAffinity`.
    static func required(_ kind: String, _ term: String) -> CoreV1.Affinity {
        affinity("\(kind):\n  requiredDuringSchedulingIgnoredDuringExecution:\n  - \(term)")
    }

    static let nodes = [
        Fx.node("a1", labels: ["zone": "a"]), Fx.node("a2", labels: ["zone": "a"]), Fx.node("b1", labels: ["zone": "b"]),
        Fx.node("bare"),
    ]
    static let namespaces = [
        CoreV1.Namespace(metadata: MetaV1.ObjectMeta(labels: ["team": "blue"], name: "other")),
        CoreV1.Namespace(metadata: MetaV1.ObjectMeta(labels: ["team": "red"], name: "default")),
    ]
    static let pods = [
        Fx.pod("web-1", node: "a1", labels: ["app": "web"]),
        Fx.pod("db-1", node: "b1", labels: ["app": "db"]),
        Fx.pod("web-other", node: "b1", labels: ["app": "web"], namespace: "other"),
    ]

    static let affinityReason = "node(s) didn't match pod affinity rules"
    static let antiReason = "node(s) didn't match pod anti-affinity rules"
    static let existingReason = "node(s) didn't satisfy existing pods anti-affinity rules"

    struct FilterCase: Sendable, CustomStringConvertible {
        var description: String
        var pod: CoreV1.Pod
        var extraPods: [CoreV1.Pod] = []
        /// Message per node; "" for feasible.
        var expected: [String: String]
    }

    static let filterCases: [FilterCase] = [
        FilterCase(
            description: "affinity by zone to app=web in the pod's namespace",
            pod: Fx.pod("p", affinity: required("podAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")),
            expected: ["a1": "", "a2": "", "b1": affinityReason, "bare": affinityReason]),
        FilterCase(
            description: "affinity with named namespaces",
            pod: Fx.pod(
                "p",
                affinity: required(
                    "podAffinity", "{labelSelector: {matchLabels: {app: web}}, namespaces: [other], topologyKey: zone}")),
            expected: ["a1": affinityReason, "a2": affinityReason, "b1": "", "bare": affinityReason]),
        FilterCase(
            description: "affinity with a namespace selector resolved against namespace labels",
            pod: Fx.pod(
                "p",
                affinity: required(
                    "podAffinity",
                    "{labelSelector: {matchLabels: {app: web}}, namespaceSelector: {matchLabels: {team: blue}}, topologyKey: zone}"
                )),
            expected: ["a1": affinityReason, "a2": affinityReason, "b1": "", "bare": affinityReason]),
        FilterCase(
            description: "an empty namespace selector selects every namespace",
            pod: Fx.pod(
                "p",
                affinity: required(
                    "podAffinity", "{labelSelector: {matchLabels: {app: web}}, namespaceSelector: {}, topologyKey: zone}")),
            expected: ["a1": "", "a2": "", "b1": "", "bare": affinityReason]),
        FilterCase(
            description: "several affinity terms must all match the same pods",
            pod: Fx.pod(
                "p",
                affinity: affinity(
                    """
                    podAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}
                      - {labelSelector: {matchLabels: {app: db}}, topologyKey: zone}
                    """)),
            expected: ["a1": affinityReason, "a2": affinityReason, "b1": affinityReason, "bare": affinityReason]),
        FilterCase(
            description: "first pod of a group: matches its own term and no pod matches yet",
            pod: Fx.pod(
                "p", affinity: required("podAffinity", "{labelSelector: {matchLabels: {app: cache}}, topologyKey: zone}"),
                labels: ["app": "cache"]),
            expected: ["a1": "", "a2": "", "b1": "", "bare": affinityReason]),
        FilterCase(
            description: "no exception for a pod that does not match its own term",
            pod: Fx.pod("p", affinity: required("podAffinity", "{labelSelector: {matchLabels: {app: cache}}, topologyKey: zone}")),
            expected: ["a1": affinityReason, "a2": affinityReason, "b1": affinityReason, "bare": affinityReason]),
        FilterCase(
            description: "anti-affinity by zone; nodes without the key pass; other namespaces do not count",
            pod: Fx.pod(
                "p", affinity: required("podAntiAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")),
            expected: ["a1": antiReason, "a2": antiReason, "b1": "", "bare": ""]),
        FilterCase(
            description: "anti-affinity by hostname",
            pod: Fx.pod(
                "p",
                affinity: required(
                    "podAntiAffinity", "{labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}")),
            expected: ["a1": "", "a2": "", "b1": antiReason, "bare": ""]),
        FilterCase(
            description: "an existing pod's anti-affinity keeps a matching pod out of its zone",
            pod: Fx.pod("p", labels: ["security": "s1"]),
            extraPods: [
                Fx.pod(
                    "loner", node: "a2",
                    affinity: required("podAntiAffinity", "{labelSelector: {matchLabels: {security: s1}}, topologyKey: zone}"))
            ],
            expected: ["a1": existingReason, "a2": existingReason, "b1": "", "bare": ""]),
        FilterCase(
            description: "an existing pod's anti-affinity in another namespace needs a namespace match",
            pod: Fx.pod("p", labels: ["security": "s1"]),
            extraPods: [
                Fx.pod(
                    "loner", node: "b1",
                    affinity: required("podAntiAffinity", "{labelSelector: {matchLabels: {security: s1}}, topologyKey: zone}"),
                    namespace: "other")
            ],
            expected: ["a1": "", "a2": "", "b1": "", "bare": ""]),
        FilterCase(
            description: "an existing pod's anti-affinity namespace selector matches the incoming pod's namespace labels",
            pod: Fx.pod("p", labels: ["security": "s1"]),
            extraPods: [
                Fx.pod(
                    "loner", node: "b1",
                    affinity: required(
                        "podAntiAffinity",
                        "{labelSelector: {matchLabels: {security: s1}}, namespaceSelector: {matchLabels: {team: red}}, topologyKey: zone}"
                    ), namespace: "other")
            ],
            expected: ["a1": "", "a2": "", "b1": existingReason, "bare": ""]),
        FilterCase(
            description: "affinity is checked before anti-affinity",
            pod: Fx.pod(
                "p",
                affinity: affinity(
                    """
                    podAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
                    """)),
            expected: ["a1": antiReason, "a2": "", "b1": affinityReason, "bare": affinityReason]),
    ]

    @Test(arguments: filterCases)
    func filter(_ testCase: FilterCase) {
        let snapshot = Snapshot(
            nodes: Self.nodes, pods: Self.pods + testCase.extraPods, namespaces: Self.namespaces)
        let result = Fx.filter(InterPodAffinity(), pod: PodInfo(testCase.pod), snapshot: snapshot)
        #expect(result == testCase.expected)
    }

    @Test func statusCodesFollowUpstream() {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods, namespaces: Self.namespaces)
        let plugin = InterPodAffinity()
        let affine = PodInfo(
            Fx.pod("p", affinity: Self.required("podAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")))
        let state = CycleState(snapshot: snapshot)
        #expect(plugin.preFilter(state: state, pod: affine).1.isSuccess)
        #expect(plugin.filter(state: state, pod: affine, nodeInfo: snapshot.nodeInfo(named: "b1")!).code == .unschedulableAndUnresolvable)
        let anti = PodInfo(
            Fx.pod("p", affinity: Self.required("podAntiAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")))
        let antiState = CycleState(snapshot: snapshot)
        _ = plugin.preFilter(state: antiState, pod: anti)
        #expect(plugin.filter(state: antiState, pod: anti, nodeInfo: snapshot.nodeInfo(named: "a1")!).code == .unschedulable)
    }

    @Test func preFilterSkipsPodsWithoutAffinityWhenNoPodHasAntiAffinity() {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods)
        let (_, status) = InterPodAffinity().preFilter(state: CycleState(snapshot: snapshot), pod: PodInfo(Fx.pod("p")))
        #expect(status.isSkip)
        let invalid = PodInfo(
            Fx.pod(
                "bad",
                affinity: Self.required(
                    "podAffinity", "{labelSelector: {matchExpressions: [{key: app, operator: Like}]}, topologyKey: zone}")))
        let (_, rejected) = InterPodAffinity().preFilter(state: CycleState(snapshot: snapshot), pod: invalid)
        #expect(rejected.code == .unschedulableAndUnresolvable)
        #expect(rejected.message.hasPrefix("parsing pod: "))
    }

    @Test func addAndRemovePodUpdateTheCounts() throws {
        let snapshot = Snapshot(nodes: Self.nodes, pods: Self.pods)
        let plugin = InterPodAffinity()
        let pod = PodInfo(
            Fx.pod("p", affinity: Self.required("podAntiAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")))
        let state = CycleState(snapshot: snapshot)
        _ = plugin.preFilter(state: state, pod: pod)
        let a1 = try #require(snapshot.nodeInfo(named: "a1"))
        let b1 = try #require(snapshot.nodeInfo(named: "b1"))
        let web1 = try #require(a1.pods.first)
        // Removing the only web pod of zone a (as preemption would) frees a1.
        let removedState = state.clone()
        #expect(plugin.removePod(state: removedState, podToSchedule: pod, podToRemove: web1, nodeInfo: a1).isSuccess)
        #expect(plugin.filter(state: removedState, pod: pod, nodeInfo: a1).isSuccess)
        #expect(!plugin.filter(state: state, pod: pod, nodeInfo: a1).isSuccess)
        // Adding a web pod to zone b (a nominated pod) closes b1.
        let nominated = PodInfo(Fx.pod("web-2", node: "b1", labels: ["app": "web"]))
        #expect(plugin.addPod(state: state, podToSchedule: pod, podToAdd: nominated, nodeInfo: b1).isSuccess)
        #expect(plugin.filter(state: state, pod: pod, nodeInfo: b1).message == Self.antiReason)
        // An existing pod whose anti-affinity matches the incoming pod closes its zone until
        // it is removed (as preemption would remove it).
        let plain = PodInfo(Fx.pod("q", labels: ["security": "s1"]))
        let guardPod = PodInfo(
            Fx.pod(
                "guard", node: "b1",
                affinity: Self.required("podAntiAffinity", "{labelSelector: {matchLabels: {security: s1}}, topologyKey: zone}")))
        let guardState = CycleState(snapshot: Snapshot(nodes: Self.nodes, pods: Self.pods + [guardPod.pod]))
        #expect(plugin.preFilter(state: guardState, pod: plain).1.isSuccess)
        #expect(plugin.filter(state: guardState, pod: plain, nodeInfo: b1).message == Self.existingReason)
        #expect(plugin.removePod(state: guardState, podToSchedule: plain, podToRemove: guardPod, nodeInfo: b1).isSuccess)
        #expect(plugin.filter(state: guardState, pod: plain, nodeInfo: b1).isSuccess)
    }

    @Test func namespacesComeFromTheCache() {
        let cache = SchedulerCache()
        for node in Self.nodes { cache.addNode(node) }
        for pod in Self.pods { try? cache.addPod(PodInfo(pod)) }
        cache.addNamespace(Self.namespaces[0])
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let pod = PodInfo(
            Fx.pod(
                "p",
                affinity: Self.required(
                    "podAffinity",
                    "{labelSelector: {matchLabels: {app: web}}, namespaceSelector: {matchLabels: {team: blue}}, topologyKey: zone}")))
        #expect(Fx.filter(InterPodAffinity(), pod: pod, snapshot: snapshot)["b1"] == "")
        cache.removeNamespace(named: "other")
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.namespaceLabels.isEmpty)
        #expect(Fx.filter(InterPodAffinity(), pod: pod, snapshot: snapshot)["b1"] == Self.affinityReason)
    }

    // MARK: - Scoring

    static let scoreNodes = [
        Fx.node("a1", labels: ["zone": "a"]), Fx.node("a2", labels: ["zone": "a"]), Fx.node("b1", labels: ["zone": "b"]),
        Fx.node("c1", labels: ["zone": "c"]),
    ]

    @Test func preferredTermsOfTheIncomingPod() {
        // web-1 (zone a) and web-2 (zone b) match the weight-10 affinity term, db (zone b) the
        // weight-4 anti-affinity term: zone a = 10, zone b = 10 − 4 = 6, zone c = 0.
        // Raw a1 10, a2 10, b1 6, c1 0; min 0, max 10 → 100 × (s − 0) / 10.
        let snapshot = Snapshot(
            nodes: Self.scoreNodes,
            pods: [
                Fx.pod("web-1", node: "a1", labels: ["app": "web"]), Fx.pod("web-2", node: "b1", labels: ["app": "web"]),
                Fx.pod("db", node: "b1", labels: ["app": "db"]),
            ])
        let pod = PodInfo(
            Fx.pod(
                "p",
                affinity: Self.affinity(
                    """
                    podAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - {weight: 10, podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - {weight: 4, podAffinityTerm: {labelSelector: {matchLabels: {app: db}}, topologyKey: zone}}
                    """)))
        #expect(Fx.scores(InterPodAffinity(), pod: pod, snapshot: snapshot) == ["a1": 100, "a2": 100, "b1": 60, "c1": 0])
    }

    struct ExistingCase: Sendable, CustomStringConvertible {
        var description: String
        var plugin: InterPodAffinity
        var expected: [String: Int64]
    }

    /// Existing pods' terms that the incoming pod (app=web, no terms of its own) matches:
    /// `needy` on b1 requires app=web by zone (hardPodAffinityWeight), `fan` on a1 prefers it
    /// by hostname with weight 5, `hater` on c1 prefers to avoid it by zone with weight 3.
    /// Weight 1: a1 = 5, a2 = 0, b1 = 1, c1 = −3; min −3, max 5, spread 8 →
    /// 100 × (s + 3) / 8 = 100, 37 (37.5 truncated), 50, 0.
    /// Weight 0: b1 = 0 → 100, 37, 37, 0. Ignoring existing pods' preferences skips scoring.
    static let existingCases: [ExistingCase] = [
        ExistingCase(
            description: "hardPodAffinityWeight 1", plugin: InterPodAffinity(),
            expected: ["a1": 100, "a2": 37, "b1": 50, "c1": 0]),
        ExistingCase(
            description: "hardPodAffinityWeight 0", plugin: InterPodAffinity(hardPodAffinityWeight: 0),
            expected: ["a1": 100, "a2": 37, "b1": 37, "c1": 0]),
        ExistingCase(
            description: "ignorePreferredTermsOfExistingPods", plugin: InterPodAffinity(ignorePreferredTermsOfExistingPods: true),
            expected: [:]),
    ]

    @Test(arguments: existingCases)
    func existingPodsTermsScore(_ testCase: ExistingCase) {
        let snapshot = Snapshot(
            nodes: Self.scoreNodes,
            pods: [
                Fx.pod(
                    "needy", node: "b1",
                    affinity: Self.required("podAffinity", "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}")),
                Fx.pod(
                    "fan", node: "a1",
                    affinity: Self.affinity(
                        """
                        podAffinity:
                          preferredDuringSchedulingIgnoredDuringExecution:
                          - {weight: 5, podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}}
                        """)),
                Fx.pod(
                    "hater", node: "c1",
                    affinity: Self.affinity(
                        """
                        podAntiAffinity:
                          preferredDuringSchedulingIgnoredDuringExecution:
                          - {weight: 3, podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}
                        """)),
            ])
        let pod = PodInfo(Fx.pod("p", labels: ["app": "web"]))
        #expect(Fx.scores(testCase.plugin, pod: pod, snapshot: snapshot) == testCase.expected)
    }

    @Test func scoringIsSkippedWithoutAnyAffinity() {
        let snapshot = Snapshot(nodes: Self.scoreNodes, pods: [Fx.pod("x", node: "a1", labels: ["app": "web"])])
        let state = CycleState(snapshot: snapshot)
        #expect(InterPodAffinity().preScore(state: state, pod: PodInfo(Fx.pod("p")), nodes: snapshot.nodeInfos).isSkip)
    }

    // MARK: - End to end and args

    @Test func antiAffinityThroughTheDefaultProfile() throws {
        // Three replicas that repel each other by hostname fill three nodes; the fourth fits
        // nowhere and preemption finds no lower-priority pod to remove.
        let cache = SchedulerCache()
        for name in ["n1", "n2", "n3"] { cache.addNode(Fx.node(name)) }
        let framework = try SchedulingFramework(profile: try Profile.defaultProfile())
        var algorithm = SchedulingAlgorithm(random: SeededRandom(seed: 3))
        var snapshot = Snapshot()
        let spread = Self.required(
            "podAntiAffinity", "{labelSelector: {matchLabels: {app: solo}}, topologyKey: kubernetes.io/hostname}")
        var hosts: Set<String> = []
        for index in 0..<3 {
            cache.updateSnapshot(&snapshot)
            let pod = PodInfo(Fx.pod("solo-\(index)", affinity: spread, labels: ["app": "solo"]))
            let result = try algorithm.schedule(pod: pod, framework: framework, state: CycleState(snapshot: snapshot))
            hosts.insert(result.suggestedHost)
            try cache.assumePod(pod.assigned(to: result.suggestedHost))
        }
        #expect(hosts == ["n1", "n2", "n3"])
        cache.updateSnapshot(&snapshot)
        let state = CycleState(snapshot: snapshot)
        let fourth = PodInfo(Fx.pod("solo-3", affinity: spread, labels: ["app": "solo"]))
        do {
            _ = try algorithm.schedule(pod: fourth, framework: framework, state: state)
            Issue.record("the fourth replica should not fit")
        } catch {
            guard case .unschedulable(var fitError) = error else {
                Issue.record("expected a FitError, got \(error)")
                return
            }
            _ = SchedulingAlgorithm.runPostFilter(fitError: &fitError, framework: framework, state: state)
            #expect(
                fitError.message
                    == "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes "
                    + "are available: 3 No preemption victims found for incoming pod..")
            #expect(fitError.diagnosis.unschedulablePlugins == ["InterPodAffinity", "DefaultPreemption"])
        }
    }

    @Test func args() throws {
        let plugin = try InterPodAffinity(
            args: ["hardPodAffinityWeight": 7, "ignorePreferredTermsOfExistingPods": true])
        #expect(plugin.hardPodAffinityWeight == 7)
        #expect(plugin.ignorePreferredTermsOfExistingPods)
        #expect(try InterPodAffinity(args: nil).hardPodAffinityWeight == 1)
        #expect(
            throws: FrameworkError(
                "invalid args for plugin \"InterPodAffinity\": hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]")
        ) { try InterPodAffinity(args: ["hardPodAffinityWeight": 101]) }
    }
}
