import Foundation

/// The node's CPU and memory as `/proc` reports them, and the CPU rate between two readings.
public struct NodeUsage: Sendable, Equatable {
    /// Nanoseconds since the epoch of the reading.
    public var time: Int64
    /// CPU time spent by all cores, in nanoseconds (user, nice, system, irq, softirq, steal).
    public var cpuCoreNanoSeconds: UInt64
    public var memoryTotalBytes: UInt64
    public var memoryAvailableBytes: UInt64

    public init(time: Int64, cpuCoreNanoSeconds: UInt64, memoryTotalBytes: UInt64, memoryAvailableBytes: UInt64) {
        self.time = time
        self.cpuCoreNanoSeconds = cpuCoreNanoSeconds
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryAvailableBytes = memoryAvailableBytes
    }

    /// The memory in use (total minus available), as the working set.
    public var memoryWorkingSetBytes: UInt64 { memoryTotalBytes > memoryAvailableBytes ? memoryTotalBytes - memoryAvailableBytes : 0 }

    /// Cores in use on average from `earlier` to this reading, in billionths of a core.
    public func nanoCores(since earlier: NodeUsage) -> UInt64? {
        guard time > earlier.time, cpuCoreNanoSeconds >= earlier.cpuCoreNanoSeconds else { return nil }
        let used = Double(cpuCoreNanoSeconds - earlier.cpuCoreNanoSeconds)
        return UInt64(used / Double(time - earlier.time) * 1e9)
    }

    /// Parses `/proc/stat` and `/proc/meminfo`; nil when either lacks what is needed.
    public static func parse(stat: String, meminfo: String, time: Int64, ticksPerSecond: Int = 100) -> NodeUsage? {
        guard let cpuLine = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = cpuLine.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 7 else { return nil }
        // user nice system idle iowait irq softirq [steal]: everything but idle and iowait.
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields.count > 7 ? fields[7] : 0)
        var total: UInt64?, available: UInt64?
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = UInt64(parts[1]) else { continue }
            if parts[0] == "MemTotal:" { total = kib * 1024 }
            if parts[0] == "MemAvailable:" { available = kib * 1024 }
        }
        guard let total, let available else { return nil }
        return NodeUsage(time: time, cpuCoreNanoSeconds: busy * UInt64(1_000_000_000 / ticksPerSecond),
                         memoryTotalBytes: total, memoryAvailableBytes: available)
    }

    /// Reads this machine's `/proc`.
    public static func read(time: Int64) -> NodeUsage? {
        do {
            let stat = try String(contentsOfFile: "/proc/stat", encoding: .utf8)
            let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
            return parse(stat: stat, meminfo: meminfo, time: time, ticksPerSecond: max(1, sysconf(Int32(_SC_CLK_TCK))))
        } catch {
            return nil
        }
    }
}
