import NIOCore

/// Runs tasks on a NIO event loop: a call's task started on its connection's loop runs its
/// body there (and the actors it calls, as far as they are free) instead of waking a thread
/// of the global pool, and resumes there to write its response.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
