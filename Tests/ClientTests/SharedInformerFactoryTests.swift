import Client
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SharedInformerFactoryTests {
    static func key(_ selector: String? = nil) -> SharedInformerFactory.Key {
        SharedInformerFactory.Key(type: ObjectIdentifier(InformerTestObject.self), labelSelector: selector)
    }

    @Test func oneInformerPerTypeAndSelectorWhoeverAsks() async {
        let factory = SharedInformerFactory(rest: nil)
        let source = InformerFakeSource([testObject("a")])
        var built = 0
        let first: SharedInformer<InformerTestObject> = factory.informer(Self.key()) { built += 1; return source }
        let second: SharedInformer<InformerTestObject> = factory.informer(Self.key()) { built += 1; return source }
        let selected: SharedInformer<InformerTestObject> = factory.informer(Self.key("app=web")) { built += 1; return InformerFakeSource() }
        #expect(first === second)
        #expect(first !== selected)
        #expect(built == 2)
        #expect(factory.count == 2)
    }

    @Test func runStartsEveryInformerIncludingLaterOnesAndListsOnce() async {
        let factory = SharedInformerFactory(rest: nil)
        let early = InformerFakeSource([testObject("a")])
        let late = InformerFakeSource([testObject("b"), testObject("c")])
        let first: SharedInformer<InformerTestObject> = factory.informer(Self.key()) { early }
        let running = Task { await factory.run() }
        #expect(await factory.waitForCacheSync())
        #expect(first.store.list().count == 1)
        // Requested while running: started at once, and shared by a second caller.
        let second: SharedInformer<InformerTestObject> = factory.informer(Self.key("late")) { late }
        let again: SharedInformer<InformerTestObject> = factory.informer(Self.key("late")) { late }
        #expect(await factory.waitForCacheSync())
        #expect(second === again)
        #expect(second.store.list().count == 2)
        #expect(early.listCalls == 1 && late.listCalls == 1)
        running.cancel()
        await running.value
    }
}
