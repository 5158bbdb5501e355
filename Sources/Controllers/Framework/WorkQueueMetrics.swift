import Client
import Component

/// The workqueue metrics kube-controller-manager exposes, by queue name: `workqueue_depth`,
/// `workqueue_adds_total` (keys handed to a worker), `workqueue_retries_total`,
/// `workqueue_work_duration_seconds`.
public struct WorkQueueMetrics: Sendable {
    static let depth = "workqueue_depth"
    static let adds = "workqueue_adds_total"
    static let retries = "workqueue_retries_total"
    static let workDuration = "workqueue_work_duration_seconds"

    let registry: MetricsRegistry

    public init(registry: MetricsRegistry) {
        self.registry = registry
        registry.register(Self.depth, help: "Current depth of workqueue", .gauge, labels: ["name"])
        registry.register(Self.adds, help: "Total number of adds handled by workqueue", .counter, labels: ["name"])
        registry.register(Self.retries, help: "Total number of retries handled by workqueue", .counter, labels: ["name"])
        registry.register(
            Self.workDuration, help: "How long in seconds processing an item from workqueue takes.",
            .histogram(buckets: MetricsRegistry.exponentialBuckets(start: 1e-8, factor: 10, count: 10)), labels: ["name"])
    }

    /// Reports `queue`'s depth under `name` at every scrape.
    func watch(_ queue: WorkQueue<String>, name: String) {
        registry.set(Self.depth, labels: [name], to: 0)
        registry.onScrape { [registry] in registry.set(Self.depth, labels: [name], to: Double(queue.len)) }
    }

    /// One processed key: its time, and whether it goes back for a retry.
    func processed(_ name: String, seconds: Double, failed: Bool) {
        registry.increment(Self.adds, labels: [name])
        registry.observe(Self.workDuration, labels: [name], seconds)
        if failed { registry.increment(Self.retries, labels: [name]) }
    }
}
