import APIMachinery
import Client
import CRIAPI
import Component

/// The Node a kubelet registers and the status it reports (upstream `nodestatus` setters),
/// as a pure function of the machine, the settings and what the runtime says.
///
/// - capacity: cpu, memory, pods (`maxPods`, or `podsPerCore` × cpus when smaller),
///   ephemeral-storage, hugepages-1Gi and -2Mi (0).
/// - allocatable: capacity less kube-reserved, system-reserved and the hard eviction
///   threshold (memory.available for memory, nodefs.available for ephemeral-storage), never
///   below zero.
/// - conditions: MemoryPressure, DiskPressure, PIDPressure (False with upstream's reasons) and
///   Ready (True once the runtime reports RuntimeReady and NetworkReady, else False naming
///   what is not ready). A transition time moves only when the status changes.
public struct NodeStatusBuilder: Sendable {
    public var nodeName: String
    public var machine: MachineInfo
    public var config: KubeletConfiguration
    public var addresses: [CoreV1.NodeAddress]
    public var kubeletVersion: String

    public init(nodeName: String, machine: MachineInfo, config: KubeletConfiguration, addresses: [CoreV1.NodeAddress],
                kubeletVersion: String = "v1.32.0-skiff") {
        self.nodeName = nodeName
        self.machine = machine
        self.config = config
        self.addresses = addresses
        self.kubeletVersion = kubeletVersion
    }

    /// The well-known labels of a new Node plus `extra` (`--node-labels`).
    public func initialNode(labels extra: [String: String]) -> CoreV1.Node {
        var labels = [
            "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": machine.architecture,
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": machine.architecture,
        ]
        labels.merge(extra) { _, new in new }
        var node = CoreV1.Node()
        node.apiVersion = "v1"
        node.kind = "Node"
        node.metadata = MetaV1.ObjectMeta(annotations: ["volumes.kubernetes.io/controller-managed-attach-detach": "true"],
                                          labels: labels, name: nodeName)
        var spec = CoreV1.NodeSpec()
        if !config.registerWithTaints.isEmpty { spec.taints = config.registerWithTaints }
        node.spec = spec
        return node
    }

    public var capacity: [String: Quantity] {
        var pods = config.maxPods
        if config.podsPerCore > 0 { pods = min(pods, config.podsPerCore * machine.cpus) }
        return [
            "cpu": Quantity(integer: Int64(machine.cpus)),
            "memory": Quantity(integer: machine.memoryBytes, format: .binarySI),
            "pods": Quantity(integer: Int64(pods)),
            "ephemeral-storage": Quantity(integer: machine.rootFsBytes, format: .binarySI),
            "hugepages-1Gi": Quantity(integer: 0),
            "hugepages-2Mi": Quantity(integer: 0),
        ]
    }

    public var allocatable: [String: Quantity] {
        var result = capacity
        for (name, total) in capacity {
            var value = total
            if let reserved = config.kubeReserved[name] { value -= reserved }
            if let reserved = config.systemReserved[name] { value -= reserved }
            if name == "memory", let threshold = config.evictionHard["memory.available"] {
                value -= Self.threshold(threshold, of: total)
            }
            if name == "ephemeral-storage", let threshold = config.evictionHard["nodefs.available"] {
                value -= Self.threshold(threshold, of: total)
            }
            result[name] = value.sign < 0 ? Quantity(integer: 0, format: total.format) : value
        }
        return result
    }

    /// An eviction threshold (`100Mi` or `10%`) as an amount of `total`.
    static func threshold(_ text: String, of total: Quantity) -> Quantity {
        if text.hasSuffix("%"), let percent = Double(text.dropLast()) {
            return Quantity(integer: Int64(Double(total.value()) * percent / 100), format: total.format)
        }
        do {
            return try Quantity(text)
        } catch {
            // Unreachable for a loaded configuration: KubeletConfiguration refuses such a threshold.
            return Quantity.zero
        }
    }

    /// The node's status at `now`: `runtime` is the runtime's version and condition report
    /// (nil when it cannot be reached), `images` what it holds, `old` the status last sent.
    public func status(old: CoreV1.NodeStatus?, runtimeVersion: Runtime_V1_VersionResponse?, runtime: Runtime_V1_RuntimeStatus?,
                       images: [Runtime_V1_Image], now: WallTime) -> CoreV1.NodeStatus {
        var status = CoreV1.NodeStatus()
        status.addresses = addresses
        status.capacity = capacity
        status.allocatable = allocatable
        status.daemonEndpoints = CoreV1.NodeDaemonEndpoints(kubeletEndpoint: CoreV1.DaemonEndpoint(Port: Int32(config.port)))
        let runtimeText = runtimeVersion.map { "\($0.runtimeName)://\($0.runtimeVersion)" } ?? ""
        status.nodeInfo = CoreV1.NodeSystemInfo(
            architecture: machine.architecture, bootID: machine.bootID, containerRuntimeVersion: runtimeText,
            kernelVersion: machine.kernelVersion, kubeProxyVersion: "", kubeletVersion: kubeletVersion,
            machineID: machine.machineID, operatingSystem: "linux", osImage: machine.osImage, systemUUID: machine.systemUUID)
        // Upstream reports the 50 largest images.
        let sorted = images.sorted { $0.size > $1.size }.prefix(50)
        status.images = sorted.isEmpty ? nil : sorted.map { image in
            // Upstream reports at most 5 names per image.
            CoreV1.ContainerImage(names: Array((image.repoDigests + image.repoTags).prefix(5)), sizeBytes: Int64(image.size))
        }
        var conditions: [CoreV1.NodeCondition] = []
        func add(_ type: String, _ value: String, _ reason: String, _ message: String) {
            let previous = old?.conditions?.first { $0.type == type }
            var condition = CoreV1.NodeCondition(status: value, type: type)
            condition.reason = reason
            condition.message = message
            condition.lastHeartbeatTime = now.time
            condition.lastTransitionTime = previous?.status == value ? previous?.lastTransitionTime : now.time
            conditions.append(condition)
        }
        add("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
        add("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
        add("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available")
        if let problem = Self.runtimeProblem(runtime) {
            add("Ready", "False", "KubeletNotReady", problem)
        } else {
            add("Ready", "True", "KubeletReady", "kubelet is posting ready status")
        }
        status.conditions = conditions
        return status
    }

    /// What keeps the node from being Ready, in upstream's words, or nil.
    static func runtimeProblem(_ runtime: Runtime_V1_RuntimeStatus?) -> String? {
        guard let runtime else { return "container runtime is down" }
        var problems: [String] = []
        for type in ["RuntimeReady", "NetworkReady"] {
            guard let condition = runtime.conditions.first(where: { $0.type == type }) else {
                problems.append("container runtime status check may not have completed yet")
                continue
            }
            if !condition.status {
                let prefix = type == "NetworkReady" ? "container runtime network not ready" : "container runtime not ready"
                problems.append("\(prefix): \(type)=false reason:\(condition.reason) message:\(condition.message)")
            }
        }
        // As utilerrors.NewAggregate prints: one error bare, several in brackets.
        if problems.isEmpty { return nil }
        return problems.count == 1 ? problems[0] : "[" + problems.joined(separator: ", ") + "]"
    }

    /// Whether `new` differs from `old` in anything but heartbeat times (upstream sends such a
    /// status at once; an unchanged one waits for `nodeStatusReportFrequency`).
    public static func changed(_ old: CoreV1.NodeStatus?, _ new: CoreV1.NodeStatus) -> Bool {
        guard var old else { return true }
        var new = new
        func strip(_ status: inout CoreV1.NodeStatus) {
            status.conditions = status.conditions?.map { var c = $0; c.lastHeartbeatTime = nil; return c }
        }
        strip(&old)
        strip(&new)
        old.volumesAttached = nil
        old.volumesInUse = nil
        old.config = nil
        old.phase = nil
        old.runtimeHandlers = nil
        old.features = nil
        return old != new
    }
}
