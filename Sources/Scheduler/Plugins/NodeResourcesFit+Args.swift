import APIMachinery

extension NodeResourcesFit {
    /// Builds the plugin from `NodeResourcesFitArgs`: `ignoredResources`,
    /// `ignoredResourceGroups`, and `scoringStrategy` (`type` LeastAllocated (default),
    /// MostAllocated or RequestedToCapacityRatio; `resources` as `[{name, weight}]`, CPU and
    /// memory by default; `requestedToCapacityRatio.shape` as `[{utilization, score}]`).
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.nodeResourcesFit, value)
        guard let object = try args.object() else {
            self.init()
            return
        }
        let ignored = try PluginArgs.strings(object["ignoredResources"], field: "ignoredResources", in: args)
        let groups = try PluginArgs.strings(object["ignoredResourceGroups"], field: "ignoredResourceGroups", in: args)
        var strategy = ScoringStrategy.default
        if let strategyValue = object["scoringStrategy"], strategyValue != .null {
            let type = try PluginArgs.string(strategyValue["type"], field: "scoringStrategy.type", in: args) ?? ""
            let resources = try PluginArgs.resources(
                strategyValue["resources"], field: "scoringStrategy.resources", in: args)
            switch type {
            case "", "LeastAllocated": strategy = .leastAllocated(resources: resources)
            case "MostAllocated": strategy = .mostAllocated(resources: resources)
            case "RequestedToCapacityRatio":
                let shapeValue = strategyValue["requestedToCapacityRatio"]?["shape"]
                var shape: [UtilizationShapePoint] = []
                for (index, point) in try PluginArgs.array(
                    shapeValue, field: "scoringStrategy.requestedToCapacityRatio.shape", in: args
                ).enumerated() {
                    let path = "scoringStrategy.requestedToCapacityRatio.shape[\(index)]"
                    let utilization = try PluginArgs.int(point["utilization"], field: path + ".utilization", in: args) ?? 0
                    let score = try PluginArgs.int(point["score"], field: path + ".score", in: args) ?? 0
                    guard (0...100).contains(utilization) else {
                        throw args.fail("\(path).utilization: must be in the range [0, 100]")
                    }
                    guard (0...10).contains(score) else { throw args.fail("\(path).score: must be in the range [0, 10]") }
                    if let last = shape.last, Int64(last.utilization) >= utilization {
                        throw args.fail("\(path).utilization: utilization values must be sorted in increasing order")
                    }
                    shape.append(UtilizationShapePoint(utilization: Int32(utilization), score: Int32(score)))
                }
                guard !shape.isEmpty else {
                    throw args.fail("scoringStrategy.requestedToCapacityRatio.shape: Required value")
                }
                strategy = .requestedToCapacityRatio(resources: resources, shape: shape)
            default:
                throw args.fail("scoringStrategy.type: Unsupported value: \"\(type)\"")
            }
        }
        self.init(scoringStrategy: strategy, ignoredResources: Set(ignored), ignoredResourceGroups: Set(groups))
    }
}
