import Testing

@testable import KVStore

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func keys(_ r: RangeResponse) -> [String] { r.kvs.map { String(decoding: $0.key, as: UTF8.self) } }

/// Revision bookkeeping as etcd does it (the same sequences were run against etcd 3.4.23 with
/// etcdctl -w json: revisions, versions, txn read-your-writes, duplicate-key and compaction errors).
struct MVCCStoreTests {
    @Test func revisionsVersionsAndHistory() throws {
        var s = MVCCStore()
        #expect(s.currentRevision == 1)
        _ = try s.put(PutRequest(key: b("a"), value: b("1")))  // rev 2
        _ = try s.put(PutRequest(key: b("a"), value: b("2")))  // rev 3
        _ = try s.put(PutRequest(key: b("b"), value: b("x")))  // rev 4
        let a = try s.range(RangeRequest(range: KeyRange(key: b("a")))).kvs[0]
        #expect((a.createRevision, a.modRevision, a.version, a.value) == (2, 3, 2, b("2")))
        var old = RangeRequest(range: KeyRange(key: b("a")))
        old.revision = 2
        #expect(try s.range(old).kvs.first?.value == b("1"))
        let (deleted, events) = try s.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("a"))))  // rev 5
        #expect(deleted.deleted == 1)
        #expect(events.map(\.kind) == [.delete])
        #expect(events[0].kv.modRevision == 5)
        #expect(try s.range(RangeRequest(range: KeyRange(key: b("a")))).kvs.isEmpty)
        old.revision = 4
        #expect(try s.range(old).kvs.first?.value == b("2"))
        _ = try s.put(PutRequest(key: b("a"), value: b("3")))  // rev 6: a new generation
        let again = try s.range(RangeRequest(range: KeyRange(key: b("a")))).kvs[0]
        #expect((again.createRevision, again.modRevision, again.version) == (6, 6, 1))
        #expect(s.currentRevision == 6)
    }

    @Test func deletingNothingDoesNotBumpTheRevision() throws {
        var s = MVCCStore()
        let (response, events) = try s.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("missing"))))
        #expect(response.deleted == 0 && events.isEmpty && s.currentRevision == 1)
    }

    @Test func rangesPrefixesLimitsAndSorting() throws {
        var s = MVCCStore()
        for k in ["foo/c", "foo/a", "fop", "foo/b", "fo"] { _ = try s.put(PutRequest(key: b(k), value: b(k))) }
        var r = RangeRequest(range: .prefix(b("foo/")))
        #expect(keys(try s.range(r)) == ["foo/a", "foo/b", "foo/c"])
        r.limit = 2
        let limited = try s.range(r)
        #expect(keys(limited) == ["foo/a", "foo/b"] && limited.more && limited.count == 3)
        r.limit = 0
        r.sortOrder = .descend
        #expect(keys(try s.range(r)) == ["foo/c", "foo/b", "foo/a"])
        r.sortOrder = .ascend
        r.sortTarget = .create
        #expect(keys(try s.range(r)) == ["foo/c", "foo/a", "foo/b"])
        var all = RangeRequest(range: KeyRange(key: b("fo"), end: [0]))
        all.countOnly = true
        #expect(try s.range(all).count == 5)
        all.countOnly = false
        all.keysOnly = true
        #expect(try s.range(all).kvs.allSatisfy { $0.value.isEmpty })
        #expect(keys(try s.range(RangeRequest(range: KeyRange(key: b("foo/b"), end: b("fop"))))) == ["foo/b", "foo/c"])
        #expect(KeyRange.prefix([0x61, 0xff]).end == [0x62])
        #expect(KeyRange.prefix([]).end == [0])
    }

    @Test func transactionsAreAtomicWithOneRevision() throws {
        var s = MVCCStore()
        _ = try s.put(PutRequest(key: b("k"), value: b("v1")))  // rev 2
        let txn = TxnRequest(
            compare: [Compare(range: KeyRange(key: b("k")), .equal, .value(b("v1")))],
            success: [.range(RangeRequest(range: KeyRange(key: b("k")))), .put(PutRequest(key: b("k"), value: b("v2"))),
                      .range(RangeRequest(range: KeyRange(key: b("k")))), .put(PutRequest(key: b("j"), value: b("w")))],
            failure: [.range(RangeRequest(range: KeyRange(key: b("k"))))])
        let (response, events) = try s.txn(txn)
        #expect(response.succeeded)
        #expect(s.currentRevision == 3)
        #expect(events.map { $0.kv.modRevision } == [3, 3])
        // Reads inside see the writes before them in the same transaction (as etcd 3.4 does).
        if case .range(let r) = response.responses[0] { #expect(r.kvs.first?.value == b("v1")) } else { Issue.record("no range response") }
        if case .range(let r) = response.responses[2] {
            #expect(r.kvs.first?.value == b("v2"))
            #expect(r.kvs.first?.modRevision == 3)
        } else {
            Issue.record("no range response")
        }
        let (second, _) = try s.txn(txn)
        #expect(!second.succeeded && s.currentRevision == 3)
        // Compare against a missing key: version 0.
        let create = TxnRequest(compare: [Compare(range: KeyRange(key: b("new")), .equal, .createRevision(0))],
                                success: [.put(PutRequest(key: b("new"), value: b("1")))])
        #expect(try s.txn(create).0.succeeded)
        #expect(try !s.txn(create).0.succeeded)
    }

    @Test func duplicateWritesInATransactionAreRefused() {
        var s = MVCCStore()
        let txn = TxnRequest(success: [.put(PutRequest(key: b("a"), value: b("1"))), .put(PutRequest(key: b("a"), value: b("2")))])
        #expect(throws: MVCCError.duplicateKeyInTxn) { try s.txn(txn) }
        #expect(s.currentRevision == 1)
    }

    @Test func ignoreValueAndLeaseNeedAnExistingKey() throws {
        var s = MVCCStore()
        var p = PutRequest(key: b("a"), value: [])
        p.ignoreValue = true
        #expect(throws: MVCCError.keyNotFound) { try s.put(p) }
        _ = try s.put(PutRequest(key: b("a"), value: b("keep"), lease: 7))
        var q = PutRequest(key: b("a"), value: b("ignored"))
        q.ignoreValue = true
        q.ignoreLease = true
        q.prevKV = true
        let (response, _) = try s.put(q)
        #expect(response.previous?.value == b("keep"))
        let now = try s.range(RangeRequest(range: KeyRange(key: b("a")))).kvs[0]
        #expect(now.value == b("keep") && now.lease == 7 && now.version == 2)
        #expect(s.keys(attachedTo: 7) == [b("a")])
    }

    @Test func compaction() throws {
        var s = MVCCStore()
        _ = try s.put(PutRequest(key: b("a"), value: b("1")))  // 2
        _ = try s.put(PutRequest(key: b("a"), value: b("2")))  // 3
        _ = try s.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("a"))))  // 4
        _ = try s.put(PutRequest(key: b("b"), value: b("1")))  // 5
        try s.compact(4)
        var r = RangeRequest(range: KeyRange(key: b("a")))
        r.revision = 3
        #expect(throws: MVCCError.compacted) { try s.range(r) }
        r.revision = 4
        #expect(try s.range(r).kvs.isEmpty)
        #expect(throws: MVCCError.compacted) { try s.compact(4) }
        #expect(throws: MVCCError.futureRevision) { try s.compact(9) }
        var future = RangeRequest(range: KeyRange(key: b("b")))
        future.revision = 6
        #expect(throws: MVCCError.futureRevision) { try s.range(future) }
        // Versions keep counting across compaction.
        _ = try s.put(PutRequest(key: b("b"), value: b("2")))  // 6
        try s.compact(6)
        #expect(try s.range(RangeRequest(range: KeyRange(key: b("b")))).kvs.first?.version == 2)
        #expect(s.count == 1)
    }
}
