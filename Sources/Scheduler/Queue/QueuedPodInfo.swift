import APIMachinery

/// A pending pod as the scheduling queue holds it (upstream `framework.QueuedPodInfo`).
public struct QueuedPodInfo: Sendable, Hashable {
    /// The latest version of the pod the queue has seen.
    public var pod: CoreV1.Pod
    /// `namespace/name`, the pod's identity in the queue.
    public let key: String
    /// When the pod was last added to the queue: its first add, or its return after a failed
    /// attempt. Orders pods of equal priority and starts the pod's backoff.
    public var timestamp: ContinuousClock.Instant
    /// When the pod first entered the active queue; nil until then. Never changes afterwards
    /// (for end-to-end scheduling latency).
    public var initialAttemptTimestamp: ContinuousClock.Instant?
    /// How many times the pod was popped for scheduling.
    public var attempts: Int
    /// Plugins that rejected the pod in its latest attempt (filled in by the scheduler before
    /// `addUnschedulableIfNotPresent`; cleared by `pop`).
    public var unschedulablePlugins: Set<String>
    /// Plugins that reported the pod as pending (waiting for something) in its latest attempt.
    public var pendingPlugins: Set<String>
    /// The scheduling cycle of the pod's latest `pop` (0 before the first).
    public var schedulingCycle: Int

    public init(
        pod: CoreV1.Pod,
        timestamp: ContinuousClock.Instant,
        initialAttemptTimestamp: ContinuousClock.Instant? = nil,
        attempts: Int = 0,
        unschedulablePlugins: Set<String> = [],
        pendingPlugins: Set<String> = [],
        schedulingCycle: Int = 0
    ) {
        self.pod = pod
        key = Self.key(for: pod)
        self.timestamp = timestamp
        self.initialAttemptTimestamp = initialAttemptTimestamp
        self.attempts = attempts
        self.unschedulablePlugins = unschedulablePlugins
        self.pendingPlugins = pendingPlugins
        self.schedulingCycle = schedulingCycle
    }

    /// `namespace/name` of `pod`.
    public static func key(for pod: CoreV1.Pod) -> String {
        let namespace = pod.metadata?.namespace ?? ""
        let name = pod.metadata?.name ?? ""
        return namespace.isEmpty ? name : "\(namespace)/\(name)"
    }

    /// Every plugin that kept the pod from being scheduled.
    public var rejectorPlugins: Set<String> { unschedulablePlugins.union(pendingPlugins) }

    /// `spec.priority`, 0 when unset.
    public var priority: Int32 { pod.spec?.priority ?? 0 }
}

extension QueuedPodInfo {
    /// Kubernetes' PrioritySort order: higher `spec.priority` first, then the earlier
    /// `timestamp`. The queue breaks remaining ties by arrival order.
    public static let prioritySort: @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool = { lhs, rhs in
        lhs.priority > rhs.priority || (lhs.priority == rhs.priority && lhs.timestamp < rhs.timestamp)
    }
}
