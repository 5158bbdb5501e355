import APIMachinery
import Testing

@testable import Scheduler

/// `PodInfo`'s precomputed data, `Resource` accounting and `NodeInfo`'s incremental
/// aggregates.
@Suite struct FrameworkNodeInfoTests {
    struct RequestCase: Sendable, CustomStringConvertible {
        var description: String
        var containers: [[String: String]]
        var initContainers: [(requests: [String: String], sidecar: Bool)] = []
        var overhead: [String: String]? = nil
        var milliCPU: Int64
        var memory: Int64
        var nonZeroMilliCPU: Int64
        var nonZeroMemory: Int64
    }

    static let mi: Int64 = 1024 * 1024

    static let requestCases: [RequestCase] = [
        // Upstream's documented example: containers sum to 3 CPU / 2G, the biggest init
        // container needs 2 CPU / 3G, so the pod needs max per resource: 3 CPU, 3G.
        RequestCase(
            description: "init containers raise the per-resource maximum",
            containers: [["cpu": "2", "memory": "1G"], ["cpu": "1", "memory": "1G"]],
            initContainers: [(["cpu": "2", "memory": "1G"], false), (["cpu": "2", "memory": "3G"], false)],
            milliCPU: 3000, memory: 3_000_000_000, nonZeroMilliCPU: 3000, nonZeroMemory: 3_000_000_000),
        // A sidecar (restartPolicy Always) runs with the containers: 1 + 1 = 2 CPU. The later
        // ordinary init container runs next to the sidecar: 2 + 1 = 3 CPU, the maximum.
        RequestCase(
            description: "sidecars add up, ordinary init containers run next to earlier sidecars",
            containers: [["cpu": "1"]],
            initContainers: [(["cpu": "1"], true), (["cpu": "2"], false)],
            milliCPU: 3000, memory: 0, nonZeroMilliCPU: 3000, nonZeroMemory: 400 * mi),
        // Overhead is added after everything else: 1 + 0.25 CPU.
        RequestCase(
            description: "overhead is added",
            containers: [["cpu": "1", "memory": "100Mi"]], overhead: ["cpu": "250m", "memory": "10Mi"],
            milliCPU: 1250, memory: 110 * mi, nonZeroMilliCPU: 1250, nonZeroMemory: 110 * mi),
        // No requests: exact 0; scoring assumes 100m and 200Mi per container (two here).
        RequestCase(
            description: "containers without requests get the scoring defaults",
            containers: [[:], [:]],
            milliCPU: 0, memory: 0, nonZeroMilliCPU: 200, nonZeroMemory: 400 * mi),
        // An explicit zero is kept; only a missing request gets the default.
        RequestCase(
            description: "an explicit zero request is not replaced by the default",
            containers: [["cpu": "0"]],
            milliCPU: 0, memory: 0, nonZeroMilliCPU: 0, nonZeroMemory: 200 * mi),
        // Fractional memory rounds up only once, after the exact sum: 0.5 + 0.5 = 1 byte.
        RequestCase(
            description: "sums are exact before rounding",
            containers: [["memory": "500m"], ["memory": "500m"]],
            milliCPU: 0, memory: 1, nonZeroMilliCPU: 200, nonZeroMemory: 1),
    ]

    @Test(arguments: requestCases)
    func effectiveRequests(_ testCase: RequestCase) {
        let initContainers = testCase.initContainers.enumerated().map {
            Fx.container("i\($0.offset)", requests: $0.element.requests, restartPolicy: $0.element.sidecar ? "Always" : nil)
        }
        let pod = PodInfo(
            Fx.pod(
                "p", requests: testCase.containers, initContainers: initContainers.isEmpty ? nil : initContainers,
                overhead: testCase.overhead))
        #expect(pod.requests.milliCPU == testCase.milliCPU)
        #expect(pod.requests.memory == testCase.memory)
        #expect(pod.nonZeroMilliCPU == testCase.nonZeroMilliCPU)
        #expect(pod.nonZeroMemory == testCase.nonZeroMemory)
    }

    @Test func resourceNamesAreClassifiedAsUpstream() {
        #expect(ResourceNames.isScalar("example.com/gpu"))
        #expect(ResourceNames.isExtended("example.com/gpu"))
        #expect(ResourceNames.isScalar("hugepages-2Mi"))
        #expect(ResourceNames.isScalar("attachable-volumes-aws-ebs"))
        #expect(ResourceNames.isScalar("kubernetes.io/batteries"))
        #expect(!ResourceNames.isExtended("kubernetes.io/batteries"))
        #expect(!ResourceNames.isScalar("foo"))
        #expect(!ResourceNames.isScalar("requests.example.com/gpu"))

        let resource = Resource(Fx.resources(["cpu": "1500m", "memory": "1Ki", "pods": "7", "example.com/gpu": "2", "foo": "3"]))
        #expect(resource == Resource(milliCPU: 1500, memory: 1024, allowedPodNumber: 7, scalarResources: ["example.com/gpu": 2]))
    }

    @Test func nodeInfoAggregatesFollowAddAndRemove() throws {
        let empty = NodeInfo(node: Fx.node("n1"))
        let p1 = PodInfo(Fx.pod("p1", node: "n1", requests: [["cpu": "1", "memory": "1Gi", "example.com/gpu": "1"]]))
        let p2 = PodInfo(Fx.pod("p2", node: "n1"))
        let node = empty.adding(p1).adding(p2)
        #expect(node.pods.map(\.key) == ["p1", "p2"])
        #expect(node.requested == Resource(milliCPU: 1000, memory: 1 << 30, scalarResources: ["example.com/gpu": 1]))
        // p2 has no requests: scoring counts 100m / 200Mi for it.
        #expect(node.nonZeroRequested.milliCPU == 1100)
        #expect(node.nonZeroRequested.memory == (1 << 30) + 200 * Self.mi)
        // Values are immutable: deriving left the empty node empty.
        #expect(empty.pods.isEmpty && empty.requested.milliCPU == 0)

        let (without, removed) = try #require(node.removingPod(key: "p1"))
        #expect(removed.key == "p1")
        #expect(node.removingPod(key: "missing") == nil)
        #expect(without.pods.map(\.key) == ["p2"])
        #expect(without.requested.milliCPU == 0 && without.requested.memory == 0)
        #expect(without.requested.scalarResources["example.com/gpu"] == 0)
        #expect(without.nonZeroRequested.milliCPU == 100)
        #expect(without.nonZeroRequested.memory == 200 * Self.mi)
        #expect(node.pods.count == 2 && node.requested.milliCPU == 1000)

        // A new Node object keeps the pods; dropping it too.
        let resized = without.withNode(Fx.node("n1", cpu: "16"))
        #expect(resized.allocatable.milliCPU == 16000 && resized.pods.count == 1)
        let ghost = resized.withoutNode()
        #expect(ghost.node == nil && ghost.pods.count == 1 && ghost.allocatable == Resource())
    }

    @Test func nodeInfoTracksHostPortsAndAffinityPods() throws {
        let node = NodeInfo(node: Fx.node("n1"))
        let web = PodInfo(
            Fx.pod("web", node: "n1", containers: [Fx.container(hostPorts: [(80, nil, nil), (53, "UDP", "10.0.0.1")])]))
        let serving = node.adding(web)
        #expect(serving.usedPorts.conflicts(with: HostPort(port: 80)))
        #expect(serving.usedPorts.conflicts(with: HostPort(ip: "127.0.0.1", protocol: "TCP", port: 80)))
        #expect(!serving.usedPorts.conflicts(with: HostPort(protocol: "UDP", port: 80)))
        #expect(serving.usedPorts.conflicts(with: HostPort(protocol: "UDP", port: 53)))
        #expect(serving.usedPorts.conflicts(with: HostPort(ip: "10.0.0.1", protocol: "UDP", port: 53)))
        #expect(!serving.usedPorts.conflicts(with: HostPort(ip: "10.0.0.2", protocol: "UDP", port: 53)))
        #expect(serving.removingPod(key: "web")?.nodeInfo.usedPorts.isEmpty == true)

        let anti = PodInfo(
            try Fx.pod(
                yaml: """
                    metadata: {name: anti, namespace: default, uid: anti, labels: {app: db}}
                    spec:
                      nodeName: n1
                      containers: [{name: c}]
                      affinity:
                        podAntiAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                          - labelSelector: {matchLabels: {app: db}}
                            topologyKey: kubernetes.io/hostname
                    """))
        #expect(anti.hasPodAffinity && anti.hasRequiredAntiAffinity)
        #expect(anti.requiredAntiAffinityTerms.first?.namespaces == ["default"])
        #expect(anti.requiredAntiAffinityTerms.first?.matches(namespace: "default", labels: ["app": "db"]) == true)
        #expect(anti.requiredAntiAffinityTerms.first?.matches(namespace: "other", labels: ["app": "db"]) == false)
        let mixed = node.adding(anti).adding(PodInfo(Fx.pod("plain", node: "n1")))
        #expect(mixed.podsWithAffinity.map(\.key) == ["anti"])
        #expect(mixed.podsWithRequiredAntiAffinity.map(\.key) == ["anti"])
        let cleared = try #require(mixed.removingPod(key: "anti")).nodeInfo
        #expect(cleared.podsWithAffinity.isEmpty && cleared.podsWithRequiredAntiAffinity.isEmpty)
        #expect(cleared.pods.map(\.key) == ["plain"])
    }

    @Test func hostPortsComeFromContainersAndSidecarsOnly() {
        let pod = Fx.pod(
            "p", containers: [Fx.container(hostPorts: [(8080, nil, nil)]), Fx.container("no-host-port")],
            initContainers: [
                Fx.container("init", hostPorts: [(9000, nil, nil)]),
                Fx.container("sidecar", hostPorts: [(9100, "UDP", nil)], restartPolicy: "Always"),
            ])
        #expect(
            HostPort.ports(of: pod) == [
                HostPort(ip: "0.0.0.0", protocol: "UDP", port: 9100), HostPort(ip: "0.0.0.0", protocol: "TCP", port: 8080),
            ])
    }

    @Test func nodeInfoReadsNodeFacts() {
        let node = NodeInfo(
            node: Fx.node(
                "n1", labels: ["zone": "a"], taints: [Fx.taint("dedicated", "gpu", "NoExecute")], unschedulable: true,
                images: [(names: ["nginx:1.25", "registry/nginx@sha256:abc"], size: 50_000_000)]))
        #expect(node.name == "n1")
        #expect(node.labels["zone"] == "a")
        #expect(node.taints == [NodeTaint(key: "dedicated", value: "gpu", effect: .noExecute)])
        #expect(node.isUnschedulable)
        #expect(node.imageSizes == ["nginx:1.25": 50_000_000, "registry/nginx@sha256:abc": 50_000_000])
    }

    @Test func imageNamesAreNormalisedLikeUpstream() {
        #expect(PodInfo.normalizedImageName("nginx") == "nginx:latest")
        #expect(PodInfo.normalizedImageName("nginx:1.25") == "nginx:1.25")
        #expect(PodInfo.normalizedImageName("localhost:5000/app") == "localhost:5000/app:latest")
        #expect(PodInfo.normalizedImageName("localhost:5000/app:v1") == "localhost:5000/app:v1")
        #expect(PodInfo.normalizedImageName("app@sha256:abcd") == "app@sha256:abcd")
    }

    @Test func assignedCopyKeepsPrecomputedData() {
        let pod = PodInfo(Fx.pod("p", requests: [["cpu": "300m"]], priority: 7))
        let assigned = pod.assigned(to: "n9")
        #expect(assigned.nodeName == "n9")
        #expect(assigned.pod.spec?.nodeName == "n9")
        #expect(assigned.requests.milliCPU == 300)
        #expect(assigned.priority == 7)
        #expect(assigned.key == pod.key)
        #expect(pod.nodeName.isEmpty)
    }
}
