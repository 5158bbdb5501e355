import Synchronization

/// A watch response body: the watcher's buffer drained on the connection's event loop whenever
/// it has items (all pending items in one write), ended after `timeout` (the request's
/// `timeoutSeconds`) or when the buffer closes (slow watcher, cache re-list).
final class WatchPushStream: PushStream {
    private let buffer: WatchBuffer
    private let timeout: Swift.Duration
    private let frame: @Sendable (WatchItem, Bool) -> [UInt8]
    private struct State {
        var first = true
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    /// `frame(item, isFirst)` encodes one item (tables send column headers on the first only).
    init(buffer: WatchBuffer, timeout: Swift.Duration, frame: @escaping @Sendable (WatchItem, Bool) -> [UInt8]) {
        self.buffer = buffer
        self.timeout = timeout
        self.frame = frame
    }

    func start(ready: @escaping @Sendable () -> Void) {
        let buffer = buffer
        let timeout = timeout
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { buffer.close() }
        }
        state.withLock { $0.timer = timer }
        buffer.setNotify(ready)
    }

    func take() -> (bytes: [UInt8], ended: Bool) {
        let (items, closed) = buffer.takeAll()
        var bytes: [UInt8] = []
        if !items.isEmpty {
            var first = state.withLock { state -> Bool in
                let first = state.first
                state.first = false
                return first
            }
            for item in items {
                bytes.append(contentsOf: frame(item, first))
                first = false
            }
        }
        if closed { state.withLock { $0.timer?.cancel() } }
        return (bytes, closed)
    }

    var isEnded: Bool { buffer.isClosed }

    func cancel() {
        buffer.close()
        state.withLock { $0.timer?.cancel() }
    }
}
