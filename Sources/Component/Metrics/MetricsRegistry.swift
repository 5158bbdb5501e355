import Prometheus
import Synchronization

/// A component's Prometheus metrics on swift-prometheus's `PrometheusCollectorRegistry`, with
/// the help text and fixed label names each family needs for `promtool check metrics`.
///
/// Families are declared once (`register`) and then updated by name with label values in the
/// declared order; the series handle is created on first use and cached, so an update costs one
/// lock and one dictionary lookup. Values only known at scrape time (a Raft term, watcher
/// counts) are set by `onScrape` hooks, run before every `render()`. Libraries that speak
/// swift-metrics reach the same registry through `metricsFactory`.
public final class MetricsRegistry: Sendable {
    public enum Kind: Sendable {
        case counter, gauge
        case histogram(buckets: [Double])
    }

    private struct Family {
        var help: String
        var kind: Kind
        var labelNames: [String]
    }

    private enum Series: @unchecked Sendable {
        case counter(Counter), gauge(Gauge), histogram(ValueHistogram)
    }

    private struct State {
        var families: [String: Family] = [:]
        var series: [SeriesKey: Series] = [:]
        var scrapeHooks: [@Sendable () async -> Void] = []
    }

    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    /// The registry the exposition is written from.
    public let prometheus: PrometheusCollectorRegistry
    private let state = Mutex(State())

    public init(prometheus: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.prometheus = prometheus
    }

    /// A swift-metrics factory writing into the same registry (for `MetricsSystem.bootstrap`).
    public var metricsFactory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: prometheus) }

    /// Declares a family; declaring it again with the same name replaces nothing.
    public func register(_ name: String, help: String, _ kind: Kind, labels: [String] = []) {
        state.withLock { state in
            if state.families[name] == nil { state.families[name] = Family(help: help, kind: kind, labelNames: labels) }
        }
        // A family with labels shows its HELP/TYPE only once a series exists; one without is created now.
        if labels.isEmpty { _ = series(name, []) }
    }

    public func increment(_ name: String, labels: [String] = [], by amount: Double = 1) {
        switch series(name, labels) {
        case .counter(let counter)?:
            // Whole amounts stay integers, so counts print as `3`, not `3.0`.
            if amount == amount.rounded(), abs(amount) < 1e15 { counter.increment(by: Int64(amount)) } else { counter.increment(by: amount) }
        case .gauge(let gauge)?: gauge.increment(by: amount)
        default: break
        }
    }

    public func set(_ name: String, labels: [String] = [], to value: Double) {
        guard let handle = series(name, labels) else { return }
        switch handle {
        case .gauge(let gauge): gauge.set(to: value)
        case .counter(let counter):
            counter.reset()
            counter.increment(by: value)
        case .histogram: break
        }
    }

    public func observe(_ name: String, labels: [String] = [], _ value: Double) {
        if case .histogram(let histogram)? = series(name, labels) { histogram.record(value) }
    }

    /// Runs `hook` before each exposition (to set gauges from state read at scrape time).
    public func onScrape(_ hook: @escaping @Sendable () async -> Void) {
        state.withLock { $0.scrapeHooks.append(hook) }
    }

    /// The text exposition (format 0.0.4) after running the scrape hooks.
    public func render() async -> [UInt8] {
        let hooks = state.withLock { $0.scrapeHooks }
        for hook in hooks { await hook() }
        return prometheus.emitToBuffer()
    }

    /// The handle of one series, created on first use; nil for an undeclared family or a label
    /// count that does not match its declaration.
    private func series(_ name: String, _ labels: [String]) -> Series? {
        let key = SeriesKey(name: name, labels: labels)
        return state.withLock { state in
            if let existing = state.series[key] { return existing }
            guard let family = state.families[name], family.labelNames.count == labels.count else { return nil }
            let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: family.help)
            let pairs = Array(zip(family.labelNames, labels))
            let created: Series = switch family.kind {
            case .counter: .counter(prometheus.makeCounter(descriptor: descriptor, labels: pairs))
            case .gauge: .gauge(prometheus.makeGauge(descriptor: descriptor, labels: pairs))
            case .histogram(let buckets): .histogram(prometheus.makeValueHistogram(descriptor: descriptor, labels: pairs, buckets: buckets))
            }
            state.series[key] = created
            return created
        }
    }

    /// `count` upper bounds from `start`, each `factor` times the previous.
    public static func exponentialBuckets(start: Double, factor: Double, count: Int) -> [Double] {
        var buckets: [Double] = []
        var value = start
        for _ in 0..<count {
            buckets.append(value)
            value *= factor
        }
        return buckets
    }
}
