import APIServer
import Testing

/// The test store keeps etcd's contract (see `InMemoryStore`), which other suites rely on.
@Suite(.timeLimit(.minutes(1)))
struct InMemoryStoreTests {
    let store = InMemoryStore()

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func writesAreCompareAndSwapByModRevision() async throws {
        #expect(try await store.currentRevision() == 1)
        #expect(try await store.create("/k", value: Self.bytes("1")) == 2)
        await #expect(throws: StoreError.keyExists("/k")) { try await store.create("/k", value: Self.bytes("x")) }
        let first = StoredValue(key: "/k", value: Self.bytes("1"), modRevision: 2)
        await #expect(throws: StoreError.conflict(current: first)) {
            try await store.update("/k", value: Self.bytes("x"), expected: 1)
        }
        #expect(try await store.update("/k", value: Self.bytes("2"), expected: 2) == 3)
        await #expect(throws: StoreError.conflict(current: StoredValue(key: "/k", value: Self.bytes("2"), modRevision: 3))) {
            try await store.delete("/k", expected: 2)
        }
        #expect(try await store.delete("/k", expected: 3) == 4)
        let (value, revision) = try await store.get("/k")
        #expect(value == nil)
        #expect(revision == 4)
        await #expect(throws: StoreError.conflict(current: nil)) {
            try await store.update("/k", value: Self.bytes("x"), expected: 3)
        }
        #expect(try await store.currentRevision() == 4)
    }

    @Test func listsInKeyOrderWithStartAndLimit() async throws {
        for key in ["/r/b", "/r/a", "/r/c", "/s/a", "/r"] { _ = try await store.create(key, value: Self.bytes(key)) }
        let all = try await store.list(prefix: "/r/", from: nil, revision: 0, limit: 0)
        #expect(all.values.map(\.key) == ["/r/a", "/r/b", "/r/c"])
        #expect(all.revision == 6)
        #expect(!all.more)
        let page = try await store.list(prefix: "/r/", from: nil, revision: 0, limit: 2)
        #expect(page.values.map(\.key) == ["/r/a", "/r/b"])
        #expect(page.more)
        let rest = try await store.list(prefix: "/r/", from: "/r/b\u{0}", revision: 0, limit: 2)
        #expect(rest.values.map(\.key) == ["/r/c"])
        #expect(!rest.more)
        #expect(rest.values.first?.modRevision == 4)
    }

    @Test func listsAtAPastRevision() async throws {
        _ = try await store.create("/r/a", value: Self.bytes("1"))  // 2
        _ = try await store.update("/r/a", value: Self.bytes("2"), expected: 2)  // 3
        _ = try await store.create("/r/b", value: Self.bytes("1"))  // 4
        _ = try await store.delete("/r/a", expected: 3)  // 5
        let past = try await store.list(prefix: "/r/", from: nil, revision: 3, limit: 0)
        #expect(past.values == [StoredValue(key: "/r/a", value: Self.bytes("2"), modRevision: 3)])
        #expect(past.revision == 3)
        #expect(try await store.list(prefix: "/r/", from: nil, revision: 0, limit: 0).values.map(\.key) == ["/r/b"])
        await #expect(throws: StoreError.futureRevision(9)) {
            try await store.list(prefix: "/r/", from: nil, revision: 9, limit: 0)
        }
    }

    @Test func compactionRefusesOlderReadsAndWatches() async throws {
        _ = try await store.create("/r/a", value: Self.bytes("1"))  // 2
        _ = try await store.create("/r/b", value: Self.bytes("1"))  // 3
        try await store.compact(revision: 3)
        await #expect(throws: StoreError.compacted(requested: 2, compactRevision: 3)) {
            try await store.list(prefix: "/r/", from: nil, revision: 2, limit: 0)
        }
        #expect(try await store.list(prefix: "/r/", from: nil, revision: 3, limit: 0).values.count == 2)
        await #expect(throws: StoreError.compacted(requested: 3, compactRevision: 3)) { try await store.compact(revision: 3) }
        let watch = store.watch(prefix: "/r/", fromRevision: 2)
        await #expect(throws: StoreError.compacted(requested: 2, compactRevision: 3)) {
            for try await _ in watch.events {}
        }
    }

    @Test func watchReplaysFromARevisionThenFollows() async throws {
        let a1 = StoredValue(key: "/r/a", value: Self.bytes("1"), modRevision: 2)
        let a2 = StoredValue(key: "/r/a", value: Self.bytes("2"), modRevision: 4)
        _ = try await store.create("/r/a", value: Self.bytes("1"))  // 2
        _ = try await store.create("/s/x", value: Self.bytes("1"))  // 3
        _ = try await store.update("/r/a", value: Self.bytes("2"), expected: 2)  // 4
        let watch = store.watch(prefix: "/r/", fromRevision: 2)
        var iterator = watch.events.makeAsyncIterator()
        #expect(try await iterator.next() == [.put(a1, previous: nil)])
        #expect(try await iterator.next() == [.put(a2, previous: a1)])
        _ = try await store.delete("/r/a", expected: 4)  // 5
        #expect(try await iterator.next() == [.delete(key: "/r/a", revision: 5, previous: a2)])
        _ = try await store.create("/s/y", value: Self.bytes("1"))  // 6
        watch.requestProgress()
        #expect(try await iterator.next() == [.progress(revision: 6)])
        #expect(store.watchCount == 1)
        watch.cancel()
        #expect(try await iterator.next() == nil)
        #expect(store.watchCount == 0)
    }

    @Test func watchFromZeroStartsAfterTheCurrentRevision() async throws {
        _ = try await store.create("/r/a", value: Self.bytes("1"))  // 2
        let watch = store.watch(prefix: "/r/", fromRevision: 0)
        var iterator = watch.events.makeAsyncIterator()
        _ = try await store.create("/r/b", value: Self.bytes("1"))  // 3
        #expect(try await iterator.next() == [.put(StoredValue(key: "/r/b", value: Self.bytes("1"), modRevision: 3), previous: nil)])
        watch.cancel()
    }
}
