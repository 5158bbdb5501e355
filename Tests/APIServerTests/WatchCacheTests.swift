import APIMachinery
import APIServer
import Testing

/// The watch cache fed by a store: lists with filters, watches from a revision, filter
/// transitions, delete revisions, the event window and waiting for a revision.
///
/// Every step is driven by a store write and awaited through `waitFor(revision:)` or the
/// watch stream itself; the suite's time limit turns a missing event into a failure.
@Suite(.timeLimit(.minutes(1)))
struct WatchCacheTests {
    static let prefix = "/registry/pods/"

    let store = InMemoryStore()
    let pods: ResourceInfo

    init() throws {
        pods = try Fixtures.resource("", "pods")
    }

    static func key(_ namespace: String, _ name: String) -> String { prefix + namespace + "/" + name }

    static func pod(_ namespace: String, _ name: String, labels: [String: String] = [:], node: String = "") -> String {
        let labelJSON = labels.sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
        return #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"\#(name)","namespace":"\#(namespace)","labels":{\#(labelJSON)}},"spec":{"nodeName":"\#(node)"}}"#
    }

    @discardableResult
    func put(_ namespace: String, _ name: String, labels: [String: String] = [:], node: String = "") async throws -> Int64 {
        try await store.set(Self.key(namespace, name), Self.pod(namespace, name, labels: labels, node: node))
    }

    /// Runs `body` with a started cache over the pods prefix that has applied everything the
    /// store held, stopping it afterwards.
    func withCache(capacity: Int = 100, _ body: (WatchCache) async throws -> Void) async throws {
        let cache = WatchCache(
            resource: pods, prefix: Self.prefix, store: store, capacity: capacity, bookmarkInterval: .seconds(3600))
        await cache.start()
        do {
            // Ready: the initial list is done, so later writes arrive as events.
            try await cache.waitFor(revision: store.currentRevision())
            try await body(cache)
        } catch {
            await cache.stop()
            throw error
        }
        await cache.stop()
    }

    /// `TYPE namespace/name resourceVersion`, `BOOKMARK revision [end]`, or `end` for a finished stream.
    static func describe(_ item: WatchItem?) -> String {
        switch item {
        case .event(let type, let object, _)?: "\(type.rawValue) \(object.namespace)/\(object.name) \(object.resourceVersion)"
        case .bookmark(let revision, let end)?: "BOOKMARK \(revision)\(end ? " end" : "")"
        case nil: "end"
        }
    }

    static func next(_ count: Int, _ iterator: inout WatchBuffer.AsyncIterator) async -> [String] {
        var items: [String] = []
        for _ in 0..<count { items.append(describe(await iterator.next())) }
        return items
    }

    static func keys(_ items: [CachedObject]) -> [String] { items.map(\.key) }

    // MARK: lists

    @Test func listsWhatTheStoreHeldAtStartInKeyOrder() async throws {
        try await put("ns2", "a")
        try await put("ns1", "c")
        try await put("ns1", "b")
        try await withCache { cache in
            let (items, revision) = await cache.list(.everything)
            #expect(Self.keys(items) == [Self.key("ns1", "b"), Self.key("ns1", "c"), Self.key("ns2", "a")])
            #expect(revision == 4)
            let b = try #require(items.first)
            #expect(b.resourceVersion == 4)
            #expect(try b.tree()["metadata"]?["resourceVersion"] == "4")
            #expect(await cache.get(Self.key("ns2", "a"))?.resourceVersion == 2)
            #expect(await cache.get(Self.key("ns2", "zz")) == nil)
        }
    }

    @Test func listFilters() async throws {
        try await put("ns1", "web-1", labels: ["app": "web"], node: "n1")
        try await put("ns1", "db-1", labels: ["app": "db"], node: "n1")
        try await put("ns2", "web-2", labels: ["app": "web"], node: "n2")
        try await put("ns10", "web-3", labels: ["app": "web", "tier": "front"])
        try await withCache { cache in
            let inNamespace = await cache.list(ObjectFilter(namespace: "ns1")).items
            #expect(Self.keys(inNamespace) == [Self.key("ns1", "db-1"), Self.key("ns1", "web-1")])

            let web = await cache.list(ObjectFilter(labels: LabelSelectorQuery(exactMatch: ["app": "web"]))).items
            #expect(web.map(\.name) == ["web-1", "web-3", "web-2"])

            let parsed = try LabelSelectorQuery(parsing: "app in (web,db),!tier")
            #expect(await cache.list(ObjectFilter(labels: parsed)).items.map(\.name) == ["db-1", "web-1", "web-2"])

            let onNode = await cache.list(ObjectFilter(fields: FieldSelectorQuery(exactMatch: ["spec.nodeName": "n1"])))
            #expect(onNode.items.map(\.name) == ["db-1", "web-1"])

            let both = ObjectFilter(
                namespace: "ns1", labels: LabelSelectorQuery(exactMatch: ["app": "web"]),
                fields: FieldSelectorQuery(exactMatch: ["spec.nodeName": "n1"]))
            #expect(await cache.list(both).items.map(\.name) == ["web-1"])

            #expect(await cache.list(ObjectFilter(namespace: "ns1", name: "web-1")).items.map(\.key) == [Self.key("ns1", "web-1")])
            #expect(await cache.list(ObjectFilter(namespace: "ns2", name: "web-1")).items.isEmpty)
            #expect(await cache.list(ObjectFilter(name: "web-2")).items.map(\.key) == [Self.key("ns2", "web-2")])
            let excluded = ObjectFilter(namespace: "ns1", name: "web-1", labels: LabelSelectorQuery(exactMatch: ["app": "db"]))
            #expect(await cache.list(excluded).items.isEmpty)
        }
    }

    @Test func foreignValuesUnderThePrefixAreSkipped() async throws {
        _ = try await store.create(Self.key("ns", "junk"), value: Array("not json".utf8))
        try await put("ns", "ok")
        try await withCache { cache in
            #expect(Self.keys(await cache.list(.everything).items) == [Self.key("ns", "ok")])
        }
    }

    @Test func appliesStoreChangesAfterStart() async throws {
        try await withCache { cache in
            let created = try await put("ns", "a", labels: ["v": "1"])
            try await put("ns", "a", labels: ["v": "2"])
            let b = try await put("ns", "b")
            let deleted = try await store.remove(Self.key("ns", "a"))
            #expect(created == 2 && deleted == 5)
            try await cache.waitFor(revision: deleted)
            let (items, revision) = await cache.list(.everything)
            #expect(Self.keys(items) == [Self.key("ns", "b")])
            #expect(revision == 5)
            #expect(await cache.revision == 5)
            #expect(await cache.get(Self.key("ns", "a")) == nil)
            #expect(await cache.get(Self.key("ns", "b"))?.resourceVersion == b)
        }
    }

    // MARK: watches

    @Test func watchFromARevisionReplaysOnlyLaterEvents() async throws {
        try await withCache { cache in
            try await put("ns", "a")  // 2
            try await put("ns", "b")  // 3
            try await put("ns", "a", labels: ["x": "y"])  // 4
            try await store.remove(Self.key("ns", "b"))  // 5
            try await cache.waitFor(revision: 5)
            let (stream, _) = try await cache.watch(from: 3, filter: .everything, bookmarks: false, initialEventsEnd: false)
            var iterator = stream.makeAsyncIterator()
            #expect(await Self.next(2, &iterator) == ["MODIFIED ns/a 4", "DELETED ns/b 5"])
            // Nothing else was queued: the next item is the next change.
            try await put("ns", "c")  // 6
            #expect(await Self.next(1, &iterator) == ["ADDED ns/c 6"])

            let (all, _) = try await cache.watch(from: 1, filter: .everything, bookmarks: false, initialEventsEnd: false)
            var everything = all.makeAsyncIterator()
            #expect(
                await Self.next(5, &everything) == [
                    "ADDED ns/a 2", "ADDED ns/b 3", "MODIFIED ns/a 4", "DELETED ns/b 5", "ADDED ns/c 6",
                ])
        }
    }

    @Test func watchWithoutRevisionStartsFromTheCurrentState() async throws {
        try await put("ns", "b")
        try await put("ns", "a")
        try await put("other", "c")
        try await withCache { cache in
            let (stream, _) = try await cache.watch(
                from: nil, filter: ObjectFilter(namespace: "ns"), bookmarks: true, initialEventsEnd: true)
            var iterator = stream.makeAsyncIterator()
            #expect(await Self.next(3, &iterator) == ["ADDED ns/a 3", "ADDED ns/b 2", "BOOKMARK 4 end"])
            try await put("other", "d")  // 5, filtered out
            try await put("ns", "b", labels: ["x": "y"])  // 6
            #expect(await Self.next(1, &iterator) == ["MODIFIED ns/b 6"])
        }
    }

    @Test func watchFromBeforeTheWindowIsTooOld() async throws {
        try await put("ns", "a")  // 2
        try await put("ns", "b")  // 3
        try await withCache { cache in
            // The window starts at the revision of the initial list.
            do {
                _ = try await cache.watch(from: 2, filter: .everything, bookmarks: false, initialEventsEnd: false)
                Issue.record("a watch from before the initial list must be too old")
            } catch CacheError.tooOld(let requested, let oldest) {
                #expect(requested == 2)
                #expect(oldest == 4)
            }
            let (stream, _) = try await cache.watch(from: 3, filter: .everything, bookmarks: false, initialEventsEnd: false)
            var iterator = stream.makeAsyncIterator()
            try await put("ns", "c")  // 4
            #expect(await Self.next(1, &iterator) == ["ADDED ns/c 4"])
        }
    }

    @Test func theWindowKeepsTheLastCapacityEvents() async throws {
        try await withCache(capacity: 2) { cache in
            try await put("ns", "a")  // 2
            try await put("ns", "b")  // 3
            try await put("ns", "c")  // 4: event 2 leaves the window
            try await cache.waitFor(revision: 4)
            do {
                _ = try await cache.watch(from: 1, filter: .everything, bookmarks: false, initialEventsEnd: false)
                Issue.record("a watch from an evicted revision must be too old")
            } catch CacheError.tooOld(let requested, let oldest) {
                #expect(requested == 1)
                #expect(oldest == 3)
            }
            let (stream, _) = try await cache.watch(from: 2, filter: .everything, bookmarks: false, initialEventsEnd: false)
            var iterator = stream.makeAsyncIterator()
            #expect(await Self.next(2, &iterator) == ["ADDED ns/b 3", "ADDED ns/c 4"])
        }
    }

    @Test func objectsEnteringAndLeavingTheFilter() async throws {
        let web = ObjectFilter(labels: LabelSelectorQuery(exactMatch: ["app": "web"]))
        let expected = [
            "ADDED ns/a 2",  // created matching
            "DELETED ns/a 4",  // stopped matching
            "ADDED ns/a 5",  // matches again
            "MODIFIED ns/a 6",  // changed, still matching
            "DELETED ns/a 8",  // deleted
        ]
        try await withCache { cache in
            let (live, _) = try await cache.watch(from: nil, filter: web, bookmarks: false, initialEventsEnd: false)
            try await put("ns", "a", labels: ["app": "web"])  // 2
            try await put("ns", "b", labels: ["app": "db"])  // 3: never matches
            try await put("ns", "a", labels: ["app": "db"])  // 4
            try await put("ns", "a", labels: ["app": "web"])  // 5
            try await put("ns", "a", labels: ["app": "web"], node: "n1")  // 6
            try await put("ns", "b", labels: ["app": "db", "x": "y"])  // 7
            try await store.remove(Self.key("ns", "a"))  // 8
            try await put("ns", "marker", labels: ["app": "web"])  // 9
            var iterator = live.makeAsyncIterator()
            #expect(await Self.next(6, &iterator) == expected + ["ADDED ns/marker 9"])

            // A watch replaying the window sees the same transitions.
            let (replay, _) = try await cache.watch(from: 1, filter: web, bookmarks: false, initialEventsEnd: false)
            var replayed = replay.makeAsyncIterator()
            #expect(await Self.next(6, &replayed) == expected + ["ADDED ns/marker 9"])
        }
    }

    /// Kubernetes' cacheWatcher: an object that stops matching is sent as DELETED "with the
    /// previous object content, but with the event's resource version", so the watcher sees
    /// the last state it was shown matching its selector.
    @Test func objectLeavingTheFilterIsSentInItsLastMatchingState() async throws {
        let web = ObjectFilter(labels: LabelSelectorQuery(exactMatch: ["app": "web"]))
        try await withCache { cache in
            let (live, _) = try await cache.watch(from: nil, filter: web, bookmarks: false, initialEventsEnd: false)
            try await put("ns", "a", labels: ["app": "web"])  // 2
            try await put("ns", "a", labels: ["app": "db"])  // 3
            var iterator = live.makeAsyncIterator()
            _ = await iterator.next()
            guard case .event(.deleted, let object, _)? = await iterator.next() else {
                Issue.record("expected DELETED")
                return
            }
            #expect(object.resourceVersion == 3)
            #expect(object.labels == ["app": "web"])
            #expect(try object.tree()["metadata"]?["resourceVersion"] == "3")
        }
    }

    @Test func deletesCarryTheDeleteRevision() async throws {
        try await withCache { cache in
            let (stream, _) = try await cache.watch(from: nil, filter: .everything, bookmarks: false, initialEventsEnd: false)
            try await put("ns", "a", labels: ["k": "v"], node: "n1")  // 2
            let deleted = try await store.remove(Self.key("ns", "a"))  // 3
            var iterator = stream.makeAsyncIterator()
            _ = await iterator.next()
            guard case .event(.deleted, let object, let frame)? = await iterator.next() else {
                Issue.record("expected DELETED")
                return
            }
            #expect(object.resourceVersion == deleted)
            let tree = try object.tree()
            #expect(tree["metadata"]?["resourceVersion"] == .string(String(deleted)))
            #expect(tree["metadata"]?["labels"] == ["k": "v"])
            #expect(tree["spec"]?["nodeName"] == "n1")
            // The shared frame is the wire form of that object.
            let wire = try #require(frame)
            #expect(try JSONCodec.parse(wire) == ["type": "DELETED", "object": tree])
        }
    }

    @Test func relistAfterCompactionEndsWatchers() async throws {
        try await withCache { cache in
            try await put("ns", "a")  // 2
            try await cache.waitFor(revision: 2)
            let (stream, _) = try await cache.watch(from: nil, filter: .everything, bookmarks: false, initialEventsEnd: false)
            var iterator = stream.makeAsyncIterator()
            #expect(await Self.next(1, &iterator) == ["ADDED ns/a 2"])
            try await put("ns", "b")  // 3
            try await store.compact(revision: 3)
            store.failWatches(with: StoreError.compacted(requested: 2, compactRevision: 3))
            // The cache lists again and ends its watchers; they re-watch from their revision.
            var rest: [String] = []
            while true {
                let item = Self.describe(await iterator.next())
                rest.append(item)
                if item == "end" { break }
            }
            #expect(rest.last == "end")
            #expect(rest.dropLast().allSatisfy { $0 == "ADDED ns/b 3" })
            // The cache follows the store again, from the new list.
            let c = try await put("ns", "c")
            try await cache.waitFor(revision: c)
            #expect(Self.keys(await cache.list(.everything).items).count == 3)
        }
    }

    // MARK: waiting for a revision

    @Test func waitForReturnsOnceTheRevisionIsReached() async throws {
        try await withCache { cache in
            // Writes elsewhere advance the store, not the cache: a progress notification does.
            try await store.set("/registry/configmaps/ns/x", "{}")
            let elsewhere = try await store.set("/registry/configmaps/ns/x", #"{"a":1}"#)
            try await cache.waitFor(revision: elsewhere)
            #expect(await cache.revision >= elsewhere)

            // A waiter for a future revision returns once the cache applies it.
            let waiter = Task { try await cache.waitFor(revision: elsewhere + 2) }
            try await put("ns", "a")
            try await put("ns", "b")
            try await waiter.value
            #expect(await cache.revision == elsewhere + 2)
        }
    }

    @Test func waitForThrowsTooLargeAfterTheTimeout() async throws {
        try await withCache { cache in
            try await put("ns", "a")  // 2
            try await cache.waitFor(revision: 2)
            do {
                try await cache.waitFor(revision: 100, timeout: .milliseconds(50))
                Issue.record("revision 100 cannot be reached")
            } catch CacheError.tooLarge(let requested, let current) {
                #expect(requested == 100)
                #expect(current == 2)
            }
        }
    }
}
