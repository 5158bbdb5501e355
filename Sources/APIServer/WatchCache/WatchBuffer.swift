import Synchronization

/// One watcher's queue of pending items between the cache (producer) and the connection
/// writer (consumer). The writer takes everything pending at once (`nextBatch`), so a watcher
/// that falls behind catches up with one write per batch instead of one per event.
///
/// Bounded: an `append` beyond `capacity` pending items closes the buffer (the watcher cannot
/// keep up; the client re-watches from its last resourceVersion). Items already queued are
/// still delivered after `close()`; `nextBatch` returns nil once closed and drained, or when
/// the consuming task is cancelled.
public final class WatchBuffer: AsyncSequence, Sendable {
    public typealias Element = WatchItem

    private struct State {
        var items: [WatchItem] = []
        var closed = false
        var waiter: CheckedContinuation<[WatchItem]?, Never>?
        var onClose: (@Sendable () -> Void)?
        /// Push consumer: called when items arrive (or the buffer closes) and none is pending.
        var notify: (@Sendable () -> Void)?
        var notified = false
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// Queues an item; false (and the buffer closes) when it is full or already closed.
    @discardableResult
    public func append(_ item: WatchItem) -> Bool {
        let (accepted, wake, onClose) = state.withLock { state -> (Bool, (CheckedContinuation<[WatchItem]?, Never>, [WatchItem]?)?, (@Sendable () -> Void)?) in
            guard !state.closed else { return (false, nil, nil) }
            if state.items.count >= capacity {
                state.closed = true
                let onClose = Self.combine(state.onClose, state.notify)
                state.onClose = nil
                if let waiter = state.waiter {
                    state.waiter = nil
                    let items = state.items
                    state.items = []
                    return (false, (waiter, items.isEmpty ? nil : items), onClose)
                }
                return (false, nil, onClose)
            }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, (waiter, [item]), nil)
            }
            state.items.append(item)
            if let notify = state.notify, !state.notified {
                state.notified = true
                return (true, nil, notify)
            }
            return (true, nil, nil)
        }
        if let (waiter, items) = wake { waiter.resume(returning: items) }
        onClose?()
        return accepted
    }

    /// True once closed (items may still be pending).
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Ends the buffer: pending items are still handed out, then nil.
    public func close() {
        let (wake, onClose) = state.withLock { state -> (CheckedContinuation<[WatchItem]?, Never>?, (@Sendable () -> Void)?) in
            guard !state.closed else { return (nil, nil) }
            state.closed = true
            let onClose = Self.combine(state.onClose, state.notify)
            state.onClose = nil
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, onClose)
        }
        wake?.resume(returning: nil)
        onClose?()
    }

    /// Runs once when the buffer closes (by `close`, overflow, or the consumer going away).
    public func setOnClose(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.closed { return true }
            state.onClose = action
            return false
        }
        if runNow { action() }
    }

    private static func combine(_ a: (@Sendable () -> Void)?, _ b: (@Sendable () -> Void)?) -> (@Sendable () -> Void)? {
        switch (a, b) {
        case (nil, nil): nil
        case (let a?, nil): a
        case (nil, let b?): b
        case (let a?, let b?): { a(); b() }
        }
    }

    /// Push consumption: `notify` runs (on the appending thread) whenever items become
    /// available or the buffer closes and the consumer has not yet taken them; the consumer
    /// then calls `takeAll()`. Runs at once if items are already pending.
    public func setNotify(_ notify: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            state.notify = notify
            if !state.items.isEmpty || state.closed {
                state.notified = true
                return true
            }
            return false
        }
        if now { notify() }
    }

    /// Everything pending, and whether the buffer is closed; re-arms the push notification.
    public func takeAll() -> (items: [WatchItem], closed: Bool) {
        state.withLock { state in
            let items = state.items
            state.items = []
            state.notified = false
            return (items, state.closed)
        }
    }

    /// Every pending item (waiting for at least one), or nil when closed and drained or cancelled.
    public func nextBatch() async -> [WatchItem]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[WatchItem]?, Never>) in
                let ready = state.withLock { state -> [WatchItem]?? in
                    if !state.items.isEmpty {
                        let items = state.items
                        state.items = []
                        return .some(items)
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: WatchBuffer
        var pending: ArraySlice<WatchItem> = []

        public mutating func next() async -> WatchItem? {
            if pending.isEmpty {
                guard let batch = await buffer.nextBatch() else { return nil }
                pending = batch[...]
            }
            return pending.popFirst()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: self) }
}
