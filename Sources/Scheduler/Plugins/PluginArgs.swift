import APIMachinery

/// Reading plugin `args` from a configuration tree, with errors naming the plugin and field.
struct PluginArgs {
    let plugin: String
    let value: JSONValue?

    init(plugin: String, _ value: JSONValue?) {
        self.plugin = plugin
        self.value = value
    }

    func fail(_ message: String) -> FrameworkError {
        FrameworkError("invalid args for plugin \"\(plugin)\": \(message)")
    }

    /// The arguments object; nil and `{}` mean "all defaults".
    func object() throws(FrameworkError) -> JSONObject? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return object
        case let other?: throw fail("expected an object, got \(other.typeName)")
        }
    }

    static func int(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: return number
        case .double(let number)? where number == number.rounded(): return Int64(number)
        case let other?: throw args.fail("\(field): expected an integer, got \(other.typeName)")
        }
    }

    static func string(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw args.fail("\(field): expected a string, got \(other.typeName)")
        }
    }

    static func array(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?: throw args.fail("\(field): expected a list, got \(other.typeName)")
        }
    }

    static func strings(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> [String] {
        var result: [String] = []
        for (index, item) in try array(value, field: field, in: args).enumerated() {
            guard let text = try string(item, field: "\(field)[\(index)]", in: args) else { continue }
            result.append(text)
        }
        return result
    }

    /// `[{name, weight}]`, weights defaulting to 1 and limited to 1…100; empty → CPU and memory.
    static func resources(_ value: JSONValue?, field: String, in args: PluginArgs) throws(FrameworkError) -> [ResourceSpec] {
        var specs: [ResourceSpec] = []
        for (index, item) in try array(value, field: field, in: args).enumerated() {
            let path = "\(field)[\(index)]"
            guard let name = try string(item["name"], field: path + ".name", in: args), !name.isEmpty else {
                throw args.fail("\(path).name: Required value")
            }
            let weight = try int(item["weight"], field: path + ".weight", in: args) ?? 0
            guard (0...100).contains(weight) else { throw args.fail("\(path).weight: must be in the range [1, 100]") }
            specs.append(ResourceSpec(name: name, weight: weight == 0 ? 1 : weight))
        }
        return specs.isEmpty ? ResourceSpec.defaults : specs
    }
}
