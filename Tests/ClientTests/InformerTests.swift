import Component
import APIMachinery
import Client
import Synchronization
import Testing

/// The shared informer's contract (see `SharedInformer`), clause by clause, against
/// `InformerFakeSource`. Time is a `ManualClock`; tests wait on events, never on time.
@Suite(.timeLimit(.minutes(1)))
struct InformerTests {
    @Test func listsThenWatchesFromTheListVersion() async {
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            #expect(informer.store.listKeys().sorted() == ["ns/a", "ns/b"])
            await source.waitForWatchCalls(1)
            #expect(source.watchCalls == ["3"])

            source.create(testObject("c"))
            source.update("ns/a")
            source.delete("ns/b")
            let expected = ["add ns/a@2", "add ns/b@3", "add ns/c@4", "update ns/a@2->5", "delete ns/b@6"]
            #expect(await log.first(5) == expected)
            #expect(informer.store.listKeys().sorted() == ["ns/a", "ns/c"])
            #expect(source.listCalls == 1)
        }
    }

    @Test func resumesAfterDisconnectWithoutGapsOrRepeats() async {
        let source = InformerFakeSource([testObject("a")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.update("ns/a")  // rv 3, seen before the drop
            source.disconnect()
            source.create(testObject("b"))  // rv 4, made while reconnecting
            await source.waitForWatchCalls(2)
            source.disconnect()
            source.delete("ns/a")  // rv 5
            await source.waitForWatchCalls(3)
            source.update("ns/b")  // rv 6, the last one: everything before it is delivered
            let expected = ["add ns/a@2", "update ns/a@2->3", "add ns/b@4", "delete ns/a@5", "update ns/b@4->6"]
            #expect(await log.first(5) == expected)
            #expect(source.watchCalls == ["2", "3", "4"])
            #expect(source.listCalls == 1)
            #expect(informer.store.listKeys() == ["ns/b"])
            #expect(log.lines == expected)
        }
    }

    @Test func bookmarksAdvanceTheResumeVersion() async {
        let source = InformerFakeSource([testObject("a")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.advanceResourceVersion(by: 8)  // other collections were written: rv 10
            source.bookmark()
            source.compact()  // history before 10 is gone; resuming from 2 would be a 410
            source.disconnect()
            await source.waitForWatchCalls(2)
            #expect(source.watchCalls == ["2", "10"])
            #expect(informer.lastSyncResourceVersion == "10")
            source.update("ns/a")
            #expect(await log.first(2) == ["add ns/a@2", "update ns/a@2->11"])
            #expect(source.listCalls == 1)
        }
    }

    @Test func expiredWatchRelistsAndDeliversTombstonesForVanishedObjects() async {
        let source = InformerFakeSource([testObject("a"), testObject("b"), testObject("c")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.update("ns/a")  // rv 5, delivered
            source.expire { missed in
                missed.delete("ns/b")  // rv 6, never seen
                missed.create(testObject("d"))  // rv 7, never seen
            }
            await source.waitForWatchCalls(2)
            #expect(source.listCalls == 2)
            #expect(source.watchCalls == ["4", "7"])
            source.update("ns/c")
            #expect(await log.first(9) == [
                "add ns/a@2", "add ns/b@3", "add ns/c@4",
                "update ns/a@2->5",
                // The relist: updates for what was cached, adds for new objects, then tombstones.
                "update ns/a@5->5", "update ns/c@4->4", "add ns/d@7", "delete ns/b@3 tombstone",
                "update ns/c@4->8",
            ])
            let tombstones = log.deletes
            #expect(tombstones.count == 1)
            if case .finalStateUnknown(let tombstone)? = tombstones.first {
                #expect(tombstone.key == "ns/b")
                #expect(tombstone.lastKnown.resourceVersion == "3")
            } else {
                Issue.record("expected a DeletedFinalStateUnknown, got \(tombstones)")
            }
            #expect(informer.store.listKeys().sorted() == ["ns/a", "ns/c", "ns/d"])
        }
    }

    @Test func expiredAtWatchTimeBacksOffThenRelists() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let informer = SharedInformer(source: source, clock: clock)
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.expire { missed in missed.delete("ns/a") }  // no event before the 410
            // A 410 with nothing delivered is a failure: 800 ms, then list again.
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .milliseconds(800)))
            #expect(source.listCalls == 1)
            clock.advance(by: .milliseconds(800))
            await source.waitForWatchCalls(2)
            #expect(source.listCalls == 2)
            #expect(source.watchCalls == ["3", "4"])
            #expect(await log.first(4) == ["add ns/a@2", "add ns/b@3", "update ns/b@3->3", "delete ns/a@2 tombstone"])
        }
    }

    @Test func storeIsUpdatedBeforeHandlersRun() async {
        let source = InformerFakeSource()
        let informer = SharedInformer(
            source: source, indexers: ["app": { $0.labels["app"].map { [$0] } ?? [] }], clock: ManualClock())
        let log = InformerEventLog()
        let seen: @Sendable (String, String) -> Void = { event, key in
            let cached = informer.store.get(key: key)?.resourceVersion ?? "absent"
            let indexed = (try? informer.store.indexKeys("app", "web"))?.contains(key) ?? false
            log.append("\(event) \(key) store=\(cached) indexed=\(indexed)")
        }
        informer.addEventHandler(
            ResourceEventHandler(
                onAdd: { seen("add", $0.objectKey) },
                onUpdate: { _, new in seen("update", new.objectKey) },
                onDelete: { seen("delete", $0.key) }))
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.create(testObject("a", labels: ["app": "web"]))
            #expect(await log.first(1) == ["add ns/a store=2 indexed=true"])
            source.update("ns/a") { $0.labels = ["app": "db"] }
            #expect(await log.first(2) == ["add ns/a store=2 indexed=true", "update ns/a store=3 indexed=false"])
            source.delete("ns/a")
            #expect(await log.first(3).last == "delete ns/a store=absent indexed=false")
        }
    }

    @Test func handlersAreCalledInOrderAndNeverConcurrently() async {
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        let inFlight = Mutex((now: 0, most: 0))
        for name in ["h1", "h2", "h3"] {
            informer.addEventHandler(
                ResourceEventHandler(onAnyChange: { object in
                    inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                    await Task.yield()
                    log.append("\(name) \(object)")
                    inFlight.withLock { $0.now -= 1 }
                }))
        }
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            source.update("ns/a")
            #expect(await log.first(9) == [
                "h1 ns/a@2", "h2 ns/a@2", "h3 ns/a@2",
                "h1 ns/b@3", "h2 ns/b@3", "h3 ns/b@3",
                "h1 ns/a@4", "h2 ns/a@4", "h3 ns/a@4",
            ])
            #expect(inFlight.withLock { $0.most } == 1)
        }
    }

    @Test func lateHandlersGetSyntheticAddsThenLaterChanges() async {
        let source = InformerFakeSource([testObject("b"), testObject("a")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let early = InformerEventLog()
        let late = InformerEventLog()
        let earlyRegistration = informer.addEventHandler(early.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            #expect(earlyRegistration.hasSynced)
            await source.waitForWatchCalls(1)
            source.create(testObject("c"))
            _ = await early.first(3)

            let lateRegistration = informer.addEventHandler(late.handler())
            source.update("ns/a")
            #expect(await late.first(4) == ["add ns/a@3", "add ns/b@2", "add ns/c@4", "update ns/a@3->5"])
            #expect(lateRegistration.hasSynced)
            #expect(await early.first(4) == ["add ns/a@3", "add ns/b@2", "add ns/c@4", "update ns/a@3->5"])

            informer.removeEventHandler(lateRegistration)
            #expect(!lateRegistration.isActive)
            source.delete("ns/c")
            _ = await early.first(5)
            source.delete("ns/b")
            _ = await early.first(6)
            #expect(late.lines.count == 4)
        }
    }

    @Test func hasSyncedWaitsForTheInitialListToBeDelivered() async {
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let log = InformerEventLog()
        let gate = InformerGate()
        let registration = informer.addEventHandler(
            ResourceEventHandler(onAdd: { object in
                log.append("add \(object)")
                await gate.wait()
            }))
        #expect(!informer.hasSynced)
        await withRunningInformer(informer) {
            _ = await log.first(1)
            // The list is in the store, but not yet delivered.
            #expect(informer.store.count == 2)
            #expect(!informer.hasSynced)
            #expect(!registration.hasSynced)
            gate.open()
            #expect(await informer.waitForSync())
            #expect(informer.hasSynced)
            #expect(registration.hasSynced)
            #expect(log.lines == ["add ns/a@2", "add ns/b@3"])
        }
        #expect(informer.hasSynced)
    }

    @Test func waitForSyncReturnsFalseWhenCancelled() async {
        let source = InformerFakeSource()
        source.failNextLists([InformerTestError.boom])
        let informer = SharedInformer(source: source, clock: ManualClock())
        let waiter = Task { await informer.waitForSync() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(!informer.hasSynced)
    }

    @Test func emptyListSyncsWithoutHandlers() async {
        let informer = SharedInformer(source: InformerFakeSource(), clock: ManualClock())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            #expect(informer.store.count == 0)
        }
    }

    @Test func resyncRedeliversTheCacheAsUpdatesOnTheClock() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a"), testObject("b")])
        let informer = SharedInformer(
            source: source, options: ReflectorOptions(resyncPeriod: .seconds(30)), clock: clock)
        let log = InformerEventLog()
        informer.addEventHandler(log.handler())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(30)))
            clock.advance(by: .seconds(30))
            #expect(await log.first(4) == ["add ns/a@2", "add ns/b@3", "update ns/a@2->2", "update ns/b@3->3"])
            source.delete("ns/a")
            _ = await log.first(5)
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(30))
            #expect(await log.first(6).last == "update ns/b@3->3")
            #expect(source.listCalls == 1)
            #expect(source.watchCalls == ["3"])
        }
    }

    @Test func resyncIsOffByDefault() async {
        let clock = ManualClock()
        let source = InformerFakeSource([testObject("a")])
        let informer = SharedInformer(source: source, clock: clock)
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            await source.waitForWatchCalls(1)
            #expect(clock.sleeperCount == 0)
        }
    }

    @Test func listerAndCustomIndexOnAnInformer() async {
        let source = InformerFakeSource([
            testObject("a", namespace: "x", labels: ["app": "web"]),
            testObject("b", namespace: "y", labels: ["app": "web"]),
            testObject("c", namespace: "x", labels: ["app": "db"]),
        ])
        let informer = SharedInformer(
            source: source, indexers: ["app": { $0.labels["app"].map { [$0] } ?? [] }], clock: ManualClock())
        await withRunningInformer(informer) {
            #expect(await informer.waitForSync())
            #expect(informer.lister.list(namespace: "x").map(\.name).sorted() == ["a", "c"])
            #expect((try? informer.lister.byIndex("app", "web"))?.map(\.name).sorted() == ["a", "b"])
            let web = try? LabelSelectorQuery(parsing: "app=web")
            #expect(informer.lister.list(namespace: "y", selector: web ?? .everything).map(\.name) == ["b"])
            #expect(informer.lister.get(namespace: "x", name: "c")?.labels == ["app": "db"])
        }
    }

    @Test func typedAndDynamicObjectsWork() async {
        var pod = CoreV1.Pod()
        pod.metadata = MetaV1.ObjectMeta(labels: ["app": "web"], name: "p", namespace: "ns", resourceVersion: "1")
        let pods = SharedInformer(source: InformerStaticSource([pod]), clock: ManualClock())
        let widget: JSONValue = ["metadata": ["name": "w", "namespace": "ns", "labels": ["app": "web"]]]
        let widgets = SharedInformer(source: InformerStaticSource([widget]), clock: ManualClock())
        await withRunningInformer(pods) {
            #expect(await pods.waitForSync())
            #expect(pods.lister.get(namespace: "ns", name: "p")?.metadata?.resourceVersion == "1")
        }
        await withRunningInformer(widgets) {
            #expect(await widgets.waitForSync())
            #expect(widgets.lister.list(selector: LabelSelectorQuery(exactMatch: ["app": "web"])).count == 1)
        }
    }
}
