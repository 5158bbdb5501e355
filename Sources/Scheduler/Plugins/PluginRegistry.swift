import APIMachinery

/// Plugin constructors by name (upstream `frameworkruntime.Registry`): each takes the
/// plugin's `args` from the configuration's `pluginConfig` (nil when none) and returns the
/// plugin, or throws a `FrameworkError` for bad arguments.
public struct PluginRegistry: Sendable {
    public typealias Factory = @Sendable (JSONValue?) throws(FrameworkError) -> any SchedulerPlugin

    public private(set) var factories: [String: Factory] = [:]

    public init() {}

    /// Registers (or replaces) the constructor for `name`.
    public mutating func register(_ name: String, _ factory: @escaping Factory) {
        factories[name] = factory
    }

    public func contains(_ name: String) -> Bool { factories[name] != nil }

    /// Plugins of Kubernetes' default set that profiles built here leave out without error,
    /// because this scheduler does their job elsewhere or has nothing for them to do:
    /// `SchedulingGates` (the scheduling queue holds gated pods back), `DefaultBinder` (the
    /// scheduler service binds through `pods/binding`), and the volume plugins (no volume
    /// scheduling here).
    public static let handledElsewhere: Set<String> = [
        "SchedulingGates", "DefaultBinder", "VolumeRestrictions", "NodeVolumeLimits", "VolumeBinding", "VolumeZone",
        "DynamicResources",
    ]

    /// Default plugins not implemented yet; left out of profiles until registered. Every
    /// default plugin is implemented now, so this is empty (kept for configurations and tools
    /// that consult it).
    public static let notYetImplemented: Set<String> = []

    /// Builds plugin `name`; throws for an unknown name.
    public func make(_ name: String, args: JSONValue? = nil) throws(FrameworkError) -> any SchedulerPlugin {
        guard let factory = factories[name] else { throw FrameworkError("plugin \"\(name)\" does not exist") }
        return try factory(args)
    }

    /// The plugins implemented in this package.
    public static let inTree: PluginRegistry = {
        var registry = PluginRegistry()
        registry.register(PluginNames.prioritySort) { _ in PrioritySort() }
        registry.register(PluginNames.nodeUnschedulable) { _ in NodeUnschedulable() }
        registry.register(PluginNames.nodeName) { _ in NodeName() }
        registry.register(PluginNames.nodePorts) { _ in NodePorts() }
        registry.register(PluginNames.taintToleration) { _ in TaintToleration() }
        registry.register(PluginNames.imageLocality) { _ in ImageLocality() }
        registry.register(PluginNames.nodeAffinity) { args throws(FrameworkError) in
            try NodeAffinity(args: args)
        }
        registry.register(PluginNames.nodeResourcesFit) { args throws(FrameworkError) in
            try NodeResourcesFit(args: args)
        }
        registry.register(PluginNames.nodeResourcesBalancedAllocation) { args throws(FrameworkError) in
            try NodeResourcesBalancedAllocation(args: args)
        }
        registry.register(PluginNames.interPodAffinity) { args throws(FrameworkError) in
            try InterPodAffinity(args: args)
        }
        registry.register(PluginNames.podTopologySpread) { args throws(FrameworkError) in
            try PodTopologySpread(args: args)
        }
        registry.register(PluginNames.defaultPreemption) { args throws(FrameworkError) in
            try DefaultPreemption(args: args)
        }
        return registry
    }()
}
