/// The Kubernetes 1.32 schema of the served types, with the patch metadata that strategic
/// merge patch and server-side apply need (merge keys, patch strategies, list and map types).
///
/// Built once, on first use, from the trimmed schema embedded at generation time
/// (`api/definitions-1.32.json`); lookups are dictionary reads.
public struct APISchema: Sendable {
    /// The schema of the served Kubernetes 1.32 groups.
    public static let kubernetes: APISchema = {
        do {
            return try APISchema(json: JSONCodec.parse(EmbeddedSchema.json))
        } catch {
            preconditionFailure("embedded schema does not parse: \(error)")
        }
    }()

    /// Types by schema name (`io.k8s.api.core.v1.PodSpec`).
    public let types: [String: TypeSchema]
    private let namesByGVK: [GroupVersionKind: String]
    /// Each definition's member order, references resolved (`canonicalize`).
    let fieldOrders: [String: FieldOrder]

    public init(json: JSONValue) throws {
        guard case .object(let defs) = json else { throw JSONDecodeError(message: "schema: expected an object of definitions") }
        var types: [String: TypeSchema] = [:]
        var byGVK: [GroupVersionKind: String] = [:]
        for member in defs.members {
            let type = TypeSchema(name: member.key, definition: member.value)
            types[member.key] = type
            for gvk in type.groupVersionKinds { byGVK[gvk] = member.key }
        }
        self.types = types
        self.namesByGVK = byGVK
        self.fieldOrders = FieldOrder.build(types)
    }

    public func type(named name: String) -> TypeSchema? { types[name] }

    /// The definition name of a top-level kind.
    public func name(for gvk: GroupVersionKind) -> String? { namesByGVK[gvk] }

    /// The schema of a top-level kind.
    public func type(for gvk: GroupVersionKind) -> TypeSchema? {
        namesByGVK[gvk].flatMap { types[$0] }
    }

    /// The field at a path of property names below `type` (`["spec", "containers"]`),
    /// stepping through arrays and maps to their elements.
    public func field(at path: [String], in type: TypeSchema) -> FieldSchema? {
        var current = type
        var found: FieldSchema?
        for (i, name) in path.enumerated() {
            guard let field = current.properties[name] else { return nil }
            found = field
            if i == path.count - 1 { break }
            guard let next = field.type.elementTypeName.flatMap({ types[$0] }) else { return nil }
            current = next
        }
        return found
    }
}

/// One definition: its properties, required names and the kinds it carries.
public struct TypeSchema: Sendable {
    public let name: String
    public let properties: [String: FieldSchema]
    /// Property names in the order Go's encoding/json writes them (struct declaration order).
    public let propertyOrder: [String]
    public let required: [String]
    public let groupVersionKinds: [GroupVersionKind]

    init(name: String, definition: JSONValue) {
        self.name = name
        var properties: [String: FieldSchema] = [:]
        var order: [String] = []
        if case .object(let props) = definition["properties"] ?? .null {
            for member in props.members {
                let field = FieldSchema(member.value)
                properties[member.key] = field
                order.append(member.key)
            }
        }
        self.properties = properties
        self.propertyOrder = order
        if case .array(let names) = definition["required"] ?? .null {
            required = names.compactMap(\.stringValue)
        } else {
            required = []
        }
        if case .array(let gvks) = definition["x-kubernetes-group-version-kind"] ?? .null {
            groupVersionKinds = gvks.compactMap { gvk in
                guard let g = gvk["group"]?.stringValue, let v = gvk["version"]?.stringValue,
                    let k = gvk["kind"]?.stringValue
                else { return nil }
                return GroupVersionKind(group: g, version: v, kind: k)
            }
        } else {
            groupVersionKinds = []
        }
    }
}

/// A property with its type and patch metadata.
public struct FieldSchema: Sendable, Hashable {
    public let type: FieldType
    /// `x-kubernetes-patch-strategy`, split on commas: `merge`, `retainKeys`, `replace`.
    public let patchStrategies: [String]
    /// `x-kubernetes-patch-merge-key`: the key identifying list elements for merging.
    public let patchMergeKey: String?
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    public let listType: String?
    /// `x-kubernetes-list-map-keys` for `listType: map`.
    public let listMapKeys: [String]
    /// `x-kubernetes-map-type`: `atomic` or `granular`.
    public let mapType: String?

    init(_ schema: JSONValue) {
        type = FieldType(schema)
        patchStrategies = schema["x-kubernetes-patch-strategy"]?.stringValue?.split(separator: ",").map(String.init) ?? []
        patchMergeKey = schema["x-kubernetes-patch-merge-key"]?.stringValue
        listType = schema["x-kubernetes-list-type"]?.stringValue
        if case .array(let keys) = schema["x-kubernetes-list-map-keys"] ?? .null {
            listMapKeys = keys.compactMap(\.stringValue)
        } else {
            listMapKeys = []
        }
        mapType = schema["x-kubernetes-map-type"]?.stringValue
    }
}

/// The shape of a property's value.
public indirect enum FieldType: Sendable, Hashable {
    case string(format: String?)
    case integer(format: String?)
    case number
    case boolean
    /// A free-form object or value (`RawExtension`, `FieldsV1`, CRD `JSON`).
    case any
    case array(FieldType)
    case map(FieldType)
    /// A named definition, including the special scalars (`…resource.Quantity`, `…intstr.IntOrString`, `…meta.v1.Time`).
    case reference(String)

    init(_ schema: JSONValue) {
        if let ref = schema["$ref"]?.stringValue {
            self = .reference(String(ref.split(separator: "/").last ?? ""))
            return
        }
        var typeName = schema["type"]?.stringValue
        if case .array(let names) = schema["type"] ?? .null {
            typeName = names.compactMap(\.stringValue).first { $0 != "null" }
        }
        let format = schema["format"]?.stringValue
        switch typeName {
        case "string": self = .string(format: format)
        case "integer": self = .integer(format: format)
        case "number": self = .number
        case "boolean": self = .boolean
        case "array": self = .array(FieldType(schema["items"] ?? .null))
        case "object":
            if let additional = schema["additionalProperties"] { self = .map(FieldType(additional)) } else { self = .any }
        default: self = .any
        }
    }

    /// The definition name of this type, or of the elements of an array or map of it.
    public var elementTypeName: String? {
        switch self {
        case .reference(let name): name
        case .array(let inner), .map(let inner): inner.elementTypeName
        default: nil
        }
    }
}
