import APIMachinery
import Testing

@testable import Scheduler

/// Builders for the scheduler's framework and plugin tests: nodes and pods with just the
/// fields a test cares about, YAML for richer specs, and a seeded random source.
enum Fx {
    static func quantity(_ text: String) -> Quantity {
        (try? Quantity(text)) ?? .zero
    }

    static func resources(_ list: [String: String]) -> [String: Quantity] {
        list.mapValues(quantity)
    }

    /// A node with `cpu`/`memory`/`pods` allocatable (plus `extra` resources).
    static func node(
        _ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int = 110, extra: [String: String] = [:],
        labels: [String: String] = [:], taints: [CoreV1.Taint] = [], unschedulable: Bool = false,
        images: [(names: [String], size: Int64)] = []
    ) -> CoreV1.Node {
        var allocatable = ["cpu": cpu, "memory": memory, "pods": String(pods)]
        for (key, value) in extra { allocatable[key] = value }
        var allLabels = labels
        allLabels["kubernetes.io/hostname"] = allLabels["kubernetes.io/hostname"] ?? name
        return CoreV1.Node(
            metadata: MetaV1.ObjectMeta(labels: allLabels, name: name, uid: "node-" + name),
            spec: CoreV1.NodeSpec(taints: taints.isEmpty ? nil : taints, unschedulable: unschedulable ? true : nil),
            status: CoreV1.NodeStatus(
                allocatable: resources(allocatable), capacity: resources(allocatable),
                images: images.isEmpty ? nil : images.map { CoreV1.ContainerImage(names: $0.names, sizeBytes: $0.size) }))
    }

    static func taint(_ key: String, _ value: String? = nil, _ effect: String = "NoSchedule") -> CoreV1.Taint {
        CoreV1.Taint(effect: effect, key: key, value: value)
    }

    static func toleration(_ key: String?, _ op: String? = nil, _ value: String? = nil, effect: String? = nil)
        -> CoreV1.Toleration
    {
        CoreV1.Toleration(effect: effect, key: key, operator: op, value: value)
    }

    static func container(
        _ name: String = "c", requests: [String: String]? = nil, image: String? = nil,
        hostPorts: [(port: Int32, protocol: String?, ip: String?)] = [], restartPolicy: String? = nil
    ) -> CoreV1.Container {
        CoreV1.Container(
            image: image, name: name,
            ports: hostPorts.isEmpty
                ? nil
                : hostPorts.map {
                    CoreV1.ContainerPort(containerPort: $0.port, hostIP: $0.ip, hostPort: $0.port, protocol: $0.protocol)
                },
            resources: requests.map { CoreV1.ResourceRequirements(requests: resources($0)) },
            restartPolicy: restartPolicy)
    }

    /// A pod in `default` whose UID is its name; each entry of `requests` is one container.
    static func pod(
        _ name: String, node: String? = nil, requests: [[String: String]] = [[:]],
        containers: [CoreV1.Container]? = nil, initContainers: [CoreV1.Container]? = nil,
        overhead: [String: String]? = nil, priority: Int32? = nil, tolerations: [CoreV1.Toleration]? = nil,
        nodeSelector: [String: String]? = nil, affinity: CoreV1.Affinity? = nil, labels: [String: String]? = nil,
        nominatedNodeName: String? = nil, namespace: String = "default"
    ) -> CoreV1.Pod {
        let built =
            containers
            ?? requests.enumerated().map { container("c\($0.offset)", requests: $0.element.isEmpty ? nil : $0.element) }
        return CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name, namespace: namespace, uid: name),
            spec: CoreV1.PodSpec(
                affinity: affinity, containers: built, initContainers: initContainers, nodeName: node,
                nodeSelector: nodeSelector, overhead: overhead.map(resources), priority: priority,
                tolerations: tolerations),
            status: nominatedNodeName.map { CoreV1.PodStatus(nominatedNodeName: $0) })
    }

    static func podInfo(_ name: String, node: String? = nil, requests: [[String: String]] = [[:]]) -> PodInfo {
        PodInfo(pod(name, node: node, requests: requests))
    }

    /// A pod decoded from YAML (the `apiVersion`/`kind` lines may be left out).
    static func pod(yaml: String) throws -> CoreV1.Pod {
        try YAMLCodec.decode(CoreV1.Pod.self, from: yaml)
    }

    static func framework(_ plugins: [any SchedulerPlugin], weights: [String: Int64] = [:]) throws -> SchedulingFramework {
        try SchedulingFramework(
            profile: Profile(
                schedulerName: "test-scheduler",
                plugins: plugins.map { Profile.Entry($0, weight: weights[$0.name] ?? 1) }))
    }

    /// Runs PreScore and Score of one plugin over every node of `snapshot`, with
    /// normalisation, and returns the scores by node name (unweighted).
    static func scores(
        _ plugin: any ScorePlugin, pod: PodInfo, snapshot: Snapshot
    ) -> [String: Int64] {
        let state = CycleState(snapshot: snapshot)
        let nodes = snapshot.nodeInfos
        if let preScore = plugin as? any PreScorePlugin {
            let status = preScore.preScore(state: state, pod: pod, nodes: nodes)
            if status.isSkip { return [:] }
        }
        var scores = nodes.map { plugin.score(state: state, pod: pod, nodeInfo: $0).0 }
        if let normalizer = plugin as? any ScoreNormalizing {
            _ = normalizer.normalizeScores(state: state, pod: pod, nodes: nodes, scores: &scores)
        }
        return Dictionary(uniqueKeysWithValues: zip(nodes.map(\.name), scores))
    }

    /// Runs one Filter plugin (after its PreFilter, if any) on every node of `snapshot`;
    /// returns the status message by node name ("" for success).
    static func filter(_ plugin: any FilterPlugin, pod: PodInfo, snapshot: Snapshot) -> [String: String] {
        let state = CycleState(snapshot: snapshot)
        if let preFilter = plugin as? any PreFilterPlugin {
            let (_, status) = preFilter.preFilter(state: state, pod: pod)
            if status.isSkip { return Dictionary(uniqueKeysWithValues: snapshot.nodeInfos.map { ($0.name, "") }) }
        }
        var result: [String: String] = [:]
        for node in snapshot.nodeInfos {
            let status = plugin.filter(state: state, pod: pod, nodeInfo: node)
            result[node.name] = status.isSuccess ? "" : status.message
        }
        return result
    }
}

/// SplitMix64: a small seeded generator, so tie-breaking is reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct FrameworkFixturesTests {
    @Test func fixturesBuildWhatTheTestsAssume() throws {
        let node = NodeInfo(node: Fx.node("n1", cpu: "2", memory: "1Gi", pods: 3))
        #expect(node.allocatable == Resource(milliCPU: 2000, memory: 1 << 30, allowedPodNumber: 3))
        let pod = try Fx.pod(
            yaml: """
                metadata: {name: p, namespace: ns, uid: u1}
                spec:
                  containers: [{name: c, image: nginx, resources: {requests: {cpu: 250m}}}]
                """)
        let info = PodInfo(pod)
        #expect(info.key == "u1")
        #expect(info.requests.milliCPU == 250)
        #expect(info.images == ["nginx:latest"])
    }
}
