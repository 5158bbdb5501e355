import Component
import APIMachinery
import Testing
@testable import Client

@Suite("EventCorrelator")
struct EventCorrelatorTests {
    let start = EventTestObjects.wallStart

    @Test("identical events become one Event whose count grows, written as patches")
    func deduplicates() throws {
        var correlator = EventCorrelator()
        let first = EventTestObjects.event(at: start)
        guard case .create(let created, let key) = correlator.correlate(first, now: start) else {
            Issue.record("first occurrence must be created")
            return
        }
        #expect(created == first)
        var stored = created
        stored.metadata?.resourceVersion = "7"
        correlator.updateState(key: key, stored: stored)

        for (offset, count) in [(30.0, Int32(2)), (90, 3)] {
            let now = start.advanced(by: .seconds(offset))
            let repeated = EventTestObjects.event(at: now)
            guard case .patch(let event, let patch, let patchKey) = correlator.correlate(repeated, now: now) else {
                Issue.record("a repeat must patch")
                return
            }
            #expect(patchKey == key)
            #expect(event.metadata?.name == first.metadata?.name)
            #expect(event.metadata?.resourceVersion == "7")
            #expect(event.firstTimestamp == first.firstTimestamp)
            #expect(event.lastTimestamp == now.time)
            #expect(event.count == count)
            #expect(patch == EventPatch(count: count, lastTimestamp: now.time, message: "assigned"))
        }
    }

    @Test("the patch body carries count, lastTimestamp and message")
    func patchBody() throws {
        let patch = EventPatch(count: 4, lastTimestamp: start.time, message: "m")
        #expect(JSONCodec.encodeToString(patch.body) == #"{"count":4,"lastTimestamp":"2024-01-02T03:04:05Z","message":"m"}"#)
    }

    @Test("ten similar events within ten minutes are combined into one event")
    func aggregates() throws {
        var correlator = EventCorrelator()
        for i in 1...9 {
            let now = start.advanced(by: .seconds(i))
            let result = correlator.correlate(EventTestObjects.event(reason: "FailedScheduling", message: "m\(i)", at: now), now: now)
            guard case .create(let event, _) = result else {
                Issue.record("event \(i) must be created as is")
                return
            }
            #expect(event.message == "m\(i)")
        }
        let tenth = start.advanced(by: .seconds(10))
        guard case .create(let combined, let key) = correlator.correlate(
            EventTestObjects.event(reason: "FailedScheduling", message: "m10", at: tenth), now: tenth)
        else {
            Issue.record("the tenth similar event must create the combined event")
            return
        }
        #expect(combined.message == "(combined from similar events): m10")
        #expect(combined.count == 1)
        #expect(combined.reason == "FailedScheduling")
        #expect(combined.metadata?.name == "web-0.\(String(tenth.nanosecondsSinceEpoch, radix: 16))")
        #expect(combined.metadata?.namespace == "team-a")
        #expect(combined.involvedObject == EventTestObjects.pod())
        #expect(combined.source?.component == "default-scheduler")
        correlator.updateState(key: key, stored: combined)

        // The flood goes on: the combined event is updated, whatever the message.
        let eleventh = start.advanced(by: .seconds(11))
        guard case .patch(let updated, let patch, let patchKey) = correlator.correlate(
            EventTestObjects.event(reason: "FailedScheduling", message: "m11", at: eleventh), now: eleventh)
        else {
            Issue.record("the next similar event must patch the combined event")
            return
        }
        #expect(patchKey == key)
        #expect(updated.metadata?.name == combined.metadata?.name)
        #expect(patch.count == 2)
        #expect(patch.message == "(combined from similar events): m11")

        // A different reason is a different group.
        let other = correlator.correlate(EventTestObjects.event(reason: "Preempted", message: "x", at: eleventh), now: eleventh)
        guard case .create(let plain, _) = other else {
            Issue.record("a different reason must not be combined")
            return
        }
        #expect(plain.message == "x")
    }

    @Test("similar events more than ten minutes apart are never combined")
    func aggregationWindow() {
        var correlator = EventCorrelator()
        var combined = 0
        for i in 1...15 {
            let now = start.advanced(by: .seconds(Double(i) * 601))
            if case .create(let event, _) = correlator.correlate(
                EventTestObjects.event(reason: "FailedScheduling", message: "m\(i)", at: now), now: now),
                event.message?.hasPrefix("(combined") == true
            {
                combined += 1
            }
        }
        #expect(combined == 0)
    }

    @Test("the spam filter lets 25 events per object through, then one per five minutes")
    func spamFilter() {
        var correlator = EventCorrelator()
        func send(_ reason: String, _ object: CoreV1.ObjectReference = EventTestObjects.pod(), at now: WallTime) -> Bool {
            correlator.correlate(EventTestObjects.event(object, reason: reason, at: now), now: now) != .skip
        }
        let admitted = (1...30).filter { send("R\($0)", at: start) }
        #expect(admitted == Array(1...25))
        // Another object has its own bucket.
        #expect(send("R1", EventTestObjects.pod("web-1"), at: start))

        let later = start.advanced(by: .seconds(299))
        #expect(!send("R31", at: later))
        let refilled = start.advanced(by: .seconds(300))
        #expect(send("R32", at: refilled))
        #expect(!send("R33", at: refilled))
        // Fifty minutes refill ten tokens.
        let muchLater = refilled.advanced(by: .seconds(3000))
        #expect((1...12).filter { send("S\($0)", at: muchLater) }.count == 10)
    }

    @Test("the LRU cache forgets the least recently used key")
    func lruCache() {
        var cache = LRUCache<String, Int>(capacity: 3)
        cache.set("a", 1)
        cache.set("b", 2)
        cache.set("c", 3)
        #expect(cache.get("a") == 1)
        cache.set("d", 4)
        #expect(cache.get("b") == nil)
        #expect(cache.get("a") == 1)
        #expect(cache.get("c") == 3)
        #expect(cache.get("d") == 4)
        cache.set("c", 30)
        cache.set("e", 5)
        #expect(cache.get("a") == nil)
        #expect(cache.get("c") == 30)
        #expect(cache.count == 3)
    }
}
