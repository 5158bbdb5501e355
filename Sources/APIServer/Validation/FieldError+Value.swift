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

        /// Like Go's `strconv.Quote`: double quotes, backslash escapes for quotes, backslashes
        /// and control characters, `\u`/`\U` for non-printable scalars.
        static func goQuote(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\u{07}": out += "\\a"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{0B}": out += "\\v"
                default:
                    if scalar.value >= 0x20 && scalar.value < 0x7F {
                        out.unicodeScalars.append(scalar)
                    } else if scalar.value < 0x80 {
                        out += "\\x" + hex(scalar.value, width: 2)
                    } else if isPrintable(scalar) {
                        out.unicodeScalars.append(scalar)
                    } else if scalar.value <= 0xFFFF {
                        out += "\\u" + hex(scalar.value, width: 4)
                    } else {
                        out += "\\U" + hex(scalar.value, width: 8)
                    }
                }
            }
            return out + "\""
        }

        private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
                false
            case .spaceSeparator:
                scalar == " "
            default:
                true
            }
        }

        private static func hex(_ value: UInt32, width: Int) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }
}
