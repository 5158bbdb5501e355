import APIMachinery
import Foundation

/// The scheduler's configuration file (`kubescheduler.config.k8s.io/v1` `KubeSchedulerConfiguration`,
/// YAML or JSON), with Kubernetes' defaults for what it leaves out.
///
/// Read: `leaderElection` (leaderElect, leaseDuration, renewDeadline, retryPeriod,
/// resourceName, resourceNamespace), `percentageOfNodesToScore`, `podInitialBackoffSeconds`,
/// `podMaxBackoffSeconds`, `clientConnection.kubeconfig`, and `profiles` (schedulerName, per-profile
/// percentageOfNodesToScore, `plugins` per extension point or `multiPoint` with enabled names
/// and score weights and disabled names (`*` disables all defaults of that point), and
/// `pluginConfig` args kept as JSON for the plugins to read). Other fields are ignored.
public struct SchedulerConfiguration: Sendable, Equatable {
    public struct LeaderElection: Sendable, Equatable {
        public var leaderElect = true
        public var leaseDuration: Swift.Duration = .seconds(15)
        public var renewDeadline: Swift.Duration = .seconds(10)
        public var retryPeriod: Swift.Duration = .seconds(2)
        public var resourceName = "kube-scheduler"
        public var resourceNamespace = "kube-system"
        public init() {}
    }

    /// One plugin's place in a profile.
    public struct PluginSetting: Sendable, Equatable {
        public var name: String
        /// Score weight; 0 when the plugin does not score.
        public var weight: Int
        public init(name: String, weight: Int) {
            self.name = name
            self.weight = weight
        }
    }

    public struct Profile: Sendable, Equatable {
        public var schedulerName = SchedulerLibrary.defaultSchedulerName
        /// nil: the global setting.
        public var percentageOfNodesToScore: Int?
        /// Enabled plugins in Kubernetes' default order followed by added ones, with score weights.
        public var plugins: [PluginSetting] = SchedulerConfiguration.defaultPlugins
        /// Plugins disabled at one extension point only (`filter`, `preScore`, …; `*` for all
        /// defaults there), while still enabled at the others.
        public var disabledAt: [String: Set<String>] = [:]
        /// `pluginConfig[].args` by plugin name.
        public var pluginArgs: [String: JSONValue] = [:]
        public init() {}

        /// Whether `plugin` runs at extension point `point` (`filter`, `score`, …; nil: anywhere).
        public func isEnabled(_ plugin: String, at point: String? = nil) -> Bool {
            guard plugins.contains(where: { $0.name == plugin }) else { return false }
            guard let point, let disabled = disabledAt[point] else { return true }
            return !disabled.contains(plugin) && !disabled.contains("*")
        }
        public func weight(_ plugin: String) -> Int { plugins.first { $0.name == plugin }?.weight ?? 0 }
    }

    public var leaderElection = LeaderElection()
    /// 0 means adaptive (Kubernetes' default).
    public var percentageOfNodesToScore = 0
    public var podInitialBackoff: Swift.Duration = .seconds(1)
    public var podMaxBackoff: Swift.Duration = .seconds(10)
    public var kubeconfig: String?
    public var profiles: [Profile] = [Profile()]

    public init() {}

    /// Kubernetes 1.32's default plugin set (multiPoint) and score weights.
    public static let defaultPlugins: [PluginSetting] = [
        .init(name: "PrioritySort", weight: 0),
        .init(name: "NodeUnschedulable", weight: 0),
        .init(name: "NodeName", weight: 0),
        .init(name: "TaintToleration", weight: 3),
        .init(name: "NodeAffinity", weight: 2),
        .init(name: "NodePorts", weight: 0),
        .init(name: "NodeResourcesFit", weight: 1),
        .init(name: "PodTopologySpread", weight: 2),
        .init(name: "InterPodAffinity", weight: 2),
        .init(name: "DefaultPreemption", weight: 0),
        .init(name: "NodeResourcesBalancedAllocation", weight: 1),
        .init(name: "ImageLocality", weight: 1),
        .init(name: "DefaultBinder", weight: 0),
    ]

    // MARK: Parsing

    public static func load(path: String) throws -> SchedulerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw SchedulerConfigurationError("cannot read \(path)") }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    public static func parse(_ text: String) throws -> SchedulerConfiguration {
        let tree: JSONValue
        do { tree = try YAMLCodec.parse(text) } catch { throw SchedulerConfigurationError("\(error)") }
        var config = SchedulerConfiguration()
        if let kind = tree["kind"]?.stringValue, kind != "KubeSchedulerConfiguration" {
            throw SchedulerConfigurationError("kind is \(kind), expected KubeSchedulerConfiguration")
        }
        if let apiVersion = tree["apiVersion"]?.stringValue, apiVersion != "kubescheduler.config.k8s.io/v1" {
            throw SchedulerConfigurationError("apiVersion \(apiVersion) is not supported (kubescheduler.config.k8s.io/v1 is)")
        }
        if let election = tree["leaderElection"] {
            if case .bool(let on)? = election["leaderElect"] { config.leaderElection.leaderElect = on }
            if let text = election["leaseDuration"]?.stringValue { config.leaderElection.leaseDuration = try duration(text, "leaderElection.leaseDuration") }
            if let text = election["renewDeadline"]?.stringValue { config.leaderElection.renewDeadline = try duration(text, "leaderElection.renewDeadline") }
            if let text = election["retryPeriod"]?.stringValue { config.leaderElection.retryPeriod = try duration(text, "leaderElection.retryPeriod") }
            if let name = election["resourceName"]?.stringValue { config.leaderElection.resourceName = name }
            if let namespace = election["resourceNamespace"]?.stringValue { config.leaderElection.resourceNamespace = namespace }
        }
        if let percentage = try int(tree["percentageOfNodesToScore"], "percentageOfNodesToScore") {
            guard (0...100).contains(percentage) else { throw SchedulerConfigurationError("percentageOfNodesToScore: Invalid value: \(percentage): not in valid range [0-100]") }
            config.percentageOfNodesToScore = percentage
        }
        if let seconds = try int(tree["podInitialBackoffSeconds"], "podInitialBackoffSeconds") {
            guard seconds > 0 else { throw SchedulerConfigurationError("podInitialBackoffSeconds: Invalid value: \(seconds): must be greater than 0") }
            config.podInitialBackoff = .seconds(seconds)
        }
        if let seconds = try int(tree["podMaxBackoffSeconds"], "podMaxBackoffSeconds") {
            guard seconds > 0 else { throw SchedulerConfigurationError("podMaxBackoffSeconds: Invalid value: \(seconds): must be greater than 0") }
            config.podMaxBackoff = .seconds(seconds)
        }
        guard config.podMaxBackoff >= config.podInitialBackoff else {
            throw SchedulerConfigurationError("podMaxBackoffSeconds: Invalid value: must be greater than or equal to PodInitialBackoffSeconds")
        }
        config.kubeconfig = tree["clientConnection"]?["kubeconfig"]?.stringValue
        if case .array(let profiles)? = tree["profiles"], !profiles.isEmpty {
            config.profiles = try profiles.enumerated().map { try profile($1, index: $0) }
        }
        var names = Set<String>()
        for profile in config.profiles where !names.insert(profile.schedulerName).inserted {
            throw SchedulerConfigurationError("profiles[].schedulerName: Duplicate value: \"\(profile.schedulerName)\"")
        }
        return config
    }

    static func profile(_ tree: JSONValue, index: Int) throws -> Profile {
        var profile = Profile()
        if let name = tree["schedulerName"]?.stringValue, !name.isEmpty { profile.schedulerName = name }
        profile.percentageOfNodesToScore = try int(tree["percentageOfNodesToScore"], "profiles[\(index)].percentageOfNodesToScore")
        if let plugins = tree["plugins"] {
            // multiPoint first, then every specific extension point: each may enable (with weight) or disable.
            for point in ["multiPoint", "queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve", "permit", "preBind", "bind", "postBind"] {
                guard let set = plugins[point] else { continue }
                if case .array(let disabled)? = set["disabled"] {
                    let names = Set(disabled.compactMap { $0["name"]?.stringValue })
                    switch point {
                    case "multiPoint":
                        profile.plugins.removeAll { names.contains("*") || names.contains($0.name) }
                    case "score":
                        profile.plugins = profile.plugins.map { names.contains("*") || names.contains($0.name) ? .init(name: $0.name, weight: 0) : $0 }
                    default:
                        profile.disabledAt[point, default: []].formUnion(names)
                    }
                }
                if case .array(let enabled)? = set["enabled"] {
                    for entry in enabled {
                        guard let name = entry["name"]?.stringValue else { continue }
                        let weight = try int(entry["weight"], "profiles[\(index)].plugins.\(point).enabled.weight")
                        if let at = profile.plugins.firstIndex(where: { $0.name == name }) {
                            if let weight { profile.plugins[at].weight = weight }
                        } else {
                            let defaultWeight = defaultPlugins.first { $0.name == name }?.weight ?? (point == "score" || point == "multiPoint" ? 1 : 0)
                            profile.plugins.append(.init(name: name, weight: weight ?? defaultWeight))
                        }
                    }
                }
            }
        }
        if case .array(let configs)? = tree["pluginConfig"] {
            for entry in configs {
                guard let name = entry["name"]?.stringValue else { continue }
                profile.pluginArgs[name] = entry["args"] ?? .object([:])
            }
        }
        return profile
    }

    static func int(_ value: JSONValue?, _ field: String) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: return Int(number)
        default: throw SchedulerConfigurationError("\(field): must be an integer")
        }
    }

    /// Go duration text (`15s`, `1m30s`, `500ms`, `2h`).
    public static func duration(_ text: String, _ field: String) throws -> Swift.Duration {
        var total: Swift.Duration = .zero
        var number = ""
        var unit = ""
        var any = false
        func flush() throws {
            guard !number.isEmpty, let value = Double(number) else { throw SchedulerConfigurationError("\(field): invalid duration \"\(text)\"") }
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: throw SchedulerConfigurationError("\(field): invalid duration \"\(text)\"")
            }
            total += .nanoseconds(Int64(value * scale * 1e9))
            number = ""
            unit = ""
            any = true
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { try flush() }
                number.append(character)
            } else {
                unit.append(character)
            }
        }
        try flush()
        guard any else { throw SchedulerConfigurationError("\(field): invalid duration \"\(text)\"") }
        return total
    }
}

public struct SchedulerConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = "scheduler configuration: " + description }
}
