extension Quantity: JSONCodable {
    /// Accepts a string (`"100m"`) or a bare number (`1`, as YAML `cpu: 1` gives), trimmed
    /// like the apiserver does; a bad quantity is a field error naming the path.
    public init(from reader: inout JSONReader) throws {
        reader.skipWhitespace()
        let text: String
        if reader.peek == UInt8(ascii: "\"") {
            text = try reader.readString()
        } else {
            guard case let value = try reader.readValue(), value.typeName == "number" else {
                throw reader.invalidValue("quantities must be a string or a number")
            }
            text = JSONCodec.encodeToString(value)
        }
        do {
            self = try Quantity(String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()))
        } catch {
            throw reader.invalidValue(error.description)
        }
    }

    public func encode(to writer: inout JSONWriter) { writer.string(canonical) }
}
