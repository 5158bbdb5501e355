import APIMachinery

extension PluginArgs {
    static func bool(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw args.fail("\(field): expected a boolean, got \(other.typeName)")
        }
    }
}
