/// Timing and event rules of a scheduling queue, with kube-scheduler's defaults.
public struct SchedulingQueueOptions: Sendable, Hashable {
    /// Backoff after a pod's first failed attempt; doubled per further attempt.
    public var initialBackoff: Duration = .seconds(1)
    /// The cap of the backoff.
    public var maxBackoff: Duration = .seconds(10)
    /// Pods left unschedulable longer than this move back on the next leftover flush.
    public var maxInUnschedulable: Duration = .seconds(300)
    /// How often the shell moves pods whose backoff completed to the active queue.
    public var backoffFlushInterval: Duration = .seconds(1)
    /// How often the shell looks for unschedulable leftovers.
    public var leftoverFlushInterval: Duration = .seconds(30)
    /// Which events can undo which plugin's rejection.
    public var eventTable: QueueingEventTable = .kubernetesDefaults

    public init() {}

    /// The backoff of a pod after `attempts` attempts: `initialBackoff` doubled `attempts - 1`
    /// times, at most `maxBackoff` (upstream `calculateBackoffDuration`).
    public func backoff(attempts: Int) -> Duration {
        var duration = initialBackoff
        var attempt = 1
        while attempt < attempts {
            if duration > maxBackoff - duration { return maxBackoff }
            duration += duration
            attempt += 1
        }
        return min(duration, maxBackoff)
    }
}
