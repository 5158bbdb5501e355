import APIMachinery

/// Encodes a Swagger 2.0 document tree into the protobuf form of gnostic's
/// `openapi.v2.Document` (github.com/google/gnostic-models, `openapiv2/OpenAPIv2.proto`),
/// which is what kubectl asks `/openapi/v2` for and decodes with `proto.Unmarshal`.
///
/// Handles the parts of Swagger 2.0 that `OpenAPIDocuments` produces — document, info, paths,
/// operations, parameters (body, query, path, header), responses, schemas, security — plus a few
/// neighbours; anything else is dropped. Vendor extensions (`x-…`) become `NamedAny` values
/// whose `yaml` is the value's JSON text (JSON is valid YAML for the Go YAML parsers that read
/// them).
enum SwaggerProtobufEncoder {
    static func encode(_ document: JSONValue) -> [UInt8] {
        guard let root = object(document) else { return [] }
        return documentMessage(root)
    }

    // MARK: - Document, Info, Paths

    private static func documentMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "swagger": w.string(1, text(m.value))
            case "info": if let info = object(m.value) { w.message(2, infoMessage(info)) }
            case "host": w.string(3, text(m.value))
            case "basePath": w.string(4, text(m.value))
            case "schemes": w.strings(5, strings(m.value))
            case "consumes": w.strings(6, strings(m.value))
            case "produces": w.strings(7, strings(m.value))
            case "paths": if let paths = object(m.value) { w.message(8, pathsMessage(paths)) }
            case "definitions":
                if let definitions = object(m.value) {
                    w.message(9) { named(&$0, field: 1, definitions, schemaValueMessage) }
                }
            case "parameters":
                if let parameters = object(m.value) {
                    w.message(10) { named(&$0, field: 1, parameters, parameterMessage) }
                }
            case "security":
                for requirement in elements(m.value) {
                    if let requirement = object(requirement) { w.message(12, securityRequirementMessage(requirement)) }
                }
            case "securityDefinitions":
                if let definitions = object(m.value) {
                    w.message(13) { named(&$0, field: 1, definitions, securityDefinitionsItemMessage) }
                }
            default: extensionField(&w, 16, m)
            }
        }
        return w.bytes
    }

    private static func infoMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "title": w.string(1, text(m.value))
            case "version": w.string(2, text(m.value))
            case "description": w.string(3, text(m.value))
            case "termsOfService": w.string(4, text(m.value))
            default: extensionField(&w, 7, m)
            }
        }
        return w.bytes
    }

    private static func pathsMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            if m.key.hasPrefix("x-") {
                extensionField(&w, 1, m)
            } else if let item = object(m.value) {
                w.message(2) {
                    $0.string(1, m.key)
                    $0.message(2, pathItemMessage(item))
                }
            }
        }
        return w.bytes
    }

    private static func pathItemMessage(_ o: JSONObject) -> [UInt8] {
        let operationFields = ["get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8]
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            if m.key == "$ref" {
                w.string(1, text(m.value))
            } else if let field = operationFields[m.key], let operation = object(m.value) {
                w.message(field, operationMessage(operation))
            } else if m.key == "parameters" {
                for parameter in elements(m.value) { w.message(9, parametersItemMessage(parameter)) }
            } else {
                extensionField(&w, 10, m)
            }
        }
        return w.bytes
    }

    private static func operationMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "tags": w.strings(1, strings(m.value))
            case "summary": w.string(2, text(m.value))
            case "description": w.string(3, text(m.value))
            case "operationId": w.string(5, text(m.value))
            case "produces": w.strings(6, strings(m.value))
            case "consumes": w.strings(7, strings(m.value))
            case "parameters":
                for parameter in elements(m.value) { w.message(8, parametersItemMessage(parameter)) }
            case "responses": if let responses = object(m.value) { w.message(9, responsesMessage(responses)) }
            case "schemes": w.strings(10, strings(m.value))
            case "deprecated": w.bool(11, m.value == .bool(true))
            default: extensionField(&w, 13, m)
            }
        }
        return w.bytes
    }

    // MARK: - Parameters

    /// `ParametersItem`: a parameter or a reference to a global one.
    private static func parametersItemMessage(_ value: JSONValue) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        guard let o = object(value) else { return w.bytes }
        if let ref = o["$ref"] {
            w.message(2) {
                $0.string(1, text(ref))
                $0.string(2, text(o["description"]))
            }
        } else if let parameter = parameterMessage(value) {
            w.message(1, parameter)
        }
        return w.bytes
    }

    /// `Parameter`: a body parameter or one of the non-body kinds (by `in`).
    private static func parameterMessage(_ value: JSONValue) -> [UInt8]? {
        guard let o = object(value) else { return nil }
        var w = OpenAPIProtobufWriter()
        switch text(o["in"]) {
        case "body":
            w.message(1) { body in
                for m in o.members {
                    switch m.key {
                    case "description": body.string(1, text(m.value))
                    case "name": body.string(2, text(m.value))
                    case "in": body.string(3, text(m.value))
                    case "required": body.bool(4, m.value == .bool(true))
                    case "schema": if let schema = object(m.value) { body.message(5, schemaMessage(schema)) }
                    default: extensionField(&body, 6, m)
                    }
                }
            }
        case "header": w.message(2) { $0.message(1, simpleParameter(o, SubSchemaFields.headerOrPath)) }
        case "formData": w.message(2) { $0.message(2, simpleParameter(o, SubSchemaFields.queryOrFormData)) }
        case "query": w.message(2) { $0.message(3, simpleParameter(o, SubSchemaFields.queryOrFormData)) }
        case "path": w.message(2) { $0.message(4, simpleParameter(o, SubSchemaFields.headerOrPath)) }
        default: return nil
        }
        return w.bytes
    }

    /// Field numbers of the non-body parameter sub-schemas, which come in two layouts.
    private struct SubSchemaFields {
        var allowEmptyValue: Int?
        var type: Int
        var format: Int
        var collectionFormat: Int
        var uniqueItems: Int
        var extensions: Int

        static let headerOrPath = SubSchemaFields(
            allowEmptyValue: nil, type: 5, format: 6, collectionFormat: 8, uniqueItems: 19, extensions: 22)
        static let queryOrFormData = SubSchemaFields(
            allowEmptyValue: 5, type: 6, format: 7, collectionFormat: 9, uniqueItems: 20, extensions: 23)
    }

    private static func simpleParameter(_ o: JSONObject, _ fields: SubSchemaFields) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "required": w.bool(1, m.value == .bool(true))
            case "in": w.string(2, text(m.value))
            case "description": w.string(3, text(m.value))
            case "name": w.string(4, text(m.value))
            case "allowEmptyValue":
                if let field = fields.allowEmptyValue { w.bool(field, m.value == .bool(true)) }
            case "type": w.string(fields.type, text(m.value))
            case "format": w.string(fields.format, text(m.value))
            case "collectionFormat": w.string(fields.collectionFormat, text(m.value))
            case "uniqueItems": w.bool(fields.uniqueItems, m.value == .bool(true))
            default: extensionField(&w, fields.extensions, m)
            }
        }
        return w.bytes
    }

    // MARK: - Responses

    private static func responsesMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            if m.key.hasPrefix("x-") {
                extensionField(&w, 2, m)
                continue
            }
            guard let response = object(m.value) else { continue }
            w.message(1) { named in
                named.string(1, m.key)
                named.message(2) { value in
                    if let ref = response["$ref"] {
                        value.message(2) { $0.string(1, text(ref)) }
                    } else {
                        value.message(1, responseMessage(response))
                    }
                }
            }
        }
        return w.bytes
    }

    private static func responseMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "description": w.string(1, text(m.value))
            case "schema":
                if let schema = object(m.value) { w.message(2) { $0.message(1, schemaMessage(schema)) } }
            default: extensionField(&w, 5, m)
            }
        }
        return w.bytes
    }

    // MARK: - Schemas

    private static func schemaValueMessage(_ value: JSONValue) -> [UInt8]? {
        object(value).map { schemaMessage($0) }
    }

    private static func schemaMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            switch m.key {
            case "$ref": w.string(1, text(m.value))
            case "format": w.string(2, text(m.value))
            case "title": w.string(3, text(m.value))
            case "description": w.string(4, text(m.value))
            case "default": w.message(5, anyMessage(m.value))
            case "uniqueItems": w.bool(16, m.value == .bool(true))
            case "required": w.strings(19, strings(m.value))
            case "enum": for element in elements(m.value) { w.message(20, anyMessage(element)) }
            case "additionalProperties":
                switch m.value {
                case .object(let schema): w.message(21) { $0.message(1, schemaMessage(schema)) }
                case .bool(let allowed): w.message(21) { $0.bool(2, allowed) }
                default: break
                }
            case "type":
                let names = m.value.stringValue.map { [$0] } ?? strings(m.value)
                w.message(22) { $0.strings(1, names) }
            case "items":
                let schemas: [JSONObject] = object(m.value).map { [$0] } ?? elements(m.value).compactMap { object($0) }
                w.message(23) { items in
                    for schema in schemas { items.message(1, schemaMessage(schema)) }
                }
            case "allOf":
                for element in elements(m.value) {
                    if let schema = object(element) { w.message(24, schemaMessage(schema)) }
                }
            case "properties":
                if let properties = object(m.value) {
                    w.message(25) { named(&$0, field: 1, properties, schemaValueMessage) }
                }
            case "discriminator": w.string(26, text(m.value))
            case "readOnly": w.bool(27, m.value == .bool(true))
            case "example": w.message(30, anyMessage(m.value))
            default: extensionField(&w, 31, m)
            }
        }
        return w.bytes
    }

    // MARK: - Security

    private static func securityRequirementMessage(_ o: JSONObject) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        for m in o.members {
            w.message(1) { named in
                named.string(1, m.key)
                named.message(2) { $0.strings(1, strings(m.value)) }
            }
        }
        return w.bytes
    }

    /// `SecurityDefinitionsItem`: only the API-key and basic schemes are carried.
    private static func securityDefinitionsItemMessage(_ value: JSONValue) -> [UInt8]? {
        guard let o = object(value) else { return nil }
        var w = OpenAPIProtobufWriter()
        switch text(o["type"]) {
        case "apiKey":
            w.message(2) { key in
                for m in o.members {
                    switch m.key {
                    case "type": key.string(1, text(m.value))
                    case "name": key.string(2, text(m.value))
                    case "in": key.string(3, text(m.value))
                    case "description": key.string(4, text(m.value))
                    default: extensionField(&key, 5, m)
                    }
                }
            }
        case "basic":
            w.message(1) { basic in
                for m in o.members {
                    switch m.key {
                    case "type": basic.string(1, text(m.value))
                    case "description": basic.string(2, text(m.value))
                    default: extensionField(&basic, 3, m)
                    }
                }
            }
        default:
            return nil
        }
        return w.bytes
    }

    // MARK: - Shared pieces

    /// `Any` carrying `value` as YAML (its JSON text).
    private static func anyMessage(_ value: JSONValue) -> [UInt8] {
        var w = OpenAPIProtobufWriter()
        w.string(2, JSONCodec.encodeToString(value) + "\n")
        return w.bytes
    }

    /// A `NamedAny` in `field` for an `x-…` member; other members are ignored.
    private static func extensionField(_ w: inout OpenAPIProtobufWriter, _ field: Int, _ member: JSONObject.Member) {
        guard member.key.hasPrefix("x-") else { return }
        w.message(field) {
            $0.string(1, member.key)
            $0.message(2, anyMessage(member.value))
        }
    }

    /// One `Named…{name = 1, value = 2}` entry in `field` per member of `o`.
    private static func named(
        _ w: inout OpenAPIProtobufWriter, field: Int, _ o: JSONObject, _ encode: (JSONValue) -> [UInt8]?
    ) {
        for m in o.members {
            guard let value = encode(m.value) else { continue }
            w.message(field) {
                $0.string(1, m.key)
                $0.message(2, value)
            }
        }
    }

    private static func object(_ value: JSONValue?) -> JSONObject? {
        if case .object(let o) = value { return o }
        return nil
    }

    private static func elements(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let a) = value { return a }
        return []
    }

    private static func text(_ value: JSONValue?) -> String {
        value?.stringValue ?? ""
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        elements(value).compactMap(\.stringValue)
    }
}
