/// Reads protobuf wire data from a range of a byte array without copying. Every read checks
/// bounds and throws `ProtobufError` on truncated or malformed data.
struct ProtobufReader {
    /// One field value as it sits on the wire.
    enum Value {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64(UInt64)
        /// The payload's range in `bytes` (a string, bytes, a message or a packed run).
        case bytes(Range<Int>)

        var wireType: ProtobufWireType {
            switch self {
            case .varint: .varint
            case .fixed32: .fixed32
            case .fixed64: .fixed64
            case .bytes: .lengthDelimited
            }
        }
    }

    /// Groups nested deeper than this are refused rather than recursed into.
    static let maximumGroupDepth = 64

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    init(bytes: [UInt8]) { self.init(bytes: bytes, range: bytes.indices) }

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufError("unexpected end of data inside a varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw ProtobufError("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readFixed32() throws(ProtobufError) -> UInt32 {
        guard end - position >= 4 else { throw ProtobufError("unexpected end of data inside a fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return value
    }

    mutating func readFixed64() throws(ProtobufError) -> UInt64 {
        guard end - position >= 8 else { throw ProtobufError("unexpected end of data inside a fixed64") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return value
    }

    /// Reads a length prefix and returns the payload's range, moving past it.
    mutating func readLengthDelimited() throws(ProtobufError) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw ProtobufError("length \(length) runs past the end of the data (\(end - position) bytes left)")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// Reads a field key: the field number and the wire type.
    mutating func readKey() throws(ProtobufError) -> (number: Int, wireType: ProtobufWireType) {
        let key = try readVarint()
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufError("invalid wire type \(key & 7) at offset \(position)")
        }
        let number = key >> 3
        guard number >= 1, number <= 0x1fff_ffff else {
            throw ProtobufError("invalid field number \(number) at offset \(position)")
        }
        return (Int(number), wireType)
    }

    /// Reads the next field; nil at the end. Groups (unused by Kubernetes) are skipped over.
    mutating func readField() throws(ProtobufError) -> (number: Int, value: Value)? {
        while !isAtEnd {
            let (number, wireType) = try readKey()
            switch wireType {
            case .varint: return (number, .varint(try readVarint()))
            case .fixed32: return (number, .fixed32(try readFixed32()))
            case .fixed64: return (number, .fixed64(try readFixed64()))
            case .lengthDelimited: return (number, .bytes(try readLengthDelimited()))
            case .startGroup: try skipGroup(number: number, depth: 1)
            case .endGroup: throw ProtobufError("unexpected end-group for field \(number)")
            }
        }
        return nil
    }

    private mutating func skipGroup(number: Int, depth: Int) throws(ProtobufError) {
        guard depth <= Self.maximumGroupDepth else { throw ProtobufError("groups nested too deeply") }
        while true {
            guard !isAtEnd else { throw ProtobufError("unexpected end of data inside group \(number)") }
            let (inner, wireType) = try readKey()
            switch wireType {
            case .varint: _ = try readVarint()
            case .fixed32: _ = try readFixed32()
            case .fixed64: _ = try readFixed64()
            case .lengthDelimited: _ = try readLengthDelimited()
            case .startGroup: try skipGroup(number: inner, depth: depth + 1)
            case .endGroup:
                guard inner == number else { throw ProtobufError("end-group \(inner) closes group \(number)") }
                return
            }
        }
    }
}
