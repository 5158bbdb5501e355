import Testing

@testable import KVStore

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

struct LessorTests {
    @Test func grantRenewExpire() throws {
        var lessor = Lessor(minimumTTL: 2)
        lessor.promote(now: 0)
        let lease = try lessor.grant(id: 42, ttl: 5, now: 1_000)
        #expect(lease.ttl == 5 && lease.expiresAt == 6_000)
        #expect(try lessor.grant(id: 7, ttl: 1, now: 1_000).ttl == 2)  // raised to the minimum
        #expect(throws: Lessor.LeaseError.exists) { try lessor.grant(id: 42, ttl: 5, now: 1_000) }
        #expect(try lessor.remainingTTL(id: 42, now: 3_500) == 2)
        #expect(lessor.expired(now: 3_500) == [7])
        #expect(try lessor.renew(id: 42, now: 5_000) == 5)
        #expect(lessor.expired(now: 9_999) == [7])
        #expect(lessor.expired(now: 10_000) == [7, 42])
        #expect(try lessor.remainingTTL(id: 7, now: 10_000) == -1)
    }

    @Test func keysFollowTheStoreAndAreRevoked() throws {
        var store = MVCCStore()
        var lessor = Lessor()
        _ = try lessor.grant(id: 1, ttl: 10, now: 0)
        _ = try lessor.grant(id: 2, ttl: 10, now: 0)
        for (k, l) in [("a", Int64(1)), ("b", 1), ("c", 2)] {
            lessor.apply(try store.put(PutRequest(key: b(k), value: b("v"), lease: l)).1)
        }
        lessor.apply(try store.put(PutRequest(key: b("b"), value: b("v"), lease: 2)).1)  // moves b to lease 2
        lessor.apply(try store.deleteRange(DeleteRangeRequest(range: KeyRange(key: b("c")))).1)
        #expect(lessor.leases[1]?.keys == [b("a")])
        #expect(lessor.leases[2]?.keys == [b("b")])
        #expect(try lessor.revoke(id: 1) == [b("a")])
        #expect(throws: Lessor.LeaseError.notFound) { try lessor.revoke(id: 1) }
    }

    @Test func aNewLeaderExtendsRatherThanExpires() throws {
        var lessor = Lessor()
        _ = try lessor.grant(id: 9, ttl: 3, now: 0)  // granted on a follower: no deadline
        #expect(lessor.expired(now: 1_000_000).isEmpty)
        #expect(try lessor.remainingTTL(id: 9, now: 1_000_000) == 3)
        lessor.promote(now: 1_000_000)
        #expect(lessor.expired(now: 1_002_999).isEmpty)
        #expect(lessor.expired(now: 1_003_000) == [9])
        lessor.demote()
        #expect(lessor.expired(now: 9_000_000).isEmpty)
    }
}
