import APIMachinery

/// String formats shared by the validators, each returning upstream's messages
/// (`k8s.io/apimachinery/pkg/util/validation`); an empty list means valid.
/// DNS names, qualified names and label values delegate to `NameValidation`.
enum ValidationFormats {
    // MARK: Message builders

    static func maxLenError(_ length: Int) -> String { "must be no more than \(length) characters" }

    static func inclusiveRangeError(_ low: Int64, _ high: Int64) -> String {
        "must be between \(low) and \(high), inclusive"
    }

    static func regexError(_ message: String, _ format: String, _ examples: [String]) -> String {
        if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'" + example + "', "
        }
        return text + "regex used for validation is '" + format + "')"
    }

    // MARK: Names

    static func dns1123Label(_ value: String) -> [String] { NameValidation.isDNS1123Label(value) }
    static func dns1123Subdomain(_ value: String) -> [String] { NameValidation.isDNS1123Subdomain(value) }
    static func qualifiedName(_ value: String) -> [String] { NameValidation.isQualifiedName(value) }
    static func labelValue(_ value: String) -> [String] { NameValidation.isValidLabelValue(value) }

    /// RFC 1035 label: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters (Service names).
    static func dns1035Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLenError(63)) }
        let bytes = Array(value.utf8)
        let valid = !bytes.isEmpty && isLower(bytes[0]) && isLowerAlphanumeric(bytes[bytes.count - 1])
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        if !valid {
            errors.append(
                regexError(
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                    "[a-z]([-a-z0-9]*[a-z0-9])?", ["my-name", "abc-123"]))
        }
        return errors
    }

    /// `*.` followed by a DNS-1123 subdomain (ingress hosts).
    static func wildcardDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append(maxLenError(253)) }
        let valid = value.hasPrefix("*.") && dns1123Subdomain(String(value.dropFirst(2))).isEmpty
        if !valid {
            errors.append(
                regexError(
                    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
                    "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", ["*.example.com"]))
        }
        return errors
    }

    /// Names that must be safe as one URL path segment (RBAC objects).
    static func pathSegmentName(_ value: String, prefix: Bool) -> [String] {
        if !prefix {
            if value == "." { return ["may not be '.'"] }
            if value == ".." { return ["may not be '..'"] }
        }
        var errors: [String] = []
        if value.contains("/") { errors.append("may not contain '/'") }
        if value.contains("%") { errors.append("may not contain '%'") }
        return errors
    }

    /// Replaces a trailing `-` of a generateName prefix so it can be checked as a name;
    /// like upstream, this drops the character before the dash too.
    static func maskTrailingDash(_ value: String) -> String {
        guard value.hasSuffix("-") else { return value }
        return String(value.dropLast(2)) + "a"
    }

    // MARK: Ports and numbers

    static func portNumber<T: BinaryInteger>(_ port: T) -> [String] {
        (1...65535).contains(Int64(port)) ? [] : [inclusiveRangeError(1, 65535)]
    }

    /// IANA service names: at most 15 of `[-a-z0-9]`, one letter, no `--`, no edge hyphen.
    static func portName(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 15 { errors.append(maxLenError(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: isLower) { errors.append("must contain at least one letter (a-z)") }
        if value.contains("--") { errors.append("must not contain consecutive hyphens") }
        if let first = bytes.first, let last = bytes.last, first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            errors.append("must not begin or end with a hyphen")
        }
        return errors
    }

    static func percent(_ value: String) -> [String] {
        let digits = value.utf8.dropLast()
        if value.hasSuffix("%") && !digits.isEmpty && digits.allSatisfy(isDigit) { return [] }
        return [regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", ["1%", "93%"])]
    }

    static func unixID(_ id: Int64) -> [String] {
        (0...0xFFFF_FFFF).contains(id) ? [] : [inclusiveRangeError(0, 0xFFFF_FFFF)]
    }

    // MARK: Keys

    /// Environment variable names with relaxed rules (printable ASCII except `=`), the 1.32 default.
    static func relaxedEnvVarName(_ value: String) -> [String] {
        var errors: [String] = []
        if value.isEmpty { errors.append("environment variable name must be non-empty") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value >= 0x7F || $0 == "=" }) {
            errors.append("a valid environment variable name must consist only of printable ASCII characters other than '='")
        }
        return errors
    }

    /// ConfigMap and Secret keys: `[-._a-zA-Z0-9]+`, at most 253, not `.`/`..`/`..*`.
    static func configMapKey(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append(maxLenError(253)) }
        let bytes = Array(value.utf8)
        let valid = !bytes.isEmpty && bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
        }
        if !valid {
            errors.append(
                regexError(
                    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+",
                    ["key.name", "KEY_NAME", "key-name"]))
        }
        if value == "." {
            errors.append("must not be '.'")
        } else if value == ".." {
            errors.append("must not be '..'")
        } else if value.hasPrefix("..") {
            errors.append("must not start with '..'")
        }
        return errors
    }

    static func httpHeaderName(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        if !bytes.isEmpty && bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) { return [] }
        return [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", ["X-Header-Name"])]
    }

    // MARK: Addresses

    static let ipMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    static let cidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"

    static func isIP(_ value: String) -> Bool { isIPv4(value) || isIPv6(value) }

    /// Dotted quad; leading zeros are tolerated as Kubernetes' "sloppy" parser does.
    static func isIPv4(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.count <= 3 && part.utf8.allSatisfy(isDigit) && (Int(part) ?? 256) <= 255
        }
    }

    static func isIPv6(_ value: String) -> Bool {
        guard value.contains(":") else { return false }
        var groups = 0
        var text = Substring(value)
        // An embedded IPv4 tail counts as two groups.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            groups += 2
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        // Split on "::" by hand; a third colon in a row leaves an empty group, which fails below.
        var halves: [String] = []
        var current = ""
        let characters = Array(text)
        var position = 0
        while position < characters.count {
            if characters[position] == ":" && position + 1 < characters.count && characters[position + 1] == ":" {
                halves.append(current)
                current = ""
                position += 2
            } else {
                current.append(characters[position])
                position += 1
            }
        }
        halves.append(current)
        guard halves.count <= 2 else { return false }
        for half in halves where !half.isEmpty {
            for group in half.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.utf8.count <= 4, group.utf8.allSatisfy(isHexDigit) else { return false }
                groups += 1
            }
        }
        return halves.count == 2 ? groups < 8 : groups == 8
    }

    static func isCIDR(_ value: String) -> Bool {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.allSatisfy(isDigit), let bits = Int(parts[1]) else {
            return false
        }
        let address = String(parts[0])
        if isIPv4(address) { return bits <= 32 }
        if isIPv6(address) { return bits <= 128 }
        return false
    }

    // MARK: Character classes

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLower(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A) }
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}
