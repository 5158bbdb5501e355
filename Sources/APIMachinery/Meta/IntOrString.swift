/// `intstr.IntOrString`: a field that holds either an int32 or a string (a port number or a
/// port name; `25%` or `2` for rolling-update surges). Written as a JSON number or string.
public enum IntOrString: Sendable, Hashable, CustomStringConvertible, JSONCodable,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
    case int(Int32)
    case string(String)

    public init(integerLiteral value: Int32) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    public init(from reader: inout JSONReader) throws {
        reader.skipWhitespace()
        if let next = reader.peek, next == UInt8(ascii: "\"") {
            self = .string(try reader.readString())
        } else {
            self = .int(try reader.readInt32())
        }
    }

    public func encode(to writer: inout JSONWriter) {
        switch self {
        case .int(let i): writer.int(Int64(i))
        case .string(let s): writer.string(s)
        }
    }

    /// The value scaled against `total` for percentages (`"25%"` of 10 → 2 or 3 by `roundUp`);
    /// ints are returned as they are. Nil for a string that is neither an int nor a percentage.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let i):
            return Int(i)
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { return Int(s) }
            let product = percent * total
            return roundUp ? (product + 99) / 100 : product / 100
        }
    }
}
