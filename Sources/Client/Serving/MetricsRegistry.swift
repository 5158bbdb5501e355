import Foundation
import Synchronization

/// Prometheus metrics of a component, rendered in the text exposition format (0.0.4).
///
/// Counters, gauges and histograms are identified by name plus an ordered label set; updates
/// take one lock and cost a dictionary lookup, so they are fine on hot paths at thousands per
/// second. Rendering sorts series, so output is stable.
public final class MetricsRegistry: Sendable {
    struct Family: Sendable {
        var help: String
        var type: String
        var buckets: [Double] = []
        var values: [[String]: Double] = [:]
        var histograms: [[String]: Histogram] = [:]
        var labelNames: [String]
    }

    struct Histogram: Sendable {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    /// Declares a metric; `type` is `counter`, `gauge` or `histogram` (with `buckets`, upper bounds ascending).
    public func register(_ name: String, help: String, type: String, labels: [String] = [], buckets: [Double] = []) {
        families.withLock { $0[name] = Family(help: help, type: type, buckets: buckets, labelNames: labels) }
    }

    public func increment(_ name: String, labels: [String] = [], by amount: Double = 1) {
        families.withLock { $0[name]?.values[labels, default: 0] += amount }
    }

    public func set(_ name: String, labels: [String] = [], to value: Double) {
        families.withLock { $0[name]?.values[labels] = value }
    }

    public func observe(_ name: String, labels: [String] = [], _ value: Double) {
        families.withLock { all in
            guard var family = all[name] else { return }
            var histogram = family.histograms[labels] ?? Histogram(counts: Array(repeating: 0, count: family.buckets.count))
            if let bucket = family.buckets.firstIndex(where: { value <= $0 }) { histogram.counts[bucket] += 1 }
            histogram.sum += value
            histogram.count += 1
            family.histograms[labels] = histogram
            all[name] = family
        }
    }

    /// The exposition text of every metric.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.type)\n"
            func labelText(_ values: [String], extra: (String, String)? = nil) -> String {
                var pairs = zip(family.labelNames, values).map { "\($0)=\"\(Self.escape($1))\"" }
                if let extra { pairs.append("\(extra.0)=\"\(extra.1)\"") }
                return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
            }
            for labels in family.values.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                out += "\(name)\(labelText(labels)) \(Self.number(family.values[labels] ?? 0))\n"
            }
            for labels in family.histograms.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let histogram = family.histograms[labels] else { continue }
                var cumulative: UInt64 = 0
                for (bound, count) in zip(family.buckets, histogram.counts) {
                    cumulative += count
                    out += "\(name)_bucket\(labelText(labels, extra: ("le", Self.number(bound)))) \(cumulative)\n"
                }
                out += "\(name)_bucket\(labelText(labels, extra: ("le", "+Inf"))) \(histogram.count)\n"
                out += "\(name)_sum\(labelText(labels)) \(Self.number(histogram.sum))\n"
                out += "\(name)_count\(labelText(labels)) \(histogram.count)\n"
            }
        }
        return out
    }

    /// Upper bounds `start, start·factor, …` (count of them), like Prometheus' ExponentialBuckets.
    public static func exponentialBuckets(start: Double, factor: Double, count: Int) -> [Double] {
        (0..<count).map { start * pow(factor, Double($0)) }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
