import APIMachinery

/// Read-only queries on an informer's cache, the way controllers read state (client-go's
/// generated listers). Every call answers from one snapshot of the store; results are in no
/// particular order. An object read here is a copy: change it only to send it to the server.
public struct Lister<Object: InformerObject>: Sendable {
    /// The store queried.
    public let store: ThreadSafeStore<Object>

    public init(store: ThreadSafeStore<Object>) {
        self.store = store
    }

    /// The object under `key` (`namespace/name`, or `name` if cluster-scoped).
    public func get(_ key: String) -> Object? {
        store.get(key: key)
    }

    /// The object `name` in `namespace` ("" for cluster-scoped objects).
    public func get(namespace: String, name: String) -> Object? {
        store.get(key: MetaNamespaceKey.key(namespace: namespace, name: name))
    }

    /// Every cached object.
    public func list() -> [Object] {
        store.list()
    }

    /// The cached objects in `namespace`, through the namespace index. As upstream
    /// (`NamespaceAll`), "" means every namespace.
    public func list(namespace: String) -> [Object] {
        if namespace.isEmpty { return store.list() }
        // The namespace index is built into every store, so this cannot throw.
        return (try? store.byIndex(IndexNames.namespace, namespace)) ?? []
    }

    /// The objects filed under `value` in the store's index `name`.
    public func byIndex(_ name: String, _ value: String) throws(StoreIndexError) -> [Object] {
        try store.byIndex(name, value)
    }
}

extension Lister where Object: LabeledInformerObject {
    /// The cached objects whose labels match `selector` (all for an empty selector).
    public func list(selector: LabelSelectorQuery) -> [Object] {
        list(namespace: "", selector: selector)
    }

    /// The cached objects in `namespace` ("" = every namespace) whose labels match `selector`.
    public func list(namespace: String, selector: LabelSelectorQuery) -> [Object] {
        let candidates = list(namespace: namespace)
        if selector.isEmpty { return candidates }
        return candidates.filter { selector.matches($0.objectLabels) }
    }
}
