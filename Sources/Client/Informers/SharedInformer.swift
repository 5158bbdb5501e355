import Component
import Synchronization

/// One cache of one resource, kept up to date by one reflector, shared by many handlers
/// (client-go `SharedIndexInformer`).
///
/// Contract (each clause is checked by `InformerTests`):
/// - The cache is eventually consistent with the server: for each object it goes through a
///   subsequence of the object's states, in order; there is no ordering between objects.
/// - The store (and its indices) is updated before the handlers hear of the change: a handler
///   reading the store sees the notified state or a later one.
/// - Notifications are delivered one at a time, in the order of the store's changes; for one
///   change the handlers are called in the order they were added. A handler is therefore never
///   called concurrently with itself (nor with any other handler of this informer).
/// - A handler added before the first list receives the list as adds; one added later first
///   receives adds for every object the store holds at that moment (by key), then every later
///   change; nothing twice, nothing missing.
/// - A relist (after a 410) delivers updates for the listed objects that were cached, adds for
///   the new ones, and deletes with a `DeletedFinalStateUnknown` tombstone for cached objects
///   no longer listed. A watched deletion delivers the final state instead.
/// - Resync (`ReflectorOptions.resyncPeriod`) re-delivers every cached object as an update with
///   old == new.
/// - `hasSynced` becomes true once the first list is in the store and its notifications have
///   been delivered to the handlers added before it; it stays true.
/// - Handlers must be quick (compute a key, enqueue it): a slow handler delays all others.
public final class SharedInformer<Object: InformerObject>: Sendable {
    /// The cache (client-go's indexer). Read it freely; writing bypasses the handlers.
    public let store: ThreadSafeStore<Object>
    /// Queries on `store`.
    public let lister: Lister<Object>
    private let processor: InformerProcessor<Object>
    private let reflector: Reflector<Object>
    private let started = Mutex(false)

    /// An informer on `source`. `indexers` add to the built-in `namespace` index; `options`
    /// set back-off and resync; `clock` is the time source of both.
    public init(
        source: some ListWatchSource<Object>,
        indexers: [String: IndexFunction<Object>] = [:],
        options: ReflectorOptions = ReflectorOptions(),
        clock: any ComponentClock = SystemClock()
    ) {
        let store = ThreadSafeStore<Object>(indexers: indexers)
        let processor = InformerProcessor(store: store)
        self.store = store
        self.lister = Lister(store: store)
        self.processor = processor
        self.reflector = Reflector(source: source, store: processor, options: options, clock: clock)
    }

    /// Adds a handler; see the contract for what it receives. Safe before and during `run`.
    @discardableResult
    public func addEventHandler(_ handler: ResourceEventHandler<Object>) -> EventHandlerRegistration<Object> {
        processor.add(handler)
    }

    /// Stops notifications to a handler. Idempotent. A notification already being delivered
    /// to it finishes.
    public func removeEventHandler(_ registration: EventHandlerRegistration<Object>) {
        processor.remove(registration)
    }

    /// Registers more index functions on the store, indexing what it already holds.
    public func addIndexers(_ indexers: [String: IndexFunction<Object>]) throws(StoreIndexError) {
        try store.addIndexers(indexers)
    }

    /// Whether the first list has been stored and delivered (see the contract).
    public var hasSynced: Bool { processor.hasSynced }

    /// Suspends until `hasSynced`; returns true then, or false if the calling task is cancelled
    /// or the informer stops first (client-go `WaitForCacheSync`).
    public func waitForSync() async -> Bool {
        await processor.waitForSync()
    }

    /// The resourceVersion of the last list, event or bookmark the store reflects.
    public var lastSyncResourceVersion: String { reflector.lastSyncResourceVersion }

    /// Runs the reflector and the delivery of notifications until the calling task is
    /// cancelled. An informer runs once: later calls return at once.
    public func run() async {
        let first = started.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.processor.deliver() }
            await self.reflector.run()
            group.cancelAll()
        }
    }
}
