/// Checks a CronJob schedule the way the standard parser of robfig/cron v3 (which Kubernetes
/// uses) does: five fields or a descriptor (`@hourly`, `@every 1h30m`), with that parser's
/// error messages. Only validity is computed, not the schedule itself.
enum CronSchedule {
    private struct Bounds {
        var min: Int
        var max: Int
        var names: [String: Int] = [:]
    }

    private static let minutes = Bounds(min: 0, max: 59)
    private static let hours = Bounds(min: 0, max: 23)
    private static let daysOfMonth = Bounds(min: 1, max: 31)
    private static let months = Bounds(
        min: 1, max: 12,
        names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12])
    private static let daysOfWeek = Bounds(
        min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])
    private static let descriptors: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]

    /// The parser's error for `spec`, or nil when it parses.
    static func error(_ spec: String) -> String? {
        if spec.isEmpty { return "empty spec string" }
        var text = Substring(spec)
        if text.hasPrefix("TZ=") || text.hasPrefix("CRON_TZ=") {
            // The location itself is checked by the caller; parse what follows it.
            guard let space = text.firstIndex(of: " ") else { return "provided bad location \(text): unknown time zone" }
            text = text[text.index(after: space)...]
            while text.first == " " { text = text.dropFirst() }
        }
        if text.hasPrefix("@") { return descriptorError(String(text)) }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard fields.count == 5 else {
            return "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]"
        }
        for (field, bounds) in zip(fields, [minutes, hours, daysOfMonth, months, daysOfWeek]) {
            for range in field.split(separator: ",") {
                if let error = rangeError(String(range), bounds) { return error }
            }
        }
        return nil
    }

    private static func rangeError(_ expression: String, _ bounds: Bounds) -> String? {
        let rangeAndStep = expression.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var start: Int
        var end: Int
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = bounds.min
            end = bounds.max
        } else {
            switch parseIntOrName(lowAndHigh[0], bounds) {
            case .failure(let message): return message
            case .success(let value): start = value
            }
            switch lowAndHigh.count {
            case 1:
                end = start
            case 2:
                switch parseIntOrName(lowAndHigh[1], bounds) {
                case .failure(let message): return message
                case .success(let value): end = value
                }
            default:
                return "too many hyphens: \(expression)"
            }
        }
        var step = 1
        switch rangeAndStep.count {
        case 1:
            break
        case 2:
            switch parseInt(rangeAndStep[1]) {
            case .failure(let message): return message
            case .success(let value): step = value
            }
            if lowAndHigh.count == 1 { end = bounds.max }
        default:
            return "too many slashes: \(expression)"
        }
        if start < bounds.min { return "beginning of range (\(start)) below minimum (\(bounds.min)): \(expression)" }
        if end > bounds.max { return "end of range (\(end)) above maximum (\(bounds.max)): \(expression)" }
        if start > end { return "beginning of range (\(start)) beyond end of range (\(end)): \(expression)" }
        if step == 0 { return "step of range should be a positive number: \(expression)" }
        return nil
    }

    private enum Parsed {
        case success(Int)
        case failure(String)
    }

    private static func parseIntOrName(_ text: String, _ bounds: Bounds) -> Parsed {
        if let value = bounds.names[text.lowercased()] { return .success(value) }
        return parseInt(text)
    }

    /// Go's `strconv.Atoi` plus the parser's negative-number rule.
    private static func parseInt(_ text: String) -> Parsed {
        guard let number = Int(text) else {
            let digits = text.drop(while: { $0 == "+" || $0 == "-" })
            let reason = !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? "value out of range" : "invalid syntax"
            return .failure("failed to parse int from \(text): strconv.Atoi: parsing \(FieldError.Value.goQuote(text)): \(reason)")
        }
        if number < 0 { return .failure("negative number (\(number)) not allowed: \(text)") }
        return .success(number)
    }

    private static func descriptorError(_ spec: String) -> String? {
        if descriptors.contains(spec) { return nil }
        let every = "@every "
        if spec.hasPrefix(every) {
            let duration = String(spec.dropFirst(every.count))
            if let problem = durationError(duration) { return "failed to parse duration \(spec): \(problem)" }
            return nil
        }
        return "unrecognized descriptor: \(spec)"
    }

    /// Go's `time.ParseDuration` acceptance: `[-+]?(\d*\.?\d+unit)+` or `0`.
    private static func durationError(_ text: String) -> String? {
        let quoted = FieldError.Value.goQuote(text)
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        if rest == "0" { return nil }
        if rest.isEmpty { return "time: invalid duration \(quoted)" }
        let units = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
        while !rest.isEmpty {
            let number = rest.prefix(while: { ($0.isASCII && $0.isNumber) || $0 == "." })
            if number.isEmpty || number == "." || number.filter({ $0 == "." }).count > 1 {
                return "time: invalid duration \(quoted)"
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix(while: { !(($0.isASCII && $0.isNumber) || $0 == ".") })
            if unit.isEmpty { return "time: missing unit in duration \(quoted)" }
            if !units.contains(String(unit)) { return "time: unknown unit \(FieldError.Value.goQuote(String(unit))) in duration \(quoted)" }
            rest = rest.dropFirst(unit.count)
        }
        return nil
    }
}
