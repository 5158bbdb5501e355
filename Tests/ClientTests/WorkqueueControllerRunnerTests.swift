import Component
import Testing
@testable import Client

@Suite("ControllerRunner")
struct WorkqueueControllerRunnerTests {
    private struct Attempt: Sendable, Equatable {
        let key: String
        let at: Duration
    }

    @Test("retries a failing key with backoff and forgets it on success", .timeLimit(.minutes(1)))
    func retriesWithBackoffThenForgets() async {
        let clock = ManualClock()
        let start = clock.now
        let queue = WorkQueue<String>(clock: clock)
        let (attempts, attempted) = AsyncStream.makeStream(of: Attempt.self)
        let (failures, failed) = AsyncStream.makeStream(of: ControllerRunner<String>.FailureOutcome.self)
        let calls = WorkqueueCounter()
        let runner = ControllerRunner(
            queue: queue,
            onFailure: { _, _, outcome in failed.yield(outcome) }
        ) { key in
            attempted.yield(Attempt(key: key, at: clock.now - start))
            if calls.next() < 3 { throw WorkqueueTestError() }
        }
        let run = Task { await runner.run(workers: 1) }
        var attemptIterator = attempts.makeAsyncIterator()
        var failureIterator = failures.makeAsyncIterator()

        queue.add("a")
        #expect(await attemptIterator.next() == Attempt(key: "a", at: .zero))
        #expect(await failureIterator.next() == .requeued)
        #expect(queue.numRequeues("a") == 1)
        clock.advance(by: .milliseconds(4))
        #expect(queue.len == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await attemptIterator.next() == Attempt(key: "a", at: .milliseconds(5)))
        #expect(await failureIterator.next() == .requeued)
        #expect(queue.numRequeues("a") == 2)
        clock.advance(by: .milliseconds(10))
        #expect(await attemptIterator.next() == Attempt(key: "a", at: .milliseconds(15)))

        await queue.shutDownWithDrain()
        await run.value
        #expect(queue.numRequeues("a") == 0)
        #expect(calls.current == 3)
    }

    @Test("drops a key after maxRetries retries", .timeLimit(.minutes(1)))
    func dropsAfterMaxRetries() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let (failures, failed) = AsyncStream.makeStream(of: ControllerRunner<String>.FailureOutcome.self)
        let calls = WorkqueueCounter()
        let runner = ControllerRunner(
            queue: queue,
            maxRetries: 2,
            onFailure: { _, _, outcome in failed.yield(outcome) }
        ) { _ in
            _ = calls.next()
            throw WorkqueueTestError()
        }
        let run = Task { await runner.run(workers: 1) }
        var failureIterator = failures.makeAsyncIterator()

        queue.add("a")
        #expect(await failureIterator.next() == .requeued)
        clock.advance(by: .milliseconds(5))
        #expect(await failureIterator.next() == .requeued)
        clock.advance(by: .milliseconds(10))
        #expect(await failureIterator.next() == .dropped)
        #expect(queue.numRequeues("a") == 0)
        clock.advance(by: .seconds(10))

        await queue.shutDownWithDrain()
        await run.value
        #expect(calls.current == 3)
        #expect(queue.len == 0)
    }

    @Test("N workers process distinct keys concurrently", .timeLimit(.minutes(1)))
    func workersRunConcurrently() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let tracker = WorkqueueInFlightTracker()
        // Every sync waits until all three are in flight: this finishes only if three workers
        // run at once.
        let barrier = WorkqueueBarrier(parties: 3)
        let (finished, finish) = AsyncStream.makeStream(of: String.self)
        let runner = ControllerRunner(queue: queue) { key in
            tracker.enter(key)
            await barrier.arriveAndWait()
            tracker.exit(key)
            finish.yield(key)
        }
        let run = Task { await runner.run(workers: 3) }
        for key in ["a", "b", "c"] { queue.add(key) }
        var done: Set<String> = []
        for await key in finished {
            done.insert(key)
            if done.count == 3 { break }
        }
        await queue.shutDownWithDrain()
        await run.value
        #expect(done == ["a", "b", "c"])
        #expect(tracker.maxConcurrent == 3)
        #expect(tracker.overlaps.isEmpty)
    }

    @Test("cancelling run shuts the queue down and returns", .timeLimit(.minutes(1)))
    func cancellationStopsRun() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let runner = ControllerRunner(queue: queue) { _ in }
        let run = Task { await runner.run(workers: 2) }
        await queue.yield { $0.getters == 2 }
        run.cancel()
        await run.value
        #expect(queue.isShuttingDown)
    }
}
