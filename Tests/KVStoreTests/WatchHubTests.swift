import Testing

@testable import KVStore

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

struct WatchHubTests {
    @Test func backlogThenLiveEventsWithoutGaps() throws {
        var store = MVCCStore()
        _ = try store.put(PutRequest(key: b("a/1"), value: b("x")))  // 2
        _ = try store.put(PutRequest(key: b("b"), value: b("y")))  // 3
        _ = try store.put(PutRequest(key: b("a/1"), value: b("z")))  // 4
        _ = try store.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("a/1"))))  // 5
        var hub = WatchHub()
        var watch = WatchHub.Watch(id: 1, range: .prefix(b("a/")))
        watch.startRevision = 2
        watch.prevKV = true
        guard case .created(let backlog) = hub.create(watch, store: store) else {
            Issue.record("not created")
            return
        }
        #expect(backlog.map(\.kv.modRevision) == [2, 4, 5])
        #expect(backlog.map(\.kind) == [.put, .put, .delete])
        #expect(backlog[1].previous?.value == b("x"))
        #expect(backlog[2].previous?.value == b("z"))
        let (_, events) = try store.put(PutRequest(key: b("a/2"), value: b("w")))  // 6
        let routed = hub.route(events)
        #expect(routed.count == 1 && routed[0].id == 1 && routed[0].events.map(\.kv.modRevision) == [6])
        let (_, other) = try store.put(PutRequest(key: b("c"), value: b("w")))
        #expect(hub.route(other).isEmpty)
    }

    @Test func filtersAndPrevKV() throws {
        var store = MVCCStore()
        var hub = WatchHub()
        var noDeletes = WatchHub.Watch(id: 7, range: KeyRange(key: b("k")))
        noDeletes.filterDeletes = true
        _ = hub.create(noDeletes, store: store)
        let (_, put) = try store.put(PutRequest(key: b("k"), value: b("1")))
        let (_, del) = try store.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("k"))))
        #expect(hub.route(put).first?.events.first?.previous == nil)
        #expect(hub.route(del).isEmpty)
        let duplicate = hub.create(noDeletes, store: store)
        #expect(duplicate == .duplicateID)
        let first = hub.cancel(7)
        let second = hub.cancel(7)
        #expect(first && !second)
    }

    @Test func compactedStartCancels() throws {
        var store = MVCCStore()
        for i in 0..<5 { _ = try store.put(PutRequest(key: b("k"), value: b("\(i)"))) }
        try store.compact(4)
        var hub = WatchHub()
        var watch = WatchHub.Watch(id: 1, range: KeyRange(key: b("k")))
        watch.startRevision = 3
        let creation = hub.create(watch, store: store)
        #expect(creation == .compacted(compactRevision: 4))
        #expect(hub.watches.isEmpty)
        watch.startRevision = 4
        guard case .created(let backlog) = hub.create(watch, store: store) else {
            Issue.record("not created")
            return
        }
        #expect(backlog.map(\.kv.modRevision) == [4, 5, 6])
    }
}
