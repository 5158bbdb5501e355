/// Appends protobuf wire data to a byte array.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func writeKey(_ number: Int, _ wireType: ProtobufWireType) {
        writeVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
    }

    mutating func writeFixed32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    mutating func writeFixed64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    /// A varint field (int32, int64, bool and the like).
    mutating func writeVarintField(_ number: Int, _ value: UInt64) {
        writeKey(number, .varint)
        writeVarint(value)
    }

    /// A length-delimited field: a string, bytes or an encoded message.
    mutating func writeBytesField(_ number: Int, _ payload: some Collection<UInt8>) {
        writeKey(number, .lengthDelimited)
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func writeStringField(_ number: Int, _ value: String) {
        writeBytesField(number, value.utf8)
    }
}
