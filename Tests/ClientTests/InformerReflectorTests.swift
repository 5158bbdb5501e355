import Component
import Client
import Synchronization
import Testing

/// The reflector's list/watch/relist/back-off contract, against `InformerFakeSource`, with a
/// `ManualClock` (nothing here waits on real time).
@Suite(.timeLimit(.minutes(1)))
struct InformerReflectorTests {
    @Test func backoffDelaysDoubleUpToTheCap() {
        let backoff = ReflectorBackoff()
        let delays = (0...8).map { backoff.delay(afterFailures: $0) }
        #expect(delays == [
            .zero, .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
            .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
        ])
        let custom = ReflectorBackoff(initial: .seconds(1), maximum: .seconds(5), factor: 3)
        #expect((1...4).map { custom.delay(afterFailures: $0) } == [.seconds(1), .seconds(3), .seconds(5), .seconds(5)])
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(30))
    }

    @Test func reflectorFillsABareStore() async {
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let store = ThreadSafeStore<InformerTestObject>()
        let reflector = Reflector(source: source, store: store, clock: ManualClock())
        let task = Task { await reflector.run() }
        await source.waitForWatchCalls(1)
        #expect(store.listKeys().sorted() == ["ns/a", "ns/b"])
        #expect(source.watchCalls == ["3"])
        #expect(reflector.lastSyncResourceVersion == "3")

        // Changes reach the store in order; a disconnect resumes from the last version seen.
        source.update("ns/a")
        source.delete("ns/b")
        source.disconnect()
        await source.waitForWatchCalls(2)
        #expect(source.watchCalls == ["3", "5"])
        #expect(store.listKeys() == ["ns/a"])
        #expect(store.get(key: "ns/a")?.resourceVersion == "4")
        #expect(reflector.lastSyncResourceVersion == "5")
        #expect(source.listCalls == 1)
        task.cancel()
        await task.value
    }

    @Test func listErrorsBackOffOnTheClock() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a")])
        source.failNextLists([InformerTestError.boom, InformerTestError.boom, InformerTestError.boom])
        let errors = Mutex(0)
        let informer = SharedInformer(
            source: source, options: ReflectorOptions(onError: { _ in errors.withLock { $0 += 1 } }), clock: clock)
        await withRunningInformer(informer) {
            let delays: [Duration] = [.milliseconds(800), .milliseconds(1600), .milliseconds(3200)]
            for (attempt, delay) in delays.enumerated() {
                await clock.waitForSleepers(1)
                #expect(source.listCalls == attempt + 1)
                #expect(clock.nextDeadline == clock.now.advanced(by: delay))
                #expect(!informer.hasSynced)
                clock.advance(by: delay)
            }
            #expect(await informer.waitForSync())
            #expect(source.listCalls == 4)
            #expect(errors.withLock { $0 } == 3)
            #expect(informer.lister.get("ns/a") != nil)
        }
    }

    @Test func watchErrorsBackOffAndRewatchFromTheSameVersion() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a")])
        let informer = SharedInformer(source: source, clock: clock)
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.create(testObject("b"))  // a healthy watch: the back-off starts over
            _ = await log.first(2)
            source.failNextWatches([InformerTestError.boom, InformerTestError.boom])
            source.disconnect()
            // Re-watch at once (healthy stream), fails; 800 ms; fails again; 1.6 s; succeeds.
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .milliseconds(800)))
            clock.advance(by: .milliseconds(800))
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .milliseconds(1600)))
            clock.advance(by: .milliseconds(1600))
            await source.waitForWatchCalls(4)
            #expect(source.watchCalls == ["2", "3", "3", "3"])
            #expect(source.listCalls == 1)
            source.update("ns/b")
            #expect(await log.first(3) == ["add ns/a@2", "add ns/b@3", "update ns/b@3->4"])
        }
    }

    @Test func aWatchClosedAtOnceWithoutEventsCountsAsAFailure() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a")])
        let informer = SharedInformer(source: source, clock: clock)
        await withRunningInformer(informer) {
            await source.waitForWatchCalls(1)
            source.disconnect()
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .milliseconds(800)))
            clock.advance(by: .milliseconds(800))
            await source.waitForWatchCalls(2)
            // An idle watch that lasted long enough is a normal server timeout: no back-off.
            clock.advance(by: .seconds(5))
            source.disconnect()
            await source.waitForWatchCalls(3)
            #expect(source.watchCalls == ["2", "2", "2"])
            #expect(clock.sleeperCount == 0)
            #expect(source.listCalls == 1)
        }
    }
}
