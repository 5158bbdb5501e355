import APIMachinery
extension FieldError {
    /// A bad value rendered the way Go's `fmt` prints it inside a field error: strings
    /// quoted (`%q`), numbers and booleans plain, maps and slices in `%#v` syntax
    /// (`map[string]string{"app":"web"}`, `[]string{"a", "b"}`), nil pointers as `null`.
    struct Value: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        let text: String

        init(raw text: String) { self.text = text }
        init(stringLiteral value: String) { text = Value.goQuote(value) }
        init(integerLiteral value: Int64) { text = String(value) }

        static func string(_ value: String) -> Value { Value(raw: goQuote(value)) }
        static func int<T: BinaryInteger>(_ value: T) -> Value { Value(raw: String(value)) }
        static func bool(_ value: Bool) -> Value { Value(raw: value ? "true" : "false") }
        /// Printed verbatim (Go `Stringer` output such as quantities and int-or-strings).
        static func raw(_ text: String) -> Value { Value(raw: text) }
        static let null = Value(raw: "null")

        /// A `*string`: quoted, or `null` when absent.
        static func optionalString(_ value: String?) -> Value {
            guard let value else { return .null }
            return .string(value)
        }
        /// A `*int`: plain, or `null` when absent.
        static func optionalInt<T: BinaryInteger>(_ value: T?) -> Value {
            guard let value else { return .null }
            return .int(value)
        }

        /// `map[string]string{"a":"1", "b":"2"}` with sorted keys; `map[string]string(nil)` for nil.
        static func stringMap(_ map: [String: String]?) -> Value { Value(raw: goStringMap(map)) }

        /// `[]string{"a", "b"}`; `[]string(nil)` for nil.
        static func stringSlice(_ list: [String]?) -> Value { Value(raw: goStringSlice(list)) }

        // MARK: Go syntax helpers

        static func goStringMap(_ map: [String: String]?) -> String {
            guard let map else { return "map[string]string(nil)" }
            let entries = map.keys.sorted().map { goQuote($0) + ":" + goQuote(map[$0] ?? "") }
            return "map[string]string{" + entries.joined(separator: ", ") + "}"
        }

        static func goStringSlice(_ list: [String]?, type: String = "[]string") -> String {
            guard let list else { return type + "(nil)" }
            return type + "{" + list.map(goQuote).joined(separator: ", ") + "}"
        }

        /// Like Go's `strconv.Quote` (shared with the selector messages).
        static func goQuote(_ text: String) -> String { SelectorText.goQuoted(text) }
    }
}
