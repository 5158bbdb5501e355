/// `meta/v1.Time`: an instant with second precision, written as RFC 3339 in UTC
/// (`2006-01-02T15:04:05Z`). Parsing accepts any RFC 3339 offset and fraction; the fraction
/// is dropped, as the apiserver does. The zero value (Go's `0001-01-01T00:00:00Z`) is written as
/// `null`, as Go writes it.
public struct Time: Sendable, Hashable, Comparable, CustomStringConvertible, JSONCodable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// Go's zero time, 0001-01-01T00:00:00Z; encoded as `null`.
    public static let zero = Time(secondsSinceEpoch: -62_135_596_800)
    public var isZero: Bool { self == .zero }
    public static var nullValue: Time? { .zero }

    /// Parses RFC 3339 (`2008-01-01T01:01:01Z`, `…+02:00`, `….123Z`).
    public init(rfc3339 text: String) throws(TimestampError) {
        let parsed = try RFC3339.parse(text)
        secondsSinceEpoch = parsed.seconds
    }

    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// RFC 3339 in UTC with seconds precision.
    public var description: String { RFC3339.format(seconds: secondsSinceEpoch, microseconds: nil) }

    public init(from reader: inout JSONReader) throws {
        let text = try reader.readString()
        do { try self.init(rfc3339: text) } catch { throw reader.invalidValue(error.description) }
    }

    public func encode(to writer: inout JSONWriter) {
        if isZero { writer.null() } else { writer.string(description) }
    }
}

/// `meta/v1.MicroTime`: an instant with microsecond precision, written as RFC 3339 in UTC with
/// exactly six fractional digits (`2006-01-02T15:04:05.000000Z`).
public struct MicroTime: Sendable, Hashable, Comparable, CustomStringConvertible, JSONCodable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

    /// Go's zero time; encoded as `null`.
    public static let zero = MicroTime(microsecondsSinceEpoch: -62_135_596_800 * 1_000_000)
    public var isZero: Bool { self == .zero }
    public static var nullValue: MicroTime? { .zero }

    public init(rfc3339 text: String) throws(TimestampError) {
        let parsed = try RFC3339.parse(text)
        microsecondsSinceEpoch = parsed.seconds * 1_000_000 + Int64(parsed.nanoseconds / 1000)
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch }

    public var description: String {
        let seconds = microsecondsSinceEpoch >= 0
            ? microsecondsSinceEpoch / 1_000_000 : (microsecondsSinceEpoch - 999_999) / 1_000_000
        return RFC3339.format(seconds: seconds, microseconds: Int(microsecondsSinceEpoch - seconds * 1_000_000))
    }

    public init(from reader: inout JSONReader) throws {
        let text = try reader.readString()
        do { try self.init(rfc3339: text) } catch { throw reader.invalidValue(error.description) }
    }

    public func encode(to writer: inout JSONWriter) {
        if isZero { writer.null() } else { writer.string(description) }
    }
}

/// A timestamp that is not RFC 3339.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "parsing time \"\(text)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse as RFC 3339"
    }
}

/// RFC 3339 parsing and formatting on the proleptic Gregorian calendar, without Foundation.
/// RFC 3339 times as Kubernetes writes them (UTC, `Z`) and reads them (any offset).
public enum RFC3339 {
    /// Seconds since the epoch and the fraction in nanoseconds.
    public static func parse(_ text: String) throws(TimestampError) -> (seconds: Int64, nanoseconds: Int) {
        let b = Array(text.utf8)
        var i = 0
        func number(_ count: Int) throws(TimestampError) -> Int {
            guard i + count <= b.count else { throw TimestampError(text: text) }
            var value = 0
            for _ in 0..<count {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { throw TimestampError(text: text) }
                value = value * 10 + Int(c - 0x30)
                i += 1
            }
            return value
        }
        func expect(_ chars: String) throws(TimestampError) {
            guard i < b.count, chars.utf8.contains(b[i]) else { throw TimestampError(text: text) }
            i += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        try expect("Tt")
        let hour = try number(2)
        try expect(":")
        let minute = try number(2)
        try expect(":")
        let second = try number(2)
        var nanos = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw TimestampError(text: text) }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset = 0
        guard i < b.count else { throw TimestampError(text: text) }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            try expect("+-")
            let oh = try number(2)
            try expect(":")
            let om = try number(2)
            guard oh < 24, om < 60 else { throw TimestampError(text: text) }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
            hour < 24, minute < 60, second < 60
        else { throw TimestampError(text: text) }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (seconds, nanos)
    }

    /// Go's `RFC3339NanoFixed` in UTC: nine fraction digits (the kubelet's log timestamps).
    public static func format(nanosecondsSinceEpoch nanos: Int64) -> String {
        var seconds = nanos / 1_000_000_000
        var fraction = nanos % 1_000_000_000
        if fraction < 0 {
            fraction += 1_000_000_000
            seconds -= 1
        }
        let text = format(seconds: seconds, microseconds: nil)
        return String(text.dropLast()) + "." + pad(Int(fraction), 9) + "Z"
    }

    public static func format(seconds: Int64, microseconds: Int?) -> String {
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 {
            rest += 86400
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(Int(rest / 3600), 2) + ":" + pad(Int(rest % 3600 / 60), 2) + ":" + pad(Int(rest % 60), 2)
        if let microseconds { out += "." + pad(microseconds, 6) }
        return out + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }
}
