import APIMachinery
import Component

/// Request counts and latency histograms by verb, resource, subresource and code, and open
/// watches, in kube-apiserver's metric names, on the component's registry.
public final class APIMetrics: Sendable {
    static let buckets: [Double] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]
    static let requests = "apiserver_request_total"
    static let duration = "apiserver_request_duration_seconds"
    static let longRunning = "apiserver_longrunning_requests"

    public let registry: MetricsRegistry

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        registry.register(Self.requests, help: "Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.",
                          .counter, labels: ["verb", "resource", "subresource", "code"])
        registry.register(Self.duration, help: "Response latency distribution in seconds for each verb, resource and subresource.",
                          .histogram(buckets: Self.buckets), labels: ["verb", "resource", "subresource"])
        registry.register(Self.longRunning, help: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource.",
                          .gauge, labels: ["verb", "group", "version", "resource"])
    }

    public func record(verb: String, resource: String, subresource: String, code: Int, seconds: Double) {
        let verb = verb.uppercased()
        registry.increment(Self.requests, labels: [verb, resource, subresource, String(code)])
        registry.observe(Self.duration, labels: [verb, resource, subresource], seconds)
    }

    /// Open watches per resource, refreshed from `stores` at every scrape.
    func exportWatchers(_ stores: StoreRegistry) {
        registry.onScrape { [registry] in
            for (gvr, count) in await stores.watcherCounts() {
                registry.set(Self.longRunning, labels: ["WATCH", gvr.group, gvr.version, gvr.resource], to: Double(count))
            }
        }
    }
}
