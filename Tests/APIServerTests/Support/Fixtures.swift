import APIMachinery
import Testing

/// Small helpers shared by the apiserver unit tests.
enum Fixtures {
    struct NotAnObject: Error {}

    /// The built-in resource `plural` of `group`, at the group's preferred version.
    static func resource(_ group: String, _ plural: String) throws -> ResourceInfo {
        try #require(ResourceRegistry.builtin.all.first { $0.gvk.group == group && $0.plural == plural })
    }

    /// A JSON object literal as a tree.
    static func object(_ json: String) throws -> JSONObject {
        guard case .object(let object) = try JSONCodec.parse(json) else { throw NotAnObject() }
        return object
    }

    /// A JSON literal as a tree.
    static func tree(_ json: String) throws -> JSONValue { try JSONCodec.parse(json) }
}
