import APIMachinery
import Foundation

/// A CronJob schedule as robfig/cron v3's standard parser (the one Kubernetes uses) reads it,
/// and its activations.
///
/// Syntax: five blank-separated fields, `minute hour day-of-month month day-of-week`, each a
/// comma-separated list of `*` (or `?`), `n` or `a-b`, any of them followed by `/step` (`n/step`
/// means `n-max/step`). Months (`JAN`–`DEC`) and weekdays (`SUN`–`SAT`) may be named, in any
/// case; day of week 7 is Sunday as well as 0 (robfig, and so the apiserver's validation, refuse
/// 7). Descriptors: `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`),
/// `@hourly`, and `@every <Go duration>`. A `TZ=`/`CRON_TZ=` prefix is refused: the zone comes
/// from `spec.timeZone`.
///
/// Days: when day of month and day of week are both restricted (neither starts with `*` or `?`,
/// or does with a step above 1), a day matching either is taken (`0 9 13 * FRI`: every 13th and
/// every Friday), as in cron(8); otherwise a day must match both.
///
/// Activations are the whole minutes whose wall-clock fields match in the time zone given to
/// `next(after:in:)`. Across daylight-saving changes this is robfig's behaviour: a wall time
/// skipped by a jump forward never happens; one repeated by a jump back happens twice.
public struct CronSpec: Sendable, Hashable {
    /// Allowed values of each field: bit n allows n (day of week: 0 = Sunday).
    var minutes: UInt64 = 0
    var hours: UInt64 = 0
    var daysOfMonth: UInt64 = 0
    var months: UInt64 = 0
    var daysOfWeek: UInt64 = 0
    /// The day-of-month (day-of-week) field is unrestricted: it started with `*` or `?`.
    var anyDayOfMonth = false
    var anyDayOfWeek = false
    /// `@every`: whole seconds between activations, instead of the fields.
    var interval: Int64?

    /// A schedule robfig's parser refuses, with its wording.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    /// The bounds and names of a field. `explicitMax` is the largest value that may be written
    /// out (7 for Sunday), `max` the end of `*` and `n/step`.
    private struct Field: Sendable {
        var min: Int
        var max: Int
        var explicitMax: Int
        var names: [String: Int] = [:]
    }

    private static let minuteField = Field(min: 0, max: 59, explicitMax: 59)
    private static let hourField = Field(min: 0, max: 23, explicitMax: 23)
    private static let dayOfMonthField = Field(min: 1, max: 31, explicitMax: 31)
    private static let monthField = Field(
        min: 1, max: 12, explicitMax: 12,
        names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12])
    private static let dayOfWeekField = Field(
        min: 0, max: 6, explicitMax: 7, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    /// Matches nothing; the parsers fill it in.
    private init() {}

    /// Parses `text`; throws what robfig's parser would say of it.
    public init(parsing text: String) throws {
        if text.isEmpty { throw ParseError("empty spec string") }
        if text.hasPrefix("TZ=") || text.hasPrefix("CRON_TZ=") {
            throw ParseError("TZ and CRON_TZ prefixes are not supported; use spec.timeZone")
        }
        if text.hasPrefix("@") {
            self = try Self.descriptor(text)
            return
        }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5 else {
            throw ParseError("expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        minutes = try Self.parseField(fields[0], Self.minuteField).bits
        hours = try Self.parseField(fields[1], Self.hourField).bits
        (daysOfMonth, anyDayOfMonth) = try Self.parseField(fields[2], Self.dayOfMonthField)
        months = try Self.parseField(fields[3], Self.monthField).bits
        (daysOfWeek, anyDayOfWeek) = try Self.parseField(fields[4], Self.dayOfWeekField)
        if daysOfWeek & (1 << 7) != 0 { daysOfWeek = (daysOfWeek & ~(1 << 7)) | 1 }  // 7 is Sunday
    }

    /// The values `from...through` (every one).
    private static func all(_ from: Int, _ through: Int) -> UInt64 {
        (from...through).reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
    }

    private static func descriptor(_ text: String) throws -> CronSpec {
        var spec = CronSpec()
        spec.minutes = 1
        spec.hours = 1
        spec.daysOfMonth = all(1, 31)
        spec.months = all(1, 12)
        spec.daysOfWeek = all(0, 6)
        spec.anyDayOfMonth = true
        spec.anyDayOfWeek = true
        switch text {
        case "@yearly", "@annually":
            spec.daysOfMonth = 1 << 1
            spec.anyDayOfMonth = false
            spec.months = 1 << 1
        case "@monthly":
            spec.daysOfMonth = 1 << 1
            spec.anyDayOfMonth = false
        case "@weekly":
            spec.daysOfWeek = 1 << 0
            spec.anyDayOfWeek = false
        case "@daily", "@midnight":
            break
        case "@hourly":
            spec.hours = all(0, 23)
        default:
            let every = "@every "
            guard text.hasPrefix(every) else { throw ParseError("unrecognized descriptor: \(text)") }
            let duration: APIMachinery.Duration
            do {
                duration = try APIMachinery.Duration(parsing: String(text.dropFirst(every.count)))
            } catch {
                throw ParseError("failed to parse duration \(text): \(error)")
            }
            // Under a second counts as one; fractions of a second are dropped.
            spec.interval = max(1, duration.nanoseconds / 1_000_000_000)
        }
        return spec
    }

    /// A comma-separated list of ranges (empty items are skipped, as robfig skips them).
    private static func parseField(_ text: Substring, _ field: Field) throws -> (bits: UInt64, star: Bool) {
        var bits: UInt64 = 0
        var star = false
        for item in text.split(separator: ",") {
            let range = try parseRange(item, field)
            bits |= range.bits
            star = star || range.star
        }
        return (bits, star)
    }

    /// `*`, `?`, `n` or `a-b`, optionally `/step`.
    private static func parseRange(_ text: Substring, _ field: Field) throws -> (bits: UInt64, star: Bool) {
        let rangeAndStep = text.split(separator: "/", omittingEmptySubsequences: false)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false)
        let start: Int
        var end: Int
        var star = false
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = field.min
            end = field.max
            star = true
        } else {
            start = try value(lowAndHigh[0], field)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try value(lowAndHigh[1], field)
            default: throw ParseError("too many hyphens: \(text)")
            }
        }
        var step = 1
        switch rangeAndStep.count {
        case 1:
            break
        case 2:
            step = try number(rangeAndStep[1])
            if lowAndHigh.count == 1 { end = max(end, field.max) }  // `n/step` runs to the maximum
            if step > 1 { star = false }  // `*/2` restricts the field
        default:
            throw ParseError("too many slashes: \(text)")
        }
        if start < field.min { throw ParseError("beginning of range (\(start)) below minimum (\(field.min)): \(text)") }
        if end > field.explicitMax { throw ParseError("end of range (\(end)) above maximum (\(field.explicitMax)): \(text)") }
        if start > end { throw ParseError("beginning of range (\(start)) beyond end of range (\(end)): \(text)") }
        if step == 0 { throw ParseError("step of range should be a positive number: \(text)") }
        var bits: UInt64 = 0
        for value in stride(from: start, through: end, by: step) { bits |= 1 << UInt64(value) }
        return (bits, star)
    }

    private static func value(_ text: Substring, _ field: Field) throws -> Int {
        if let named = field.names[text.lowercased()] { return named }
        return try number(text)
    }

    private static func number(_ text: Substring) throws -> Int {
        guard let number = Int(text) else { throw ParseError("failed to parse int from \(text)") }
        if number < 0 { throw ParseError("negative number (\(number)) not allowed: \(text)") }
        return number
    }

    // MARK: Activations

    /// The first activation strictly after `seconds` (since the epoch), evaluating the fields
    /// in `timeZone`; nil when none comes within five years (`0 0 30 2 *`), as robfig gives up.
    /// `@every` activations are `seconds` plus the interval.
    public func next(after seconds: Int64, in timeZone: TimeZone) -> Int64? {
        if let interval { return seconds + interval }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var t = Self.floorDivide(seconds, 60) * 60 + 60
        var lastYear: Int?
        while true {
            let date = Date(timeIntervalSince1970: TimeInterval(t))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            guard let year = c.year, let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute,
                let weekday = c.weekday
            else { return nil }
            let limit = lastYear ?? year + 5
            lastYear = limit
            if year > limit { return nil }
            // Wall-clock seconds to the next instant that may match; minutes and hours are
            // stepped through, days and months skipped whole.
            let untilMidnight = Int64((24 - hour) * 3600 - minute * 60)
            let step: Int64
            if !Self.has(months, month) {
                let days = calendar.range(of: .day, in: .month, for: date)?.count ?? 31
                step = Int64(days - day) * 86_400 + untilMidnight
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                step = untilMidnight
            } else if !Self.has(hours, hour) {
                step = Int64(60 - minute) * 60
            } else if Self.has(minutes, minute) {
                return t
            } else {
                let following = (minute + 1..<60).first { Self.has(minutes, $0) } ?? 60
                step = Int64(following - minute) * 60
            }
            t = Self.advance(t, wall: step, in: timeZone)
        }
    }

    /// Whether a day (of month 1–31, of week 0–6) is taken: both fields must match unless both
    /// are restricted, when either may.
    func dayMatches(day: Int, weekday: Int) -> Bool {
        let dayOfMonth = Self.has(daysOfMonth, day), dayOfWeek = Self.has(daysOfWeek, weekday)
        if anyDayOfMonth || anyDayOfWeek { return dayOfMonth && dayOfWeek }
        return dayOfMonth || dayOfWeek
    }

    /// The instant `wall` seconds of wall-clock time after `t`. When the clock jumped forward in
    /// between, that many seconds less, unless that would not move past `t` (the target wall
    /// time itself was skipped: the first instant after the jump is taken). A jump back leaves
    /// the instant at the repeated wall time, which is evaluated again.
    static func advance(_ t: Int64, wall: Int64, in timeZone: TimeZone) -> Int64 {
        let target = t + wall
        let jump = offset(target, timeZone) - offset(t, timeZone)
        if jump > 0 && target - jump > t { return target - jump }
        return target
    }

    private static func offset(_ seconds: Int64, _ timeZone: TimeZone) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    private static func has(_ bits: UInt64, _ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - (divisor - 1)) / divisor
    }
}
