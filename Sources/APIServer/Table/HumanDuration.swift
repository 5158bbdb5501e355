import APIMachinery

/// The short ages kubectl users see in AGE, LAST SEEN, DURATION and RESTARTS cells, with the
/// exact thresholds of upstream `duration.HumanDuration` (two or three significant figures):
///
/// - below -1s: `<invalid>`; -1s up to 0: `0s` (tolerates a little clock skew);
/// - under 2 minutes: seconds (`119s`); under 10 minutes: `5m`, `5m10s`; under 3 hours: `179m`;
/// - under 8 hours: `3h`, `3h5m`; under 2 days: `47h`; under 8 days: `2d`, `2d3h`;
/// - under 2 years: days (`729d`); under 8 years: `2y`, `2y30d` (365-day years); then `8y`.
///
/// Every unit is truncated toward zero, never rounded.
enum HumanDuration {
    /// Formats a span given in whole seconds (the real span truncated toward zero).
    static func format(seconds: Int64) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 2 * 60 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 3 * 60 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(days)d" : "\(days)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(days)d" }
        let years = days / 365
        if hours < 24 * 365 * 8 {
            let rest = days % 365
            return rest == 0 ? "\(years)y" : "\(years)y\(rest)d"
        }
        return "\(years)y"
    }

    /// The age of `time` at `now`; `<unknown>` when the timestamp is missing or Go's zero time.
    static func since(_ time: Time?, now: Time) -> String {
        guard let time, !time.isZero else { return "<unknown>" }
        return format(seconds: now.secondsSinceEpoch - time.secondsSinceEpoch)
    }

    /// The age of a microsecond timestamp at `now` (whose own fraction is unknown, so the result
    /// can read one second short of what a nanosecond clock would give).
    static func since(_ time: MicroTime?, now: Time) -> String {
        guard let time, !time.isZero else { return "<unknown>" }
        let micros = now.secondsSinceEpoch &* 1_000_000 &- time.microsecondsSinceEpoch
        return format(seconds: micros / 1_000_000)
    }

    /// The span from `start` to `end`, both present.
    static func between(_ start: Time, _ end: Time) -> String {
        format(seconds: end.secondsSinceEpoch - start.secondsSinceEpoch)
    }
}
