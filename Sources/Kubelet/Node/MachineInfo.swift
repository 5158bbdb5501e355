import Foundation

/// What the kubelet reports about its machine (upstream cAdvisor's `MachineInfo` and the
/// node info fields), read once at start from /proc, /sys and /etc.
public struct MachineInfo: Sendable, Equatable {
    public var cpus: Int
    public var memoryBytes: Int64
    public var machineID: String
    public var systemUUID: String
    public var bootID: String
    public var kernelVersion: String
    public var osImage: String
    public var architecture: String
    /// Size of the filesystem holding the kubelet's root directory.
    public var rootFsBytes: Int64

    public init(cpus: Int, memoryBytes: Int64, machineID: String = "", systemUUID: String = "", bootID: String = "",
                kernelVersion: String = "", osImage: String = "", architecture: String = "amd64", rootFsBytes: Int64 = 0) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.architecture = architecture
        self.rootFsBytes = rootFsBytes
    }

    /// Reads this machine's figures; `rootDir` is the kubelet's `--root-dir`. A file that
    /// cannot be read leaves its field empty and is named in `problems`, for the caller to log.
    public static func read(rootDir: String) -> (info: MachineInfo, problems: [String]) {
        var problems: [String] = []
        func text(_ path: String) -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                problems.append("\(path): \(error.localizedDescription)")
                return ""
            }
        }
        let meminfo = text("/proc/meminfo")
        var memory: Int64 = 0
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int64(fields[1]) { memory = kib * 1024 }
        }
        var osImage = "Linux"
        for line in text("/etc/os-release").split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            osImage = String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        var fsSize: Int64 = 0
        do {
            let attributes = try FileManager.default.attributesOfFileSystem(forPath: rootDir)
            fsSize = (attributes[.systemSize] as? NSNumber)?.int64Value ?? 0
        } catch {
            problems.append("\(rootDir): \(error.localizedDescription)")
        }
        #if arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "amd64"
        #endif
        let info = MachineInfo(
            cpus: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: memory,
            machineID: text("/etc/machine-id"), systemUUID: text("/sys/class/dmi/id/product_uuid"),
            bootID: text("/proc/sys/kernel/random/boot_id"), kernelVersion: text("/proc/sys/kernel/osrelease"),
            osImage: osImage, architecture: architecture, rootFsBytes: fsSize)
        return (info, problems)
    }
}
