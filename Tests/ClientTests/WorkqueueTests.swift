import Component
import Testing
@testable import Client

@Suite("WorkQueue")
struct WorkqueueTests {
    @Test("hands keys out in the order they were added")
    func fifoOrder() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        for key in ["a", "b", "c", "d"] { queue.add(key) }
        var got: [String] = []
        for _ in 0..<4 {
            let key = await queue.get()
            got.append(key ?? "nil")
            queue.done(key!)
        }
        #expect(got == ["a", "b", "c", "d"])
    }

    @Test("queues a key added twice while waiting only once, at its first position")
    func deduplicatesWaitingKeys() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.len == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(queue.len == 0)
    }

    @Test("never hands one key to two workers at once", .timeLimit(.minutes(1)))
    func noConcurrentProcessingOfOneKey() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let tracker = WorkqueueInFlightTracker()
        let syncs = WorkqueueCounter()
        let keys = ["a", "b"]
        for key in keys { queue.add(key) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.get() {
                        tracker.enter(key)
                        // Re-add both keys while this one is in flight, then give other
                        // workers a chance to run.
                        for other in keys { queue.add(other) }
                        for _ in 0..<3 { await Task.yield() }
                        tracker.exit(key)
                        if syncs.next() == 200 { queue.shutDown() }
                        queue.done(key)
                    }
                }
            }
        }
        #expect(syncs.current >= 200)
        #expect(tracker.overlaps.isEmpty)
        #expect(tracker.maxConcurrent <= keys.count)
    }

    @Test("re-queues a key added during processing when done is called, not before")
    func requeuesKeyAddedDuringProcessing() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        #expect(await queue.get() == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.len == 0)
        queue.add("b")
        #expect(await queue.get() == "b")
        queue.done("b")
        #expect(queue.len == 0)
        queue.done("a")
        #expect(queue.len == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        #expect(queue.len == 0)
    }

    @Test("get suspends until a key is added", .timeLimit(.minutes(1)))
    func getSuspendsUntilAdd() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let getter = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        queue.add("a")
        #expect(await getter.value == "a")
        #expect(queue.debugCounts.processing == 1)
    }

    @Test("after shutDown adds are ignored, get returns the queued keys and then nil")
    func shutDownSemantics() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let parked = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        queue.add("x")
        #expect(await parked.value == "x")

        let waiter = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        queue.add("a")
        #expect(await waiter.value == "a")
        queue.add("b")
        queue.add("c")
        queue.shutDown()
        #expect(queue.isShuttingDown)
        queue.add("d")
        #expect(queue.len == 2)
        #expect(await queue.get() == "b")
        #expect(await queue.get() == "c")
        #expect(await queue.get() == nil)
        #expect(await queue.get() == nil)
    }

    @Test("shutDown wakes parked getters with nil", .timeLimit(.minutes(1)))
    func shutDownWakesGetters() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let getters = (0..<3).map { _ in Task { await queue.get() } }
        await queue.yield { $0.getters == 3 }
        queue.shutDown()
        for getter in getters { #expect(await getter.value == nil) }
    }

    @Test("shutDownWithDrain waits until in-flight keys are done", .timeLimit(.minutes(1)))
    func drainWaitsForInFlight() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        queue.add("b")
        #expect(await queue.get() == "a")
        let drained = WorkqueueCounter()
        let drain = Task {
            await queue.shutDownWithDrain()
            _ = drained.next()
        }
        await queue.yield { $0.drainers == 1 }
        #expect(queue.isShuttingDown)
        #expect(drained.current == 0)
        // Queued keys are still handed out while draining.
        #expect(await queue.get() == "b")
        queue.done("a")
        #expect(queue.debugCounts.drainers == 1)
        #expect(drained.current == 0)
        queue.done("b")
        await drain.value
        #expect(drained.current == 1)
        #expect(await queue.get() == nil)
    }

    @Test("shutDownWithDrain returns at once when nothing is in flight")
    func drainWithNothingInFlight() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.shutDownWithDrain()
        #expect(queue.isShuttingDown)
        #expect(await queue.get() == nil)
    }

    @Test("a cancelled get returns nil and leaves the key for others", .timeLimit(.minutes(1)))
    func cancelledGet() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let getter = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        getter.cancel()
        #expect(await getter.value == nil)
        #expect(queue.debugCounts.getters == 0)
        queue.add("a")
        #expect(await queue.get() == "a")
    }
}
