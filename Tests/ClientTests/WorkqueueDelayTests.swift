import Component
import Testing
@testable import Client

@Suite("WorkQueue delays")
struct WorkqueueDelayTests {
    @Test("delayed adds become ready in time order as the clock advances")
    func delayedAddsFireInTimeOrder() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a", after: .milliseconds(30))
        queue.add("b", after: .milliseconds(10))
        queue.add("c", after: .milliseconds(20))
        queue.add("now", after: .zero)
        #expect(queue.len == 1)
        #expect(await queue.get() == "now")

        clock.advance(by: .milliseconds(9))
        #expect(queue.len == 0)
        clock.advance(by: .milliseconds(1))
        #expect(queue.len == 1)
        #expect(await queue.get() == "b")

        clock.advance(by: .milliseconds(10))
        #expect(await queue.get() == "c")
        clock.advance(by: .milliseconds(10))
        #expect(await queue.get() == "a")
        #expect(queue.len == 0)
        #expect(queue.debugCounts.delayed == 0)
    }

    @Test("keys that become ready together are queued earliest first")
    func simultaneousReadiness() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("late", after: .milliseconds(20))
        queue.add("early", after: .milliseconds(10))
        queue.add("tie", after: .milliseconds(20))
        clock.advance(by: .seconds(1))
        #expect(queue.len == 3)
        #expect(await queue.get() == "early")
        #expect(await queue.get() == "late")
        #expect(await queue.get() == "tie")
    }

    @Test("a parked get wakes when the clock reaches the delay", .timeLimit(.minutes(1)))
    func parkedGetWakesOnDelay() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let getter = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        queue.add("a", after: .seconds(5))
        queue.add("b", after: .seconds(1))
        await clock.waitForSleepers(1)
        // Only one timer sleeps, for the earliest key.
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(1)))
        clock.advance(by: .seconds(1))
        #expect(await getter.value == "b")
        // The timer re-arms for the next key.
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(4)))
        let second = Task { await queue.get() }
        await queue.yield { $0.getters == 1 }
        clock.advance(by: .seconds(4))
        #expect(await second.value == "a")
    }

    @Test("delays for the same key keep the earliest ready time and fire once")
    func earliestDelayWins() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a", after: .milliseconds(50))
        queue.add("a", after: .milliseconds(10))
        queue.add("a", after: .milliseconds(30))
        #expect(queue.debugCounts.delayed == 1)
        clock.advance(by: .milliseconds(10))
        #expect(queue.len == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        clock.advance(by: .milliseconds(50))
        #expect(queue.len == 0)
        #expect(queue.debugCounts.delayed == 0)
    }

    @Test("a delayed key already queued is not queued twice")
    func delayedKeyDeduplicated() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a")
        queue.add("a", after: .milliseconds(5))
        clock.advance(by: .milliseconds(5))
        #expect(queue.len == 1)
    }

    @Test("shutdown drops delayed keys and stops the timer", .timeLimit(.minutes(1)))
    func shutDownDropsDelayed() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a", after: .seconds(1))
        await clock.waitForSleepers(1)
        queue.shutDown()
        #expect(clock.sleeperCount == 0)
        queue.add("b", after: .seconds(1))
        clock.advance(by: .seconds(2))
        #expect(queue.len == 0)
        #expect(await queue.get() == nil)
    }
}

@Suite("ManualClock")
struct WorkqueueManualClockTests {
    @Test("wakes sleepers only when time reaches their deadline", .timeLimit(.minutes(1)))
    func wakesDueSleepers() async throws {
        let clock = ManualClock()
        let start = clock.now
        let woke = WorkqueueCounter()
        let sleeper = Task {
            try await clock.sleep(until: start.advanced(by: .seconds(10)))
            _ = woke.next()
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        #expect(woke.current == 0)
        clock.advance(by: .seconds(1))
        #expect(clock.sleeperCount == 0)
        try await sleeper.value
        #expect(woke.current == 1)
        #expect(clock.now == start.advanced(by: .seconds(10)))
        // A deadline in the past returns at once.
        try await clock.sleep(until: start)
    }

    @Test("cancelling a sleeper removes it and throws", .timeLimit(.minutes(1)))
    func cancelledSleeper() async {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(until: clock.now.advanced(by: .seconds(1))) }
        await clock.waitForSleepers(1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}
