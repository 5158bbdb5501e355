import Testing

@testable import APIMachinery

// Expected values were checked against upstream k8s.io/apimachinery resource.Quantity
// (String() after ParseQuantity, Format, Add/Sub/Cmp/Neg).

private typealias F = Quantity.Format

/// input → serialisation and format after parsing.
private let serialisationCases: [(String, String, F)] = [
    // zero in every spelling
    ("0", "0", .decimalSI), ("-0", "0", .decimalSI), ("+0", "0", .decimalSI), ("00", "0", .decimalSI),
    ("0.0", "0", .decimalSI), ("0n", "0", .decimalSI), ("0m", "0", .decimalSI), ("0k", "0", .decimalSI),
    ("0Ki", "0", .binarySI), ("0Gi", "0", .binarySI), ("0Ei", "0", .binarySI), ("0e0", "0", .decimalExponent),
    (".", "0", .decimalSI), ("-", "0", .decimalSI), ("k", "0", .decimalSI), ("Ki", "0", .binarySI),
    ("e3", "0", .decimalExponent), (".Ki", "0", .binarySI), ("0.Pi", "0", .binarySI),
    // decimal SI
    ("1", "1", .decimalSI), ("9", "9", .decimalSI), ("5n", "5n", .decimalSI), ("4u", "4u", .decimalSI),
    ("3m", "3m", .decimalSI), ("100m", "100m", .decimalSI), ("8k", "8k", .decimalSI), ("50k", "50k", .decimalSI),
    ("7M", "7M", .decimalSI), ("6G", "6G", .decimalSI), ("40T", "40T", .decimalSI), ("2P", "2P", .decimalSI),
    ("1E", "1E", .decimalSI), ("12E", "12E", .decimalSI), ("1000", "1k", .decimalSI), ("1024", "1024", .decimalSI),
    ("1023", "1023", .decimalSI), ("1048576", "1048576", .decimalSI), ("1000M", "1G", .decimalSI),
    ("0.001T", "1G", .decimalSI), ("1000u", "1m", .decimalSI), ("5000m", "5", .decimalSI),
    ("1500000u", "1500m", .decimalSI), ("1500000000n", "1500m", .decimalSI), ("1080000000n", "1080m", .decimalSI),
    // fractions
    ("1.5", "1500m", .decimalSI), ("0.5", "500m", .decimalSI), (".5", "500m", .decimalSI), ("0.1", "100m", .decimalSI),
    ("0.01", "10m", .decimalSI), ("0.001", "1m", .decimalSI), (".001", "1m", .decimalSI), ("0.50000", "500m", .decimalSI),
    ("0.0005k", "500m", .decimalSI), ("0.00050k", "500m", .decimalSI), (".0001k", "100m", .decimalSI),
    ("9.01", "9010m", .decimalSI), ("1.08", "1080m", .decimalSI), ("8.1k", "8100", .decimalSI),
    ("40.1T", "40100G", .decimalSI), ("300.2T", "300200G", .decimalSI), ("2.5P", "2500T", .decimalSI),
    ("1.01E", "1010P", .decimalSI), ("1.5P", "1500T", .decimalSI), ("0.001E", "1P", .decimalSI),
    ("2047.5", "2047500m", .decimalSI), ("1.0000000001", "1000000001n", .decimalSI),
    // finer than nano rounds away from zero
    ("0.1n", "1n", .decimalSI), ("-0.1n", "-1n", .decimalSI), ("0.9n", "1n", .decimalSI), ("3.001n", "4n", .decimalSI),
    ("0.0000000001", "1n", .decimalSI), ("0.0000000005", "1n", .decimalSI), ("0.00000012345", "124n", .decimalSI),
    ("-0.00000012354", "-124n", .decimalSI), (".000000000000000000001", "1n", .decimalSI),
    ("1.23456789012345678901234567890", "1234567891n", .decimalSI),
    ("-1.5000000000000000000000001", "-1500000001n", .decimalSI),
    ("1.1E-9", "2e-9", .decimalExponent), ("0.5e-9", "1e-9", .decimalExponent), ("5.e-10", "1e-9", .decimalExponent),
    ("1234567890123456789e-30", "1e-9", .decimalExponent), ("-1.5e-12", "-1e-9", .decimalExponent),
    // decimal exponents
    ("2e3", "2e3", .decimalExponent), ("1e1", "10", .decimalExponent), ("1e2", "100", .decimalExponent),
    ("1e4", "10e3", .decimalExponent), ("1e13", "10e12", .decimalExponent), ("1e14", "100e12", .decimalExponent),
    ("30e2", "3e3", .decimalExponent), ("1.2e3", "1200", .decimalExponent), ("1.3E+6", "1300e3", .decimalExponent),
    ("1.40e9", "1400e6", .decimalExponent), ("1.7E18", "1700e15", .decimalExponent), ("0.5e0", "500e-3", .decimalExponent),
    ("0.5e-1", "50e-3", .decimalExponent), ("0.5e-2", "5e-3", .decimalExponent), ("123e-2", "1230e-3", .decimalExponent),
    (".001e12", "1e9", .decimalExponent), ("0.001e0", "1e-3", .decimalExponent), ("1000e-12", "1e-9", .decimalExponent),
    ("12e-10", "2e-9", .decimalExponent), ("1e21", "1e21", .decimalExponent),
    // binary SI
    ("1Ki", "1Ki", .binarySI), ("8Ki", "8Ki", .binarySI), ("7Mi", "7Mi", .binarySI), ("6Gi", "6Gi", .binarySI),
    ("5Ti", "5Ti", .binarySI), ("4Pi", "4Pi", .binarySI), ("3Ei", "3Ei", .binarySI), ("100Ti", "100Ti", .binarySI),
    ("1024Mi", "1Gi", .binarySI), ("307200Ki", "300Mi", .binarySI), ("1025024Mi", "1001Gi", .binarySI),
    ("1024Gi", "1Ti", .binarySI), ("1024Pi", "1Ei", .binarySI), ("1023Pi", "1023Pi", .binarySI),
    ("1025Ki", "1025Ki", .binarySI), ("1.5Gi", "1536Mi", .binarySI), ("1.25Mi", "1280Ki", .binarySI),
    ("0.5Mi", "512Ki", .binarySI), ("1.5Ei", "1536Pi", .binarySI), ("-1.5Gi", "-1536Mi", .binarySI),
    // binary values below 1024 or fractional are written in decimal SI
    ("0.5Ki", "512", .binarySI), (".5Ki", "512", .binarySI), ("0.75Ki", "768", .binarySI),
    ("2048.5Ki", "2097664", .binarySI), ("1.1Ki", "1126400m", .binarySI), ("1.001Ki", "1025024m", .binarySI),
    ("100.035Ki", "102435840m", .binarySI), ("0.05Gi", "53687091200m", .binarySI), (".001Ki", "1024m", .binarySI),
    // binary values below one switch to decimal SI
    (".000001Ki", "1024u", .decimalSI), (".000000001Ki", "1024n", .decimalSI), ("0.000000000001Ki", "2n", .decimalSI),
    ("0.0001Ki", "102400u", .decimalSI), ("-0.0001Ki", "-102400u", .decimalSI),
    // binary SI is capped at Int64.max in magnitude
    ("8Ei", "9223372036854775807", .binarySI), ("9Ei", "9223372036854775807", .binarySI),
    ("-8Ei", "-9223372036854775807", .binarySI), ("9223372036854775807Ki", "9223372036854775807", .binarySI),
    ("999999999999999999999Ki", "9223372036854775807", .binarySI),
    // beyond Int64 (decimal is never capped)
    ("999999999999999999.1", "999999999999999999100m", .decimalSI), ("1000000000000000000", "1E", .decimalSI),
    ("9999999999999999999", "9999999999999999999", .decimalSI), ("10000000000000000000", "10E", .decimalSI),
    ("10000000000000000000000m", "10E", .decimalSI), ("10.0000000000000000001E", "10000000000000000000100m", .decimalSI),
    ("9223372036854775808", "9223372036854775808", .decimalSI), ("-9223372036854775809", "-9223372036854775809", .decimalSI),
    ("-9223372036854775808.1", "-9223372036854775808100m", .decimalSI),
    ("12345678901234567890123", "12345678901234567890123", .decimalSI),
    ("1001E", "1001E", .decimalSI), ("123456789E", "123456789E", .decimalSI),
    // negatives
    ("-1", "-1", .decimalSI), ("-5", "-5", .decimalSI), ("-1.5", "-1500m", .decimalSI), ("-1024Ki", "-1Mi", .binarySI),
    ("-1000", "-1k", .decimalSI), ("-1.0E", "-1E", .decimalSI),
    // Int32 exponent wrap-around, as upstream
    ("1e9223372036854775807", "100e-3", .decimalExponent), ("1.5e-2147483648", "150e2147483646", .decimalExponent),
    ("1e2147483647", "10e2147483646", .decimalExponent),
]

/// Spellings upstream deems canonical are echoed verbatim by `description`.
private let verbatimCases: [(String, String)] = [
    ("+1", "1"), ("1.500k", "1500"), ("01", "1"), ("1.001", "1001m"), ("-1.001", "-1001m"), ("100.035k", "100035"),
    ("1E3", "1e3"), ("1e+3", "1e3"), ("1E-3", "1e-3"), ("1e00003", "1e3"), ("2.5e-2", "25e-3"), ("1.", "1"),
    ("5.", "5"), ("1.G", "1G"), ("1.e3", "1e3"), ("+3Ki", "3Ki"), ("03Ki", "3Ki"), ("1.Gi", "1Gi"),
    ("+5.Ki", "5Ki"), ("+99Ti", "99Ti"), ("0000000000000000000001", "1"), ("7.123456M", "7123456"),
]

private let invalidCases: [(String, QuantityError)] = [
    ("", .formatWrong), ("1.2.3", .formatWrong), ("1.1.M", .formatWrong), ("abc", .formatWrong),
    ("aoeu", .formatWrong), ("1 Gi", .formatWrong), (" 1", .formatWrong), ("1 ", .formatWrong),
    ("1Ki ", .formatWrong), ("1+1.0M", .formatWrong), ("0.1am", .formatWrong), ("1e1.5", .formatWrong),
    ("1e+-3", .formatWrong), ("0x10", .formatWrong), ("1_000", .formatWrong), ("NaN", .formatWrong),
    ("½", .formatWrong), ("１", .formatWrong), ("1µ", .formatWrong),
    ("1kk", .suffix), ("--1", .suffix), ("1Ki5", .suffix), ("Ki5", .suffix), ("1i", .suffix), (".5i", .suffix),
    ("-3.01i", .suffix), ("0.1mi", .suffix), ("1e", .suffix), ("1e-", .suffix), ("-3.01e-", .suffix),
    ("1ee3", .suffix), ("1k3", .suffix), ("1-", .suffix), ("1+", .suffix), ("e", .suffix),
    ("1e9223372036854775808", .suffix), ("1Mi-3", .suffix),
    (".e-10", .numeric), ("-.e-10", .numeric), ("e-10", .numeric), ("Pi", .numeric), (".Pi", .numeric),
    ("Ei", .numeric), ("-.Ei", .numeric),
]

/// input → value(), milliValue()
private let valueCases: [(String, Int64, Int64)] = [
    ("0", 0, 0), ("1", 1, 1000), ("100m", 1, 100), ("1.5", 2, 1500), ("-1.5", -2, -1500), ("-1.1Ki", -1127, -1126400),
    ("1.1Ki", 1127, 1126400), ("1Ki", 1024, 1_024_000), ("1.5Gi", 1_610_612_736, 1_610_612_736_000),
    ("1n", 1, 1), ("-1n", -1, -1), ("1080u", 1, 2), ("1234567m", 1235, 1_234_567), ("2e3", 2000, 2_000_000),
    ("1E", 1_000_000_000_000_000_000, .max), ("8Ei", .max, .max), ("-8Ei", -.max, .min),
    ("9223372036854775808", .max, .max), ("-9223372036854775808", .min, .min),
    ("-9223372036854775809", .min, .min), ("1e21", .max, .max), ("9223372036854775806.1", .max, .max),
    ("7Ei", 8_070_450_532_247_928_832, .max),
]

/// lhs, rhs, lhs <=> rhs
private let comparisonCases: [(String, String, Int)] = [
    ("1Ki", "1k", 1), ("1", "1000m", 0), ("-1", "0", -1), ("1Ki", "1024", 0), ("0", "-0", 0), ("100m", "50m", 1),
    ("50m", "100m", -1), ("10000T", "100Gi", 1), ("1n", "0", 1), ("-1n", "-2n", 1), ("8Ei", "9223372036854775807", 0),
    ("9223372036854775808", "8Ei", 1), ("1e21", "999999999999999999999", 1), ("1.5Gi", "1536Mi", 0),
    ("-12345678901234567890", "-12345678901234567891", 1), ("1e-3", "1m", 0), ("2e3", "2k", 0), ("0.1n", "1n", 0),
]

/// lhs, rhs, lhs + rhs, lhs - rhs, result format
private let arithmeticCases: [(String, String, String, String, F)] = [
    ("1", "1Ki", "1025", "-1023", .decimalSI), ("1Ki", "1", "1025", "1023", .binarySI),
    ("1Ki", "1Ki", "2Ki", "0", .binarySI), ("100m", "50m", "150m", "50m", .decimalSI),
    ("0", "100m", "100m", "-100m", .decimalSI), ("0", "1Gi", "1Gi", "-1Gi", .binarySI),
    ("1Gi", "0", "1Gi", "1Gi", .binarySI), ("100m", "0", "100m", "100m", .decimalSI),
    ("1.5", "1.5", "3", "0", .decimalSI), ("2e3", "1", "2001", "1999", .decimalExponent),
    ("1e-3", "1", "1001e-3", "-999e-3", .decimalExponent), ("1Gi", "512Mi", "1536Mi", "512Mi", .binarySI),
    ("1Gi", "1m", "1073741824001m", "1073741823999m", .binarySI), ("8Ei", "8Ei", "18446744073709551614", "0", .binarySI),
    ("9223372036854775807", "1", "9223372036854775808", "9223372036854775806", .decimalSI),
    ("-9223372036854775808", "-1", "-9223372036854775809", "-9223372036854775807", .decimalSI),
    ("1E", "9E", "10E", "-8E", .decimalSI), ("1n", "-1n", "0", "2n", .decimalSI),
    ("10", "1e1", "20", "0", .decimalSI), ("12345678901234567890", "1n", "12345678901234567890000000001n",
        "12345678901234567889999999999n", .decimalSI),
]

/// value, format, serialisation (upstream NewQuantity / NewMilliQuantity)
private let integerInitCases: [(Int64, F, String)] = [
    (1, .decimalSI, "1"), (1000, .decimalSI, "1k"), (1_234_000, .decimalSI, "1234k"), (1024, .binarySI, "1Ki"),
    (1_048_576, .binarySI, "1Mi"), (1_000_000, .decimalExponent, "1e6"), (5, .binarySI, "5"), (1025, .binarySI, "1025"),
    (0, .binarySI, "0"), (-1024, .binarySI, "-1Ki"), (.max, .decimalSI, "9223372036854775807"),
    (.min, .decimalSI, "-9223372036854775808"),
]

private let milliInitCases: [(Int64, F, String)] = [
    (1, .decimalSI, "1m"), (1000, .decimalSI, "1"), (1_234_000, .decimalSI, "1234"), (1024, .binarySI, "1024m"),
    (1_048_576, .binarySI, "1048576m"), (1_000_000, .decimalExponent, "1e3"), (500, .binarySI, "500m"),
    (1_234_567, .binarySI, "1234567m"), (-1500, .decimalSI, "-1500m"), (0, .decimalSI, "0"),
]

@Suite("Quantity")
struct QuantityTests {
    @Test(arguments: serialisationCases)
    func serialisesLikeUpstream(input: String, expected: String, format: Quantity.Format) throws {
        let q = try Quantity(input)
        #expect(q.canonical == expected)
        #expect(q.description == expected)
        #expect(q.format == format)
        // The serialisation parses back to the same value.
        #expect(try Quantity(expected) == q)
    }

    @Test(arguments: verbatimCases)
    func reusesCanonicalLookingInput(input: String, canonicalForm: String) throws {
        let q = try Quantity(input)
        #expect(q.description == input)
        #expect(q.canonicalized().canonical == canonicalForm)
        #expect((q + .zero).canonical == canonicalForm)
        var changed = q
        changed.format = q.format
        #expect(changed.canonical == canonicalForm)
    }

    @Test func decimalSIBeyondExaFallsBackToExponent() throws {
        // Upstream prints "1" here (its suffix lookup fails, losing the value); we keep the value.
        #expect(try Quantity("1000E").canonical == "1e21")
        #expect(try Quantity("-1000000000000000000000").canonical == "-1e21")
        #expect(try Quantity("1e21") == Quantity("1000E"))
    }

    @Test(arguments: invalidCases)
    func rejectsLikeUpstream(input: String, error: QuantityError) {
        #expect(throws: error) { try Quantity(input) }
    }

    @Test func errorMessagesMatchUpstream() {
        #expect(QuantityError.formatWrong.description
            == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(QuantityError.numeric.description == "unable to parse numeric part of quantity")
        #expect(QuantityError.suffix.description == "unable to parse quantity's suffix")
    }

    @Test(arguments: valueCases)
    func integerAccessorsRoundAwayFromZero(input: String, value: Int64, milli: Int64) throws {
        let q = try Quantity(input)
        #expect(q.value() == value)
        #expect(q.milliValue() == milli)
    }

    @Test func scaledValue() throws {
        #expect(Quantity(integer: 1).scaledValue(-9) == 1_000_000_000)
        #expect(try Quantity("1n").scaledValue(-6) == 1)
        #expect(try Quantity("1.5k").scaledValue(3) == 2)
        #expect(Quantity(integer: 1, format: .decimalSI).scaledValue(-2) == 100)
    }

    @Test(arguments: comparisonCases)
    func comparesByValue(lhs: String, rhs: String, order: Int) throws {
        let a = try Quantity(lhs), b = try Quantity(rhs)
        #expect((a < b) == (order < 0))
        #expect((a > b) == (order > 0))
        #expect((a == b) == (order == 0))
        if order == 0 { #expect(a.hashValue == b.hashValue) }
    }

    @Test func hashingIgnoresFormatAndSpelling() throws {
        let set: Set<Quantity> = [try Quantity("1Ki"), try Quantity("1024"), try Quantity("1.024k"), try Quantity("1024000m")]
        #expect(set.count == 1)
    }

    @Test(arguments: arithmeticCases)
    func addsAndSubtracts(lhs: String, rhs: String, sum: String, difference: String, format: Quantity.Format) throws {
        let a = try Quantity(lhs), b = try Quantity(rhs)
        #expect((a + b).canonical == sum)
        #expect((a - b).canonical == difference)
        #expect((a + b).format == format)
        #expect((a - b).format == format)
        #expect(a + b - b == a)
        var c = a
        c += b
        c -= b
        #expect(c == a)
    }

    @Test func negation() throws {
        let q = try Quantity("9.01")
        #expect((-q).canonical == "-9010m")
        #expect(-(-q) == q)
        #expect((-Quantity(integer: 1024, format: .binarySI)).canonical == "-1Ki")
        #expect((-Quantity.zero).canonical == "0")
        #expect((-q).format == .decimalSI)
    }

    @Test func zero() throws {
        #expect(try Quantity("0").isZero)
        #expect(try Quantity("-0.0Ki").isZero)
        #expect(try !Quantity("1n").isZero)
        #expect(try (Quantity("1Ki") - Quantity("1024")).isZero)
        #expect(Quantity.zero.canonical == "0")
        #expect(try Quantity("-1").sign == -1)
    }

    @Test(arguments: integerInitCases)
    func integerInitialiser(value: Int64, format: Quantity.Format, expected: String) throws {
        let q = Quantity(integer: value, format: format)
        #expect(q.canonical == expected)
        #expect(q.format == format)
        #expect(q.value() == value)
        #expect(try Quantity(expected) == q)
    }

    @Test(arguments: milliInitCases)
    func milliInitialiser(milli: Int64, format: Quantity.Format, expected: String) throws {
        let q = Quantity(milli: milli, format: format)
        #expect(q.canonical == expected)
        #expect(q.format == format)
        #expect(q.milliValue() == milli)
        #expect(try Quantity(expected).milliValue() == milli)
    }

    @Test func formatChangeReserialises() throws {
        var q = try Quantity("1Gi")
        q.format = .decimalSI
        #expect(q.canonical == "1073741824")
        q.format = .decimalExponent
        #expect(q.canonical == "1073741824")
        q = try Quantity("2k")
        q.format = .binarySI
        #expect(q.canonical == "2000")
        q = try Quantity("2048")
        q.format = .binarySI
        #expect(q.canonical == "2Ki")
    }
}
