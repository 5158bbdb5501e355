/// An RFC 6901 JSON pointer: `""` is the whole document; `/a/b~1c/0` is the member `a`, then its
/// member `b/c`, then element (or member) `0`. In a token `~1` stands for `/` and `~0` for `~`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens, outermost first.
    public let tokens: [String]

    /// Parses pointer text; nil when it is neither empty nor starts with `/`, or has a `~`
    /// not followed by `0` or `1`.
    public init?(_ text: String) {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { return nil }
        var parsed: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = Self.unescape(raw) else { return nil }
            parsed.append(token)
        }
        tokens = parsed
    }

    public init(tokens: [String]) { self.tokens = tokens }

    /// The pointer text, escaped; parsing it gives this pointer back.
    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    /// `token` with `~` written `~0` and `/` written `~1`.
    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        var out = ""
        for c in token {
            switch c {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(c)
            }
        }
        return out
    }

    /// The value this pointer refers to inside `document`, or nil when some token does not
    /// resolve (missing member, index out of range or not a number, a scalar on the way).
    public func value(in document: JSONValue) -> JSONValue? {
        Self.resolve(tokens[...], in: document)
    }

    static func resolve(_ tokens: ArraySlice<String>, in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = arrayIndex(token), index < array.count else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a token names: decimal digits without leading zeros; nil otherwise
    /// (including `-`, which callers handle themselves where it is allowed).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        if token.utf8.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }

    private static func unescape(_ raw: Substring) -> String? {
        guard raw.contains("~") else { return String(raw) }
        var out = ""
        var iterator = raw.makeIterator()
        while let c = iterator.next() {
            guard c == "~" else {
                out.append(c)
                continue
            }
            switch iterator.next() {
            case "0"?: out.append("~")
            case "1"?: out.append("/")
            default: return nil
            }
        }
        return out
    }
}
