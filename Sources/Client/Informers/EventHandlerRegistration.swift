import Synchronization

/// The handle `SharedInformer.addEventHandler` returns: remove the handler with it, or ask
/// whether the handler has seen the informer's initial state.
public final class EventHandlerRegistration<Object: Sendable>: Sendable {
    let handler: ResourceEventHandler<Object>
    private let state = Mutex((active: true, synced: false))

    init(handler: ResourceEventHandler<Object>) {
        self.handler = handler
    }

    /// True once this handler has been delivered the initial list (or, when added late, the
    /// synthetic adds of what the cache held). Stays true.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// False once the handler is removed; it then receives no more notifications.
    public var isActive: Bool { state.withLock { $0.active } }

    func markSynced() { state.withLock { $0.synced = true } }

    func deactivate() { state.withLock { $0.active = false } }
}
