import APIMachinery

/// The pure core of the scheduling queue (upstream `PriorityQueue` in
/// `pkg/scheduler/backend/queue/scheduling_queue.go`, without queueing hints): no clock, no
/// tasks. Each event is a mutating method taking `now`; it returns a `SchedulingQueueUpdate`
/// saying where pods went, and the shell (`SchedulingQueue`) serves waiting `pop()` callers
/// from the active queue afterwards.
///
/// Sub-queues — every pending pod is in at most one, or in flight (popped, being scheduled):
/// - **active**: pods to try now, ordered by the injected `less` (PrioritySort: higher priority,
///   then earlier timestamp; arrival order breaks ties).
/// - **backoff**: pods that failed and wait until `timestamp + backoff(attempts)` (1 s doubling
///   per attempt up to 10 s), ordered by that expiry; `flushBackoffCompleted` moves the due ones
///   to active.
/// - **unschedulable**: pods rejected by plugins, waiting for a cluster event that one of those
///   plugins cares about (`QueueingEventTable`), or for `maxInUnschedulable` (5 min) to pass
///   (`flushUnschedulableLeftover`). A moved pod still in its backoff goes to backoff, otherwise
///   to active.
///
/// The scheduling-cycle rule: `pop` numbers cycles; every move request records the current
/// cycle. A pod that comes back failed from a cycle no later than the last move request (an
/// event arrived while it was being scheduled), or that failed without any rejecting plugin (an
/// error), or that was updated while in flight, goes to backoff instead of unschedulable, since
/// the event may already have made it schedulable.
public struct SchedulingQueueState: Sendable {
    public enum SubQueue: String, Sendable, Hashable, CaseIterable {
        case active, backoff, unschedulable
    }

    /// A popped pod not yet returned through `addUnschedulableIfNotPresent` or `done`.
    private struct InFlight: Sendable {
        var pod: CoreV1.Pod
        /// Updated in a way that may change its scheduling result.
        var updated = false
        var deleted = false
    }

    public let options: SchedulingQueueOptions
    private var activeQ: QueuedPodHeap
    private var backoffQ: QueuedPodHeap
    private var unschedulable: [String: QueuedPodInfo] = [:]
    private var inFlight: [String: InFlight] = [:]
    private var nominator = PodNominator()
    /// Incremented by every `pop`.
    public private(set) var schedulingCycle = 0
    /// The scheduling cycle current at the latest move request (-1: none yet).
    public private(set) var moveRequestCycle = -1
    public private(set) var isClosed = false

    /// An empty queue whose active sub-queue is ordered by `less` (e.g.
    /// `QueuedPodInfo.prioritySort`).
    public init(
        less: @escaping @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool,
        options: SchedulingQueueOptions = SchedulingQueueOptions()
    ) {
        self.options = options
        activeQ = QueuedPodHeap(less: less)
        backoffQ = QueuedPodHeap { lhs, rhs in
            lhs.timestamp.advanced(by: options.backoff(attempts: lhs.attempts))
                < rhs.timestamp.advanced(by: options.backoff(attempts: rhs.attempts))
        }
    }

    // MARK: Queries

    public var activeCount: Int { activeQ.count }
    public var backoffCount: Int { backoffQ.count }
    public var unschedulableCount: Int { unschedulable.count }
    public var inFlightCount: Int { inFlight.count }

    /// How many pods wait in each sub-queue, without copying them (for metrics).
    public var counts: (active: Int, backoff: Int, unschedulable: Int) { (activeQ.count, backoffQ.count, unschedulable.count) }

    /// Where the pod `key` waits, nil when it is not queued (unknown or in flight).
    public func subQueue(of key: String) -> SubQueue? {
        if activeQ.contains(key) { return .active }
        if backoffQ.contains(key) { return .backoff }
        if unschedulable[key] != nil { return .unschedulable }
        return nil
    }

    /// The queued pod `key`, from whichever sub-queue holds it.
    public func podInfo(_ key: String) -> QueuedPodInfo? {
        activeQ.get(key) ?? backoffQ.get(key) ?? unschedulable[key]
    }

    public func isInFlight(_ key: String) -> Bool { inFlight[key] != nil }

    /// When the pod's backoff ends: `timestamp + backoff(attempts)`.
    public func backoffExpiry(_ info: QueuedPodInfo) -> ContinuousClock.Instant {
        info.timestamp.advanced(by: options.backoff(attempts: info.attempts))
    }

    public func isBackingOff(_ info: QueuedPodInfo, now: ContinuousClock.Instant) -> Bool {
        backoffExpiry(info) > now
    }

    /// Every pending pod by sub-queue (active in pop order), with the sizes for metrics.
    public func pendingPods() -> PendingPods {
        var active = activeQ
        var ordered: [CoreV1.Pod] = []
        while let info = active.pop() { ordered.append(info.pod) }
        let backoff = backoffQ.all.sorted { backoffExpiry($0) < backoffExpiry($1) }.map(\.pod)
        let unschedulablePods = unschedulable.values.sorted { $0.key < $1.key }.map(\.pod)
        return PendingPods(active: ordered, backoff: backoff, unschedulable: unschedulablePods, inFlight: inFlight.count)
    }

    /// The pods nominated to `nodeName`, each in its latest queued version.
    public func nominatedPods(forNode nodeName: String) -> [CoreV1.Pod] {
        nominator.pods(onNode: nodeName).map { pod in
            podInfo(QueuedPodInfo.key(for: pod))?.pod ?? pod
        }
    }

    /// The node `key` is nominated to, if any.
    public func nominatedNode(of key: String) -> String? { nominator.nominatedNode(of: key) }

    // MARK: Pending pods

    /// A new pending pod: queued in active (replacing any queued version of it).
    public mutating func add(_ pod: CoreV1.Pod, now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        let key = QueuedPodInfo.key(for: pod)
        var update = SchedulingQueueUpdate()
        var info = QueuedPodInfo(pod: pod, timestamp: now)
        if let queued = activeQ.get(key) {
            info = queued
            info.pod = pod
        }
        backoffQ.remove(key)
        unschedulable[key] = nil
        moveToActive(info, now: now, &update)
        nominator.add(pod)
        return update
    }

    /// A pending pod changed (upstream `Update`). In active or backoff it is replaced in place;
    /// in unschedulable it moves (to backoff if still backing off, else active) when the change
    /// may matter for scheduling (anything but status, resourceVersion, generation,
    /// managedFields and finalizers), otherwise it stays; in flight, the new version is kept for
    /// when the pod comes back; unknown, it is added to active.
    public mutating func update(old: CoreV1.Pod?, new: CoreV1.Pod, now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        let key = QueuedPodInfo.key(for: new)
        var update = SchedulingQueueUpdate()
        if var info = activeQ.get(key) {
            info.pod = new
            activeQ.upsert(info)
            nominator.update(old: old, new: new)
            update.placed[key] = .active
            return update
        }
        if var info = backoffQ.get(key) {
            info.pod = new
            backoffQ.upsert(info)
            nominator.update(old: old, new: new)
            update.placed[key] = .backoff
            return update
        }
        if var info = unschedulable[key] {
            let previous = info.pod
            info.pod = new
            nominator.update(old: old, new: new)
            if Self.schedulingRelevantChange(old: old ?? previous, new: new) {
                unschedulable[key] = nil
                requeue(info, now: now, &update)
            } else {
                unschedulable[key] = info
                update.placed[key] = .unschedulable
            }
            return update
        }
        if var flight = inFlight[key] {
            if Self.schedulingRelevantChange(old: flight.pod, new: new) { flight.updated = true }
            flight.pod = new
            inFlight[key] = flight
            nominator.update(old: old, new: new)
            return update
        }
        return add(new, now: now)
    }

    /// A pending pod was deleted (or bound by someone else): it leaves whichever sub-queue holds
    /// it and its nomination; an in-flight pod is dropped when it comes back.
    public mutating func delete(_ pod: CoreV1.Pod) -> SchedulingQueueUpdate {
        let key = QueuedPodInfo.key(for: pod)
        var update = SchedulingQueueUpdate()
        nominator.delete(key)
        if activeQ.remove(key) != nil || backoffQ.remove(key) != nil || unschedulable.removeValue(forKey: key) != nil {
            update.removed.append(key)
        }
        inFlight[key]?.deleted = true
        return update
    }

    /// Moves the named pods waiting in backoff or unschedulable to active at once (upstream
    /// `Activate`). Pods in flight make the next return count as after a move request.
    public mutating func activate(_ keys: [String], now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        var update = SchedulingQueueUpdate()
        for key in keys {
            if let info = unschedulable.removeValue(forKey: key) ?? backoffQ.remove(key) {
                moveToActive(info, now: now, &update)
            } else if inFlight[key] != nil {
                moveRequestCycle = schedulingCycle
            }
        }
        return update
    }

    // MARK: Scheduling attempts

    /// The head of the active queue, now in flight: a new scheduling cycle begins, the pod's
    /// attempts count up and its rejecting plugins are cleared. Nil when active is empty or the
    /// queue is closed.
    public mutating func pop() -> QueuedPodInfo? {
        guard !isClosed, var info = activeQ.pop() else { return nil }
        schedulingCycle += 1
        info.attempts += 1
        info.schedulingCycle = schedulingCycle
        info.unschedulablePlugins = []
        info.pendingPlugins = []
        inFlight[info.key] = InFlight(pod: info.pod)
        return info
    }

    /// The scheduler is finished with popped pod `key` (bound, or given up): it is no longer in
    /// flight. `addUnschedulableIfNotPresent` implies it.
    public mutating func done(_ key: String) {
        inFlight[key] = nil
    }

    /// A popped pod failed (upstream `AddUnschedulableIfNotPresent` without queueing hints).
    /// `info` carries the plugins that rejected it; `podSchedulingCycle` is the cycle it was
    /// popped in (default: `info.schedulingCycle`). Its timestamp becomes `now`. It goes to
    /// unschedulable, or to backoff (active once its backoff is over) under the
    /// scheduling-cycle rule. A pod deleted while in flight is dropped; one updated while in
    /// flight comes back in its latest version.
    /// - Throws: `alreadyPresent` when the queue holds the pod already (it stays where it is).
    public mutating func addUnschedulableIfNotPresent(
        _ info: QueuedPodInfo,
        podSchedulingCycle: Int? = nil,
        now: ContinuousClock.Instant
    ) throws(SchedulingQueueError) -> SchedulingQueueUpdate {
        let key = info.key
        let flight = inFlight.removeValue(forKey: key)
        var update = SchedulingQueueUpdate()
        if flight?.deleted == true {
            update.removed.append(key)
            return update
        }
        if let queue = subQueue(of: key) { throw .alreadyPresent(key: key, in: queue) }
        var info = info
        if let latest = flight?.pod { info.pod = latest }
        info.timestamp = now
        let cycle = podSchedulingCycle ?? info.schedulingCycle
        if moveRequestCycle >= cycle || info.rejectorPlugins.isEmpty || flight?.updated == true {
            requeue(info, now: now, &update)
        } else {
            unschedulable[key] = info
            update.placed[key] = .unschedulable
        }
        return update
    }

    // MARK: Cluster events

    /// A cluster event may have made unschedulable pods schedulable (upstream
    /// `MoveAllToActiveOrBackoffQueue`): every unschedulable pod that passes `preCheck` and was
    /// rejected by a plugin that cares about `event` moves to backoff (if still backing off) or
    /// active. Records a move request for the scheduling-cycle rule.
    public mutating func moveAllToActiveOrBackoff(
        event: ClusterEvent,
        now: ContinuousClock.Instant,
        preCheck: ((QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        let candidates = unschedulable.values.filter { preCheck?($0) ?? true }
        return movePods(candidates, event: event, now: now)
    }

    /// A pod was bound to a node: pods rejected by plugins that care about pod additions
    /// (inter-pod affinity, topology spread) move. `preCheck` may narrow them further (upstream
    /// keeps only pods whose affinity terms match `pod`, or rejected by topology spread in its
    /// namespace).
    public mutating func assignedPodAdded(
        _ pod: CoreV1.Pod,
        now: ContinuousClock.Instant,
        preCheck: ((QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        moveAllToActiveOrBackoff(event: .assignedPodAdd, now: now, preCheck: preCheck)
    }

    /// A bound pod changed: one move per event of `ClusterEvent.assignedPodUpdate` (label
    /// change, scale-down, other update).
    public mutating func assignedPodUpdated(
        old: CoreV1.Pod,
        new: CoreV1.Pod,
        now: ContinuousClock.Instant,
        preCheck: ((QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        var update = SchedulingQueueUpdate()
        for event in ClusterEvent.assignedPodUpdate(old: old, new: new) {
            update.merge(moveAllToActiveOrBackoff(event: event, now: now, preCheck: preCheck))
        }
        return update
    }

    /// A bound pod went away, freeing resources and ports: pods rejected by plugins that care
    /// about pod deletion move.
    public mutating func assignedPodDeleted(_ pod: CoreV1.Pod, now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        moveAllToActiveOrBackoff(event: .assignedPodDelete, now: now)
    }

    // MARK: Flushes

    /// Moves every backoff pod whose backoff has ended by `now` to active.
    public mutating func flushBackoffCompleted(now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        var update = SchedulingQueueUpdate()
        while let head = backoffQ.peek, !isBackingOff(head, now: now) {
            backoffQ.remove(head.key)
            moveToActive(head, now: now, &update)
        }
        return update
    }

    /// Moves pods unschedulable for longer than `maxInUnschedulable` back (a wildcard
    /// `unschedulableTimeout` move).
    public mutating func flushUnschedulableLeftover(now: ContinuousClock.Instant) -> SchedulingQueueUpdate {
        let stale = unschedulable.values.filter { now - $0.timestamp > options.maxInUnschedulable }
        guard !stale.isEmpty else { return SchedulingQueueUpdate() }
        return movePods(stale, event: .unschedulableTimeout, now: now)
    }

    // MARK: Nominations

    /// Nominates `pod` to `nodeName` (after preemption), or to its `status.nominatedNodeName`.
    public mutating func addNominatedPod(_ pod: CoreV1.Pod, nodeName: String? = nil) {
        nominator.add(pod, nodeName: nodeName)
    }

    public mutating func deleteNominatedPodIfExists(_ pod: CoreV1.Pod) {
        nominator.delete(QueuedPodInfo.key(for: pod))
    }

    // MARK: Closing

    /// Closes the queue: `pop` returns nil from now on.
    public mutating func close() { isClosed = true }

    // MARK: Helpers

    private mutating func movePods(
        _ candidates: [QueuedPodInfo],
        event: ClusterEvent,
        now: ContinuousClock.Instant
    ) -> SchedulingQueueUpdate {
        var update = SchedulingQueueUpdate()
        // Only the pods that move are ordered (by key, so moves are deterministic): an event most
        // pods do not care about costs one table lookup per pod, not a sort of them all.
        let moving = candidates.filter { options.eventTable.mayMakeSchedulable(rejectedBy: $0.rejectorPlugins, event: event) }
        for info in moving.sorted(by: { $0.key < $1.key }) {
            unschedulable[info.key] = nil
            requeue(info, now: now, &update)
        }
        moveRequestCycle = schedulingCycle
        return update
    }

    /// Backoff while the pod's backoff lasts, active after.
    private mutating func requeue(_ info: QueuedPodInfo, now: ContinuousClock.Instant, _ update: inout SchedulingQueueUpdate) {
        if isBackingOff(info, now: now) {
            backoffQ.upsert(info)
            update.placed[info.key] = .backoff
        } else {
            moveToActive(info, now: now, &update)
        }
    }

    private mutating func moveToActive(_ info: QueuedPodInfo, now: ContinuousClock.Instant, _ update: inout SchedulingQueueUpdate) {
        var info = info
        if info.initialAttemptTimestamp == nil { info.initialAttemptTimestamp = now }
        activeQ.upsert(info)
        nominator.refresh(info.pod)
        update.placed[info.key] = .active
    }

    /// Whether an update of a pending pod may change its scheduling result (upstream
    /// `isPodUpdated`): anything but status (except resource claim statuses), resourceVersion,
    /// generation, managedFields and finalizers.
    static func schedulingRelevantChange(old: CoreV1.Pod, new: CoreV1.Pod) -> Bool {
        func strip(_ pod: CoreV1.Pod) -> CoreV1.Pod {
            var pod = pod
            pod.metadata?.resourceVersion = nil
            pod.metadata?.generation = nil
            pod.metadata?.managedFields = nil
            pod.metadata?.finalizers = nil
            let claims = pod.status?.resourceClaimStatuses
            pod.status = claims.map { CoreV1.PodStatus(resourceClaimStatuses: $0) }
            return pod
        }
        return strip(old) != strip(new)
    }
}

/// What one call did to the queue.
public struct SchedulingQueueUpdate: Sendable, Hashable {
    /// The sub-queue each affected pod is in now.
    public var placed: [String: SchedulingQueueState.SubQueue] = [:]
    /// Pods that left the queue.
    public var removed: [String] = []

    public init() {}

    /// Whether the active queue gained pods (suspended `pop` callers can be served).
    public var activated: Bool { placed.values.contains(.active) }

    mutating func merge(_ other: SchedulingQueueUpdate) {
        placed.merge(other.placed) { _, later in later }
        removed += other.removed
    }
}

/// The pending pods by sub-queue, for debugging and metrics (upstream `PendingPods`).
public struct PendingPods: Sendable, Hashable, CustomStringConvertible {
    /// In pop order.
    public var active: [CoreV1.Pod]
    /// In backoff-expiry order.
    public var backoff: [CoreV1.Pod]
    /// By key.
    public var unschedulable: [CoreV1.Pod]
    /// Popped and not yet returned or done.
    public var inFlight: Int

    public var all: [CoreV1.Pod] { active + backoff + unschedulable }

    /// Upstream's summary line: `activeQ:1; backoffQ:2; unschedulablePods:3`.
    public var description: String {
        "activeQ:\(active.count); backoffQ:\(backoff.count); unschedulablePods:\(unschedulable.count)"
    }
}
