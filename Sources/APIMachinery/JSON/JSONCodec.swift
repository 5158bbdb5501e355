/// Entry points for turning bytes into typed values and back.
///
/// Decoding is lenient by default (unknown fields ignored, as the apiserver's default
/// `fieldValidation=Ignore`); `decodeStrict` also reports unknown and duplicate fields.
public enum JSONCodec {
    /// Decodes one JSON value of type `T`; throws `JSONDecodeError` on malformed or ill-typed input.
    public static func decode<T: JSONDecodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decodeReportingIssues(type, from: bytes, strict: false).value
    }

    /// Decodes and returns the strict-mode findings (unknown fields, duplicate keys) alongside.
    public static func decodeReportingIssues<T: JSONDecodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, strict: Bool = true
    ) throws -> (value: T, issues: [StrictDecodingIssue]) {
        let run: (UnsafeBufferPointer<UInt8>) throws -> (T, [StrictDecodingIssue]) = { buffer in
            var reader = JSONReader(bytes: buffer, collectStrictIssues: strict)
            guard let value = try reader.decode(T.self) else {
                throw JSONDecodeError(message: "json: cannot unmarshal null into a value of type \(T.self)")
            }
            try reader.finish()
            return (value, reader.issues)
        }
        if let result = try bytes.withContiguousStorageIfAvailable(run) { return result }
        return try Array(bytes).withUnsafeBufferPointer(run)
    }

    /// Decodes and throws `StrictDecodingError` if any unknown or duplicate field was found.
    public static func decodeStrict<T: JSONDecodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let (value, issues) = try decodeReportingIssues(type, from: bytes, strict: true)
        if !issues.isEmpty { throw StrictDecodingError(issues: issues) }
        return value
    }

    /// Decodes a typed value from a tree (e.g. parsed YAML or a patched document).
    public static func decode<T: JSONDecodable>(_ type: T.Type, from value: JSONValue, strict: Bool = false) throws -> T {
        let bytes = encode(value)
        return strict ? try decodeStrict(type, from: bytes) : try decode(type, from: bytes)
    }

    /// Parses bytes into a tree.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try decode(JSONValue.self, from: bytes)
    }

    /// Parses a string into a tree.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Compact JSON bytes of a value.
    public static func encode<T: JSONEncodable>(_ value: T, capacity: Int = 1024) -> [UInt8] {
        var writer = JSONWriter(capacity: capacity)
        value.encode(to: &writer)
        return writer.bytes
    }

    /// Compact JSON text of a value.
    public static func encodeToString<T: JSONEncodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// The tree of a typed value (encodes, then parses).
    public static func tree<T: JSONEncodable>(of value: T) -> JSONValue {
        // Our own output always parses.
        (try? parse(encode(value))) ?? .null
    }
}

/// Strict decoding failed: the document had unknown or duplicate fields.
/// Its message is the apiserver's: `strict decoding error: unknown field "spec.foo", …`.
public struct StrictDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [StrictDecodingIssue]
    public init(issues: [StrictDecodingIssue]) { self.issues = issues }
    public var description: String {
        "strict decoding error: " + issues.map(\.description).joined(separator: ", ")
    }
}
