import APIMachinery
import APIServer
import Testing

/// The repair pass: leaked allocation keys are released once settled, missing ones written back.
struct ServiceAllocatorRepairTests {
    let store = InMemoryStore()

    func allocator() throws -> ServiceAllocator {
        try ServiceAllocator(serviceCIDR: "10.0.0.0/24", nodePortRange: "30000-30100", kv: store)
    }

    func keys() async throws -> Set<String> {
        Set(try await store.list(prefix: "/registry/ranges/", from: nil, revision: 0, limit: 0).values.map(\.key))
    }

    /// Allocates for a Service and stores it, as a create does.
    func createService(_ name: String, spec: String, with allocator: ServiceAllocator) async throws {
        var object = try Fixtures.object(#"{"metadata":{"name":"\#(name)","namespace":"ns"},"spec":\#(spec)}"#)
        try await allocator.allocate(&object, owner: "ns/\(name)")
        _ = try await store.create("/registry/services/ns/\(name)", value: Array(JSONCodec.encode(JSONValue.object(object))))
    }

    @Test func leakedKeysAreReleasedOnlyOnceSettled() async throws {
        let allocator = try allocator()
        try await createService("kept", spec: #"{"type":"NodePort","ports":[{"port":80}]}"#, with: allocator)
        // A crash between allocation and create: the keys exist, the Service does not.
        var orphan = try Fixtures.object(#"{"metadata":{"name":"lost","namespace":"ns"},"spec":{"type":"NodePort","ports":[{"port":81}]}}"#)
        try await allocator.allocate(&orphan, owner: "ns/lost")
        let before = try await keys()
        #expect(before.count == 4)

        // First pass: nothing is old enough to be called leaked (a create may be in flight).
        let (first, revision) = try await allocator.repair(settledBefore: nil)
        #expect(first == ServiceAllocator.RepairReport())
        #expect(try await keys() == before)

        // A later allocation, newer than the previous pass, is not touched either.
        var inFlight = try Fixtures.object(#"{"metadata":{"name":"new","namespace":"ns"},"spec":{"ports":[{"port":82}]}}"#)
        try await allocator.allocate(&inFlight, owner: "ns/new")
        let (second, _) = try await allocator.repair(settledBefore: revision)
        let lostIP = try #require(orphan["spec"]?["clusterIP"]?.stringValue)
        let lostPort = try #require(orphan["spec"]?["ports"]?[0]?["nodePort"].flatMap { if case .int(let p) = $0 { p } else { nil } })
        #expect(Set(second.released) == ["/registry/ranges/serviceips/\(lostIP)", "/registry/ranges/servicenodeports/\(lostPort)"])
        let newIP = try #require(inFlight["spec"]?["clusterIP"]?.stringValue)
        #expect(try await keys() == before.subtracting(second.released).union(["/registry/ranges/serviceips/\(newIP)"]))
        // Released values can be allocated again.
        var again = try Fixtures.object(#"{"metadata":{"name":"again","namespace":"ns"},"spec":{"clusterIP":"\#(lostIP)","ports":[{"port":80}]}}"#)
        try await allocator.allocate(&again, owner: "ns/again")
    }

    @Test func missingKeysAreWrittenBackAndSharedOnesReported() async throws {
        let allocator = try allocator()
        let spec = #"{"type":"NodePort","clusterIP":"10.0.0.9","ports":[{"port":80,"nodePort":30005}]}"#
        for name in ["a", "b"] {
            let object = try Fixtures.object(#"{"metadata":{"name":"\#(name)","namespace":"ns"},"spec":\#(spec)}"#)
            _ = try await store.create("/registry/services/ns/\(name)", value: Array(JSONCodec.encode(JSONValue.object(object))))
        }
        let (report, _) = try await allocator.repair(settledBefore: nil)
        #expect(report.restored == ["/registry/ranges/serviceips/10.0.0.9", "/registry/ranges/servicenodeports/30005"])
        #expect(report.shared == report.restored)
        // The written-back keys keep others from taking the IP and the port.
        var other = try Fixtures.object(#"{"metadata":{"name":"c","namespace":"ns"},"spec":{"clusterIP":"10.0.0.9","ports":[{"port":80}]}}"#)
        await #expect(throws: StatusError.self) { try await allocator.allocate(&other, owner: "ns/c") }
        let (next, _) = try await allocator.repair(settledBefore: Int64.max)
        #expect(next.released.isEmpty && next.restored.isEmpty)
    }
}
