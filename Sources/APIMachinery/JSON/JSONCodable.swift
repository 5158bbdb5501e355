/// A type that reads itself from a `JSONReader`. Called only for non-null values:
/// `JSONReader.decode(_:)` turns `null` into nil first.
public protocol JSONDecodable: Sendable {
    init(from reader: inout JSONReader) throws
    /// The value JSON `null` stands for inside a list or map, or nil when null is an error
    /// there. Go's zero `Time` is written as null, so `Time` answers its zero value.
    static var nullValue: Self? { get }
}

extension JSONDecodable {
    public static var nullValue: Self? { nil }
}

/// A type that writes itself to a `JSONWriter` as one JSON value.
public protocol JSONEncodable: Sendable {
    func encode(to writer: inout JSONWriter)
}

public typealias JSONCodable = JSONDecodable & JSONEncodable

// MARK: - Scalars

extension String: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = try reader.readString() }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.string(self) }
}

extension Bool: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = try reader.readBool() }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.bool(self) }
}

extension Int64: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = try reader.readInt64() }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.int(self) }
}

extension Int32: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = try reader.readInt32() }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.int(Int64(self)) }
}

extension Int: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = Int(try reader.readInt64(typeName: "int")) }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.int(Int64(self)) }
}

extension Double: JSONCodable {
    @inlinable public init(from reader: inout JSONReader) throws { self = try reader.readDouble() }
    @inlinable public func encode(to writer: inout JSONWriter) { writer.double(self) }
}

extension JSONValue: JSONCodable {
    public init(from reader: inout JSONReader) throws { self = try reader.readValue() }
    public static var nullValue: JSONValue? { .null }
    public func encode(to writer: inout JSONWriter) { writer.value(self) }
}

// MARK: - Collections

extension Array: JSONDecodable where Element: JSONDecodable {
    /// A `null` element is an error, unless the element type has a `nullValue`.
    public init(from reader: inout JSONReader) throws {
        try reader.beginArray(of: "array")
        self = []
        while try reader.nextElement() {
            guard let element = try reader.decode(Element.self) ?? Element.nullValue else {
                throw reader.invalidValue("null is not allowed as a list element")
            }
            append(element)
        }
    }
}

extension Array: JSONEncodable where Element: JSONEncodable {
    public func encode(to writer: inout JSONWriter) {
        writer.beginArray()
        for element in self {
            writer.separator()
            element.encode(to: &writer)
        }
        writer.endArray()
    }
}

extension Dictionary: JSONDecodable where Key == String, Value: JSONDecodable {
    /// A `null` map value is an error, unless the value type has a `nullValue`.
    public init(from reader: inout JSONReader) throws {
        try reader.beginObject(of: "map")
        self = [:]
        while let key = try reader.nextKey() {
            reader.markMapKey(key)
            guard let value = try reader.decode(Value.self) ?? Value.nullValue else {
                throw reader.invalidValue("null is not allowed as a map value")
            }
            self[key] = value
        }
    }
}

extension Dictionary: JSONEncodable where Key == String, Value: JSONEncodable {
    /// Keys in sorted order, as Go writes maps.
    public func encode(to writer: inout JSONWriter) {
        writer.beginObject()
        for key in keys.sorted() {
            writer.key(key)
            self[key]!.encode(to: &writer)
        }
        writer.endObject()
    }
}
