import APIMachinery
import Synchronization

/// Request counts and latency histograms by verb, resource, subresource and code, in
/// kube-apiserver's metric names (`apiserver_request_total`, `apiserver_request_duration_seconds`).
public final class APIMetrics: Sendable {
    static let buckets: [Double] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]

    private struct Series: Hashable {
        var verb: String
        var resource: String
        var subresource: String
        var code: Int
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: APIMetrics.buckets.count)
        var sum = 0.0
        var total = 0
    }

    private let state = Mutex<[Series: Histogram]>([:])

    public init() {}

    public func record(verb: String, resource: String, subresource: String, code: Int, seconds: Double) {
        let series = Series(verb: verb.uppercased(), resource: resource, subresource: subresource, code: code)
        state.withLock { all in
            var histogram = all[series] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.sum += seconds
            histogram.total += 1
            all[series] = histogram
        }
    }

    public func prometheusText(watchers: [(GroupVersionResource, Int)]) -> String {
        let snapshot = state.withLock { $0 }
        var out = "# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource and HTTP response code.\n# TYPE apiserver_request_total counter\n"
        let sorted = snapshot.sorted { "\($0.key)" < "\($1.key)" }
        for (series, histogram) in sorted {
            out += "apiserver_request_total{code=\"\(series.code)\",resource=\"\(series.resource)\",subresource=\"\(series.subresource)\",verb=\"\(series.verb)\"} \(histogram.total)\n"
        }
        out += "# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.\n# TYPE apiserver_request_duration_seconds histogram\n"
        // Latency is reported without the code label: merge the per-code histograms.
        var merged: [Series: Histogram] = [:]
        for (series, histogram) in snapshot {
            var key = series
            key.code = 0
            var total = merged[key] ?? Histogram()
            for index in total.counts.indices { total.counts[index] += histogram.counts[index] }
            total.sum += histogram.sum
            total.total += histogram.total
            merged[key] = total
        }
        for (series, histogram) in merged.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let labels = "resource=\"\(series.resource)\",subresource=\"\(series.subresource)\",verb=\"\(series.verb)\""
            for (index, bound) in Self.buckets.enumerated() {
                out += "apiserver_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            out += "apiserver_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.total)\n"
            out += "apiserver_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            out += "apiserver_request_duration_seconds_count{\(labels)} \(histogram.total)\n"
        }
        out += "# HELP apiserver_longrunning_requests Gauge of all active long-running apiserver requests.\n# TYPE apiserver_longrunning_requests gauge\n"
        for (gvr, count) in watchers.sorted(by: { $0.0.description < $1.0.description }) {
            out += "apiserver_longrunning_requests{group=\"\(gvr.group)\",resource=\"\(gvr.resource)\",verb=\"WATCH\",version=\"\(gvr.version)\"} \(count)\n"
        }
        return out
    }
}
