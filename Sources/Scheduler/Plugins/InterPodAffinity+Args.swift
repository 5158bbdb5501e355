import APIMachinery

extension InterPodAffinity {
    /// Builds the plugin from `InterPodAffinityArgs`: `hardPodAffinityWeight` (0…100, default
    /// 1) and `ignorePreferredTermsOfExistingPods` (default false).
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.interPodAffinity, value)
        guard let object = try args.object() else {
            self.init()
            return
        }
        let weight = try PluginArgs.int(object["hardPodAffinityWeight"], field: "hardPodAffinityWeight", in: args) ?? 1
        guard (0...100).contains(weight) else {
            throw args.fail("hardPodAffinityWeight: Invalid value: \(weight): not in valid range [0, 100]")
        }
        let ignore =
            try PluginArgs.bool(
                object["ignorePreferredTermsOfExistingPods"], field: "ignorePreferredTermsOfExistingPods", in: args)
            ?? false
        self.init(hardPodAffinityWeight: Int32(weight), ignorePreferredTermsOfExistingPods: ignore)
    }
}
