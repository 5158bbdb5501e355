// A fixed-point resource amount with the semantics of Kubernetes' `resource.Quantity`.

/// An exact decimal amount of a resource ("100m", "1.5Gi", "2e3"), as Kubernetes uses
/// for CPU, memory and other resource requests and limits.
///
/// The value is held exactly (never as a floating-point number), without an Int64 cap,
/// except where upstream imposes one: parsing keeps precision down to nano (10^-9),
/// rounding finer non-zero values away from zero, and caps binary-SI quantities at
/// Int64.max in magnitude.
///
/// Equality, ordering and hashing use the numeric value only: `1Ki == 1024`.
/// `description` is upstream's serialisation (see `canonical`).
public struct Quantity: Sendable {
    /// How a quantity is serialised.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Powers of ten written as an exponent, e.g. `12e6`.
        case decimalExponent = "DecimalExponent"
        /// Powers of 1024, e.g. `12Mi` (12 × 2^20).
        case binarySI = "BinarySI"
        /// Powers of 1000, e.g. `12M` (12 × 10^6), and `n`, `u`, `m` below one.
        case decimalSI = "DecimalSI"
    }

    var amount: Amount

    /// The format used when serialising. Changing it discards any reused input spelling.
    public var format: Format {
        didSet { verbatim = nil }
    }

    /// The parsed input, when upstream would reuse it verbatim as the serialisation.
    var verbatim: String?

    init(amount: Amount, format: Format, verbatim: String? = nil) {
        self.amount = amount
        self.format = format
        self.verbatim = verbatim
    }

    /// The quantity `integer` (× 1) in the given format (upstream `NewQuantity`).
    public init(integer: Int64, format: Format = .decimalSI) {
        self.init(amount: Amount(integer), format: format)
    }

    /// The quantity `milli` / 1000 in the given format (upstream `NewMilliQuantity`).
    public init(milli: Int64, format: Format = .decimalSI) {
        self.init(amount: Amount(milli, exponent: -3), format: format)
    }

    /// Zero, in decimal-SI format.
    public static let zero = Quantity(amount: .zero, format: .decimalSI)

    /// True when the value is zero.
    public var isZero: Bool { amount.isZero }

    /// -1, 0 or 1 as the value is negative, zero or positive.
    public var sign: Int { amount.signum }

    /// The value rounded to an integer away from zero (upstream `Value()`: "1.1" → 2,
    /// "-1.1" → -2). Saturates at `Int64.min`/`Int64.max` where upstream overflows.
    public func value() -> Int64 { scaledValue(0) }

    /// The value in thousandths, rounded away from zero (upstream `MilliValue()`).
    /// Saturates at `Int64.min`/`Int64.max` where upstream overflows.
    public func milliValue() -> Int64 { scaledValue(-3) }

    /// The value divided by `10^scale`, rounded away from zero (upstream `ScaledValue`).
    /// Saturates at `Int64.min`/`Int64.max` where upstream overflows.
    public func scaledValue(_ scale: Int) -> Int64 {
        amount.scaled(byPowerOfTen: -scale).roundedAwayFromZero(toExponent: 0).amount.int64Saturating()
    }

    /// The same value and format, serialised in canonical form even if the input was
    /// spelled differently (upstream drops the reused input on any mutation).
    public func canonicalized() -> Quantity {
        Quantity(amount: amount, format: format)
    }
}

/// A string that is not a valid quantity. Messages are upstream's.
public enum QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The string does not have the overall shape of a quantity (upstream `ErrFormatWrong`).
    case formatWrong
    /// The numeric part cannot be parsed (upstream `ErrNumeric`).
    case numeric
    /// The suffix is not a known unit or exponent (upstream `ErrSuffix`).
    case suffix

    public var description: String {
        switch self {
        case .formatWrong:
            return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        case .numeric:
            return "unable to parse numeric part of quantity"
        case .suffix:
            return "unable to parse quantity's suffix"
        }
    }
}

// MARK: - Parsing

extension Quantity {
    /// Parses every spelling upstream `ParseQuantity` accepts: an optional sign, digits
    /// with an optional `.` (`5.`, `.5`), then a suffix: `n u m k M G T P E`,
    /// `Ki Mi Gi Ti Pi Ei`, or `e`/`E` with a signed integer exponent.
    /// Surrounding whitespace is rejected.
    public init(_ string: String) throws(QuantityError) {
        let bytes = Array(string.utf8)
        if bytes.isEmpty { throw .formatWrong }
        if string == "0" {
            self.init(amount: .zero, format: .decimalSI, verbatim: string)
            return
        }
        let parts = try Self.split(bytes)
        guard let unit = Self.interpret(parts.suffix) else { throw .suffix }

        let num = parts.num.isEmpty ? [UInt8(ascii: "0")] : Array(parts.num)
        let denom = Array(parts.denom)
        let shifted = num + denom
        // Upstream keeps scales in Int32 and wraps on overflow; so do we.
        let scale32 = unit.base == 10 ? unit.exponent &- Int32(truncatingIfNeeded: denom.count) : 0

        // Upstream has a fast int64 path and a general decimal path; which one a string
        // takes decides whether a digit-less number is an error, and whether the input
        // is reused verbatim as the serialisation.
        var fastPath = false
        var reuseInput = false
        switch unit.format {
        case .decimalSI, .decimalExponent:
            fastPath = num.count + denom.count <= 18 && scale32 >= -9
            if fastPath {
                reuseInput = scale32 % 3 == 0 && !shifted.suffix(3).elementsEqual([48, 48, 48]) && shifted[0] != 48
            }
        case .binarySI:
            let exponentDigits = Int(Float32(unit.exponent) * 3 / 10)
            if denom.isEmpty && 15 - num.count - exponentDigits - 1 >= 0 {
                let value = shifted.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
                fastPath = !value.multipliedReportingOverflow(by: Int64(1) << Int64(unit.exponent)).overflow
                reuseInput = fastPath && value & 7 != 0
            }
        }
        if !fastPath && !parts.value.contains(where: Self.isDigit) { throw .numeric }

        var amount = Amount(
            negative: !parts.positive, asciiDigits: shifted,
            exponent: unit.base == 10 ? Int(scale32) : -denom.count)
        var format = unit.format
        if unit.base == 2 {
            amount = amount.multiplied(byPowerOfTwo: Int(unit.exponent))
        }
        if !amount.isZero {
            // Anything finer than nano rounds away from zero: asking for some resource
            // should never yield none.
            amount = amount.roundedAwayFromZero(toExponent: -9).amount
            if format == .binarySI {
                if Amount.compareMagnitudes(amount, .int64Max) > 0 {
                    amount = Amount.int64Max.withSign(negative: amount.isNegative)
                } else if Amount.compareMagnitudes(amount, .one) < 0 {
                    format = .decimalSI
                }
            }
        }
        self.init(amount: amount, format: format, verbatim: reuseInput ? string : nil)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isSuffixLetter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "i"), UInt8(ascii: "n"),
            UInt8(ascii: "u"), UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "K"),
            UInt8(ascii: "M"), UInt8(ascii: "G"), UInt8(ascii: "T"), UInt8(ascii: "P"):
            return true
        default:
            return false
        }
    }

    /// The pieces of a quantity string, in upstream's scanning order.
    private struct Parts {
        var positive = true
        /// Sign, integer and fractional digits as written (used only to detect "no digits").
        var value: ArraySlice<UInt8> = []
        /// Integer digits with leading zeros removed.
        var num: ArraySlice<UInt8> = []
        var denom: ArraySlice<UInt8> = []
        var suffix: ArraySlice<UInt8> = []
    }

    /// Splits sign, number and suffix the way upstream's scanner does; the suffix is
    /// validated separately.
    private static func split(_ s: [UInt8]) throws(QuantityError) -> Parts {
        var parts = Parts()
        let end = s.count
        var pos = 0
        if s[0] == UInt8(ascii: "-") {
            parts.positive = false
            pos = 1
        } else if s[0] == UInt8(ascii: "+") {
            pos = 1
        }
        while pos < end && s[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos == end {
            // Only a sign and zeros.
            parts.value = [UInt8(ascii: "0")]
            return parts
        }
        var i = pos
        while i < end && isDigit(s[i]) { i += 1 }
        parts.num = s[pos..<i]
        pos = i
        if pos == end {
            parts.value = s[0..<end]
            return parts
        }
        if s[pos] == UInt8(ascii: ".") {
            pos += 1
            i = pos
            while i < end && isDigit(s[i]) { i += 1 }
            parts.denom = s[pos..<i]
            pos = i
        }
        parts.value = s[0..<pos]
        let suffixStart = pos
        while pos < end && isSuffixLetter(s[pos]) { pos += 1 }
        if pos < end && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) { pos += 1 }
        while pos < end && isDigit(s[pos]) { pos += 1 }
        if pos < end { throw .formatWrong }
        parts.suffix = s[suffixStart..<end]
        return parts
    }

    private struct Unit {
        var base: Int32
        var exponent: Int32
        var format: Format
    }

    private static let decimalSuffixes: [String: Int32] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]

    private static let binarySuffixes: [String: Int32] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]

    /// Base, exponent and format a suffix stands for, or nil if it is not valid.
    private static func interpret(_ suffix: ArraySlice<UInt8>) -> Unit? {
        let text = String(decoding: suffix, as: UTF8.self)
        if let exponent = decimalSuffixes[text] { return Unit(base: 10, exponent: exponent, format: .decimalSI) }
        if let exponent = binarySuffixes[text] { return Unit(base: 2, exponent: exponent, format: .binarySI) }
        guard suffix.count > 1, let first = suffix.first,
            first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
            let exponent = parseInt64(suffix.dropFirst())
        else { return nil }
        // Upstream narrows the parsed Int64 to Int32 without a range check.
        return Unit(base: 10, exponent: Int32(truncatingIfNeeded: exponent), format: .decimalExponent)
    }

    /// A base-10 Int64 with an optional sign, as Go's `strconv.ParseInt(s, 10, 64)` accepts.
    private static func parseInt64(_ s: ArraySlice<UInt8>) -> Int64? {
        var rest = s
        var negative = false
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in rest {
            guard isDigit(byte) else { return nil }
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(byte - 48))
            if o1 || o2 { return nil }
            magnitude = sum
        }
        if negative {
            return magnitude <= UInt64(1) << 63 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}

// MARK: - Serialisation

extension Quantity: CustomStringConvertible {
    /// Upstream's `String()`/`MarshalJSON` output: the canonical form, except that a
    /// freshly parsed string upstream deems canonical is reused as written (so "+1"
    /// stays "+1" and "1.500k" stays "1.500k", as a Kubernetes API server echoes them).
    /// Arithmetic results and changed formats are always in canonical form.
    public var canonical: String { verbatim ?? canonicalForm }

    public var description: String { canonical }

    /// The canonical form: the largest suffix (or exponent, a multiple of 3) that keeps
    /// the mantissa an integer, e.g. "1.5" → "1500m", "1.5Gi" → "1536Mi", "1000" → "1k".
    /// Binary-SI values below 1024 in magnitude, or not integral, are written in
    /// decimal SI. Zero is "0"; the sign is written only when negative.
    var canonicalForm: String {
        if amount.isZero { return "0" }
        var effective = format
        if effective == .binarySI {
            let small = Amount.compareMagnitudes(amount, Amount(1024)) < 0
            if small || !amount.roundedAwayFromZero(toExponent: 0).exact { effective = .decimalSI }
        }
        switch effective {
        case .binarySI:
            let (mantissa, power) = amount.binaryParts(maxPower: Self.binaryUnits.count - 1)
            return mantissa + Self.binaryUnits[power]
        case .decimalSI:
            let (mantissa, exponent) = amount.decimalParts()
            if let unit = Self.decimalUnits[exponent] { return mantissa + unit }
            // Beyond "E" there is no SI suffix; fall back to an exponent so the value survives.
            return mantissa + "e\(exponent)"
        case .decimalExponent:
            let (mantissa, exponent) = amount.decimalParts()
            return exponent == 0 ? mantissa : mantissa + "e\(exponent)"
        }
    }

    private static let binaryUnits = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    private static let decimalUnits: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]
}

// MARK: - Comparison

extension Quantity: Hashable, Comparable {
    /// Numeric equality; format and spelling are ignored.
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount == rhs.amount }

    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        Amount.compare(lhs.amount, rhs.amount) < 0
    }
}
