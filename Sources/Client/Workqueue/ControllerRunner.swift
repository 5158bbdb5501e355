/// Runs a controller's workers over a `WorkQueue`: each worker loops `get` → `sync(key)` →
/// `forget` on success or `addRateLimited` on failure → `done`, the shape of client-go's
/// `processNextWorkItem`.
///
/// Contract: because the queue never hands one key to two workers, `sync` never runs twice at
/// once for the same key, while distinct keys run on up to `workers` workers concurrently.
/// A failing key is retried with its rate limiter's backoff; with `maxRetries` set, a key that
/// has already been retried that many times is forgotten and dropped instead (a later `add`
/// starts it over). Handlers should only enqueue keys; `sync` reads the current state, so
/// running it again for an unchanged key must be harmless (level-triggered).
public struct ControllerRunner<Key: Hashable & Sendable>: Sendable {
    /// What happened to a key whose sync failed.
    public enum FailureOutcome: Sendable, Equatable {
        /// Re-added after the rate limiter's delay.
        case requeued
        /// Given up after `maxRetries` retries and forgotten.
        case dropped
    }

    public let queue: WorkQueue<Key>
    /// Retries allowed per key before it is dropped; `nil` retries forever.
    public let maxRetries: Int?
    private let sync: @Sendable (Key) async throws -> Void
    private let onFailure: @Sendable (Key, any Error, FailureOutcome) -> Void

    /// - Parameters:
    ///   - queue: the queue the controller's handlers add keys to.
    ///   - maxRetries: retries per key before it is dropped (`nil`: never dropped).
    ///   - onFailure: called after each failed sync with what was done with the key (logging).
    ///   - sync: reconciles one key; throwing schedules a rate-limited retry.
    public init(
        queue: WorkQueue<Key>,
        maxRetries: Int? = nil,
        onFailure: @escaping @Sendable (Key, any Error, FailureOutcome) -> Void = { _, _, _ in },
        sync: @escaping @Sendable (Key) async throws -> Void
    ) {
        precondition(maxRetries.map { $0 >= 0 } ?? true, "maxRetries must not be negative")
        self.queue = queue
        self.maxRetries = maxRetries
        self.onFailure = onFailure
        self.sync = sync
    }

    /// Runs `workers` workers until the queue is shut down and they have all exited (each
    /// finishes its current key first). Cancelling the calling task shuts the queue down.
    public func run(workers: Int) async {
        precondition(workers > 0, "a controller needs at least one worker")
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while await processNextWorkItem() {}
                    }
                }
            }
        } onCancel: {
            queue.shutDown()
        }
    }

    /// Processes one key; returns `false` once the queue is shut down and empty.
    public func processNextWorkItem() async -> Bool {
        guard let key = await queue.get() else { return false }
        defer { queue.done(key) }
        do {
            try await sync(key)
            queue.forget(key)
        } catch {
            if let maxRetries, queue.numRequeues(key) >= maxRetries {
                queue.forget(key)
                onFailure(key, error, .dropped)
            } else {
                queue.addRateLimited(key)
                onFailure(key, error, .requeued)
            }
        }
        return true
    }
}
