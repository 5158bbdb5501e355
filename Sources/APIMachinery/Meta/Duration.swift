/// `meta/v1.Duration`: a span of time written as Go writes durations (`1h2m3s`, `1.5s`,
/// `300ms`, `0s`). Parses every form Go's `time.ParseDuration` accepts.
public struct Duration: Sendable, Hashable, Comparable, CustomStringConvertible, JSONCodable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Int64) -> Duration { Duration(nanoseconds: s * 1_000_000_000) }
    public static func milliseconds(_ ms: Int64) -> Duration { Duration(nanoseconds: ms * 1_000_000) }

    public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `[-+]?([0-9]*(\.[0-9]*)?unit)+` or `0`.
    public init(parsing text: String) throws(DurationError) {
        var rest = Substring(text)
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            nanoseconds = 0
            return
        }
        guard !rest.isEmpty else { throw DurationError(text: text, reason: "invalid duration") }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !(whole.isEmpty && fraction.isEmpty) else { throw DurationError(text: text, reason: "invalid duration") }
            let unitText = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else { throw DurationError(text: text, reason: "missing unit in duration") }
            guard let unit = Self.units.first(where: { $0.0 == unitText })?.1 else {
                throw DurationError(text: text, reason: "unknown unit \"\(unitText)\" in duration")
            }
            guard let w = Int64(whole.isEmpty ? "0" : String(whole)) else {
                throw DurationError(text: text, reason: "invalid duration")
            }
            let (scaled, o1) = w.multipliedReportingOverflow(by: unit)
            var value = scaled
            var scale = unit
            for digit in fraction {
                scale /= 10
                guard scale > 0 else { break }
                value += Int64(digit.wholeNumberValue ?? 0) * scale
            }
            let (sum, o2) = total.addingReportingOverflow(value)
            guard !o1, !o2 else { throw DurationError(text: text, reason: "invalid duration") }
            total = sum
        }
        nanoseconds = negative ? -total : total
    }

    /// Go's `Duration.String()`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let u = nanoseconds.magnitude
        var out: String
        if u < 1_000_000_000 {
            let (unit, scale): (String, UInt64) =
                u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = Self.decimal(u, scale: scale) + unit
        } else {
            let hours = u / 3_600_000_000_000
            let minutes = u / 60_000_000_000 % 60
            let secondsPart = u % 60_000_000_000
            out = ""
            if hours > 0 { out += "\(hours)h" }
            if hours > 0 || minutes > 0 { out += "\(minutes)m" }
            out += Self.decimal(secondsPart, scale: 1_000_000_000) + "s"
        }
        return negative ? "-" + out : out
    }

    /// `value/scale` with the fraction's trailing zeros removed.
    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        var fraction = value % scale
        guard fraction > 0 else { return String(whole) }
        var width = String(scale).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: width - digits.count) + digits
    }

    public init(from reader: inout JSONReader) throws {
        let text = try reader.readString()
        do { try self.init(parsing: text) } catch { throw reader.invalidValue(error.description) }
    }

    public func encode(to writer: inout JSONWriter) { writer.string(description) }
}

public struct DurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "time: \(reason) \"\(text)\"" }
}
