import APIMachinery
import Testing
@testable import APIServer

@Suite("CachedObject from stored bytes")
struct CachedObjectTests {
    static let goOrder = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"ns","uid":"u","resourceVersion":"7","creationTimestamp":"2026-01-01T00:00:00Z","labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"c","image":"i"}]},"status":{"phase":"Pending"}}"#

    @Test("bytes this server wrote: the stamped resourceVersion lands in Go's place")
    func storedInGoOrder() throws {
        let info = try Fixtures.resource("", "pods")
        let stored = Self.goOrder.replacingOccurrences(of: #""resourceVersion":"7","#, with: "")
        let object = try CachedObject(key: "/registry/pods/ns/p", stored: Array(stored.utf8), revision: 7, resource: info)
        #expect(String(decoding: object.json, as: UTF8.self) == Self.goOrder)
    }

    @Test("bytes written alphabetically (an older version, another tool) are put in Go's order whole")
    func storedAlphabetically() throws {
        let info = try Fixtures.resource("", "pods")
        let alphabetical = #"{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"2026-01-01T00:00:00Z","labels":{"a":"1","b":"2"},"name":"p","namespace":"ns","uid":"u"},"spec":{"containers":[{"image":"i","name":"c"}]},"status":{"phase":"Pending"}}"#
        let object = try CachedObject(key: "/registry/pods/ns/p", stored: Array(alphabetical.utf8), revision: 7, resource: info)
        #expect(String(decoding: object.json, as: UTF8.self) == Self.goOrder)
    }
}
