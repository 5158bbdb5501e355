import APIMachinery

/// Turns the project's schema (`APISchema`: types, fields, patch metadata) into OpenAPI schema
/// objects for one dialect.
///
/// What comes out, per definition: `type`, `properties` (sorted by name), `required`,
/// `x-kubernetes-group-version-kind` on top-level kinds; per property: `type`/`format`,
/// `items`, `additionalProperties`, `$ref`, and the patch metadata that strategic merge patch
/// and server-side apply read (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`,
/// `x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`).
/// `description` of definitions and properties comes from Kubernetes' documentation
/// (`OpenAPIDescriptions`), for `kubectl explain`. Enums and definition-level extensions other
/// than the group-version-kind are not exposed by `APISchema`, so they are absent.
struct OpenAPISchemaConverter: Sendable {
    let schema: APISchema
    let flavor: OpenAPIFlavor
    let descriptions: OpenAPIDescriptions

    init(schema: APISchema, flavor: OpenAPIFlavor, descriptions: OpenAPIDescriptions = .kubernetes) {
        self.schema = schema
        self.flavor = flavor
        self.descriptions = descriptions
    }

    // MARK: - Which definitions

    /// Every definition name, sorted.
    var allNames: [String] { schema.types.keys.sorted() }

    /// The names reachable from `roots` through property references (roots included), sorted.
    /// Names the schema does not define are dropped.
    func closure(from roots: some Sequence<String>) -> [String] {
        var seen = Set<String>()
        var pending = Array(roots)
        while let name = pending.popLast() {
            guard let type = schema.types[name], seen.insert(name).inserted else { continue }
            for field in type.properties.values {
                if let next = field.type.elementTypeName, !seen.contains(next) { pending.append(next) }
            }
        }
        return seen.sorted()
    }

    /// `{name: definition}` for `names`, in the given order.
    func definitions(_ names: [String]) -> JSONValue {
        var object = JSONObject()
        for name in names {
            guard let type = schema.types[name] else { continue }
            object.members.append(.init(key: name, value: definition(type)))
        }
        return .object(object)
    }

    // MARK: - One definition

    func definition(_ type: TypeSchema) -> JSONValue {
        var object: JSONObject
        if type.properties.isEmpty {
            object = Self.propertylessDefinition(named: type.name, flavor: flavor)
        } else {
            var properties = JSONObject()
            for name in type.properties.keys.sorted() {
                let text = descriptions.property(name, of: type.name)
                properties.members.append(.init(key: name, value: property(type.properties[name]!, description: text)))
            }
            object = ["properties": .object(properties), "type": "object"]
        }
        if let text = descriptions.definition(type.name) { object["description"] = .string(text) }
        if !type.required.isEmpty {
            object["required"] = .array(type.required.map { .string($0) })
        }
        if !type.groupVersionKinds.isEmpty {
            object["x-kubernetes-group-version-kind"] = .array(type.groupVersionKinds.map(Self.gvkValue))
        }
        return .object(object)
    }

    /// Definitions without properties are scalars with a custom JSON form, free-form values,
    /// or empty objects. `APISchema` does not keep their shape, so it is restated here.
    static func propertylessDefinition(named name: String, flavor: OpenAPIFlavor) -> JSONObject {
        switch name {
        case "io.k8s.apimachinery.pkg.api.resource.Quantity":
            // Written as a string; a number is accepted on input.
            switch flavor {
            case .swagger2: return ["type": "string"]
            case .openAPI3: return ["oneOf": [["type": "string"], ["type": "number"]]]
            }
        case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
            switch flavor {
            case .swagger2: return ["format": "int-or-string", "type": "string"]
            case .openAPI3: return ["format": "int-or-string", "oneOf": [["type": "integer"], ["type": "string"]]]
            }
        case "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime":
            return ["format": "date-time", "type": "string"]
        case "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray":
            // Any JSON value: no type at all.
            return [:]
        default:
            // RawExtension, FieldsV1, Patch, CustomResourceSubresourceStatus, …
            return ["type": "object"]
        }
    }

    static func gvkValue(_ gvk: GroupVersionKind) -> JSONValue {
        ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
    }

    // MARK: - Properties

    /// A property: its value schema, its documentation and the patch metadata.
    func property(_ field: FieldSchema, description: String? = nil) -> JSONValue {
        var extensions = JSONObject()
        if !field.listMapKeys.isEmpty {
            extensions["x-kubernetes-list-map-keys"] = .array(field.listMapKeys.map { .string($0) })
        }
        if let listType = field.listType { extensions["x-kubernetes-list-type"] = .string(listType) }
        if let mapType = field.mapType { extensions["x-kubernetes-map-type"] = .string(mapType) }
        if let key = field.patchMergeKey { extensions["x-kubernetes-patch-merge-key"] = .string(key) }
        if !field.patchStrategies.isEmpty {
            extensions["x-kubernetes-patch-strategy"] = .string(field.patchStrategies.joined(separator: ","))
        }

        var object = valueSchema(field.type)
        if case .reference(let name) = field.type, flavor == .openAPI3,
            !extensions.members.isEmpty || description != nil, schema.types[name] != nil
        {
            // OpenAPI 3.0 ignores siblings of `$ref`; wrap it so the description and the
            // extensions stay meaningful (as kube-apiserver does).
            object = ["allOf": [.object(object)]]
        }
        if let description { object["description"] = .string(description) }
        object.members.append(contentsOf: extensions.members)
        return .object(object)
    }

    /// The schema of a value of `type` (a property, an array element or a map value).
    func valueSchema(_ type: FieldType) -> JSONObject {
        switch type {
        case .string(let format):
            var object: JSONObject = ["type": "string"]
            if let format { object["format"] = .string(format) }
            return object
        case .integer(let format):
            var object: JSONObject = ["type": "integer"]
            if let format { object["format"] = .string(format) }
            return object
        case .number:
            return ["format": "double", "type": "number"]
        case .boolean:
            return ["type": "boolean"]
        case .any:
            return [:]
        case .array(let element):
            return ["items": .object(valueSchema(element)), "type": "array"]
        case .map(let element):
            return ["additionalProperties": .object(valueSchema(element)), "type": "object"]
        case .reference(let name):
            // A dangling reference would make whole-document parsers (kubectl's v2 model) fail.
            guard schema.types[name] != nil else { return [:] }
            return ["$ref": .string(flavor.reference(to: name))]
        }
    }
}
