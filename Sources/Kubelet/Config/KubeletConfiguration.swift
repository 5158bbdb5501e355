import APIMachinery
import Foundation

/// The kubelet's settings: a `kubelet.config.k8s.io/v1beta1` KubeletConfiguration file
/// (upstream's field names and defaults), overridden by flags. Unknown fields are refused with
/// their name, as upstream's strict decoding does; a bad value names its field.
public struct KubeletConfiguration: Sendable, Equatable {
    public var syncFrequency: Swift.Duration = .seconds(60)
    public var fileCheckFrequency: Swift.Duration = .seconds(20)
    public var nodeStatusUpdateFrequency: Swift.Duration = .seconds(10)
    public var nodeStatusReportFrequency: Swift.Duration = .seconds(300)
    public var nodeLeaseDurationSeconds: Int = 40
    public var maxPods: Int = 110
    public var podsPerCore: Int = 0
    public var kubeReserved: [String: Quantity] = [:]
    public var systemReserved: [String: Quantity] = [:]
    /// Hard eviction thresholds: `memory.available: 100Mi`, `nodefs.available: 10%`, …
    public var evictionHard: [String: String] = [
        "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%", "imagefs.available": "15%",
    ]
    public var imageGCHighThresholdPercent: Int = 85
    public var imageGCLowThresholdPercent: Int = 80
    public var imageMinimumGCAge: Swift.Duration = .seconds(120)
    public var serializeImagePulls = true
    public var registerNode = true
    public var registerWithTaints: [CoreV1.Taint] = []
    public var cgroupDriver = "cgroupfs"
    public var cgroupRoot = "/"
    public var cgroupsPerQOS = true
    public var clusterDNS: [String] = []
    public var clusterDomain = ""
    public var containerRuntimeEndpoint = "unix:///run/containerd/containerd.sock"
    public var runtimeRequestTimeout: Swift.Duration = .seconds(120)
    public var port = 10250
    public var healthzPort = 10248
    public var healthzBindAddress = "127.0.0.1"
    public var address = "0.0.0.0"
    /// The serving certificate and key of the kubelet's API; a self-signed pair in the
    /// certificate directory when unset.
    /// Container log rotation: a log above this size is rotated, and this many files (the live
    /// one included) are kept.
    public var containerLogMaxSize: Int64 = 10 * 1024 * 1024
    public var containerLogMaxFiles = 5
    /// How often running containers' logs are checked for rotation.
    public var containerLogMonitorInterval: Swift.Duration = .seconds(10)
    public var tlsCertFile = ""
    public var tlsPrivateKeyFile = ""
    public var podPidsLimit: Int64 = -1
    public var enableServiceLinks = true
    public var shutdownGracePeriod: Swift.Duration = .zero
    public var maxContainerCount = -1
    public var maxPerPodContainerCount = 1
    public var minimumGCAge: Swift.Duration = .zero
    public var staticPodPath: String?
    public var resolvConf = "/etc/resolv.conf"
    /// Crash-loop back-off: the first delay and its ceiling (upstream: 10 s, 5 min; the ceiling
    /// is `crashLoopBackOff.maxContainerRestartPeriod` in upstream's alpha field).
    public var crashLoopBackOffInitial: Swift.Duration = .seconds(10)
    public var crashLoopBackOffMax: Swift.Duration = .seconds(300)

    public init() {}

    public static func load(path: String) throws -> KubeletConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeletConfigurationError("failed to read kubelet config file \"\(path)\"")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch let error as KubeletConfigurationError {
            throw KubeletConfigurationError("failed to load kubelet config file \"\(path)\": \(error.message)")
        }
    }

    static let known: Set<String> = [
        "kind", "apiVersion", "syncFrequency", "fileCheckFrequency", "nodeStatusUpdateFrequency", "nodeStatusReportFrequency",
        "nodeLeaseDurationSeconds", "maxPods", "podsPerCore", "kubeReserved", "systemReserved", "evictionHard",
        "imageGCHighThresholdPercent", "imageGCLowThresholdPercent", "imageMinimumGCAge", "serializeImagePulls", "registerNode",
        "registerWithTaints", "cgroupDriver", "cgroupRoot", "cgroupsPerQOS", "clusterDNS", "clusterDomain",
        "containerRuntimeEndpoint", "runtimeRequestTimeout", "port", "healthzPort", "healthzBindAddress", "address",
        "podPidsLimit", "enableServiceLinks", "shutdownGracePeriod", "staticPodPath", "resolvConf", "authentication",
        "authorization", "readOnlyPort", "failSwapOn", "rotateCertificates", "serverTLSBootstrap", "tlsCertFile",
        "tlsPrivateKeyFile", "featureGates", "logging", "evictionPressureTransitionPeriod", "hairpinMode", "makeIPTablesUtilChains",
        "crashLoopBackOff", "staticPodURL", "containerLogMaxSize", "containerLogMaxFiles", "containerLogMonitorInterval", "volumeStatsAggPeriod", "enableControllerAttachDetach", "protectKernelDefaults",
    ]

    public static func parse(_ text: String) throws -> KubeletConfiguration {
        let tree: JSONValue
        do { tree = try YAMLCodec.parse(text) } catch { throw KubeletConfigurationError("\(error)") }
        guard let object = tree.objectValue else { throw KubeletConfigurationError("the file is not a KubeletConfiguration object") }
        if let kind = tree["kind"]?.stringValue, kind != "KubeletConfiguration" {
            throw KubeletConfigurationError("kind \"\(kind)\": expected KubeletConfiguration")
        }
        if let version = tree["apiVersion"]?.stringValue, version != "kubelet.config.k8s.io/v1beta1" {
            throw KubeletConfigurationError("apiVersion \"\(version)\" is not supported (kubelet.config.k8s.io/v1beta1 is)")
        }
        for key in object.keys where !known.contains(key) {
            throw KubeletConfigurationError("strict decoding error: unknown field \"\(key)\"")
        }
        var config = KubeletConfiguration()
        func duration(_ field: String, _ target: inout Swift.Duration) throws {
            guard let value = tree[field], value != .null else { return }
            guard let text = value.stringValue else { throw KubeletConfigurationError("\(field): Invalid value: must be a duration string such as \"10s\"") }
            do {
                target = .nanoseconds(try APIMachinery.Duration(parsing: text).nanoseconds)
            } catch {
                throw KubeletConfigurationError("\(field): Invalid value: \"\(text)\": \(error)")
            }
        }
        func int(_ field: String, _ target: inout Int, range: ClosedRange<Int>? = nil) throws {
            guard let value = tree[field], value != .null else { return }
            guard case .int(let number) = value else { throw KubeletConfigurationError("\(field): Invalid value: must be an integer") }
            if let range, !range.contains(Int(number)) {
                throw KubeletConfigurationError("\(field): Invalid value: \(number): must be between \(range.lowerBound) and \(range.upperBound), inclusive")
            }
            target = Int(number)
        }
        func bool(_ field: String, _ target: inout Bool) throws {
            guard let value = tree[field], value != .null else { return }
            guard case .bool(let flag) = value else { throw KubeletConfigurationError("\(field): Invalid value: must be true or false") }
            target = flag
        }
        func string(_ field: String, _ target: inout String) throws {
            guard let value = tree[field], value != .null else { return }
            guard let text = value.stringValue else { throw KubeletConfigurationError("\(field): Invalid value: must be a string") }
            target = text
        }
        func quantities(_ field: String) throws -> [String: Quantity]? {
            guard let value = tree[field], value != .null else { return nil }
            guard let map = value.objectValue else { throw KubeletConfigurationError("\(field): Invalid value: must be a map of resource quantities") }
            var result: [String: Quantity] = [:]
            for member in map.members {
                let (name, entry) = (member.key, member.value)
                guard let text = entry.stringValue ?? entry.intText else { throw KubeletConfigurationError("\(field).\(name): Invalid value: must be a quantity") }
                do { result[name] = try Quantity(text) } catch { throw KubeletConfigurationError("\(field).\(name): Invalid value: \"\(text)\": \(error)") }
            }
            return result
        }
        try duration("syncFrequency", &config.syncFrequency)
        try duration("fileCheckFrequency", &config.fileCheckFrequency)
        try duration("nodeStatusUpdateFrequency", &config.nodeStatusUpdateFrequency)
        try duration("nodeStatusReportFrequency", &config.nodeStatusReportFrequency)
        try duration("imageMinimumGCAge", &config.imageMinimumGCAge)
        try duration("runtimeRequestTimeout", &config.runtimeRequestTimeout)
        try duration("shutdownGracePeriod", &config.shutdownGracePeriod)
        try duration("containerLogMonitorInterval", &config.containerLogMonitorInterval)
        try int("nodeLeaseDurationSeconds", &config.nodeLeaseDurationSeconds, range: 1...Int(Int32.max))
        try int("maxPods", &config.maxPods, range: 1...Int(Int32.max))
        try int("podsPerCore", &config.podsPerCore, range: 0...Int(Int32.max))
        try int("imageGCHighThresholdPercent", &config.imageGCHighThresholdPercent, range: 0...100)
        try int("imageGCLowThresholdPercent", &config.imageGCLowThresholdPercent, range: 0...100)
        try int("port", &config.port, range: 1...65535)
        try int("healthzPort", &config.healthzPort, range: 0...65535)
        var pids = Int(config.podPidsLimit)
        try int("podPidsLimit", &pids)
        config.podPidsLimit = Int64(pids)
        try bool("serializeImagePulls", &config.serializeImagePulls)
        try bool("registerNode", &config.registerNode)
        try bool("cgroupsPerQOS", &config.cgroupsPerQOS)
        try bool("enableServiceLinks", &config.enableServiceLinks)
        try string("cgroupDriver", &config.cgroupDriver)
        try string("cgroupRoot", &config.cgroupRoot)
        try string("clusterDomain", &config.clusterDomain)
        try string("containerRuntimeEndpoint", &config.containerRuntimeEndpoint)
        try string("healthzBindAddress", &config.healthzBindAddress)
        try string("address", &config.address)
        try string("resolvConf", &config.resolvConf)
        try int("containerLogMaxFiles", &config.containerLogMaxFiles, range: 2...Int(Int32.max))
        if let value = tree["containerLogMaxSize"], value != .null {
            guard let text = value.stringValue else { throw KubeletConfigurationError("containerLogMaxSize: Invalid value: must be a quantity string such as \"10Mi\"") }
            do {
                let size = try Quantity(text).value()
                guard size >= 0 else { throw KubeletConfigurationError("containerLogMaxSize: Invalid value: \"\(text)\": must be positive") }
                config.containerLogMaxSize = size
            } catch let error as KubeletConfigurationError {
                throw error
            } catch {
                throw KubeletConfigurationError("containerLogMaxSize: Invalid value: \"\(text)\": \(error)")
            }
        }
        try string("tlsCertFile", &config.tlsCertFile)
        try string("tlsPrivateKeyFile", &config.tlsPrivateKeyFile)
        if config.tlsCertFile.isEmpty != config.tlsPrivateKeyFile.isEmpty {
            throw KubeletConfigurationError("tlsCertFile and tlsPrivateKeyFile must be set together")
        }
        var staticPath = ""
        try string("staticPodPath", &staticPath)
        config.staticPodPath = staticPath.isEmpty ? nil : staticPath
        if let value = try quantities("kubeReserved") { config.kubeReserved = value }
        if let value = try quantities("systemReserved") { config.systemReserved = value }
        if let value = tree["evictionHard"], value != .null {
            guard let map = value.objectValue else { throw KubeletConfigurationError("evictionHard: Invalid value: must be a map of signal to threshold") }
            var thresholds: [String: String] = [:]
            for member in map.members {
                let (signal, entry) = (member.key, member.value)
                guard let text = entry.stringValue else { throw KubeletConfigurationError("evictionHard.\(signal): Invalid value: must be a string") }
                if text.hasSuffix("%") {
                    guard let percent = Double(text.dropLast()), (0...100).contains(percent) else {
                        throw KubeletConfigurationError("evictionHard.\(signal): Invalid value: \"\(text)\": must be a percentage between 0% and 100%")
                    }
                } else {
                    do { _ = try Quantity(text) } catch {
                        throw KubeletConfigurationError("evictionHard.\(signal): Invalid value: \"\(text)\": \(error)")
                    }
                }
                thresholds[signal] = text
            }
            config.evictionHard = thresholds
        }
        if let value = tree["clusterDNS"], value != .null {
            guard let list = value.arrayValue else { throw KubeletConfigurationError("clusterDNS: Invalid value: must be a list of IP addresses") }
            config.clusterDNS = try list.map {
                guard let text = $0.stringValue else { throw KubeletConfigurationError("clusterDNS: Invalid value: must be a list of IP addresses") }
                return text
            }
        }
        if let value = tree["registerWithTaints"], value != .null {
            do {
                config.registerWithTaints = try JSONCodec.decode([CoreV1.Taint].self, from: value, strict: true)
            } catch {
                throw KubeletConfigurationError("registerWithTaints: Invalid value: \(error)")
            }
        }
        if let backoff = tree["crashLoopBackOff"], let text = backoff["maxContainerRestartPeriod"]?.stringValue {
            do {
                config.crashLoopBackOffMax = .nanoseconds(try APIMachinery.Duration(parsing: text).nanoseconds)
            } catch {
                throw KubeletConfigurationError("crashLoopBackOff.maxContainerRestartPeriod: Invalid value: \"\(text)\": \(error)")
            }
        }
        if let driver = Optional(config.cgroupDriver), driver != "cgroupfs" && driver != "systemd" {
            throw KubeletConfigurationError("cgroupDriver: Invalid value: \"\(driver)\": must be cgroupfs or systemd")
        }
        if config.imageGCLowThresholdPercent >= config.imageGCHighThresholdPercent && config.imageGCHighThresholdPercent < 100 {
            throw KubeletConfigurationError("imageGCLowThresholdPercent (\(config.imageGCLowThresholdPercent)) must be less than imageGCHighThresholdPercent (\(config.imageGCHighThresholdPercent))")
        }
        return config
    }
}

extension JSONValue {
    fileprivate var intText: String? {
        if case .int(let number) = self { return String(number) }
        return nil
    }
}

public struct KubeletConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
