/// A failure to parse or validate a label or field selector. `message` uses
/// the wording of `k8s.io/apimachinery`, so it can be returned to API clients
/// unchanged.
public struct SelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One clause of a label selector: a key, an operator and its values.
///
/// `values` is kept sorted (byte order); parsed selectors never contain
/// duplicates. A requirement built with the validating initializer obeys the
/// same rules as upstream's `labels.NewRequirement`.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var op: Operator
    public var values: [String]

    /// Label selector operators; raw values are upstream's `selection.Operator` strings.
    public enum Operator: String, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case in_ = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// Builds a requirement without validation; `values` are sorted.
    init(unchecked key: String, op: Operator, values: [String]) {
        self.key = key
        self.op = op
        self.values = values.sorted(by: SelectorOrdering.precedes)
    }

    /// Builds a validated requirement. Throws if the key is not a qualified
    /// name, a value is not a valid label value, `in`/`notin` have no values,
    /// `=`/`==`/`!=` do not have exactly one, `exists`/`!` have any, or
    /// `gt`/`lt` do not have exactly one 64-bit integer.
    public init(key: String, op: Operator, values: [String]) throws(SelectorParseError) {
        try self.init(validating: key, op: op, values: values, emptyValuesAsNull: false)
    }

    /// Validating initializer; `emptyValuesAsNull` renders an empty value list
    /// as `null` in messages (upstream does so for API-object selectors).
    init(validating key: String, op: Operator, values: [String], emptyValuesAsNull: Bool) throws(SelectorParseError) {
        var errors = FieldErrorList()
        let keyErrors = NameValidation.isQualifiedName(key)
        if !keyErrors.isEmpty {
            errors.invalid("key", quoted: key, keyErrors.joined(separator: "; "))
        }
        let renderedValues = values.isEmpty && emptyValuesAsNull ? "null" : SelectorText.jsonArray(values)
        switch op {
        case .in_, .notIn:
            if values.isEmpty {
                errors.invalid("values", rendered: renderedValues, "for 'in', 'notin' operators, values set can't be empty")
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                errors.invalid("values", rendered: renderedValues, "exact-match compatibility requires one single value")
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                errors.invalid(
                    "values", rendered: renderedValues, "values set must be empty for exists and does not exist")
            }
        case .greaterThan, .lessThan:
            if values.count != 1 {
                errors.invalid("values", rendered: renderedValues, "for 'Gt', 'Lt' operators, exactly one value is required")
            }
            for (index, value) in values.enumerated() where Int64(value, radix: 10) == nil {
                errors.invalid(
                    "values[\(index)]", quoted: value, "for 'Gt', 'Lt' operators, the value must be an integer")
            }
        }
        for (index, value) in values.enumerated() {
            let valueErrors = NameValidation.isValidLabelValue(value)
            if !valueErrors.isEmpty {
                errors.invalid("values[\(index)][\(key)]", quoted: value, valueErrors.joined(separator: "; "))
            }
        }
        if let error = errors.aggregate { throw error }
        self.init(unchecked: key, op: op, values: values)
    }

    /// Whether `labels` satisfy this requirement. `notin` and `!=` match when
    /// the key is absent; `gt`/`lt` need the label to parse as an integer.
    public func matches(_ labels: [String: String]) -> Bool {
        switch op {
        case .in_, .equals, .doubleEquals:
            guard let value = labels[key] else { return false }
            return values.contains(value)
        case .notIn, .notEquals:
            guard let value = labels[key] else { return true }
            return !values.contains(value)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            guard let raw = labels[key], let actual = Int64(raw, radix: 10), values.count == 1,
                let bound = Int64(values[0], radix: 10)
            else { return false }
            return op == .greaterThan ? actual > bound : actual < bound
        }
    }

    /// Canonical text, e.g. `x in (a,b)`, `!x`, `x!=y`, `x>3`.
    public var description: String {
        var text = op == .doesNotExist ? "!" + key : key
        switch op {
        case .exists, .doesNotExist: return text
        case .equals: text += "="
        case .doubleEquals: text += "=="
        case .notEquals: text += "!="
        case .in_: text += " in ("
        case .notIn: text += " notin ("
        case .greaterThan: text += ">"
        case .lessThan: text += "<"
        }
        text += values.sorted(by: SelectorOrdering.precedes).joined(separator: ",")
        if op == .in_ || op == .notIn { text += ")" }
        return text
    }
}

/// A parsed label selector: the AND of its requirements, kept sorted by key.
///
/// An empty selector matches everything. Use `init(parsing:)` for the string
/// form (`?labelSelector=`) and `MetaV1.LabelSelector.query()` for API objects.
public struct LabelSelectorQuery: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [LabelRequirement]

    /// The selector with no requirements; matches every label set.
    public static let everything = LabelSelectorQuery(requirements: [])

    /// Wraps `requirements`, stably sorting them by key (byte order).
    public init(requirements: [LabelRequirement]) {
        self.requirements = SelectorOrdering.stableSorted(requirements) { $0.key }
    }

    /// A selector requiring every pair of `labels` exactly (`key=value`).
    /// Performs no validation, like upstream's `SelectorFromSet`.
    public init(exactMatch labels: [String: String]) {
        self.init(requirements: labels.map { LabelRequirement(unchecked: $0.key, op: .equals, values: [$0.value]) })
    }

    /// Parses the string form, e.g. `env in (prod,qa),tier!=web,!legacy,x>2`.
    /// The empty (or all-whitespace) string yields `everything`. Errors use
    /// upstream's messages (`unable to parse requirement: ...`, `found ',',
    /// expected: ...`).
    public init(parsing text: String) throws(SelectorParseError) {
        var parser = LabelSelectorParser(text)
        self.init(requirements: try parser.parse())
    }

    /// True when the selector has no requirements (matches everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether every requirement matches `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Canonical string form (requirements sorted by key, comma-joined), as
    /// upstream's `String()`; parsing it yields an equal selector.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// If the first requirement on `key` pins it to one value (`=`, `==`, or
    /// `in` with a single value), returns that value; otherwise nil.
    public func requiresExactMatch(_ key: String) -> String? {
        guard let requirement = requirements.first(where: { $0.key == key }) else { return nil }
        switch requirement.op {
        case .equals, .doubleEquals, .in_:
            return requirement.values.count == 1 ? requirement.values[0] : nil
        default:
            return nil
        }
    }
}

// MARK: - Lexer

private enum LabelTokenKind: Equatable {
    case error, endOfString, closedPar, comma, doesNotExist, doubleEquals, equals
    case greaterThan, identifier, in_, lessThan, notEquals, notIn, openPar

    /// Literal spellings of the keyword and symbol tokens.
    static func keyword(_ text: [UInt8]) -> LabelTokenKind? {
        switch String(decoding: text, as: UTF8.self) {
        case ")": .closedPar
        case ",": .comma
        case "!": .doesNotExist
        case "==": .doubleEquals
        case "=": .equals
        case ">": .greaterThan
        case "in": .in_
        case "<": .lessThan
        case "!=": .notEquals
        case "notin": .notIn
        case "(": .openPar
        default: nil
        }
    }
}

private struct LabelToken {
    var kind: LabelTokenKind
    var literal: String
}

/// Byte-oriented tokenizer with upstream's rules: whitespace separates tokens,
/// `=!(),<>` form operator tokens (longest match), everything else builds
/// identifiers, and `in`/`notin` are keywords.
private struct LabelSelectorLexer {
    let bytes: [UInt8]
    var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Next byte, or 0 at the end of input (a NUL byte also reads as 0).
    mutating func read() -> UInt8 {
        guard position < bytes.count else { return 0 }
        position += 1
        return bytes[position - 1]
    }

    mutating func unread() { position -= 1 }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: ","), UInt8(ascii: ">"), UInt8(ascii: "<"):
            true
        default: false
        }
    }

    mutating func next() -> LabelToken {
        var byte = read()
        while Self.isWhitespace(byte) { byte = read() }
        if byte == 0 { return LabelToken(kind: .endOfString, literal: "") }
        unread()
        return Self.isSpecial(byte) ? scanSymbol() : scanWord()
    }

    private mutating func scanWord() -> LabelToken {
        var word: [UInt8] = []
        while true {
            let byte = read()
            if byte == 0 { break }
            if Self.isSpecial(byte) || Self.isWhitespace(byte) {
                unread()
                break
            }
            word.append(byte)
        }
        let literal = String(decoding: word, as: UTF8.self)
        return LabelToken(kind: LabelTokenKind.keyword(word) ?? .identifier, literal: literal)
    }

    private mutating func scanSymbol() -> LabelToken {
        var buffer: [UInt8] = []
        var best: LabelToken?
        while true {
            let byte = read()
            if byte == 0 { break }
            guard Self.isSpecial(byte) else {
                unread()
                break
            }
            buffer.append(byte)
            if let kind = LabelTokenKind.keyword(buffer) {
                best = LabelToken(kind: kind, literal: String(decoding: buffer, as: UTF8.self))
            } else if best != nil {
                unread()
                break
            }
        }
        return best
            ?? LabelToken(kind: .error, literal: "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'")
    }
}

// MARK: - Parser

/// Recursive-descent parser for the label selector grammar:
/// `[!] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]`,
/// requirements separated by commas.
private struct LabelSelectorParser {
    private var tokens: [LabelToken] = []
    private var position = 0

    init(_ text: String) {
        var lexer = LabelSelectorLexer(text)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .endOfString { break }
        }
    }

    /// Where `in`/`notin` are read: as values they are plain identifiers.
    private enum Context { case keyAndOperator, values }

    private func peek(_ context: Context) -> LabelToken {
        adjust(tokens[position], context)
    }

    private mutating func take(_ context: Context) -> LabelToken {
        position += 1
        return adjust(tokens[position - 1], context)
    }

    private func adjust(_ token: LabelToken, _ context: Context) -> LabelToken {
        guard context == .values, token.kind == .in_ || token.kind == .notIn else { return token }
        return LabelToken(kind: .identifier, literal: token.literal)
    }

    private static func fail(_ message: String) -> SelectorParseError { SelectorParseError(message) }

    mutating func parse() throws(SelectorParseError) -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        while true {
            let token = peek(.values)
            switch token.kind {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw Self.fail("unable to parse requirement: \(error.message)")
                }
                let separator = take(.values)
                switch separator.kind {
                case .endOfString:
                    return requirements
                case .comma:
                    let following = peek(.values)
                    if following.kind != .identifier && following.kind != .doesNotExist {
                        throw Self.fail("found '\(following.literal)', expected: identifier after ','")
                    }
                default:
                    throw Self.fail("found '\(separator.literal)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw Self.fail("found '\(token.literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(SelectorParseError) -> LabelRequirement {
        var token = take(.values)
        var negated = false
        if token.kind == .doesNotExist {
            negated = true
            token = take(.values)
        }
        guard token.kind == .identifier else {
            throw Self.fail("found '\(token.literal)', expected: identifier")
        }
        let key = token.literal
        let keyErrors = NameValidation.isQualifiedName(key)
        if !keyErrors.isEmpty {
            // Upstream reports this with a nil field path.
            throw Self.fail(
                "<nil>: Invalid value: \(SelectorText.goQuoted(key)): \(keyErrors.joined(separator: "; "))")
        }
        let next = peek(.values).kind
        if negated || next == .endOfString || next == .comma {
            return try LabelRequirement(key: key, op: negated ? .doesNotExist : .exists, values: [])
        }
        let op = try parseOperator()
        let values: [String]
        switch op {
        case .in_, .notIn: values = try parseValueSet()
        default: values = try parseSingleValue()
        }
        return try LabelRequirement(key: key, op: op, values: values)
    }

    private mutating func parseOperator() throws(SelectorParseError) -> LabelRequirement.Operator {
        let token = take(.keyAndOperator)
        switch token.kind {
        case .in_: return .in_
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default:
            throw Self.fail("found '\(token.literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    /// `( v1, v2, ... )`; empty entries (`()`, `(a,)`, `(,a)`, `(a,,b)`) mean
    /// the empty value. Returns a sorted, duplicate-free list.
    private mutating func parseValueSet() throws(SelectorParseError) -> [String] {
        let open = take(.values)
        guard open.kind == .openPar else { throw Self.fail("found '\(open.literal)' expected: '('") }
        let first = peek(.values)
        switch first.kind {
        case .closedPar:
            _ = take(.values)
            return [""]
        case .identifier, .comma:
            var values = Set<String>()
            while true {
                let token = take(.values)
                switch token.kind {
                case .identifier:
                    values.insert(token.literal)
                    let after = peek(.values)
                    switch after.kind {
                    case .comma: continue
                    case .closedPar:
                        _ = take(.values)
                        return values.sorted(by: SelectorOrdering.precedes)
                    default: throw Self.fail("found '\(after.literal)', expected: ',' or ')'")
                    }
                case .comma:
                    // A comma with nothing before it, after it, or next to
                    // another comma stands for an empty value.
                    if values.isEmpty { values.insert("") }
                    switch peek(.values).kind {
                    case .closedPar:
                        values.insert("")
                        _ = take(.values)
                        return values.sorted(by: SelectorOrdering.precedes)
                    case .comma:
                        values.insert("")
                    default:
                        break
                    }
                default:
                    throw Self.fail("found '\(token.literal)', expected: ',', or identifier")
                }
            }
        default:
            throw Self.fail("found '\(first.literal)', expected: ',', ')' or identifier")
        }
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`; absent means empty.
    private mutating func parseSingleValue() throws(SelectorParseError) -> [String] {
        let next = peek(.values).kind
        if next == .endOfString || next == .comma { return [""] }
        let token = take(.values)
        guard token.kind == .identifier else { throw Self.fail("found '\(token.literal)', expected: identifier") }
        return [token.literal]
    }
}

// MARK: - Shared helpers

/// Byte-wise string ordering (Go's `sort.Strings`), independent of Unicode
/// normalization.
enum SelectorOrdering {
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    static func stableSorted<T>(_ items: [T], by key: (T) -> String) -> [T] {
        items.enumerated().sorted { a, b in
            let (ka, kb) = (key(a.element), key(b.element))
            return ka == kb ? a.offset < b.offset : precedes(ka, kb)
        }.map(\.element)
    }
}
