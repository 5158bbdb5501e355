import Component

/// The scheduler's Prometheus metrics, named as kube-scheduler names them.
struct SchedulerMetrics: Sendable {
    static let attempts = "scheduler_schedule_attempts_total"
    static let attemptDuration = "scheduler_scheduling_attempt_duration_seconds"
    static let podSchedulingDuration = "scheduler_pod_scheduling_sli_duration_seconds"
    static let pendingPods = "scheduler_pending_pods"
    static let preemptionAttempts = "scheduler_preemption_attempts_total"
    static let preemptionVictims = "scheduler_preemption_victims"
    static let leaderStatus = "leader_election_master_status"

    let registry: MetricsRegistry

    init(registry: MetricsRegistry) {
        self.registry = registry
        let latencyBuckets = MetricsRegistry.exponentialBuckets(start: 0.001, factor: 2, count: 15)
        registry.register(Self.attempts, help: "Number of attempts to schedule pods, by the result.", .counter, labels: ["profile", "result"])
        registry.register(Self.attemptDuration, help: "Scheduling attempt latency in seconds (scheduling algorithm + binding).",
                          .histogram(buckets: latencyBuckets), labels: ["profile", "result"])
        registry.register(Self.podSchedulingDuration, help: "E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.",
                          .histogram(buckets: MetricsRegistry.exponentialBuckets(start: 0.01, factor: 2, count: 20)), labels: ["attempts"])
        registry.register(Self.pendingPods, help: "Number of pending pods, by the queue type.", .gauge, labels: ["queue"])
        registry.register(Self.preemptionAttempts, help: "Total preemption attempts in the cluster till now.", .counter)
        registry.register(Self.preemptionVictims, help: "Number of selected preemption victims.", .histogram(buckets: MetricsRegistry.exponentialBuckets(start: 1, factor: 2, count: 7)))
        registry.register(Self.leaderStatus, help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.",
                          .gauge, labels: ["name"])
    }

    func attempt(profile: String, result: String, seconds: Double) {
        registry.increment(Self.attempts, labels: [profile, result])
        registry.observe(Self.attemptDuration, labels: [profile, result], seconds)
    }
}
