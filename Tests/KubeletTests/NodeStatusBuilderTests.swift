import APIMachinery
import CRIAPI
import Client
import Component
import Testing
@testable import Kubelet

/// `NodeStatusBuilder` against upstream's node status setters (pkg/kubelet/nodestatus) and
/// `initialNode`.
@Suite("Node status builder (nodestatus setters)")
struct NodeStatusBuilderTests {
    static let gi: Int64 = 1 << 30
    static let machine = MachineInfo(
        cpus: 4, memoryBytes: 8 * gi, machineID: "machine-1", systemUUID: "uuid-1", bootID: "boot-1",
        kernelVersion: "6.1.0-18-amd64", osImage: "Debian GNU/Linux 12 (bookworm)", architecture: "amd64", rootFsBytes: 100 * gi)
    static let t0 = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    static let t1 = WallTime(nanosecondsSinceEpoch: 1_700_000_010_000_000_000)
    static let addresses = [CoreV1.NodeAddress(address: "192.168.1.10", type: "InternalIP"), CoreV1.NodeAddress(address: "node-1", type: "Hostname")]

    static func builder(_ configure: (inout KubeletConfiguration) -> Void = { _ in }) -> NodeStatusBuilder {
        var config = KubeletConfiguration()
        configure(&config)
        return NodeStatusBuilder(nodeName: "node-1", machine: machine, config: config, addresses: addresses)
    }

    static func runtimeStatus(runtimeReady: Bool = true, networkReady: Bool = true) -> Runtime_V1_RuntimeStatus {
        var status = Runtime_V1_RuntimeStatus()
        var runtime = Runtime_V1_RuntimeCondition()
        runtime.type = "RuntimeReady"
        runtime.status = runtimeReady
        if !runtimeReady {
            runtime.reason = "ContainerdNotReady"
            runtime.message = "containerd is starting"
        }
        var network = Runtime_V1_RuntimeCondition()
        network.type = "NetworkReady"
        network.status = networkReady
        if !networkReady {
            network.reason = "NetworkPluginNotReady"
            network.message = "Network plugin returns error: cni plugin not initialized"
        }
        status.conditions = [runtime, network]
        return status
    }

    static var version: Runtime_V1_VersionResponse {
        var version = Runtime_V1_VersionResponse()
        version.runtimeName = "containerd"
        version.runtimeVersion = "1.7.24"
        return version
    }

    static func image(_ id: String, size: UInt64, tags: [String] = [], digests: [String] = []) -> Runtime_V1_Image {
        var image = Runtime_V1_Image()
        image.id = id
        image.size = size
        image.repoTags = tags
        image.repoDigests = digests
        return image
    }

    static func condition(_ status: CoreV1.NodeStatus, _ type: String) -> CoreV1.NodeCondition? {
        status.conditions?.first { $0.type == type }
    }

    // MARK: Capacity and allocatable

    @Test("capacity reports cpu, memory, pods, ephemeral-storage and zero hugepages")
    func capacity() {
        let capacity = Self.builder().capacity
        #expect(capacity["cpu"] == Fx.q("4"))
        #expect(capacity["memory"] == Fx.q("8Gi"))
        #expect(capacity["pods"] == Fx.q("110"))
        #expect(capacity["ephemeral-storage"] == Fx.q("100Gi"))
        #expect(capacity["hugepages-1Gi"]?.isZero == true)
        #expect(capacity["hugepages-2Mi"]?.isZero == true)
    }

    @Test("pods is maxPods, or podsPerCore × cpus when that is smaller")
    func podsPerCore() {
        let maxPods = Self.builder { $0.maxPods = 250 }.capacity["pods"]
        let perCore = Self.builder { $0.podsPerCore = 10 }.capacity["pods"]
        let capped = Self.builder { $0.podsPerCore = 100; $0.maxPods = 110 }.capacity["pods"]
        #expect(maxPods == Fx.q("250"))
        #expect(perCore == Fx.q("40"))
        #expect(capped == Fx.q("110"))
    }

    @Test("allocatable is capacity less kube-reserved, system-reserved and the hard eviction thresholds")
    func allocatable() {
        let allocatable = Self.builder {
            $0.kubeReserved = ["cpu": Fx.q("100m"), "memory": Fx.q("256Mi")]
            $0.systemReserved = ["cpu": Fx.q("200m"), "memory": Fx.q("512Mi"), "ephemeral-storage": Fx.q("1Gi")]
        }.allocatable
        #expect(allocatable["cpu"] == Fx.q("3700m"))
        // 8Gi - 256Mi - 512Mi - 100Mi (memory.available)
        #expect(allocatable["memory"] == Fx.q("7324Mi"))
        // 100Gi - 1Gi - 10% of 100Gi (nodefs.available)
        #expect(allocatable["ephemeral-storage"] == Fx.q("89Gi"))
        #expect(allocatable["pods"] == Fx.q("110"))
    }

    @Test("allocatable follows the configured eviction thresholds, absolute or percentage")
    func allocatableEvictionThresholds() {
        let allocatable = Self.builder { $0.evictionHard = ["memory.available": "1Gi", "nodefs.available": "25%"] }.allocatable
        #expect(allocatable["memory"] == Fx.q("7Gi"))
        #expect(allocatable["ephemeral-storage"] == Fx.q("75Gi"))
        let none = Self.builder { $0.evictionHard = [:] }.allocatable
        #expect(none["memory"] == Fx.q("8Gi"))
        #expect(none["ephemeral-storage"] == Fx.q("100Gi"))
    }

    @Test("allocatable never goes below zero")
    func allocatableNotNegative() {
        let allocatable = Self.builder { $0.kubeReserved = ["memory": Fx.q("16Gi"), "cpu": Fx.q("8")] }.allocatable
        #expect(allocatable["memory"]?.isZero == true)
        #expect(allocatable["cpu"]?.isZero == true)
    }

    // MARK: Registration

    @Test("a new Node carries the well-known labels plus --node-labels")
    func initialNodeLabels() {
        let node = Self.builder().initialNode(labels: ["node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": "a"])
        let labels = node.metadata?.labels ?? [:]
        #expect(node.metadata?.name == "node-1")
        #expect(node.kind == "Node")
        #expect(node.apiVersion == "v1")
        #expect(labels["kubernetes.io/hostname"] == "node-1")
        #expect(labels["kubernetes.io/os"] == "linux")
        #expect(labels["kubernetes.io/arch"] == "amd64")
        #expect(labels["beta.kubernetes.io/os"] == "linux")
        #expect(labels["beta.kubernetes.io/arch"] == "amd64")
        #expect(labels["node-role.kubernetes.io/worker"] == "")
        #expect(labels["topology.kubernetes.io/zone"] == "a")
        #expect(node.metadata?.annotations?["volumes.kubernetes.io/controller-managed-attach-detach"] == "true")
    }

    @Test("registerWithTaints become the new Node's taints; none means no taints")
    func initialNodeTaints() {
        let taint = CoreV1.Taint(effect: "NoSchedule", key: "dedicated", value: "gpu")
        let tainted = Self.builder { $0.registerWithTaints = [taint] }.initialNode(labels: [:])
        let plain = Self.builder().initialNode(labels: [:])
        #expect(tainted.spec?.taints == [taint])
        #expect(plain.spec?.taints == nil)
    }

    // MARK: Status

    @Test("the status reports addresses, capacity, allocatable, daemon endpoint and node info")
    func statusBasics() {
        let builder = Self.builder()
        let status = builder.status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t0)
        #expect(status.addresses == Self.addresses)
        #expect(status.capacity == builder.capacity)
        #expect(status.allocatable == builder.allocatable)
        #expect(status.daemonEndpoints?.kubeletEndpoint?.Port == 10250)
        #expect(status.nodeInfo?.containerRuntimeVersion == "containerd://1.7.24")
        #expect(status.nodeInfo?.kubeletVersion == "v1.32.0-skiff")
        #expect(status.nodeInfo?.operatingSystem == "linux")
        #expect(status.nodeInfo?.architecture == "amd64")
        #expect(status.nodeInfo?.machineID == "machine-1")
        #expect(status.nodeInfo?.systemUUID == "uuid-1")
        #expect(status.nodeInfo?.bootID == "boot-1")
        #expect(status.nodeInfo?.kernelVersion == "6.1.0-18-amd64")
        #expect(status.nodeInfo?.osImage == "Debian GNU/Linux 12 (bookworm)")
        #expect(status.images == nil)
    }

    @Test("with a healthy runtime: Ready True (KubeletReady) and the pressure conditions False, in upstream's order")
    func readyTrue() {
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t0)
        #expect(status.conditions?.map(\.type) == ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"])
        let ready = Self.condition(status, "Ready")
        #expect(ready?.status == "True")
        #expect(ready?.reason == "KubeletReady")
        #expect(ready?.message == "kubelet is posting ready status")
        let expected: [(String, String, String)] = [
            ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ]
        for (type, reason, message) in expected {
            let condition = Self.condition(status, type)
            #expect(condition?.status == "False")
            #expect(condition?.reason == reason)
            #expect(condition?.message == message)
        }
    }

    @Test("network not ready: Ready False (KubeletNotReady) quoting the runtime's condition")
    func networkNotReady() {
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(networkReady: false),
                                           images: [], now: Self.t0)
        let ready = Self.condition(status, "Ready")
        #expect(ready?.status == "False")
        #expect(ready?.reason == "KubeletNotReady")
        #expect(ready?.message == "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")
    }

    @Test("runtime not ready: Ready False naming RuntimeReady")
    func runtimeNotReady() {
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(runtimeReady: false),
                                           images: [], now: Self.t0)
        #expect(Self.condition(status, "Ready")?.message == "container runtime not ready: RuntimeReady=false reason:ContainerdNotReady message:containerd is starting")
    }

    @Test("an unreachable runtime: Ready False, container runtime is down")
    func runtimeDown() {
        let status = Self.builder().status(old: nil, runtimeVersion: nil, runtime: nil, images: [], now: Self.t0)
        let ready = Self.condition(status, "Ready")
        #expect(ready?.status == "False")
        #expect(ready?.message == "container runtime is down")
        #expect(status.nodeInfo?.containerRuntimeVersion == "")
    }

    @Test("several problems are aggregated as upstream's error aggregate prints them")
    func bothNotReady() {
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version,
                                           runtime: Self.runtimeStatus(runtimeReady: false, networkReady: false), images: [], now: Self.t0)
        let message = Self.condition(status, "Ready")?.message ?? ""
        #expect(message.contains("container runtime not ready: RuntimeReady=false"))
        #expect(message.contains("container runtime network not ready: NetworkReady=false"))
        #expect(message.hasPrefix("["))
        #expect(message.hasSuffix("]"))
    }

    @Test("heartbeats move every time; a transition time moves only when the status changes")
    func heartbeatAndTransition() {
        let builder = Self.builder()
        let first = builder.status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t0)
        let second = builder.status(old: first, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t1)
        for type in ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"] {
            #expect(Self.condition(second, type)?.lastHeartbeatTime == Self.t1.time, "\(type)")
            #expect(Self.condition(second, type)?.lastTransitionTime == Self.t0.time, "\(type)")
        }
        let third = builder.status(old: second, runtimeVersion: Self.version, runtime: Self.runtimeStatus(networkReady: false),
                                   images: [], now: Self.t1)
        #expect(Self.condition(third, "Ready")?.lastTransitionTime == Self.t1.time)
        #expect(Self.condition(third, "MemoryPressure")?.lastTransitionTime == Self.t0.time)
    }

    @Test("changed ignores heartbeat times but sees any other difference")
    func changedIgnoresHeartbeats() {
        let builder = Self.builder()
        let first = builder.status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t0)
        let second = builder.status(old: first, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [], now: Self.t1)
        #expect(!NodeStatusBuilder.changed(first, second))
        #expect(NodeStatusBuilder.changed(nil, second))
        let notReady = builder.status(old: second, runtimeVersion: Self.version, runtime: Self.runtimeStatus(networkReady: false),
                                      images: [], now: Self.t1)
        #expect(NodeStatusBuilder.changed(second, notReady))
        let withImage = builder.status(old: second, runtimeVersion: Self.version, runtime: Self.runtimeStatus(),
                                       images: [Self.image("sha256:a", size: 10, tags: ["busybox:1.36"])], now: Self.t1)
        #expect(NodeStatusBuilder.changed(second, withImage))
        // Fields the kubelet does not own on the old status are not differences.
        var withVolumes = first
        withVolumes.volumesInUse = ["kubernetes.io/csi/driver^vol-1"]
        #expect(!NodeStatusBuilder.changed(withVolumes, second))
    }

    @Test("images are reported largest first, at most 50, digests before tags")
    func imagesSortedAndLimited() {
        let images = (1...60).map { Self.image("sha256:\($0)", size: UInt64($0) * 1_000_000, tags: ["app:\($0)"], digests: ["app@sha256:\($0)"]) }
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: images.shuffled(), now: Self.t0)
        let reported = status.images ?? []
        #expect(reported.count == 50)
        #expect(reported.first?.sizeBytes == 60_000_000)
        #expect(reported.last?.sizeBytes == 11_000_000)
        #expect(reported.first?.names == ["app@sha256:60", "app:60"])
        let sizes = reported.compactMap(\.sizeBytes)
        #expect(sizes == sizes.sorted(by: >))
    }

    @Test("at most five names are reported per image")
    func imageNamesLimited() {
        let image = Self.image("sha256:big", size: 1, tags: (1...6).map { "app:\($0)" }, digests: ["app@sha256:abc"])
        let status = Self.builder().status(old: nil, runtimeVersion: Self.version, runtime: Self.runtimeStatus(), images: [image], now: Self.t0)
        let names = status.images?.first?.names ?? []
        #expect(names.first == "app@sha256:abc")
        #expect(names.count == 5)
    }
}
