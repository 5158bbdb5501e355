/// Callbacks for the changes of an informer's cache (client-go `ResourceEventHandlerFuncs`).
///
/// Handlers should be cheap: compute a key and add it to a workqueue. A slow handler delays
/// every handler of its informer, since notifications are delivered one at a time.
public struct ResourceEventHandler<Object: Sendable>: Sendable {
    /// An object appeared in the cache (also: synthetic adds for a handler registered late).
    public var onAdd: @Sendable (Object) async -> Void
    /// An object in the cache changed, or resync re-delivered it (then `old` and `new` are the
    /// same state; compare resourceVersions to tell).
    public var onUpdate: @Sendable (_ old: Object, _ new: Object) async -> Void
    /// An object left the cache; a tombstone when the deletion was inferred from a relist.
    public var onDelete: @Sendable (DeletedObject<Object>) async -> Void

    public init(
        onAdd: @escaping @Sendable (Object) async -> Void = { _ in },
        onUpdate: @escaping @Sendable (_ old: Object, _ new: Object) async -> Void = { _, _ in },
        onDelete: @escaping @Sendable (DeletedObject<Object>) async -> Void = { _ in }
    ) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }

    /// One closure for every kind of change, given the object's current (or last) state;
    /// the usual handler of a controller that only enqueues keys.
    public init(onAnyChange: @escaping @Sendable (Object) async -> Void) {
        self.init(
            onAdd: onAnyChange,
            onUpdate: { _, new in await onAnyChange(new) },
            onDelete: { await onAnyChange($0.object) })
    }
}
