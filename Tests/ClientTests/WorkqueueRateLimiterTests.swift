import Component
import Testing
@testable import Client

@Suite("Workqueue rate limiters")
struct WorkqueueRateLimiterTests {
    @Test("per-key backoff doubles from the base delay and is capped")
    func exponentialBackoffSequence() {
        let limiter = ItemExponentialFailureRateLimiter<String>(
            baseDelay: .milliseconds(5), maxDelay: .milliseconds(100))
        let delays = (0..<7).map { _ in limiter.when("a") }
        #expect(delays == [5, 10, 20, 40, 80, 100, 100].map { Duration.milliseconds($0) })
        #expect(limiter.numRequeues("a") == 7)
        // Keys back off independently.
        #expect(limiter.when("b") == .milliseconds(5))
        #expect(limiter.numRequeues("b") == 1)
    }

    @Test("default per-key backoff is 5 ms doubling up to 1000 s")
    func exponentialDefaults() {
        let limiter = ItemExponentialFailureRateLimiter<String>()
        #expect(limiter.when("a") == .milliseconds(5))
        #expect(limiter.when("a") == .milliseconds(10))
        #expect(limiter.when("a") == .milliseconds(20))
        var last = Duration.zero
        for _ in 0..<1000 { last = limiter.when("a") }
        #expect(last == .seconds(1000))
    }

    @Test("forget resets a key's backoff and requeue count")
    func forgetResets() {
        let limiter = ItemExponentialFailureRateLimiter<String>()
        _ = limiter.when("a")
        _ = limiter.when("a")
        _ = limiter.when("b")
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        #expect(limiter.when("a") == .milliseconds(5))
        #expect(limiter.numRequeues("b") == 1)
    }

    @Test("token bucket allows the burst, then spaces calls at 1/qps and refills over time")
    func tokenBucketBurstThenRate() {
        let clock = ManualClock()
        let limiter = BucketRateLimiter<String>(qps: 10, burst: 100, clock: clock)
        for i in 0..<100 { #expect(limiter.when("k\(i)") == .zero) }
        #expect(limiter.when("x") == .milliseconds(100))
        #expect(limiter.when("y") == .milliseconds(200))
        #expect(limiter.when("z") == .milliseconds(300))
        #expect(limiter.numRequeues("x") == 0)
        // One second refills 10 tokens, 3 of which pay back the reservations.
        clock.advance(by: .seconds(1))
        for _ in 0..<7 { #expect(limiter.when("w") == .zero) }
        #expect(limiter.when("w") == .milliseconds(100))
        // The bucket never holds more than the burst.
        clock.advance(by: .seconds(3600))
        for _ in 0..<100 { #expect(limiter.when("v") == .zero) }
        #expect(limiter.when("v") == .milliseconds(100))
    }

    @Test("the default controller limiter takes the max of backoff and bucket")
    func maxOfDefaultController() {
        let clock = ManualClock()
        let limiter = MaxOfRateLimiter<String>.defaultController(clock: clock)
        #expect(limiter.when("a") == .milliseconds(5))
        #expect(limiter.when("a") == .milliseconds(10))
        #expect(limiter.numRequeues("a") == 2)
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        // Use up the bucket (2 + 98 tokens): its delay now dominates a fresh key's 5 ms backoff.
        for i in 0..<98 { _ = limiter.when("k\(i)") }
        #expect(limiter.when("b") == .milliseconds(100))
    }

    @Test("addRateLimited delays by the limiter, forget resets it")
    func queueRateLimiting() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(
            clock: clock, rateLimiter: ItemExponentialFailureRateLimiter(baseDelay: .milliseconds(5)))
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 1)
        #expect(queue.len == 0)
        clock.advance(by: .milliseconds(5))
        #expect(queue.len == 1)
        #expect(await queue.get() == "a")
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 2)
        queue.done("a")
        clock.advance(by: .milliseconds(9))
        #expect(queue.len == 0)
        clock.advance(by: .milliseconds(1))
        #expect(queue.len == 1)
        queue.forget("a")
        #expect(queue.numRequeues("a") == 0)
    }
}
