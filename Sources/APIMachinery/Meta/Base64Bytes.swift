/// A `format: byte` field: raw bytes written as standard base64 (Secret data, CA bundles).
/// Decoding rejects malformed base64 with the position of the first bad byte, as Go does.
public struct Base64Bytes: Sendable, Hashable, CustomStringConvertible, JSONCodable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The bytes read as UTF-8.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { base64 }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Standard base64 with padding.
    public var base64: String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(Self.alphabet[Int(n >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out.append(Self.alphabet[Int(n >> 18 & 63)])
            out.append(Self.alphabet[Int(n >> 12 & 63)])
            out.append(rest == 2 ? Self.alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard padded base64; the error names the offset of the first bad byte.
    public init(base64 text: String) throws(Base64Error) {
        // Go's decoder skips CR and LF.
        let input = text.utf8.filter { $0 != 0x0a && $0 != 0x0d }
        guard input.count % 4 == 0 else { throw Base64Error(offset: input.count / 4 * 4) }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            var n: UInt32 = 0
            var padding = 0
            for j in 0..<4 {
                let c = input[i + j]
                if c == UInt8(ascii: "="), i + 4 == input.count, j >= 2 {
                    if j == 2, input[i + 3] != UInt8(ascii: "=") { throw Base64Error(offset: i + 3) }
                    padding += 1
                    n <<= 6
                    continue
                }
                let v = Self.reverse[Int(c)]
                guard v >= 0, padding == 0 else { throw Base64Error(offset: i + j) }
                n = n << 6 | UInt32(v)
            }
            out.append(UInt8(n >> 16 & 0xff))
            if padding < 2 { out.append(UInt8(n >> 8 & 0xff)) }
            if padding < 1 { out.append(UInt8(n & 0xff)) }
            i += 4
        }
        bytes = out
    }

    public init(from reader: inout JSONReader) throws {
        let text = try reader.readString()
        do { try self.init(base64: text) } catch { throw reader.invalidValue(error.description) }
    }

    public func encode(to writer: inout JSONWriter) { writer.string(base64) }
}

public struct Base64Error: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var description: String { "illegal base64 data at input byte \(offset)" }
}
