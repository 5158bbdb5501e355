/// What a `Reflector` writes into: the informer's processor, or a bare `ThreadSafeStore`.
///
/// The reflector calls these one at a time, in the order the server produced the changes;
/// `resync` may be called concurrently with the others and must be serialized with them.
public protocol ReflectorStore<Object>: Sendable {
    associatedtype Object: InformerObject
    /// Makes the contents exactly `objects` (a fresh list at `resourceVersion`): objects not
    /// listed are deleted.
    func replace(with objects: [Object], resourceVersion: String)
    /// Applies one watch event (`bookmark` changes no object).
    func apply(_ event: WatchEvent<Object>)
    /// Periodic resync: re-deliver the current contents to whoever listens (no-op for a store
    /// without listeners).
    func resync()
}
