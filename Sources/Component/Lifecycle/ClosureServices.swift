import ServiceLifecycle

/// A service whose work is a loop that ends on its own when cancelled: graceful shutdown cancels
/// it (a scheduling loop, a repair timer, a leader-elected runner).
public struct CancellableService: Service {
    let body: @Sendable () async throws -> Void

    public init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}

/// A service that waits for graceful shutdown and then runs `stop` (close a listening socket,
/// drain connections, flush a log); it also ends when `finished` returns first (the server's
/// socket closed by itself).
public struct ServerService: Service {
    let finished: @Sendable () async throws -> Void
    let stop: @Sendable () async -> Void

    public init(finished: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () async -> Void) {
        self.finished = finished
        self.stop = stop
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await finished()
                return false
            }
            tasks.addTask {
                try? await gracefulShutdown()
                return true
            }
            let shutdown = try await tasks.next() ?? false
            if shutdown { await stop() }
            tasks.cancelAll()
            if shutdown { try? await tasks.next() }
        }
    }
}

/// A service with no work of its own: at graceful shutdown (or cancellation) it runs `stop`
/// (release a resource the services after it in the group were using).
public struct ShutdownHook: Service {
    let stop: @Sendable () async -> Void

    public init(_ stop: @escaping @Sendable () async -> Void) { self.stop = stop }

    public func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}
