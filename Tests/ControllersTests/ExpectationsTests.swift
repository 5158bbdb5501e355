import Component
import Testing
@testable import Controllers

@Suite("ControllerExpectations")
struct ExpectationsTests {
    let clock = ManualClock()
    var expectations: ControllerExpectations { ControllerExpectations(clock: clock) }

    @Test("a key with no record is satisfied")
    func noRecord() {
        let e = expectations
        #expect(e.satisfied("default/web"))
        #expect(e.pending("default/web") == nil)
    }

    @Test("expected creations keep the key unsatisfied until each is observed")
    func creationsObserved() {
        let e = expectations
        e.expectCreations("default/web", 2)
        #expect(!e.satisfied("default/web"))
        #expect(e.pending("default/web")?.adds == 2)
        e.creationObserved("default/web")
        #expect(!e.satisfied("default/web"))
        e.creationObserved("default/web")
        #expect(e.satisfied("default/web"))
        #expect(e.pending("default/web")?.adds == 0)
    }

    @Test("a record is satisfied once older than the 5-minute TTL, not at exactly 5 minutes")
    func ttlExpiry() {
        let e = expectations
        e.expectCreations("default/web", 1)
        clock.advance(by: .seconds(299))
        #expect(!e.satisfied("default/web"))
        clock.advance(by: .seconds(1))
        #expect(!e.satisfied("default/web"))
        clock.advance(by: .milliseconds(1))
        #expect(e.satisfied("default/web"))
        #expect(ControllerExpectations.ttl == .seconds(300))
    }

    @Test("expected deletions are observed by key, and unrelated keys change nothing")
    func deletionsObserved() {
        let e = expectations
        e.expectDeletions("default/web", ["default/a", "default/b"])
        e.deletionObserved("default/web", "default/zzz")
        #expect(e.pending("default/web")?.deletes == 2)
        e.deletionObserved("default/web", "default/a")
        #expect(!e.satisfied("default/web"))
        e.deletionObserved("default/web", "default/a")
        #expect(e.pending("default/web")?.deletes == 1)
        e.deletionObserved("default/web", "default/b")
        #expect(e.satisfied("default/web"))
    }

    @Test("a new expectation replaces the previous record and restarts the TTL")
    func replaces() {
        let e = expectations
        e.expectDeletions("default/web", ["default/a"])
        clock.advance(by: .seconds(200))
        e.expectCreations("default/web", 1)
        #expect(e.pending("default/web")! == (adds: 1, deletes: 0))
        clock.advance(by: .seconds(200))
        #expect(!e.satisfied("default/web"))
    }

    @Test("observations for a key without a record do not create one; delete forgets a key")
    func observeUnknownAndDelete() {
        let e = expectations
        e.creationObserved("default/other")
        e.deletionObserved("default/other", "default/a")
        #expect(e.pending("default/other") == nil)
        e.expectCreations("default/web", 3)
        e.expectCreations("default/api", 1)
        e.delete("default/web")
        #expect(e.pending("default/web") == nil)
        #expect(e.satisfied("default/web"))
        #expect(!e.satisfied("default/api"))
    }
}
