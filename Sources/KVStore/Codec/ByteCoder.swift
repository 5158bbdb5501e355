/// Compact binary encoding for peer messages and snapshots: unsigned LEB128 varints and
/// length-prefixed byte strings.
///
/// `ByteReader` never traps on bad input: every read past the end or over a limit throws
/// `ByteReader.Malformed`, so garbage from the network is rejected, not crashed on.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: value)) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func data(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { data(Array(value.utf8)) }
}

struct ByteReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func varint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw Malformed(description: "truncated varint") }
            let b = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Malformed(description: "varint too long") }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signed() throws(Malformed) -> Int64 { Int64(bitPattern: try varint()) }

    mutating func byte() throws(Malformed) -> UInt8 {
        guard offset < bytes.count else { throw Malformed(description: "truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(Malformed) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed(description: "bad boolean")
        }
    }

    mutating func data() throws(Malformed) -> [UInt8] {
        let count = try varint()
        guard count <= UInt64(remaining) else { throw Malformed(description: "length \(count) past the end") }
        defer { offset += Int(count) }
        return Array(bytes[offset..<offset + Int(count)])
    }

    mutating func string() throws(Malformed) -> String {
        String(decoding: try data(), as: UTF8.self)
    }

    /// A count of items that will each take at least one byte: bounded by what is left.
    mutating func count() throws(Malformed) -> Int {
        let n = try varint()
        guard n <= UInt64(remaining) else { throw Malformed(description: "count \(n) past the end") }
        return Int(n)
    }
}
