import Synchronization

/// The informer's core: it applies the reflector's changes to the store and queues the
/// matching notifications, then delivers them to the handlers from one task.
///
/// Every write takes `state`'s lock, changes the store, and queues the notification with the
/// handlers registered at that moment, before it releases the lock. So the store is always
/// ahead of (or level with) what handlers have been told, the queue order is the store's
/// order, and a handler registered between two writes gets a snapshot of the store followed
/// by exactly the writes after it.
final class InformerProcessor<Object: InformerObject>: ReflectorStore, Sendable {
    enum Notification: Sendable {
        case add(Object)
        case update(old: Object, new: Object)
        case delete(DeletedObject<Object>)
    }

    private enum Item: Sendable {
        case notify(Notification, [EventHandlerRegistration<Object>])
        /// Marks these handlers synced; `informer` also marks the informer.
        case synced([EventHandlerRegistration<Object>], informer: Bool)
    }

    private struct State {
        var registrations: [EventHandlerRegistration<Object>] = []
        /// The first list is in the store.
        var populated = false
        /// The first list's notifications have been delivered.
        var synced = false
        /// Delivery has ended; nothing more will be delivered.
        var stopped = false
        var nextWaiterID: UInt64 = 0
        var syncWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    }

    let store: ThreadSafeStore<Object>
    private let state = Mutex(State())
    private let queue: AsyncStream<Item>
    private let queueInput: AsyncStream<Item>.Continuation

    init(store: ThreadSafeStore<Object>) {
        self.store = store
        (queue, queueInput) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .unbounded)
    }

    // MARK: - ReflectorStore

    func replace(with objects: [Object], resourceVersion: String) {
        state.withLock { state in
            let changes = store.replace(with: objects)
            let targets = state.registrations
            if !targets.isEmpty {
                for change in changes {
                    let notification: Notification =
                        switch change {
                        case .added(let object): .add(object)
                        case .updated(let old, let new): .update(old: old, new: new)
                        case .deleted(let key, let lastKnown):
                            .delete(.finalStateUnknown(DeletedFinalStateUnknown(key: key, lastKnown: lastKnown)))
                        }
                    queueInput.yield(.notify(notification, targets))
                }
            }
            if !state.populated {
                state.populated = true
                queueInput.yield(.synced(targets, informer: true))
            }
        }
    }

    func apply(_ event: WatchEvent<Object>) {
        state.withLock { state in
            let notification: Notification?
            switch event {
            case .added(let object), .modified(let object):
                if let old = store.add(object) {
                    notification = .update(old: old, new: object)
                } else {
                    notification = .add(object)
                }
            case .deleted(let object):
                // A deletion of an object the cache never held tells handlers nothing.
                notification = store.delete(object) == nil ? nil : .delete(.final(object))
            case .bookmark:
                notification = nil
            }
            if let notification, !state.registrations.isEmpty {
                queueInput.yield(.notify(notification, state.registrations))
            }
        }
    }

    func resync() {
        state.withLock { state in
            guard state.populated, !state.registrations.isEmpty else { return }
            for object in Self.sortedByKey(store.list()) {
                queueInput.yield(.notify(.update(old: object, new: object), state.registrations))
            }
        }
    }

    // MARK: - Handlers

    func add(_ handler: ResourceEventHandler<Object>) -> EventHandlerRegistration<Object> {
        let registration = EventHandlerRegistration(handler: handler)
        state.withLock { state in
            state.registrations.append(registration)
            // Before the first list the handler is among the targets of its notifications and
            // of the informer's sync marker; after it, it is told what the store holds now.
            guard state.populated else { return }
            for object in Self.sortedByKey(store.list()) {
                queueInput.yield(.notify(.add(object), [registration]))
            }
            queueInput.yield(.synced([registration], informer: false))
        }
        return registration
    }

    func remove(_ registration: EventHandlerRegistration<Object>) {
        registration.deactivate()
        state.withLock { $0.registrations.removeAll { $0 === registration } }
    }

    // MARK: - Sync

    var hasSynced: Bool { state.withLock { $0.synced } }

    func waitForSync() async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer = state.withLock { state -> Bool? in
                    if state.synced { return true }
                    if state.stopped || Task.isCancelled { return false }
                    state.syncWaiters[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.syncWaiters.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
    }

    // MARK: - Delivery

    /// Delivers queued notifications, one at a time, until the calling task is cancelled.
    /// Call once.
    func deliver() async {
        for await item in queue {
            switch item {
            case .notify(let notification, let targets):
                for registration in targets where registration.isActive {
                    await Self.deliver(notification, to: registration.handler)
                }
            case .synced(let targets, let informer):
                for registration in targets { registration.markSynced() }
                if informer { finish(synced: true) }
            }
        }
        finish(synced: false)
    }

    private static func deliver(_ notification: Notification, to handler: ResourceEventHandler<Object>) async {
        switch notification {
        case .add(let object): await handler.onAdd(object)
        case .update(let old, let new): await handler.onUpdate(old, new)
        case .delete(let deleted): await handler.onDelete(deleted)
        }
    }

    /// Marks the informer synced (`synced`) or stopped, and answers the waiters.
    private func finish(synced: Bool) {
        let (waiters, answer) = state.withLock { state -> ([CheckedContinuation<Bool, Never>], Bool) in
            if synced { state.synced = true } else { state.stopped = true }
            let waiters = Array(state.syncWaiters.values)
            state.syncWaiters = [:]
            return (waiters, state.synced)
        }
        for waiter in waiters { waiter.resume(returning: answer) }
    }

    private static func sortedByKey(_ objects: [Object]) -> [Object] {
        objects.map { ($0.objectKey, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
