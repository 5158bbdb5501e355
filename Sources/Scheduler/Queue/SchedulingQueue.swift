import Component
import APIMachinery
import Client

/// The scheduler's queue of pending pods: the thin actor shell around `SchedulingQueueState`
/// (see there for the sub-queues and the rules). It adds what needs time and suspension:
///
/// - `pop()` suspends until a pod is active (callers are served in arrival order) and returns
///   nil once the queue is closed or the calling task is cancelled.
/// - `run()` drives the background flushes on the injected `ComponentClock`: backoff completions
///   every `backoffFlushInterval` (1 s), unschedulable leftovers every `leftoverFlushInterval`
///   (30 s; pods older than `maxInUnschedulable`, 5 min, move back). It returns after `close()`
///   or when its task is cancelled.
/// - `close()` releases every suspended `pop()` with nil and stops `run()`.
///
/// Every mutating call stamps the pod with the clock's `now` and returns the core's
/// `SchedulingQueueUpdate` (where pods went).
public actor SchedulingQueue {
    private var state: SchedulingQueueState
    public nonisolated let clock: any ComponentClock
    private var poppers: [(id: UInt64, continuation: CheckedContinuation<QueuedPodInfo?, Never>)] = []
    private var nextPopperID: UInt64 = 0
    /// The sleep of `run()`, cancelled by `close()`.
    private var flushSleep: Task<Void, any Error>?

    /// An empty queue ordered by `less` (e.g. `QueuedPodInfo.prioritySort`), timed by `clock`.
    public init(
        less: @escaping @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool = QueuedPodInfo.prioritySort,
        clock: any ComponentClock = SystemClock(),
        options: SchedulingQueueOptions = SchedulingQueueOptions()
    ) {
        state = SchedulingQueueState(less: less, options: options)
        self.clock = clock
    }

    // MARK: Queries

    /// A copy of the core, for inspection.
    public var snapshot: SchedulingQueueState { state }
    public var schedulingCycle: Int { state.schedulingCycle }
    public func pendingPods() -> PendingPods { state.pendingPods() }
    /// Sizes of the active, backoff and unschedulable sub-queues.
    public func pendingCounts() -> (active: Int, backoff: Int, unschedulable: Int) { state.counts }
    public func nominatedPods(forNode nodeName: String) -> [CoreV1.Pod] { state.nominatedPods(forNode: nodeName) }
    /// How many `pop()` callers are suspended.
    public var waitingPoppers: Int { poppers.count }

    // MARK: Pending pods

    @discardableResult
    public func add(_ pod: CoreV1.Pod) -> SchedulingQueueUpdate {
        apply { $0.add(pod, now: $1) }
    }

    @discardableResult
    public func update(old: CoreV1.Pod?, new: CoreV1.Pod) -> SchedulingQueueUpdate {
        apply { $0.update(old: old, new: new, now: $1) }
    }

    @discardableResult
    public func delete(_ pod: CoreV1.Pod) -> SchedulingQueueUpdate {
        apply { s, _ in s.delete(pod) }
    }

    @discardableResult
    public func activate(_ keys: [String]) -> SchedulingQueueUpdate {
        apply { $0.activate(keys, now: $1) }
    }

    // MARK: Scheduling attempts

    /// The next pod to schedule, suspending while none is active; nil once closed or cancelled.
    public func pop() async -> QueuedPodInfo? {
        if let info = state.pop() { return info }
        if state.isClosed || Task.isCancelled { return nil }
        nextPopperID += 1
        let id = nextPopperID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<QueuedPodInfo?, Never>) in
                if Task.isCancelled || state.isClosed {
                    continuation.resume(returning: nil)
                } else {
                    poppers.append((id, continuation))
                    servePoppers()
                }
            }
        } onCancel: {
            Task { await self.cancelPopper(id) }
        }
    }

    /// The scheduler is done with popped pod `key`.
    public func done(_ key: String) { state.done(key) }

    /// Returns a failed pod to the queue (see `SchedulingQueueState.addUnschedulableIfNotPresent`).
    @discardableResult
    public func addUnschedulableIfNotPresent(
        _ info: QueuedPodInfo,
        podSchedulingCycle: Int? = nil
    ) throws(SchedulingQueueError) -> SchedulingQueueUpdate {
        let update = try state.addUnschedulableIfNotPresent(info, podSchedulingCycle: podSchedulingCycle, now: clock.now)
        servePoppers()
        return update
    }

    // MARK: Cluster events

    @discardableResult
    public func moveAllToActiveOrBackoff(
        event: ClusterEvent,
        preCheck: (@Sendable (QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        apply { $0.moveAllToActiveOrBackoff(event: event, now: $1, preCheck: preCheck) }
    }

    @discardableResult
    public func assignedPodAdded(
        _ pod: CoreV1.Pod,
        preCheck: (@Sendable (QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        apply { $0.assignedPodAdded(pod, now: $1, preCheck: preCheck) }
    }

    @discardableResult
    public func assignedPodUpdated(
        old: CoreV1.Pod,
        new: CoreV1.Pod,
        preCheck: (@Sendable (QueuedPodInfo) -> Bool)? = nil
    ) -> SchedulingQueueUpdate {
        apply { $0.assignedPodUpdated(old: old, new: new, now: $1, preCheck: preCheck) }
    }

    @discardableResult
    public func assignedPodDeleted(_ pod: CoreV1.Pod) -> SchedulingQueueUpdate {
        apply { $0.assignedPodDeleted(pod, now: $1) }
    }

    /// A node appeared: pods waiting for a node move.
    @discardableResult
    public func nodeAdded(_ node: CoreV1.Node) -> SchedulingQueueUpdate {
        moveAllToActiveOrBackoff(event: .nodeAdd)
    }

    /// A node changed: one move per event of `ClusterEvent.nodeUpdate` (nothing when no
    /// scheduling-relevant property changed).
    @discardableResult
    public func nodeUpdated(old: CoreV1.Node, new: CoreV1.Node) -> SchedulingQueueUpdate {
        apply { s, now in
            var update = SchedulingQueueUpdate()
            for event in ClusterEvent.nodeUpdate(old: old, new: new) {
                update.merge(s.moveAllToActiveOrBackoff(event: event, now: now))
            }
            return update
        }
    }

    @discardableResult
    public func nodeDeleted(_ node: CoreV1.Node) -> SchedulingQueueUpdate {
        moveAllToActiveOrBackoff(event: .nodeDelete)
    }

    // MARK: Nominations

    public func addNominatedPod(_ pod: CoreV1.Pod, nodeName: String? = nil) {
        state.addNominatedPod(pod, nodeName: nodeName)
    }

    public func deleteNominatedPodIfExists(_ pod: CoreV1.Pod) {
        state.deleteNominatedPodIfExists(pod)
    }

    // MARK: Flushing

    @discardableResult
    public func flushBackoffCompleted() -> SchedulingQueueUpdate {
        apply { $0.flushBackoffCompleted(now: $1) }
    }

    @discardableResult
    public func flushUnschedulableLeftover() -> SchedulingQueueUpdate {
        apply { $0.flushUnschedulableLeftover(now: $1) }
    }

    /// Runs the periodic flushes until `close()` or cancellation. Run it once, in its own task.
    public func run() async {
        let options = state.options
        var nextBackoffFlush = clock.now.advanced(by: options.backoffFlushInterval)
        var nextLeftoverFlush = clock.now.advanced(by: options.leftoverFlushInterval)
        while !state.isClosed {
            let wake = min(nextBackoffFlush, nextLeftoverFlush)
            let clock = self.clock
            let sleep = Task { try await clock.sleep(until: wake) }
            flushSleep = sleep
            do {
                try await withTaskCancellationHandler {
                    try await sleep.value
                } onCancel: {
                    sleep.cancel()
                }
            } catch {
                break
            }
            flushSleep = nil
            let now = clock.now
            if now >= nextBackoffFlush {
                flushBackoffCompleted()
                nextBackoffFlush = now.advanced(by: options.backoffFlushInterval)
            }
            if now >= nextLeftoverFlush {
                flushUnschedulableLeftover()
                nextLeftoverFlush = now.advanced(by: options.leftoverFlushInterval)
            }
        }
        flushSleep = nil
    }

    /// Closes the queue: suspended and later `pop()` calls return nil; `run()` stops.
    public func close() {
        state.close()
        flushSleep?.cancel()
        flushSleep = nil
        let waiting = poppers
        poppers.removeAll()
        for popper in waiting { popper.continuation.resume(returning: nil) }
    }

    // MARK: Helpers

    private func apply(
        _ body: (inout SchedulingQueueState, ContinuousClock.Instant) -> SchedulingQueueUpdate
    ) -> SchedulingQueueUpdate {
        let update = body(&state, clock.now)
        servePoppers()
        return update
    }

    /// Hands active pods to suspended poppers, longest waiting first.
    private func servePoppers() {
        while !poppers.isEmpty, let info = state.pop() {
            poppers.removeFirst().continuation.resume(returning: info)
        }
    }

    private func cancelPopper(_ id: UInt64) {
        guard let index = poppers.firstIndex(where: { $0.id == id }) else { return }
        poppers.remove(at: index).continuation.resume(returning: nil)
    }
}
