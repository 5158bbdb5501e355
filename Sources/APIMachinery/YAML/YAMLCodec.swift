import Yams

/// YAML input, converted to JSON trees the way Kubernetes' YAML reader does (YAML 1.1 scalars:
/// `yes`/`on` are booleans, `0x1F` and `0o17` integers; timestamps stay strings).
///
/// A mapping with a duplicate key is an error in every mode (the YAML parser refuses it),
/// naming the key and its line.
public enum YAMLCodec {
    /// Every document of a multi-document stream (`---` separated), skipping empty ones.
    public static func parseDocuments(_ text: String) throws -> [JSONValue] {
        var documents: [JSONValue] = []
        do {
            var nodes = try Yams.compose_all(yaml: text)
            while let node = nodes.next() {
                try AliasBudget.check(node)
                var path = YAMLPath()
                let value = try convert(node, path: &path)
                if value != .null { documents.append(value) }
            }
            // The sequence stops at a syntax error and keeps it rather than throwing.
            if let error = nodes.error { throw error }
        } catch let error as YAMLDecodeError {
            throw error
        } catch {
            throw YAMLDecodeError(message: "error converting YAML to JSON: \(error)")
        }
        return documents
    }

    /// A single document; throws if the text holds more or none.
    public static func parse(_ text: String) throws -> JSONValue {
        let documents = try parseDocuments(text)
        guard documents.count == 1 else {
            throw YAMLDecodeError(message: "expected exactly one YAML document, found \(documents.count)")
        }
        return documents[0]
    }

    /// Decodes one document into a typed value; `strict` reports unknown and duplicate fields.
    public static func decode<T: JSONDecodable>(_ type: T.Type, from text: String, strict: Bool = false) throws -> T {
        try JSONCodec.decode(type, from: parse(text), strict: strict)
    }

    /// go-yaml's guard against alias bombs ("billion laughs"), decided before anything is
    /// expanded: every node converted counts one decode, and one alias when it is a reference to
    /// an anchor; with more than 100 aliases and 1,000 decodes, aliases may make up at most 99%
    /// of the decodes up to 400,000, falling linearly to 10% at 4,000,000. The expanded counts
    /// are computed once per anchor (memoized), so the check costs the size of the text, and a
    /// 1 KB document that would expand to billions of nodes is refused at once.
    enum AliasBudget {
        static func check(_ node: Node) throws {
            var memo: [ObjectIdentifier: (decodes: Double, aliases: Double)] = [:]
            let (decodes, aliases) = counts(node, memo: &memo)
            if aliases > 100 && decodes > 1000 && aliases / decodes > allowedRatio(decodes) {
                throw YAMLDecodeError(message: "error converting YAML to JSON: yaml: document contains excessive aliasing")
            }
        }

        /// Decodes and aliases of converting `node` with its aliases expanded.
        private static func counts(_ node: Node, memo: inout [ObjectIdentifier: (decodes: Double, aliases: Double)]) -> (Double, Double) {
            let anchor = node.anchor.map(ObjectIdentifier.init)
            if let anchor, let known = memo[anchor] { return (known.decodes, known.aliases + 1) }
            var decodes = 1.0
            var aliases = 0.0
            switch node {
            case .sequence(let sequence):
                for element in sequence {
                    let (d, a) = counts(element, memo: &memo)
                    decodes += d
                    aliases += a
                }
            case .mapping(let mapping):
                for pair in mapping {
                    for child in [pair.key, pair.value] {
                        let (d, a) = counts(child, memo: &memo)
                        decodes += d
                        aliases += a
                    }
                }
            case .scalar, .alias:
                break
            }
            if let anchor { memo[anchor] = (decodes, aliases) }
            return (decodes, aliases)
        }

        static func allowedRatio(_ decodes: Double) -> Double {
            if decodes <= 400_000 { return 0.99 }
            if decodes >= 4_000_000 { return 0.10 }
            return 0.99 - 0.89 * (decodes - 400_000) / 3_600_000
        }
    }

    private static func convert(_ node: Node, path: inout YAMLPath) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try convert(scalar, tag: node.tag.rawValue, path: path.description)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (offset, element) in sequence.enumerated() {
                path.parts.append(.index(offset))
                elements.append(try convert(element, path: &path))
                path.parts.removeLast()
            }
            return .array(elements)
        case .mapping(let mapping):
            var members: [JSONObject.Member] = []
            var merged: [JSONObject.Member] = []
            for pair in mapping {
                if pair.key.tag.rawValue == Tag.Name.merge.rawValue {
                    // `<<: *anchor` merges the referenced mapping(s) under explicit keys.
                    let sources: [JSONValue]
                    switch try convert(pair.value, path: &path) {
                    case .array(let list): sources = list
                    case let single: sources = [single]
                    }
                    for case .object(let object) in sources { merged.append(contentsOf: object.members) }
                    continue
                }
                let key = try keyString(pair.key, path: path.description)
                path.parts.append(.key(key))
                members.append(.init(key: key, value: try convert(pair.value, path: &path)))
                path.parts.removeLast()
            }
            for member in merged where !members.contains(where: { $0.key == member.key }) {
                members.append(member)
            }
            return .object(JSONObject(members: members))
        case .alias:
            throw YAMLDecodeError(message: "error converting YAML to JSON: unresolved alias at \(path.description)")
        }
    }

    private static func keyString(_ node: Node, path: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw YAMLDecodeError(message: "error converting YAML to JSON: non-scalar mapping key at \(path.isEmpty ? "top level" : path)")
        }
        return scalar.string
    }

    private static func convert(_ scalar: Node.Scalar, tag: String, path: String) throws -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch Tag.Name(rawValue: tag) {
        case .null:
            return .null
        case .bool:
            return .bool(["yes", "true", "on"].contains(text.lowercased()))
        case .int:
            if let value = integer(text) { return .int(value) }
            if let value = Double(text.replacingOccurrences(of: "_", with: "")) { return .double(value) }
            return .string(text)
        case .float:
            let cleaned = text.replacingOccurrences(of: "_", with: "")
            guard let value = Double(cleaned), value.isFinite else {
                throw YAMLDecodeError(message: "error converting YAML to JSON: \(path.isEmpty ? "" : path + ": ")cannot represent \(text) in JSON")
            }
            return .double(value)
        default:
            return .string(text)
        }
    }

    /// YAML 1.1 integers: decimal, `0x`, `0o`/leading-zero octal, `0b`, with `_` separators.
    private static func integer(_ text: String) -> Int64? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        if digits.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0b") {
            radix = 2
            digits = digits.dropFirst(2)
        } else if digits.count > 1, digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        guard let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}

/// YAML that cannot be read or has no JSON equivalent.
public struct YAMLDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The position of the node being converted (`spec.containers[0]`), built into text only for
/// an error message.
struct YAMLPath: CustomStringConvertible {
    enum Part {
        case key(String)
        case index(Int)
    }

    var parts: [Part] = []

    var description: String {
        var text = ""
        for part in parts {
            switch part {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
