import Synchronization

/// A `PushStream` fed by an async producer (a followed log, a proxied body): the producer's
/// `write` waits while the client is more than `limit` bytes behind, and returns false once the
/// client has gone away, which is the producer's cue to stop.
public final class BufferedPushStream: PushStream {
    private struct State {
        var buffer: [UInt8] = []
        var ended = false
        var cancelled = false
        var ready: (@Sendable () -> Void)?
        var space: CheckedContinuation<Void, Never>?
        var task: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let limit: Int
    private let produce: @Sendable (BufferedPushStream) async -> Void

    public init(limit: Int = 1 << 20, produce: @escaping @Sendable (BufferedPushStream) async -> Void) {
        self.limit = limit
        self.produce = produce
    }

    public func start(ready: @escaping @Sendable () -> Void) {
        // `ready` is in place before the producer runs, so no write can miss it.
        state.withLock { $0.ready = ready }
        let task = Task { [self] in
            await produce(self)
            finish()
        }
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    /// Adds bytes to the body; false once the client has gone away.
    public func write(_ bytes: [UInt8]) async -> Bool {
        guard !bytes.isEmpty else { return !isCancelled }
        let (ready, full, cancelled) = state.withLock { state in
            if !state.cancelled { state.buffer.append(contentsOf: bytes) }
            return (state.ready, state.buffer.count > limit, state.cancelled)
        }
        if cancelled { return false }
        ready?()
        if full {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state in
                    if state.cancelled || state.buffer.count <= limit { return true }
                    state.space = continuation
                    return false
                }
                if resume { continuation.resume() }
            }
        }
        return !isCancelled
    }

    /// Ends the body after what has been written.
    public func finish() {
        let ready = state.withLock { state in
            state.ended = true
            return state.ready
        }
        ready?()
    }

    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    public func take() -> (bytes: [UInt8], ended: Bool) {
        let (bytes, ended, space) = state.withLock { state in
            let bytes = state.buffer
            state.buffer = []
            let space = state.space
            state.space = nil
            return (bytes, state.ended, space)
        }
        space?.resume()
        return (bytes, ended)
    }

    public func cancel() {
        let (task, space) = state.withLock { state in
            state.cancelled = true
            state.buffer = []
            let space = state.space
            state.space = nil
            return (state.task, space)
        }
        space?.resume()
        task?.cancel()
    }

    public var isEnded: Bool { state.withLock { $0.ended } }
}
