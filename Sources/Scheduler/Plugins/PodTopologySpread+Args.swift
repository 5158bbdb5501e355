import APIMachinery

extension PodTopologySpread {
    /// Builds the plugin from `PodTopologySpreadArgs`: `defaultingType` (`System`, the
    /// default, or `List`) and `defaultConstraints` (only with `List`; each needs a positive
    /// `maxSkew`, a `topologyKey`, `whenUnsatisfiable` DoNotSchedule or ScheduleAnyway, no
    /// `labelSelector`, and no two may share key and action).
    public init(args value: JSONValue?) throws(FrameworkError) {
        let args = PluginArgs(plugin: PluginNames.podTopologySpread, value)
        guard let object = try args.object() else {
            self.init()
            return
        }
        let typeText = try PluginArgs.string(object["defaultingType"], field: "defaultingType", in: args) ?? ""
        let defaulting: Defaulting
        switch typeText {
        case "", "System": defaulting = .system
        case "List": defaulting = .list
        default:
            throw args.fail("defaultingType: Unsupported value: \"\(typeText)\": supported values: \"List\", \"System\"")
        }
        var constraints: [CoreV1.TopologySpreadConstraint] = []
        for (index, item) in try PluginArgs.array(object["defaultConstraints"], field: "defaultConstraints", in: args)
            .enumerated()
        {
            let path = "defaultConstraints[\(index)]"
            let constraint: CoreV1.TopologySpreadConstraint
            do {
                constraint = try JSONCodec.decode(CoreV1.TopologySpreadConstraint.self, from: item)
            } catch {
                throw args.fail("\(path): \(error)")
            }
            if constraint.maxSkew <= 0 {
                throw args.fail("\(path).maxSkew: Invalid value: \(constraint.maxSkew): must be greater than zero")
            }
            if constraint.topologyKey.isEmpty { throw args.fail("\(path).topologyKey: Required value: can not be empty") }
            if constraint.whenUnsatisfiable != Self.doNotSchedule && constraint.whenUnsatisfiable != Self.scheduleAnyway {
                throw args.fail(
                    "\(path).whenUnsatisfiable: Unsupported value: \"\(constraint.whenUnsatisfiable)\": supported "
                        + "values: \"DoNotSchedule\", \"ScheduleAnyway\"")
            }
            if constraint.labelSelector != nil {
                throw args.fail(
                    "\(path).labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod")
            }
            if constraints.contains(where: {
                $0.topologyKey == constraint.topologyKey && $0.whenUnsatisfiable == constraint.whenUnsatisfiable
            }) {
                throw args.fail(
                    "\(path): Duplicate value: \"{\(constraint.topologyKey), \(constraint.whenUnsatisfiable)}\"")
            }
            constraints.append(constraint)
        }
        if defaulting == .system && !constraints.isEmpty {
            throw args.fail("defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty")
        }
        self.init(defaulting: defaulting, defaultConstraints: constraints)
    }
}
