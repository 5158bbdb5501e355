/// A pull parser over UTF-8 JSON bytes that generated types decode themselves from, without an
/// intermediate tree.
///
/// Contract:
/// - Generated code calls `beginObject`/`nextKey` and `beginArray`/`nextElement` and the
///   `decode` family; the reader keeps the JSON path of the value being read, so errors and
///   strict-mode findings name it (`spec.containers[0].image`).
/// - With `collectStrictIssues`, unknown fields (reported by the caller through
///   `skipUnknownField`) and duplicate keys are recorded in `issues`; the last duplicate wins,
///   as in Go. Without it, unknown fields are skipped at no extra cost.
/// - A value of JSON `null` decodes to nil (`decode` returns an optional); callers put the
///   zero value in non-optional fields, as Go does.
/// - The buffer must outlive the reader: use `JSONCodec`, which scopes it.
public struct JSONReader {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var position: Int = 0
    /// Findings of strict decoding, in document order.
    public private(set) var issues: [StrictDecodingIssue] = []
    public let collectStrictIssues: Bool

    private enum PathComponent {
        case key(start: Int, end: Int, escaped: Bool)
        case index(Int)
        case mapKey(String)
    }

    private var path: [PathComponent] = []
    /// Keys seen in each open object; kept only when collecting strict issues.
    private var seenKeys: [[String]] = []

    /// Deepest nesting of objects and arrays accepted, as Go's encoding/json: deeper input is
    /// a syntax error ("exceeded max depth"), never a stack overflow.
    public static let maxDepth = 10_000

    public init(bytes: UnsafeBufferPointer<UInt8>, collectStrictIssues: Bool = false) {
        self.bytes = bytes
        self.collectStrictIssues = collectStrictIssues
        path.reserveCapacity(16)
    }

    // MARK: - Structure

    /// Consumes `{` (after whitespace); throws a type error naming `typeName` otherwise.
    public mutating func beginObject(of typeName: String) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
            throw mismatch(expected: typeName)
        }
        guard path.count < Self.maxDepth else { throw syntax("exceeded max depth") }
        position += 1
        path.append(.index(-1))  // placeholder replaced by each key
        if collectStrictIssues { seenKeys.append([]) }
    }

    /// The next key of the current object, or nil after consuming its closing `}`.
    public mutating func nextKey() throws -> String? {
        skipWhitespace()
        guard position < bytes.count else { throw syntax("unexpected end of JSON input") }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
            path.removeLast()
            if collectStrictIssues { seenKeys.removeLast() }
            return nil
        }
        if case .index(-1) = path[path.count - 1] {
            // first key: no comma expected
        } else {
            guard bytes[position] == UInt8(ascii: ",") else {
                throw syntax("invalid character \(describe(bytes[position])) after object key:value pair")
            }
            position += 1
            skipWhitespace()
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw syntax("invalid character \(describeCurrent()) looking for beginning of object key string")
        }
        let start = position + 1
        let (key, escaped) = try readStringLiteral()
        path[path.count - 1] = .key(start: start, end: position - 1, escaped: escaped)
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw syntax("invalid character \(describeCurrent()) after object key")
        }
        position += 1
        if collectStrictIssues {
            if seenKeys[seenKeys.count - 1].contains(key) {
                issues.append(StrictDecodingIssue(kind: .duplicateField, path: pathString))
            } else {
                seenKeys[seenKeys.count - 1].append(key)
            }
        }
        return key
    }

    /// Marks the key just read as the key of a map entry (so paths show `labels.app`).
    public mutating func markMapKey(_ key: String) {
        path[path.count - 1] = .mapKey(key)
    }

    /// Consumes `[`; throws a type error naming `typeName` otherwise.
    public mutating func beginArray(of typeName: String) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else {
            throw mismatch(expected: typeName)
        }
        guard path.count < Self.maxDepth else { throw syntax("exceeded max depth") }
        position += 1
        path.append(.index(-1))
    }

    /// Advances to the next array element; false after consuming the closing `]`.
    public mutating func nextElement() throws -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw syntax("unexpected end of JSON input") }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            path.removeLast()
            return false
        }
        guard case .index(let previous) = path[path.count - 1] else { return false }
        if previous >= 0 {
            guard bytes[position] == UInt8(ascii: ",") else {
                throw syntax("invalid character \(describe(bytes[position])) after array element")
            }
            position += 1
        }
        path[path.count - 1] = .index(previous + 1)
        return true
    }

    /// Skips the value of a key the type does not know, recording it in strict mode.
    public mutating func skipUnknownField() throws {
        if collectStrictIssues {
            issues.append(StrictDecodingIssue(kind: .unknownField, path: pathString))
        }
        try skipValue()
    }

    /// Consumes `null` if it is next and returns true; otherwise consumes nothing.
    public mutating func consumeNull() -> Bool {
        skipWhitespace()
        if position + 3 < bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
            bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
        {
            position += 4
            return true
        }
        return false
    }

    /// Decodes a `T`, or nil for JSON `null`.
    @inlinable
    public mutating func decode<T: JSONDecodable>(_ type: T.Type) throws -> T? {
        if consumeNull() { return nil }
        return try T(from: &self)
    }

    /// The next byte, without consuming it (call `skipWhitespace` first); nil at the end.
    public var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// After the top-level value: only whitespace may follow.
    public mutating func finish() throws {
        skipWhitespace()
        if position < bytes.count {
            throw syntax("invalid character \(describeCurrent()) after top-level value")
        }
    }

    // MARK: - Scalars

    public mutating func readString() throws -> String {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw mismatch(expected: "string") }
        return try readStringLiteral().0
    }

    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw mismatch(expected: "bool")
    }

    /// Reads an integer; fractions, exponents and out-of-range values are type errors.
    public mutating func readInt64(typeName: String = "int64") throws -> Int64 {
        skipWhitespace()
        let start = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || isDigit(bytes[position]) else {
            throw mismatch(expected: typeName)
        }
        try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Int64(text) else {
            throw JSONDecodeError(message: "json: cannot unmarshal number \(text) into \(fieldDescription) of type \(typeName)")
        }
        return value
    }

    public mutating func readInt32() throws -> Int32 {
        let start = position
        let value = try readInt64(typeName: "int32")
        guard let narrow = Int32(exactly: value) else {
            position = start
            throw JSONDecodeError(message: "json: cannot unmarshal number \(value) into \(fieldDescription) of type int32")
        }
        return narrow
    }

    public mutating func readDouble() throws -> Double {
        skipWhitespace()
        let start = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || isDigit(bytes[position]) else {
            throw mismatch(expected: "float64")
        }
        try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw syntax("invalid number \(text)") }
        return value
    }

    /// Reads any value into a tree (for free-form fields): recursive descent for the first
    /// `recursionLimit` levels (the fast path, where every real object lives), then iterative
    /// below that, so that nesting depth costs heap rather than call stack.
    public mutating func readValue() throws -> JSONValue {
        try readValue(recursionBudget: Self.recursionLimit)
    }

    /// Levels read by recursion before `readValueIteratively` takes over.
    static let recursionLimit = 128

    private mutating func readValue(recursionBudget: Int) throws -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw syntax("unexpected end of JSON input") }
        let byte = bytes[position]
        if recursionBudget == 0 && (byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")) {
            return try readValueIteratively()
        }
        switch byte {
        case UInt8(ascii: "{"):
            try beginObject(of: "object")
            var members: [JSONObject.Member] = []
            while let key = try nextKey() {
                members.append(.init(key: key, value: try readValue(recursionBudget: recursionBudget - 1)))
            }
            return .object(JSONObject(members: members))
        case UInt8(ascii: "["):
            try beginArray(of: "array")
            var elements: [JSONValue] = []
            while try nextElement() { elements.append(try readValue(recursionBudget: recursionBudget - 1)) }
            return .array(elements)
        default:
            return try readScalar()
        }
    }

    /// `readValue` with explicit stacks of open containers instead of recursion; each
    /// container's members are appended in place (the stacks own them uniquely).
    private mutating func readValueIteratively() throws -> JSONValue {
        var isObject: [Bool] = []
        var members: [[JSONObject.Member]] = []
        var keys: [String] = []
        var elements: [[JSONValue]] = []
        while true {
            // Read one scalar, or open a container and descend into its first value.
            var value: JSONValue
            skipWhitespace()
            guard position < bytes.count else { throw syntax("unexpected end of JSON input") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                try beginObject(of: "object")
                if let key = try nextKey() {
                    isObject.append(true)
                    members.append([])
                    keys.append(key)
                    continue
                }
                value = .object(JSONObject(members: []))
            case UInt8(ascii: "["):
                try beginArray(of: "array")
                if try nextElement() {
                    isObject.append(false)
                    elements.append([])
                    continue
                }
                value = .array([])
            default:
                value = try readScalar()
            }
            // Hand the value to the innermost open container, closing those that end here.
            while let object = isObject.last {
                if object {
                    let key = keys.removeLast()
                    members[members.count - 1].append(.init(key: key, value: value))
                    if let next = try nextKey() {
                        keys.append(next)
                        break
                    }
                    value = .object(JSONObject(members: members.removeLast()))
                } else {
                    elements[elements.count - 1].append(value)
                    if try nextElement() { break }
                    value = .array(elements.removeLast())
                }
                isObject.removeLast()
            }
            if isObject.isEmpty { return value }
        }
    }

    /// A string, boolean, null or number at the current position.
    private mutating func readScalar() throws -> JSONValue {
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return .string(try readStringLiteral().0)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            if consumeNull() { return .null }
            throw syntax("invalid character \(describeCurrent()) looking for beginning of value")
        default:
            let start = position
            guard bytes[position] == UInt8(ascii: "-") || isDigit(bytes[position]) else {
                throw syntax("invalid character \(describeCurrent()) looking for beginning of value")
            }
            let isInteger = try scanNumber()
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if isInteger, let value = Int64(text) { return .int(value) }
            guard let value = Double(text) else { throw syntax("invalid number \(text)") }
            return .double(value)
        }
    }

    /// Skips one value of any kind, checking its syntax; iterative like `readValue`.
    public mutating func skipValue() throws {
        var open: [Bool] = []  // true: an object, false: an array
        repeat {
            skipWhitespace()
            guard position < bytes.count else { throw syntax("unexpected end of JSON input") }
            var opened = false
            switch bytes[position] {
            case UInt8(ascii: "{"):
                try beginObject(of: "object")
                if try nextKey() != nil { open.append(true); opened = true }
            case UInt8(ascii: "["):
                try beginArray(of: "array")
                if try nextElement() { open.append(false); opened = true }
            default:
                _ = try readScalar()
            }
            if opened { continue }
            // Close every container whose last value this was.
            while let isObject = open.last {
                let more = isObject ? try nextKey() != nil : try nextElement()
                if more { break }
                open.removeLast()
            }
        } while !open.isEmpty
    }

    // MARK: - Errors

    /// The path of the value being read, in Kubernetes' notation: `spec.containers[0].name`.
    public var pathString: String {
        var out = ""
        for component in path {
            switch component {
            case .key(let start, let end, let escaped):
                if !out.isEmpty { out += "." }
                if escaped {
                    var copy = JSONReader(bytes: bytes)
                    copy.position = start - 1
                    out += (try? copy.readStringLiteral().0) ?? ""
                } else {
                    out += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
            case .mapKey(let key):
                if !out.isEmpty { out += "." }
                out += key
            case .index(let i) where i >= 0:
                out += "[\(i)]"
            case .index:
                break
            }
        }
        return out
    }

    private var fieldDescription: String {
        let p = pathString
        return p.isEmpty ? "value" : "field \(p)"
    }

    /// A type-mismatch error for the value at the current position.
    public func mismatch(expected typeName: String) -> JSONDecodeError {
        guard position < bytes.count else { return syntax("unexpected end of JSON input") }
        let found: String
        switch bytes[position] {
        case UInt8(ascii: "{"): found = "object"
        case UInt8(ascii: "["): found = "array"
        case UInt8(ascii: "\""): found = "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): found = "bool"
        case UInt8(ascii: "n"): found = "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): found = "number"
        default: return syntax("invalid character \(describeCurrent()) looking for beginning of value")
        }
        return JSONDecodeError(message: "json: cannot unmarshal \(found) into \(fieldDescription) of type \(typeName)")
    }

    /// An error for a value that is well-formed JSON but not valid for its field.
    public func invalidValue(_ detail: String) -> JSONDecodeError {
        JSONDecodeError(message: "\(fieldDescription.isEmpty ? "" : fieldDescription + ": ")\(detail)")
    }

    private func syntax(_ message: String) -> JSONDecodeError {
        JSONDecodeError(message: "\(message) (at byte offset \(position))", isSyntax: true)
    }

    private func describeCurrent() -> String {
        position < bytes.count ? describe(bytes[position]) : "end of input"
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7f { return "'\(Character(UnicodeScalar(byte)))'" }
        return "'\\x\(String(byte, radix: 16))'"
    }

    // MARK: - Lexing

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count {
            let b = bytes[position]
            guard b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 else { return }
            position += 1
        }
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard position + n <= bytes.count else { return false }
        let p = literal.utf8Start
        for i in 0..<n where bytes[position + i] != p[i] { return false }
        position += n
        return true
    }

    /// Scans a number per RFC 8259; returns true when it has no fraction or exponent.
    @discardableResult
    private mutating func scanNumber() throws -> Bool {
        var integer = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw syntax("invalid character \(describeCurrent()) in numeric literal")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integer = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw syntax("invalid character \(describeCurrent()) after decimal point in numeric literal")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integer = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw syntax("invalid character \(describeCurrent()) in exponent of numeric literal")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        return integer
    }

    /// Reads a string literal starting at the opening quote; returns it and whether it had escapes.
    mutating func readStringLiteral() throws -> (String, Bool) {
        position += 1
        let start = position
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return (s, false)
            }
            if b == UInt8(ascii: "\\") { return (try readEscapedString(from: start), true) }
            if b < 0x20 { throw syntax("invalid character \(describe(b)) in string literal") }
            position += 1
        }
        throw syntax("unexpected end of JSON input")
    }

    private mutating func readEscapedString(from start: Int) throws -> String {
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw syntax("invalid character \(describe(b)) in string literal") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { break }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "/"): out.append(0x2f)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let save = position
                        position += 2
                        let low = try readHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default:
                throw syntax("invalid character \(describe(e)) in string escape code")
            }
        }
        throw syntax("unexpected end of JSON input")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw syntax("unexpected end of JSON input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw syntax("invalid character \(describe(b)) in \\u hexadecimal character escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// A decoding failure: malformed JSON, or a value of the wrong type for its field.
public struct JSONDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// True for malformed JSON, false for well-formed JSON that does not fit the type.
    public var isSyntax: Bool = false
    public init(message: String, isSyntax: Bool = false) {
        self.message = message
        self.isSyntax = isSyntax
    }
    public var description: String { message }
}

/// A finding of strict decoding (`fieldValidation=Strict|Warn`).
public struct StrictDecodingIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case unknownField = "unknown field", duplicateField = "duplicate field" }
    public var kind: Kind
    /// JSON path in Kubernetes' notation, e.g. `spec.containers[0].imagePullPolicyy`.
    public var path: String
    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }
    /// As the apiserver words it: `unknown field "spec.foo"`.
    public var description: String { "\(kind.rawValue) \"\(path)\"" }
}
