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
/// drain connections); it also ends when `finished` returns first (the server's socket closed by
/// itself). Cancellation stops the server too, and is then rethrown. A failing `stop` fails the
/// service (the group logs it).
public struct ServerService: Service {
    let finished: @Sendable () async throws -> Void
    let stop: @Sendable () async throws -> Void

    public init(finished: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () async throws -> Void) {
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
                try await gracefulShutdown()
                return true
            }
            let shutdown: Bool
            do {
                shutdown = try await tasks.next() ?? false
            } catch {
                try await stop()
                throw error
            }
            guard shutdown else {
                tasks.cancelAll()  // closed by itself: stop waiting for a shutdown
                return
            }
            try await stop()
            // `finished` ends now that the socket is closed.
            try await tasks.next()
        }
    }
}

/// A service with no work of its own: at graceful shutdown it runs `stop` (release a resource
/// the services after it in the group were using); on cancellation it runs `stop` and rethrows.
public struct ShutdownHook: Service {
    let stop: @Sendable () async -> Void

    public init(_ stop: @escaping @Sendable () async -> Void) { self.stop = stop }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }
}
