import APIMachinery

extension NodeResourcesBalancedAllocation {
    /// Builds the plugin from `NodeResourcesBalancedAllocationArgs`: `resources` as
    /// `[{name, weight}]`, CPU and memory by default.
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.nodeResourcesBalancedAllocation, value)
        guard let object = try args.object() else {
            self.init()
            return
        }
        self.init(resources: try PluginArgs.resources(object["resources"], field: "resources", in: args))
    }
}
