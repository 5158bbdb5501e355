import APIMachinery

extension DefaultPreemption {
    /// Builds the plugin from `DefaultPreemptionArgs`: `minCandidateNodesPercentage` (0…100,
    /// default 10) and `minCandidateNodesAbsolute` (≥ 0, default 100), not both 0.
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.defaultPreemption, value)
        guard let object = try args.object() else {
            self.init()
            return
        }
        let percentage =
            try PluginArgs.int(object["minCandidateNodesPercentage"], field: "minCandidateNodesPercentage", in: args) ?? 10
        let absolute =
            try PluginArgs.int(object["minCandidateNodesAbsolute"], field: "minCandidateNodesAbsolute", in: args) ?? 100
        guard (0...100).contains(percentage) else {
            throw args.fail("minCandidateNodesPercentage: Invalid value: \(percentage): not in valid range [0, 100]")
        }
        guard (0...Int64(Int32.max)).contains(absolute) else {
            throw args.fail("minCandidateNodesAbsolute: Invalid value: \(absolute): not in valid range [0, inf)")
        }
        if percentage == 0 && absolute == 0 {
            throw args.fail(
                "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute")
        }
        self.init(minCandidateNodesPercentage: Int32(percentage), minCandidateNodesAbsolute: Int32(absolute))
    }
}
