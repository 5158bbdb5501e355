extension APIExtensionsV1 {
    /// `JSONSchemaPropsOrArray`: a CRD schema's `items`, either one schema or a list of schemas.
    public indirect enum JSONSchemaPropsOrArray: Sendable, Hashable, JSONCodable {
        case schema(JSONSchemaProps)
        case schemas([JSONSchemaProps])

        public init(from reader: inout JSONReader) throws {
            reader.skipWhitespace()
            self = reader.peek == UInt8(ascii: "[")
                ? .schemas(try [JSONSchemaProps](from: &reader)) : .schema(try JSONSchemaProps(from: &reader))
        }

        public func encode(to writer: inout JSONWriter) {
            switch self {
            case .schema(let s): s.encode(to: &writer)
            case .schemas(let s): s.encode(to: &writer)
            }
        }
    }

    /// `JSONSchemaPropsOrBool`: `additionalProperties`/`additionalItems`, a boolean or a schema.
    public indirect enum JSONSchemaPropsOrBool: Sendable, Hashable, JSONCodable {
        case allows(Bool)
        case schema(JSONSchemaProps)

        public init(from reader: inout JSONReader) throws {
            reader.skipWhitespace()
            self = reader.peek == UInt8(ascii: "{") ? .schema(try JSONSchemaProps(from: &reader)) : .allows(try reader.readBool())
        }

        public func encode(to writer: inout JSONWriter) {
            switch self {
            case .allows(let b): writer.bool(b)
            case .schema(let s): s.encode(to: &writer)
            }
        }
    }

    /// `JSONSchemaPropsOrStringArray`: a `dependencies` entry, a schema or a list of property names.
    public indirect enum JSONSchemaPropsOrStringArray: Sendable, Hashable, JSONCodable {
        case schema(JSONSchemaProps)
        case properties([String])

        public init(from reader: inout JSONReader) throws {
            reader.skipWhitespace()
            self = reader.peek == UInt8(ascii: "[")
                ? .properties(try [String](from: &reader)) : .schema(try JSONSchemaProps(from: &reader))
        }

        public func encode(to writer: inout JSONWriter) {
            switch self {
            case .schema(let s): s.encode(to: &writer)
            case .properties(let p): p.encode(to: &writer)
            }
        }
    }
}
