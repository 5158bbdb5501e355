/// A minimal protocol-buffers wire-format writer: enough to hand-encode the handful of message
/// shapes the Swagger 2.0 protobuf form needs (strings, booleans, nested messages).
///
/// Messages are built bottom-up: encode a child into its own writer, then append its bytes
/// as a length-delimited field of the parent.
struct OpenAPIProtobufWriter: Sendable {
    private(set) var bytes: [UInt8] = []

    init() {}

    private enum WireType: UInt8 {
        case varint = 0
        case lengthDelimited = 2
    }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wire: WireType) {
        varint(UInt64(field) << 3 | UInt64(wire.rawValue))
    }

    /// A singular `string` field; the proto3 default (empty) is not written.
    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        element(field, value)
    }

    /// One element of a `repeated string` field (written even when empty).
    mutating func element(_ field: Int, _ value: String) {
        key(field, .lengthDelimited)
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Every element of a `repeated string` field, in order.
    mutating func strings(_ field: Int, _ values: [String]) {
        for value in values { element(field, value) }
    }

    /// A singular `bool` field; `false` (the default) is not written.
    mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        key(field, .varint)
        varint(1)
    }

    /// A message field, written even when the message is empty so that presence survives.
    mutating func message(_ field: Int, _ encoded: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(encoded.count))
        bytes.append(contentsOf: encoded)
    }

    /// A message field built by `body` into a fresh writer.
    mutating func message(_ field: Int, _ body: (inout OpenAPIProtobufWriter) -> Void) {
        var child = OpenAPIProtobufWriter()
        body(&child)
        message(field, child.bytes)
    }
}
