import Synchronization

/// A thread-safe cache of objects by key with named secondary indices (client-go's
/// `ThreadSafeStore` + `Indexer`).
///
/// Contract:
/// - Every call sees and leaves one consistent snapshot: objects and indices change together
///   under one lock, so `byIndex` never returns a key that `get` does not know.
/// - Keys are `objectKey` (`namespace/name` or `name`). Adding an object whose key is present
///   replaces it (add and update are the same operation).
/// - The `namespace` index (`IndexNames.namespace`) is always present; more can be given at
///   init or added later with `addIndexers`, which also indexes the objects already stored.
/// - `list`, `listKeys` and the index queries return their results in no particular order.
/// - Objects are values: callers get copies and cannot change the cache behind its back.
///
/// When the store belongs to an informer, only the informer should write to it; writing
/// directly bypasses the handlers.
public final class ThreadSafeStore<Object: InformerObject>: Sendable {
    /// One change made by `replace(with:)`.
    public enum Change: Sendable {
        case added(Object)
        case updated(old: Object, new: Object)
        /// The object under `key` was not in the new list; `lastKnown` is its last cached state.
        case deleted(key: String, lastKnown: Object)
    }

    private let contents: Mutex<StoreContents<Object>>

    /// A store with the `namespace` index plus `indexers` (an entry named `namespace` replaces
    /// the built-in one).
    public init(indexers: [String: IndexFunction<Object>] = [:]) {
        var all: [String: IndexFunction<Object>] = [IndexNames.namespace: IndexNames.namespaceIndex]
        all.merge(indexers) { _, custom in custom }
        contents = Mutex(StoreContents(indexers: all))
    }

    // MARK: Writes

    /// Stores `object` under its key; returns the object it replaced, if any.
    @discardableResult
    public func add(_ object: Object) -> Object? {
        contents.withLock { $0.upsert(object) }
    }

    /// Same as `add`.
    @discardableResult
    public func update(_ object: Object) -> Object? {
        contents.withLock { $0.upsert(object) }
    }

    /// Removes the object stored under `object`'s key; returns what was stored, if anything.
    @discardableResult
    public func delete(_ object: Object) -> Object? {
        let key = object.objectKey
        return contents.withLock { $0.delete(key: key) }
    }

    /// Removes the object stored under `key`; returns it, if any.
    @discardableResult
    public func delete(key: String) -> Object? {
        contents.withLock { $0.delete(key: key) }
    }

    /// Makes the contents exactly `objects`, atomically, and returns the changes: adds and
    /// updates in the order of `objects`, then the deletions of objects not listed (by key).
    @discardableResult
    public func replace(with objects: [Object]) -> [Change] {
        contents.withLock { $0.replace(with: objects) }
    }

    /// Registers more index functions and indexes the stored objects with them. Throws
    /// `indexExists` (and adds none) if a name is already registered.
    public func addIndexers(_ indexers: [String: IndexFunction<Object>]) throws(StoreIndexError) {
        try contents.withLock { (contents) throws(StoreIndexError) in try contents.addIndexers(indexers) }
    }

    // MARK: Reads

    /// The object stored under `key`.
    public func get(key: String) -> Object? {
        contents.withLock { $0.items[key] }
    }

    /// The stored object with the same key as `object`.
    public func get(_ object: Object) -> Object? {
        get(key: object.objectKey)
    }

    /// Every stored object.
    public func list() -> [Object] {
        contents.withLock { Array($0.items.values) }
    }

    /// Every stored key.
    public func listKeys() -> [String] {
        contents.withLock { Array($0.items.keys) }
    }

    /// How many objects are stored.
    public var count: Int {
        contents.withLock { $0.items.count }
    }

    /// The names of the registered indices.
    public var indexNames: [String] {
        contents.withLock { Array($0.indexers.keys) }
    }

    /// The objects filed under `value` in index `name` (client-go `ByIndex`).
    public func byIndex(_ name: String, _ value: String) throws(StoreIndexError) -> [Object] {
        try contents.withLock { (contents) throws(StoreIndexError) -> [Object] in
            try contents.keys(index: name, value: value).compactMap { contents.items[$0] }
        }
    }

    /// The keys filed under `value` in index `name` (client-go `IndexKeys`).
    public func indexKeys(_ name: String, _ value: String) throws(StoreIndexError) -> [String] {
        try contents.withLock { (contents) throws(StoreIndexError) -> [String] in
            Array(try contents.keys(index: name, value: value))
        }
    }

    /// The values that have objects filed under them in index `name` (client-go
    /// `ListIndexFuncValues`).
    public func indexValues(_ name: String) throws(StoreIndexError) -> [String] {
        try contents.withLock { (contents) throws(StoreIndexError) -> [String] in
            try contents.values(index: name)
        }
    }

    /// The objects sharing at least one value of index `name` with `object` (client-go `Index`).
    public func index(_ name: String, matching object: Object) throws(StoreIndexError) -> [Object] {
        try contents.withLock { (contents) throws(StoreIndexError) -> [Object] in
            try contents.keys(index: name, matching: object).compactMap { contents.items[$0] }
        }
    }
}

/// A bare store can be filled by a `Reflector` directly (no handlers; resync does nothing).
extension ThreadSafeStore: ReflectorStore {
    public func replace(with objects: [Object], resourceVersion: String) {
        replace(with: objects)
    }

    public func apply(_ event: WatchEvent<Object>) {
        switch event {
        case .added(let object), .modified(let object): add(object)
        case .deleted(let object): delete(object)
        case .bookmark: break
        }
    }

    public func resync() {}
}
