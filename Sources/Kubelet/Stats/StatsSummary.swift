import APIMachinery
import CRIAPI
import Foundation

/// One container's CPU and memory, from the runtime's stats and the kubelet's labels on it.
public struct ContainerUsage: Sendable, Equatable {
    public var podUID: String
    public var podName: String
    public var podNamespace: String
    public var container: String
    /// Nanoseconds since the epoch.
    public var time: Int64
    public var cpuNanoCores: UInt64?
    public var cpuCoreNanoSeconds: UInt64?
    public var memoryWorkingSetBytes: UInt64?
    public var memoryUsageBytes: UInt64?
    public var memoryRSSBytes: UInt64?

    public init(podUID: String, podName: String, podNamespace: String, container: String, time: Int64,
                cpuNanoCores: UInt64? = nil, cpuCoreNanoSeconds: UInt64? = nil, memoryWorkingSetBytes: UInt64? = nil,
                memoryUsageBytes: UInt64? = nil, memoryRSSBytes: UInt64? = nil) {
        self.podUID = podUID
        self.podName = podName
        self.podNamespace = podNamespace
        self.container = container
        self.time = time
        self.cpuNanoCores = cpuNanoCores
        self.cpuCoreNanoSeconds = cpuCoreNanoSeconds
        self.memoryWorkingSetBytes = memoryWorkingSetBytes
        self.memoryUsageBytes = memoryUsageBytes
        self.memoryRSSBytes = memoryRSSBytes
    }

    /// Nil for a container the kubelet did not make (no pod labels).
    public init?(_ stats: Runtime_V1_ContainerStats) {
        let labels = stats.attributes.labels
        guard let uid = labels[RuntimeLabels.podUID], let name = labels[RuntimeLabels.podName],
              let namespace = labels[RuntimeLabels.podNamespace] else { return nil }
        let cpu = stats.cpu, memory = stats.memory
        self.init(
            podUID: uid, podName: name, podNamespace: namespace,
            container: labels[RuntimeLabels.containerName] ?? stats.attributes.metadata.name,
            time: max(cpu.timestamp, memory.timestamp),
            cpuNanoCores: cpu.hasUsageNanoCores ? cpu.usageNanoCores.value : nil,
            cpuCoreNanoSeconds: cpu.hasUsageCoreNanoSeconds ? cpu.usageCoreNanoSeconds.value : nil,
            memoryWorkingSetBytes: memory.hasWorkingSetBytes ? memory.workingSetBytes.value : nil,
            memoryUsageBytes: memory.hasUsageBytes ? memory.usageBytes.value : nil,
            memoryRSSBytes: memory.hasRssBytes ? memory.rssBytes.value : nil)
    }
}

/// The kubelet's `/stats/summary` (the `stats.k8s.io` Summary: node and per-pod CPU and
/// memory) and `/metrics/resource` (the same figures as Prometheus text), built from a node
/// reading and the runtime's container stats.
public enum StatsSummary {
    static func time(_ nanos: Int64) -> JSONValue {
        .string(RFC3339.format(seconds: nanos / 1_000_000_000, microseconds: nil))
    }

    static func cpu(time: Int64, nanoCores: UInt64?, coreNanoSeconds: UInt64?) -> JSONValue {
        var object: JSONObject = ["time": Self.time(time)]
        if let nanoCores { object["usageNanoCores"] = .int(Int64(clamping: nanoCores)) }
        if let coreNanoSeconds { object["usageCoreNanoSeconds"] = .int(Int64(clamping: coreNanoSeconds)) }
        return .object(object)
    }

    static func memory(time: Int64, workingSet: UInt64?, usage: UInt64?, rss: UInt64?, available: UInt64? = nil) -> JSONValue {
        var object: JSONObject = ["time": Self.time(time)]
        if let available { object["availableBytes"] = .int(Int64(clamping: available)) }
        if let usage { object["usageBytes"] = .int(Int64(clamping: usage)) }
        if let workingSet { object["workingSetBytes"] = .int(Int64(clamping: workingSet)) }
        if let rss { object["rssBytes"] = .int(Int64(clamping: rss)) }
        return .object(object)
    }

    /// Sums an optional figure over containers: nil when none has it.
    static func sum(_ values: [UInt64?]) -> UInt64? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(0, +)
    }

    /// Containers grouped by pod UID, pods in name order.
    static func pods(_ containers: [ContainerUsage]) -> [[ContainerUsage]] {
        Dictionary(grouping: containers, by: \.podUID).values
            .map { $0.sorted { $0.container < $1.container } }
            .sorted { ($0[0].podNamespace, $0[0].podName) < ($1[0].podNamespace, $1[0].podName) }
    }

    /// The Summary document.
    public static func summary(nodeName: String, startTime: Int64, node: NodeUsage?, nodeNanoCores: UInt64?, containers: [ContainerUsage]) -> JSONValue {
        var nodeObject: JSONObject = ["nodeName": .string(nodeName), "startTime": time(startTime)]
        if let node {
            nodeObject["cpu"] = cpu(time: node.time, nanoCores: nodeNanoCores, coreNanoSeconds: node.cpuCoreNanoSeconds)
            nodeObject["memory"] = memory(time: node.time, workingSet: node.memoryWorkingSetBytes, usage: node.memoryWorkingSetBytes,
                                          rss: nil, available: node.memoryAvailableBytes)
        }
        let pods: [JSONValue] = pods(containers).map { group in
            let first = group[0]
            let latest = group.map(\.time).max() ?? first.time
            let containerList: [JSONValue] = group.map { usage in
                [
                    "name": .string(usage.container),
                    "cpu": cpu(time: usage.time, nanoCores: usage.cpuNanoCores, coreNanoSeconds: usage.cpuCoreNanoSeconds),
                    "memory": memory(time: usage.time, workingSet: usage.memoryWorkingSetBytes, usage: usage.memoryUsageBytes, rss: usage.memoryRSSBytes),
                ]
            }
            return [
                "podRef": ["name": .string(first.podName), "namespace": .string(first.podNamespace), "uid": .string(first.podUID)],
                "containers": .array(containerList),
                "cpu": cpu(time: latest, nanoCores: sum(group.map(\.cpuNanoCores)), coreNanoSeconds: sum(group.map(\.cpuCoreNanoSeconds))),
                "memory": memory(time: latest, workingSet: sum(group.map(\.memoryWorkingSetBytes)), usage: sum(group.map(\.memoryUsageBytes)),
                                 rss: sum(group.map(\.memoryRSSBytes))),
            ]
        }
        return ["node": .object(nodeObject), "pods": .array(pods)]
    }

    /// `/metrics/resource`: upstream's metric names, each sample with its time in milliseconds.
    public static func resourceMetrics(node: NodeUsage?, containers: [ContainerUsage], scrapeError: Bool) -> String {
        func seconds(_ nanos: UInt64) -> String { String(Double(nanos) / 1e9) }
        func labels(_ usage: ContainerUsage, container: Bool) -> String {
            (container ? "container=\"\(escape(usage.container))\"," : "") + "namespace=\"\(escape(usage.podNamespace))\",pod=\"\(escape(usage.podName))\""
        }
        var out = ""
        func family(_ name: String, _ help: String, _ type: String, _ samples: [String]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) [STABLE] \(help)\n# TYPE \(name) \(type)\n" + samples.map { $0 + "\n" }.joined()
        }
        family("container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter",
               containers.compactMap { u in u.cpuCoreNanoSeconds.map { "container_cpu_usage_seconds_total{\(labels(u, container: true))} \(seconds($0)) \(u.time / 1_000_000)" } })
        family("container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge",
               containers.compactMap { u in u.memoryWorkingSetBytes.map { "container_memory_working_set_bytes{\(labels(u, container: true))} \($0) \(u.time / 1_000_000)" } })
        if let node {
            family("node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter",
                   ["node_cpu_usage_seconds_total \(seconds(node.cpuCoreNanoSeconds)) \(node.time / 1_000_000)"])
            family("node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge",
                   ["node_memory_working_set_bytes \(node.memoryWorkingSetBytes) \(node.time / 1_000_000)"])
        }
        let groups = pods(containers)
        family("pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter",
               groups.compactMap { g in sum(g.map(\.cpuCoreNanoSeconds)).map { "pod_cpu_usage_seconds_total{\(labels(g[0], container: false))} \(seconds($0)) \((g.map(\.time).max() ?? 0) / 1_000_000)" } })
        family("pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge",
               groups.compactMap { g in sum(g.map(\.memoryWorkingSetBytes)).map { "pod_memory_working_set_bytes{\(labels(g[0], container: false))} \($0) \((g.map(\.time).max() ?? 0) / 1_000_000)" } })
        family("resource_scrape_error", "1 if there was an error while getting container metrics, 0 otherwise", "gauge",
               ["resource_scrape_error \(scrapeError ? 1 : 0)"])
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
