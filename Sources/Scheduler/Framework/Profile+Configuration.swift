import APIMachinery

extension Profile {
    /// Builds the profile a configuration file describes (`SchedulerConfiguration.Profile`):
    /// its plugins in order, each constructed by `registry` with its `pluginConfig` args, its
    /// score weight, and the extension points where the file disables it (a score weight of
    /// 0 means not scoring).
    ///
    /// Plugins in `PluginRegistry.handledElsewhere` (or `PluginRegistry.notYetImplemented`,
    /// now empty) that `registry` does not provide are left out; any other unknown name, or
    /// bad plugin args, throws. With `.inTree`, the default set therefore builds every
    /// Kubernetes default plugin except the binder, gates and volume plugins, including
    /// PodTopologySpread (weight 2), InterPodAffinity (weight 2) and DefaultPreemption.
    public init(
        configuration: SchedulerConfiguration.Profile, registry: PluginRegistry = .inTree
    ) throws(FrameworkError) {
        var entries: [Entry] = []
        for setting in configuration.plugins {
            guard registry.contains(setting.name) else {
                if PluginRegistry.handledElsewhere.contains(setting.name)
                    || PluginRegistry.notYetImplemented.contains(setting.name)
                {
                    continue
                }
                throw FrameworkError("plugin \"\(setting.name)\" does not exist")
            }
            let plugin = try registry.make(setting.name, args: configuration.pluginArgs[setting.name])
            var disabled = Set<ExtensionPoint>()
            for point in ExtensionPoint.allCases where !configuration.isEnabled(setting.name, at: point.rawValue) {
                disabled.insert(point)
            }
            if setting.weight <= 0 { disabled.insert(.score) }
            entries.append(Entry(plugin, weight: Int64(max(setting.weight, 1)), disabledPoints: disabled))
        }
        self.init(
            schedulerName: configuration.schedulerName, plugins: entries,
            percentageOfNodesToScore: configuration.percentageOfNodesToScore.map { Int32(clamping: $0) })
    }

    /// The default profile (`default-scheduler` with Kubernetes' default plugins and weights,
    /// as far as `registry` provides them).
    public static func defaultProfile(registry: PluginRegistry = .inTree) throws(FrameworkError) -> Profile {
        try Profile(configuration: SchedulerConfiguration.Profile(), registry: registry)
    }
}
