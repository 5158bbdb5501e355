import Component
import APIMachinery
import Synchronization

/// One `SharedInformer` per resource (and selector) for a whole process, as client-go's
/// `SharedInformerFactory`: every controller asking for pods gets the same informer, so the
/// process lists and watches pods once and holds one cache.
///
/// Contract:
/// - `informer(_:)` returns the same instance for the same type and selectors, whoever asks.
/// - `run()` runs every informer requested so far and every one requested while it runs, until
///   the calling task is cancelled; an informer requested after `run` starts at once.
/// - `waitForCacheSync()` waits until every informer requested so far has synced (client-go's
///   `WaitForCacheSync`), returning false if the task is cancelled first.
public final class SharedInformerFactory: Sendable {
    /// What identifies one informer: the object type, the resource (for types that view many
    /// resources, such as a metadata-only type) and the server-side selectors.
    public struct Key: Hashable, Sendable {
        public var type: ObjectIdentifier
        public var resource: GroupVersionResource?
        public var namespace: String?
        public var labelSelector: String?
        public var fieldSelector: String?

        public init(
            type: ObjectIdentifier, resource: GroupVersionResource? = nil, namespace: String? = nil,
            labelSelector: String? = nil, fieldSelector: String? = nil
        ) {
            self.type = type
            self.resource = resource
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
        }
    }

    private struct Entry: @unchecked Sendable {
        let informer: any Sendable
        let run: @Sendable () async -> Void
        let waitForSync: @Sendable () async -> Bool
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var order: [Key] = []
        /// Informers requested while `run` runs, handed to it.
        var pending: AsyncStream<Entry>.Continuation?
    }

    private let state = Mutex(State())
    private let options: ReflectorOptions
    private let clock: any ComponentClock
    private let rest: RESTClient?

    /// Informers listing and watching through `rest` (nil: only `informer(_:source:)`, for
    /// tests), all with the reflector `options` and `clock`.
    public init(rest: RESTClient?, options: ReflectorOptions = ReflectorOptions(), clock: any ComponentClock = SystemClock()) {
        self.rest = rest
        self.options = options
        self.clock = clock
    }

    /// The informer of `type`, created on first request with a REST list/watch source.
    public func informer<T: KubernetesObject & InformerObject & JSONCodable>(
        _ type: T.Type, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil
    ) -> SharedInformer<T> {
        let key = Key(type: ObjectIdentifier(type), namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
        return informer(key) {
            guard let rest else { preconditionFailure("SharedInformerFactory: made without a REST client") }
            return RESTListWatch(client: rest.resource(T.self, namespace: namespace), labelSelector: labelSelector, fieldSelector: fieldSelector)
        }
    }

    /// The informer for `key`, created on first request from the source `makeSource` builds.
    public func informer<T: InformerObject, S: ListWatchSource<T>>(_ key: Key, source makeSource: () -> S) -> SharedInformer<T> {
        let (informer, newEntry): (SharedInformer<T>, Entry?) = state.withLock { state in
            if let existing = state.entries[key] {
                guard let typed = existing.informer as? SharedInformer<T> else {
                    fatalError("SharedInformerFactory: \(key) was first requested as another type")
                }
                return (typed, nil)
            }
            let created = SharedInformer(source: makeSource(), options: options, clock: clock)
            let entry = Entry(informer: created, run: { await created.run() }, waitForSync: { await created.waitForSync() })
            state.entries[key] = entry
            state.order.append(key)
            return (created, entry)
        }
        if let newEntry { state.withLock { $0.pending }?.yield(newEntry) }
        return informer
    }

    /// Runs every informer, including those requested later, until the task is cancelled.
    public func run() async {
        let (stream, continuation) = AsyncStream<Entry>.makeStream()
        let current = state.withLock { state in
            state.pending = continuation
            return state.order.compactMap { state.entries[$0] }
        }
        await withDiscardingTaskGroup { group in
            for entry in current { group.addTask { await entry.run() } }
            // The stream ends when this task is cancelled.
            for await entry in stream { group.addTask { await entry.run() } }
            group.cancelAll()
        }
        state.withLock { $0.pending = nil }
    }

    /// Waits until every informer requested so far has synced.
    public func waitForCacheSync() async -> Bool {
        let entries = state.withLock { state in state.order.compactMap { state.entries[$0] } }
        for entry in entries where !(await entry.waitForSync()) { return false }
        return true
    }

    /// Number of distinct informers requested.
    public var count: Int { state.withLock { $0.entries.count } }
}
