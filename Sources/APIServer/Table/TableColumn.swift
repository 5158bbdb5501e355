import APIMachinery

/// One column of a `meta.k8s.io/v1` Table (upstream `TableColumnDefinition`).
///
/// `type` is an OpenAPI type name (`string`, `integer`, `number`, `boolean`, `date`). `format`
/// is `name` on the column holding the object's name and empty elsewhere. kubectl shows
/// priority-0 columns always and priority-1 columns only with `-o wide`; the server always sends
/// every column, and every row has one cell per column.
public struct TableColumn: Sendable, Hashable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int32

    public init(name: String, type: String = "string", format: String = "", description: String, priority: Int32 = 0) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    /// The wire form: all five members are always written, even an empty `format` and a zero
    /// `priority`, as the apiserver writes them.
    public var json: JSONValue {
        .object([
            "name": .string(name),
            "type": .string(type),
            "format": .string(format),
            "description": .string(description),
            "priority": .int(Int64(priority)),
        ])
    }
}
