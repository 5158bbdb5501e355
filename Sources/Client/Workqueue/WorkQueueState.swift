/// The pure core of `WorkQueue`: no locks, no clock, no tasks. Each event is a mutating method;
/// continuations it decides to resume are collected in `WorkQueueWakeups`, which the shell
/// resumes after releasing its lock. Time is passed in as `now`.
///
/// Invariants:
/// - a key is in `ready` at most once, and only if it is in `dirty` and not in `processing`;
/// - `getters` is non-empty only while `ready` is empty and the queue is not shutting down;
/// - `drainers` is non-empty only while draining with keys in `processing`.
struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    typealias Getter = CheckedContinuation<Key?, Never>

    enum GetResult: Sendable {
        case key(Key)
        case shutDown
        case empty
    }

    private var ready = FIFO()
    /// Keys that need processing: queued in `ready`, or re-added while in `processing`.
    private var dirty: Set<Key> = []
    private(set) var processing: Set<Key> = []
    private(set) var isShuttingDown = false
    private var isDraining = false
    private var getters: [(id: UInt64, continuation: Getter)] = []
    private var drainers: [CheckedContinuation<Void, Never>] = []
    private var delayed = DelayedKeys<Key>()

    var readyCount: Int { ready.count }
    var getterCount: Int { getters.count }
    var drainerCount: Int { drainers.count }
    var delayedCount: Int { delayed.count }
    var earliestDelayed: ContinuousClock.Instant? { delayed.earliest }

    // MARK: Events

    /// Marks `key` as needing processing. Ignored after shutdown, while the key already waits
    /// (de-duplication), and deferred to `done` while the key is being processed.
    mutating func add(_ key: Key, _ wakeups: inout WorkQueueWakeups<Key>) {
        guard !isShuttingDown else { return }
        guard dirty.insert(key).inserted else { return }
        guard !processing.contains(key) else { return }
        enqueue(key, &wakeups)
    }

    /// Records a delayed add (the earliest ready time wins). Ignored after shutdown.
    mutating func add(_ key: Key, readyAt: ContinuousClock.Instant) {
        guard !isShuttingDown else { return }
        delayed.insert(key, readyAt: readyAt)
    }

    /// Adds every delayed key whose ready time is not after `now`, earliest first.
    mutating func promoteDelayed(now: ContinuousClock.Instant, _ wakeups: inout WorkQueueWakeups<Key>) {
        while let key = delayed.popReady(now: now) {
            add(key, &wakeups)
        }
    }

    /// Hands out the oldest ready key, marking it as processing.
    mutating func get() -> GetResult {
        if let key = ready.pop() {
            dirty.remove(key)
            processing.insert(key)
            return .key(key)
        }
        return isShuttingDown ? .shutDown : .empty
    }

    /// Like `get`, but parks `continuation` if nothing is ready yet.
    mutating func get(id: UInt64, continuation: Getter, _ wakeups: inout WorkQueueWakeups<Key>) {
        switch get() {
        case .key(let key): wakeups.getters.append((continuation, key))
        case .shutDown: wakeups.getters.append((continuation, nil))
        case .empty: getters.append((id, continuation))
        }
    }

    /// A parked getter's task was cancelled: it gets `nil`.
    mutating func cancelGetter(id: UInt64, _ wakeups: inout WorkQueueWakeups<Key>) {
        guard let index = getters.firstIndex(where: { $0.id == id }) else { return }
        wakeups.getters.append((getters.remove(at: index).continuation, nil))
    }

    /// Ends processing of `key`; if it was added meanwhile it is queued again now.
    /// `done` for a key that is not being processed is ignored.
    mutating func done(_ key: Key, _ wakeups: inout WorkQueueWakeups<Key>) {
        guard processing.remove(key) != nil else { return }
        if dirty.contains(key) { enqueue(key, &wakeups) }
        if isDraining && processing.isEmpty {
            wakeups.drainers += drainers
            drainers.removeAll()
        }
    }

    /// Stops accepting keys; parked getters get `nil`, a pending drain stops waiting, delayed
    /// keys are dropped. Keys already queued are still handed out by `get`.
    mutating func shutDown(_ wakeups: inout WorkQueueWakeups<Key>) {
        beginShutdown(&wakeups)
        isDraining = false
        wakeups.drainers += drainers
        drainers.removeAll()
    }

    /// Like `shutDown`, but `continuation` is resumed only once no key is being processed.
    mutating func shutDownWithDrain(
        continuation: CheckedContinuation<Void, Never>,
        _ wakeups: inout WorkQueueWakeups<Key>
    ) {
        beginShutdown(&wakeups)
        isDraining = true
        if processing.isEmpty {
            wakeups.drainers.append(continuation)
        } else {
            drainers.append(continuation)
        }
    }

    // MARK: Helpers

    private mutating func beginShutdown(_ wakeups: inout WorkQueueWakeups<Key>) {
        isShuttingDown = true
        delayed.removeAll()
        // Getters park only while nothing is ready, so all of them get nil.
        wakeups.getters += getters.map { ($0.continuation, nil) }
        getters.removeAll()
    }

    /// Queues a dirty key that is not being processed, or hands it to the longest-parked getter.
    private mutating func enqueue(_ key: Key, _ wakeups: inout WorkQueueWakeups<Key>) {
        if getters.isEmpty {
            ready.push(key)
        } else {
            let getter = getters.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            wakeups.getters.append((getter.continuation, key))
        }
    }

    /// A FIFO over an array with a moving head, compacted when half of it is consumed.
    private struct FIFO: Sendable {
        private var items: [Key] = []
        private var head = 0

        var count: Int { items.count - head }

        mutating func push(_ key: Key) { items.append(key) }

        mutating func pop() -> Key? {
            guard head < items.count else { return nil }
            let key = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return key
        }
    }
}

/// Continuations to resume once the lock that guards a `WorkQueueState` is released.
struct WorkQueueWakeups<Key: Sendable>: Sendable {
    var getters: [(CheckedContinuation<Key?, Never>, Key?)] = []
    var drainers: [CheckedContinuation<Void, Never>] = []

    func resume() {
        for (getter, key) in getters { getter.resume(returning: key) }
        for drainer in drainers { drainer.resume() }
    }
}
