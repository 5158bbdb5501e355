import APIMachinery
import APIServer
import Testing

/// The two views of one stored Event: core/v1 and events.k8s.io/v1.
struct EventConversionTests {
    static let core = #"""
        {"kind":"Event","apiVersion":"v1",
         "metadata":{"name":"web.17a","namespace":"ns","uid":"u1"},
         "involvedObject":{"kind":"Pod","namespace":"ns","name":"web","uid":"p1","apiVersion":"v1","fieldPath":"spec.containers{app}"},
         "reason":"Pulled","message":"Successfully pulled image","type":"Normal",
         "source":{"component":"kubelet","host":"node-1"},
         "firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:05:00Z","count":3,
         "eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1",
         "action":"Pulling","related":{"kind":"Node","name":"node-1"}}
        """#

    static let eventsV1 = #"""
        {"kind":"Event","apiVersion":"events.k8s.io/v1",
         "metadata":{"name":"web.17a","namespace":"ns","uid":"u1"},
         "regarding":{"kind":"Pod","namespace":"ns","name":"web","uid":"p1","apiVersion":"v1","fieldPath":"spec.containers{app}"},
         "reason":"Pulled","note":"Successfully pulled image","type":"Normal",
         "deprecatedSource":{"component":"kubelet","host":"node-1"},
         "deprecatedFirstTimestamp":"2024-05-01T10:00:00Z","deprecatedLastTimestamp":"2024-05-01T10:05:00Z","deprecatedCount":3,
         "eventTime":null,"reportingController":"kubelet","reportingInstance":"node-1",
         "action":"Pulling","related":{"kind":"Node","name":"node-1"}}
        """#

    @Test func coreToEventsV1RenamesFields() throws {
        let converted = EventConversion.toEventsV1(try Fixtures.object(Self.core))
        let expected = try Fixtures.object(Self.eventsV1)
        #expect(converted == expected)
    }

    @Test func eventsV1ToCoreRenamesFields() throws {
        let converted = EventConversion.toCore(try Fixtures.object(Self.eventsV1))
        let expected = try Fixtures.object(Self.core)
        #expect(converted == expected)
    }

    @Test func roundTripsBothWays() throws {
        let core = try Fixtures.object(Self.core)
        #expect(EventConversion.toCore(EventConversion.toEventsV1(core)) == core)
        let events = try Fixtures.object(Self.eventsV1)
        #expect(EventConversion.toEventsV1(EventConversion.toCore(events)) == events)
    }

    @Test func membersKeepTheirOrder() throws {
        let converted = EventConversion.toEventsV1(try Fixtures.object(Self.core))
        #expect(Array(converted.keys.prefix(6)) == ["kind", "apiVersion", "metadata", "regarding", "reason", "note"])
    }

    @Test func kindAndAPIVersionAreAlwaysSet() throws {
        let bare = try Fixtures.object(#"{"metadata":{"name":"e"},"message":"hi"}"#)
        let events = EventConversion.toEventsV1(bare)
        #expect(events["kind"] == "Event")
        #expect(events["apiVersion"] == "events.k8s.io/v1")
        #expect(events["note"] == "hi")
        let core = EventConversion.toCore(events)
        #expect(core["kind"] == "Event")
        #expect(core["apiVersion"] == "v1")
        #expect(core["message"] == "hi")
    }

    @Test func zeroCountIsLeftOut() throws {
        let events = EventConversion.toEventsV1(try Fixtures.object(#"{"metadata":{"name":"e"},"count":0}"#))
        #expect(events["deprecatedCount"] == nil)
        #expect(events["count"] == nil)
    }

    @Test func storedBytesThatDoNotDecodeAreAnInternalErrorNamingTheKey() throws {
        let info = try Fixtures.resource("events.k8s.io", "events")
        for bytes in ["{\"kind\":", "[1]"] {
            let error = #expect(throws: StatusError.self) {
                try CachedObject(key: "/registry/events/ns/bad", stored: Array(bytes.utf8), revision: 3, resource: info)
            }
            #expect(error?.status.code == 500)
            #expect(error?.status.message?.contains("/registry/events/ns/bad") == true)
        }
    }

    @Test func cachedEventsV1ObjectsAreServedInTheirOwnShape() throws {
        let info = try Fixtures.resource("events.k8s.io", "events")
        let object = try CachedObject(
            key: "/registry/events/ns/web.17a", stored: Array(Self.core.utf8), revision: 12, resource: info)
        let tree = try object.tree()
        #expect(tree["apiVersion"] == "events.k8s.io/v1")
        #expect(tree["regarding"]?["name"] == "web")
        #expect(tree["involvedObject"] == nil)
        #expect(tree["metadata"]?["resourceVersion"] == "12")
        #expect(object.fields["regarding.name"] == "web")
        #expect(object.fields["reason"] == "Pulled")
    }
}
