import APIMachinery

extension NodeAffinity {
    /// Builds the plugin from `NodeAffinityArgs`: `addedAffinity`, a `NodeAffinity` applied to
    /// every pod of the profile.
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.nodeAffinity, value)
        guard let added = try args.object()?["addedAffinity"], added != .null else {
            self.init()
            return
        }
        do {
            self.init(addedAffinity: try JSONCodec.decode(CoreV1.NodeAffinity.self, from: added))
        } catch {
            throw args.fail("addedAffinity: \(error)")
        }
    }
}
