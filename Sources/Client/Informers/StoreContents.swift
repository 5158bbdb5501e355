/// The data of a `ThreadSafeStore`, as a plain value: objects by key and, per named index,
/// keys by index value. Every mutation keeps the indices exact; the store wraps it in a lock.
struct StoreContents<Object: InformerObject> {
    private(set) var items: [String: Object] = [:]
    private(set) var indexers: [String: IndexFunction<Object>]
    /// index name -> index value -> keys filed under it (no empty sets are kept).
    private var indices: [String: [String: Set<String>]] = [:]

    init(indexers: [String: IndexFunction<Object>]) {
        self.indexers = indexers
        for name in indexers.keys { indices[name] = [:] }
    }

    /// Inserts or replaces the object under its key; returns the previous one.
    mutating func upsert(_ object: Object) -> Object? {
        let key = object.objectKey
        let old = items.updateValue(object, forKey: key)
        updateIndices(key: key, old: old, new: object)
        return old
    }

    /// Removes the object under `key`; returns it, or nil if there was none.
    mutating func delete(key: String) -> Object? {
        guard let old = items.removeValue(forKey: key) else { return nil }
        updateIndices(key: key, old: old, new: nil)
        return old
    }

    /// Makes the contents exactly `objects` and returns what changed: adds and updates in the
    /// order of `objects` (a later duplicate key updates the earlier), then deletions of the
    /// keys not listed, in key order.
    mutating func replace(with objects: [Object]) -> [ThreadSafeStore<Object>.Change] {
        let previous = items
        var next: [String: Object] = [:]
        next.reserveCapacity(objects.count)
        var changes: [ThreadSafeStore<Object>.Change] = []
        changes.reserveCapacity(objects.count)
        for object in objects {
            let key = object.objectKey
            if let old = next[key] ?? previous[key] {
                changes.append(.updated(old: old, new: object))
            } else {
                changes.append(.added(object))
            }
            next[key] = object
        }
        for key in previous.keys.sorted() where next[key] == nil {
            if let old = previous[key] { changes.append(.deleted(key: key, lastKnown: old)) }
        }
        items = next
        rebuildIndices()
        return changes
    }

    func keys(index name: String, value: String) throws(StoreIndexError) -> Set<String> {
        guard let index = indices[name] else { throw .indexNotFound(name) }
        return index[value] ?? []
    }

    func values(index name: String) throws(StoreIndexError) -> [String] {
        guard let index = indices[name] else { throw .indexNotFound(name) }
        return Array(index.keys)
    }

    /// Keys filed under any of the values `object` has in index `name`.
    func keys(index name: String, matching object: Object) throws(StoreIndexError) -> Set<String> {
        guard let function = indexers[name], let index = indices[name] else { throw .indexNotFound(name) }
        var keys: Set<String> = []
        for value in function(object) { keys.formUnion(index[value] ?? []) }
        return keys
    }

    /// Registers more index functions and indexes the current objects with them. Nothing is
    /// added if any name is already taken.
    mutating func addIndexers(_ newIndexers: [String: IndexFunction<Object>]) throws(StoreIndexError) {
        if let taken = newIndexers.keys.sorted().first(where: { indexers[$0] != nil }) {
            throw .indexExists(taken)
        }
        for (name, function) in newIndexers {
            indexers[name] = function
            var index: [String: Set<String>] = [:]
            for (key, object) in items {
                for value in function(object) { index[value, default: []].insert(key) }
            }
            indices[name] = index
        }
    }

    private mutating func updateIndices(key: String, old: Object?, new: Object?) {
        for (name, function) in indexers {
            let oldValues = old.map(function) ?? []
            let newValues = new.map(function) ?? []
            if oldValues == newValues { continue }
            var index = indices[name] ?? [:]
            indices[name] = nil  // keep the dictionary uniquely referenced while editing it
            for value in oldValues {
                index[value]?.remove(key)
                if index[value]?.isEmpty == true { index[value] = nil }
            }
            for value in newValues { index[value, default: []].insert(key) }
            indices[name] = index
        }
    }

    private mutating func rebuildIndices() {
        var rebuilt: [String: [String: Set<String>]] = [:]
        for (name, function) in indexers {
            var index: [String: Set<String>] = [:]
            for (key, object) in items {
                for value in function(object) { index[value, default: []].insert(key) }
            }
            rebuilt[name] = index
        }
        indices = rebuilt
    }
}
