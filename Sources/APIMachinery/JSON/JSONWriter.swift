/// Writes compact JSON bytes. Generated types write themselves member by member; commas are
/// placed by looking at the last byte written, so callers never track "first member" state.
///
/// Output matches Go's encoding/json for the same values: compact, map keys sorted, floats in
/// the shortest form that reads back exactly, no HTML escaping.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: - Structure

    @inlinable public mutating func beginObject() { bytes.append(UInt8(ascii: "{")) }
    @inlinable public mutating func endObject() { bytes.append(UInt8(ascii: "}")) }
    @inlinable public mutating func beginArray() { bytes.append(UInt8(ascii: "[")) }
    @inlinable public mutating func endArray() { bytes.append(UInt8(ascii: "]")) }

    /// Writes a separating comma unless this is the first member or element of its container.
    @inlinable
    public mutating func separator() {
        if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Writes `"key":` for a key known to need no escaping (generated field names).
    @inlinable
    public mutating func key(_ key: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes `"key":` for any key, escaping as needed.
    public mutating func key(_ key: String) {
        separator()
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes a member whose value is always present (Go's non-omitempty fields).
    @inlinable
    public mutating func field<T: JSONEncodable>(_ name: StaticString, _ value: T) {
        key(name)
        value.encode(to: &self)
    }

    /// Writes a member only when the value is not nil.
    @inlinable
    public mutating func field<T: JSONEncodable>(_ name: StaticString, _ value: T?) {
        guard let value else { return }
        key(name)
        value.encode(to: &self)
    }

    // MARK: - Scalars

    public mutating func null() { append("null") }
    public mutating func bool(_ value: Bool) { append(value ? "true" : "false") }

    public mutating func int(_ value: Int64) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Go's float formatting: integral values without a fraction, exponent form outside
    /// [1e-6, 1e21), otherwise the shortest round-tripping decimal.
    public mutating func double(_ value: Double) {
        guard value.isFinite else {
            null()  // JSON has no NaN or infinity; Go refuses them, we write null.
            return
        }
        let magnitude = abs(value)
        if value == value.rounded(), magnitude < 1e18 {
            int(Int64(value))
            return
        }
        var text = "\(value)"
        if magnitude < 1e21, magnitude >= 1e-6, text.contains("e") {
            // Swift switched to exponent form where Go would not: expand it.
            text = Self.expandExponent(text)
        }
        // Go writes 1e-07 as 1e-07; Swift writes 1e-07 too, and 1e+21 both sides.
        bytes.append(contentsOf: text.utf8)
    }

    private static func expandExponent(_ text: String) -> String {
        let parts = text.split(separator: "e")
        guard parts.count == 2, let exponent = Int(parts[1]) else { return text }
        var mantissa = String(parts[0])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(pieces[0]) + (pieces.count > 1 ? String(pieces[1]) : "")
        var point = pieces[0].count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: -point + 1) + digits
            point = 1
        }
        while digits.count < point { digits += "0" }
        var result = String(digits.prefix(point))
        let fraction = digits.dropFirst(point).drop { _ in false }
        let trimmed = String(fraction.reversed().drop { $0 == "0" }.reversed())
        if !trimmed.isEmpty { result += "." + trimmed }
        return (negative ? "-" : "") + result
    }

    /// Writes a string literal with the escapes JSON requires.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var utf8 = value.utf8
        let done: Void? = utf8.withContiguousStorageIfAvailable { buffer in
            appendEscaped(buffer)
        }
        if done == nil {
            var copy = value
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
            utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in 0..<buffer.count {
            let b = buffer[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<i]))
            switch b {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0a: append("\\n")
            case 0x0d: append("\\r")
            case 0x09: append("\\t")
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                append("\\u00")
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xf)])
            }
            runStart = i + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<buffer.count]))
    }

    /// Writes a whole tree.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements {
                separator()
                self.value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    @inline(__always)
    private mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
