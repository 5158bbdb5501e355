/// Validators for the name formats Kubernetes uses for label keys, label
/// values and DNS-style object names.
///
/// Every function returns the list of problems found, worded like
/// `k8s.io/apimachinery/pkg/util/validation`; an empty list means the input
/// is valid. Lengths are measured in UTF-8 bytes, as upstream does, and only
/// ASCII characters can ever satisfy the character classes.
public enum NameValidation {
    /// Maximum length of the name part of a qualified name (label key).
    public static let qualifiedNameMaxLength = 63
    /// Maximum length of a label value.
    public static let labelValueMaxLength = 63
    /// Maximum length of an RFC 1123 label.
    public static let dns1123LabelMaxLength = 63
    /// Maximum length of an RFC 1123 subdomain.
    public static let dns1123SubdomainMaxLength = 253

    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFormat = "(" + qualifiedNameFormat + ")?"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

    /// Checks a qualified name (the label-key format): an optional DNS-1123
    /// subdomain prefix and `/`, then a name of at most 63 characters matching
    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    public static func isQualifiedName(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part " + emptyError())
            } else {
                errors += isDNS1123Subdomain(String(prefix)).map { "prefix part " + $0 }
            }
        default:
            return [
                "a valid label key "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"])
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part " + emptyError())
        } else if name.utf8.count > qualifiedNameMaxLength {
            errors.append("name part " + maxLengthError(qualifiedNameMaxLength))
        }
        if !isQualifiedNamePart(name.utf8) {
            errors.append(
                "name part "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    /// Checks a label value: empty, or at most 63 characters matching
    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    public static func isValidLabelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > labelValueMaxLength {
            errors.append(maxLengthError(labelValueMaxLength))
        }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) {
            errors.append(regexError(labelValueMessage, labelValueFormat, examples: ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    /// Checks an RFC 1123 label: at most 63 lower-case alphanumerics or `-`,
    /// starting and ending with an alphanumeric.
    public static func isDNS1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123LabelMaxLength {
            errors.append(maxLengthError(dns1123LabelMaxLength))
        }
        if !isDNSLabel(value.utf8) {
            if isDNSSubdomain(value.utf8) {
                errors.append("must not contain dots")
            } else {
                errors.append(regexError(dns1123LabelMessage, dns1123LabelFormat, examples: ["my-name", "123-abc"]))
            }
        }
        return errors
    }

    /// Checks an RFC 1123 subdomain: at most 253 characters of dot-separated
    /// RFC 1123 labels.
    public static func isDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength {
            errors.append(maxLengthError(dns1123SubdomainMaxLength))
        }
        if !isDNSSubdomain(value.utf8) {
            errors.append(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, examples: ["example.com"]))
        }
        return errors
    }

    // MARK: - Message builders (upstream wording)

    static func emptyError() -> String { "must be non-empty" }

    static func maxLengthError(_ length: Int) -> String { "must be no more than \(length) bytes" }

    static func regexError(_ message: String, _ format: String, examples: [String]) -> String {
        if examples.isEmpty {
            return message + " (regex used for validation is '" + format + "')"
        }
        var result = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { result += " or " }
            result += "'" + example + "', "
        }
        return result + "regex used for validation is '" + format + "')"
    }

    // MARK: - Character-class matchers

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Whole-string match of `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    static func isQualifiedNamePart<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first), let last = bytes.last, isAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// Whole-string match of `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    static func isDNSLabel<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, isLowerAlphanumeric(first), let last = bytes.last,
            isLowerAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whole-string match of the RFC 1123 subdomain expression: one or more
    /// DNS labels joined by single dots.
    static func isDNSSubdomain<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { isDNSLabel($0) }
    }
}

// MARK: - Error rendering shared by selectors and validation

/// Collects `field.Invalid`-style errors and renders them like upstream's
/// aggregate: one message alone, several as `[a, b]` without duplicates.
struct FieldErrorList {
    private(set) var messages: [String] = []

    mutating func invalid(_ path: String, quoted value: String, _ detail: String) {
        invalid(path, rendered: SelectorText.goQuoted(value), detail)
    }

    mutating func invalid(_ path: String, rendered value: String, _ detail: String) {
        messages.append("\(path): Invalid value: \(value): \(detail)")
    }

    var aggregate: SelectorParseError? {
        var unique: [String] = []
        for message in messages where !unique.contains(message) { unique.append(message) }
        switch unique.count {
        case 0: return nil
        case 1: return SelectorParseError(unique[0])
        default: return SelectorParseError("[" + unique.joined(separator: ", ") + "]")
        }
    }
}

/// Go-compatible renderings of values inside error messages.
public enum SelectorText {
    /// Like Go's `%q`: double-quoted with escapes for quotes, backslashes and
    /// non-printable characters.
    public static func goQuoted(_ text: String) -> String {
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
                if scalar == " " || (scalar.value > 0x20 && scalar.value < 0x7F) {
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

    /// Like Go's `json.Marshal` of a `[]string` (HTML-safe escaping).
    static func jsonArray(_ values: [String]) -> String {
        "[" + values.map(jsonString).joined(separator: ",") + "]"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex(scalar.value, width: 4)
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Go's `unicode.IsPrint` without its ASCII-space exception: letters, marks, numbers,
    /// punctuation and symbols.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .spaceSeparator, .lineSeparator, .paragraphSeparator:
            false
        default: true
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
