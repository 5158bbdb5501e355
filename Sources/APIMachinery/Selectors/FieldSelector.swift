/// One clause of a field selector: `field=value` or `field!=value`.
///
/// A missing field reads as the empty string, so `x=` matches objects
/// without `x` and `x!=` matches only objects with a non-empty `x`.
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var op: Operator
    /// The literal (unescaped) value.
    public var value: String

    /// Field selector operators; `==` parses as `equals`.
    public enum Operator: String, Sendable {
        case equals = "="
        case notEquals = "!="
    }

    public init(field: String, op: Operator, value: String) {
        self.field = field
        self.op = op
        self.value = value
    }

    /// Whether `fields` satisfy this requirement (absent fields read as "").
    public func matches(_ fields: [String: String]) -> Bool {
        let actual = fields[field] ?? ""
        return op == .equals ? actual == value : actual != value
    }

    /// Canonical text: `field=value` or `field!=value`, value escaped.
    public var description: String {
        field + op.rawValue + FieldSelectorQuery.escapeValue(value)
    }
}

/// A parsed field selector: the AND of its requirements.
///
/// Grammar (as upstream's `fields.ParseSelector`): comma-separated terms
/// `field=value`, `field==value` or `field!=value`. In values, `\\`, `\,` and
/// `\=` escape a backslash, comma and equals sign; unescaped `,` splits terms
/// and unescaped `=` is an error. Field names are not validated. Terms are
/// ordered by their raw text, and terms whose field and value are both empty
/// are dropped.
public struct FieldSelectorQuery: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [FieldRequirement]

    /// The selector with no requirements; matches everything.
    public static let everything = FieldSelectorQuery(requirements: [])

    /// Wraps `requirements` in the given order.
    public init(requirements: [FieldRequirement]) {
        self.requirements = requirements
    }

    /// A selector requiring every pair of `fields` exactly, sorted by field.
    public init(exactMatch fields: [String: String]) {
        let sorted = fields.sorted { SelectorOrdering.precedes($0.key, $1.key) }
        self.init(requirements: sorted.map { FieldRequirement(field: $0.key, op: .equals, value: $0.value) })
    }

    /// Parses the string form, e.g. `metadata.name=foo,status.phase!=Running`.
    /// Errors use upstream's messages: `invalid selector: '<selector>'; can't
    /// understand '<term>'` and `invalid field selector: ...` for escapes.
    public init(parsing text: String) throws(SelectorParseError) {
        var parsed: [FieldRequirement] = []
        let terms = Self.splitTerms(text).sorted(by: SelectorOrdering.precedes)
        for term in terms where !term.isEmpty {
            guard let (field, op, rawValue) = Self.splitTerm(term) else {
                throw SelectorParseError("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            let value = try Self.unescapeValue(rawValue)
            if field.isEmpty && value.isEmpty { continue }
            parsed.append(FieldRequirement(field: field, op: op, value: value))
        }
        self.init(requirements: parsed)
    }

    /// True when the selector has no requirements (matches everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether every requirement matches `fields`.
    public func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(fields) }
    }

    /// Canonical string form: requirements comma-joined with escaped values.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// The value of the first `field=value` requirement on `field`, if any.
    public func requiresExactMatch(_ field: String) -> String? {
        requirements.first { $0.field == field && $0.op == .equals }?.value
    }

    /// Escapes `\`, `,` and `=` with a backslash so a literal value can be
    /// embedded in a field selector.
    public static func escapeValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            if character == "\\" || character == "," || character == "=" { out += "\\" }
            out.unicodeScalars.append(character)
        }
        return out
    }

    /// Reverses `escapeValue`. Throws on an unknown escape (`\a`), a trailing
    /// lone backslash, or an unescaped `,` or `=`. As upstream, the latter
    /// message names the character by its decimal code point (e.g. `61`).
    public static func unescapeValue(_ value: String) throws(SelectorParseError) -> String {
        var out = ""
        var escaping = false
        for scalar in value.unicodeScalars {
            if escaping {
                guard scalar == "\\" || scalar == "," || scalar == "=" else {
                    throw SelectorParseError(
                        "invalid field selector: invalid escape sequence: \\" + String(Character(scalar)))
                }
                out.unicodeScalars.append(scalar)
                escaping = false
                continue
            }
            switch scalar {
            case "\\": escaping = true
            case ",", "=":
                throw SelectorParseError("invalid field selector: unescaped character in value: \(scalar.value)")
            default: out.unicodeScalars.append(scalar)
            }
        }
        if escaping {
            throw SelectorParseError("invalid field selector: invalid escape sequence: \\")
        }
        return out
    }

    /// Splits on commas not preceded by an escaping backslash; escapes stay
    /// in the returned terms. The empty string has no terms.
    static func splitTerms(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        let bytes = Array(text.utf8)
        var terms: [String] = []
        var start = 0
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: ",") {
                terms.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index + 1
            }
        }
        terms.append(String(decoding: bytes[start...], as: UTF8.self))
        return terms
    }

    /// Splits a term at the first operator (`!=`, then `==`, then `=` at each
    /// position). The field part has no escaping; the value is returned raw.
    static func splitTerm(_ term: String) -> (String, FieldRequirement.Operator, String)? {
        let bytes = Array(term.utf8)
        let equals = UInt8(ascii: "="), bang = UInt8(ascii: "!")
        for index in bytes.indices {
            let next = index + 1 < bytes.count ? bytes[index + 1] : nil
            if bytes[index] == bang && next == equals {
                let field = String(decoding: bytes[..<index], as: UTF8.self)
                return (field, .notEquals, String(decoding: bytes[(index + 2)...], as: UTF8.self))
            }
            if bytes[index] == equals {
                let skip = next == equals ? 2 : 1
                let field = String(decoding: bytes[..<index], as: UTF8.self)
                return (field, .equals, String(decoding: bytes[(index + skip)...], as: UTF8.self))
            }
        }
        return nil
    }
}
