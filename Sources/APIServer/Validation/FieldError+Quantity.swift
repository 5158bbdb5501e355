import APIMachinery

extension FieldError.Value {
    /// A `core.ResourceList` as Go's `%#v` prints it inside a field error:
    /// `core.ResourceList(nil)`, `core.ResourceList{}`, or sorted entries whose quantities are
    /// printed as raw `resource.Quantity` structs (maps do not use `String()`).
    static func goResourceList(_ list: [String: Quantity]?) -> FieldError.Value {
        guard let list else { return .raw("core.ResourceList(nil)") }
        let entries = list.keys.sorted().map { key in
            goQuote(key) + ":" + goQuantityStruct(list[key] ?? .zero)
        }
        return .raw("core.ResourceList{" + entries.joined(separator: ", ") + "}")
    }

    /// `resource.Quantity{i:…, d:…, s:…, Format:…}` for the quantity as `ParseQuantity` would
    /// hold it after reading its serialised form (the input as written when upstream keeps it).
    /// Values outside the int64 fast path print their `inf.Dec` pointer as `(…)`.
    static func goQuantityStruct(_ quantity: Quantity) -> String {
        let text = quantity.canonical
        let parsed = GoQuantityParts(text)
        let format = parsed?.format ?? quantity.format.rawValue
        let decimal = parsed?.int64 == nil && text != "0" ? "(*inf.Dec)(…)" : "(*inf.Dec)(nil)"
        let (value, scale) = parsed?.int64 ?? (0, 0)
        let cached = text == "0" ? "0" : (parsed?.keepsText == true ? text : "")
        return "resource.Quantity{i:resource.int64Amount{value:\(value), scale:\(scale)}, "
            + "d:resource.infDecAmount{Dec:\(decimal)}, s:\(goQuote(cached)), Format:\(goQuote(format))}"
    }
}

/// The int64 fast path of upstream's `ParseQuantity`: the (value, scale) pair, the format, and
/// whether the input string is kept as the cached serialisation.
private struct GoQuantityParts {
    var int64: (Int64, Int32)?
    var format: String
    var keepsText = false

    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var positive = true
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            positive = first != UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        while bytes.first == UInt8(ascii: "0") { bytes = bytes.dropFirst() }
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        var num = String(decoding: bytes.prefix(while: isDigit), as: UTF8.self)
        bytes = bytes.drop(while: isDigit)
        if num.isEmpty { num = "0" }
        var denom = ""
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            denom = String(decoding: bytes.prefix(while: isDigit), as: UTF8.self)
            bytes = bytes.drop(while: isDigit)
        }
        let suffix = String(decoding: bytes, as: UTF8.self)
        let base: Int
        let exponent: Int
        switch suffix {
        case "": (base, exponent, format) = (10, 0, "DecimalSI")
        case "n": (base, exponent, format) = (10, -9, "DecimalSI")
        case "u": (base, exponent, format) = (10, -6, "DecimalSI")
        case "m": (base, exponent, format) = (10, -3, "DecimalSI")
        case "k": (base, exponent, format) = (10, 3, "DecimalSI")
        case "M": (base, exponent, format) = (10, 6, "DecimalSI")
        case "G": (base, exponent, format) = (10, 9, "DecimalSI")
        case "T": (base, exponent, format) = (10, 12, "DecimalSI")
        case "P": (base, exponent, format) = (10, 15, "DecimalSI")
        case "E": (base, exponent, format) = (10, 18, "DecimalSI")
        case "Ki": (base, exponent, format) = (2, 10, "BinarySI")
        case "Mi": (base, exponent, format) = (2, 20, "BinarySI")
        case "Gi": (base, exponent, format) = (2, 30, "BinarySI")
        case "Ti": (base, exponent, format) = (2, 40, "BinarySI")
        case "Pi": (base, exponent, format) = (2, 50, "BinarySI")
        case "Ei": (base, exponent, format) = (2, 60, "BinarySI")
        default:
            guard let first = suffix.first, first == "e" || first == "E", let value = Int(suffix.dropFirst()) else { return nil }
            (base, exponent, format) = (10, value, "DecimalExponent")
        }
        var scale = 0
        var mantissa: Int64 = 1
        let precision: Int
        if base == 10 {
            scale = exponent
            precision = 18 - (num.count + denom.count)
        } else if exponent >= 0 && denom.isEmpty {
            mantissa = Int64(1) << exponent
            precision = 15 - num.count - Int(Float(exponent) * 3 / 10) - 1
        } else {
            precision = -1
        }
        guard precision >= 0 else { return }
        scale -= denom.count
        guard scale >= -9 else { return }
        let shifted = num + denom
        guard let value = Int64(shifted) else { return }
        let (product, overflow) = value.multipliedReportingOverflow(by: mantissa)
        guard !overflow else { return }
        int64 = (positive ? product : -product, Int32(scale))
        if base == 2 {
            keepsText = exponent % 10 == 0 && value & 0x07 != 0
        } else {
            keepsText = scale % 3 == 0 && !shifted.hasSuffix("000") && !shifted.hasPrefix("0")
        }
    }
}
