import APIMachinery
import APIServer
import Testing

/// Cluster IP and node port allocation against a store: each taken value is a key, errors are
/// Kubernetes' 422 causes, and a failed allocation leaves nothing behind.
struct ServiceAllocatorTests {
    static let ipKeys = "/registry/ranges/serviceips/"
    static let portKeys = "/registry/ranges/servicenodeports/"

    let store = InMemoryStore()

    /// A /29: offsets 1…6 are usable, 1 is kept for `default/kubernetes`.
    func allocator(cidr: String = "10.0.0.0/29", ports: String = "30000-32767") throws -> ServiceAllocator {
        try ServiceAllocator(serviceCIDR: cidr, nodePortRange: ports, kv: store)
    }

    static func service(_ spec: String) throws -> JSONObject {
        try Fixtures.object(#"{"metadata":{"name":"web","namespace":"ns"},"spec":\#(spec)}"#)
    }

    /// Every allocation key in the store with the owner it names.
    /// Allocation key → owner (the value is "<owner> <token unique to the allocation>").
    func allocations() async throws -> [String: String] {
        let (values, _, _) = try await store.list(prefix: "/registry/ranges/", from: nil, revision: 0, limit: 0)
        var owners: [String: String] = [:]
        for value in values {
            let text = String(decoding: value.value, as: UTF8.self)
            owners[value.key] = text.split(separator: " ").first.map(String.init) ?? text
        }
        return owners
    }

    func invalid(_ body: () async throws -> Void) async -> MetaV1.Status? {
        do {
            try await body()
            return nil
        } catch let error as StatusError {
            return error.status
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static func nodePorts(_ object: JSONObject) -> [Int64] {
        guard case .array(let ports)? = object["spec"]?["ports"] else { return [] }
        return ports.compactMap { if case .int(let port)? = $0["nodePort"] { port } else { nil } }
    }

    // MARK: configuration

    @Test func rejectsUnusableRanges() {
        #expect(throws: StatusError.self) { try self.allocator(cidr: "10.0.0.0/30") }
        #expect(throws: StatusError.self) { try self.allocator(cidr: "fd00::/64") }
        #expect(throws: StatusError.self) { try self.allocator(cidr: "10.0.0.0") }
        for ports in ["30000", "32767-30000", "0-100", "30000-70000", "a-b", "30000-31000-32000"] {
            #expect(throws: StatusError.self, "\(ports)") { try self.allocator(ports: ports) }
        }
    }

    @Test func rangesAsConfigured() throws {
        let allocator = try allocator(cidr: "10.96.0.0/12", ports: "30000-32767")
        #expect(allocator.network.cidr == "10.96.0.0/12")
        #expect(allocator.nodePorts == 30000...32767)
        #expect(allocator.apiServiceIP == "10.96.0.1")
    }

    // MARK: cluster IPs

    @Test func allocatesEveryUsableAddressExceptTheKubernetesOne() async throws {
        let allocator = try allocator()
        var given: Set<String> = []
        for index in 0..<5 {
            var object = try Self.service(#"{"ports":[{"port":80}]}"#)
            try await allocator.allocate(&object, owner: "ns/s\(index)")
            let ip = try #require(object["spec"]?["clusterIP"]?.stringValue)
            #expect(object["spec"]?["clusterIPs"] == [.string(ip)])
            #expect(object["spec"]?["ipFamilies"] == ["IPv4"])
            #expect(object["spec"]?["ipFamilyPolicy"] == "SingleStack")
            given.insert(ip)
        }
        // Never the network address (.0), never the broadcast address (.7), never .1.
        #expect(given == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"])
        let owners = try await allocations()
        #expect(owners.count == 5)
        #expect(owners[Self.ipKeys + "10.0.0.2"]?.hasPrefix("ns/s") == true)

        var full = try Self.service(#"{"ports":[{"port":80}]}"#)
        let status = await invalid { try await allocator.allocate(&full, owner: "ns/late") }
        #expect(status != nil)
        #expect(full["spec"]?["clusterIP"] == nil)
        #expect(try await allocations().count == 5)

        // The kubernetes Service still finds its address.
        var kubernetes = try Self.service(#"{"ports":[{"port":443}]}"#)
        try await allocator.allocate(&kubernetes, owner: "default/kubernetes")
        #expect(kubernetes["spec"]?["clusterIP"] == "10.0.0.1")
        #expect(try await allocations()[Self.ipKeys + "10.0.0.1"] == "default/kubernetes")
    }

    @Test func explicitAddressInRange() async throws {
        let allocator = try allocator()
        var object = try Self.service(#"{"clusterIP":"10.0.0.5","ports":[{"port":80}]}"#)
        try await allocator.allocate(&object, owner: "ns/web")
        #expect(object["spec"]?["clusterIP"] == "10.0.0.5")
        #expect(object["spec"]?["clusterIPs"] == ["10.0.0.5"])
        #expect(try await allocations() == [Self.ipKeys + "10.0.0.5": "ns/web"])
    }

    @Test func explicitAddressAlreadyAllocated() async throws {
        let allocator = try allocator()
        var first = try Self.service(#"{"clusterIP":"10.0.0.5"}"#)
        try await allocator.allocate(&first, owner: "ns/first")
        var second = try Self.service(#"{"clusterIP":"10.0.0.5"}"#)
        let status = try #require(await invalid { try await allocator.allocate(&second, owner: "ns/web") })
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(
            status.message
                == #"Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: provided IP is already allocated"#
        )
        #expect(status.details?.causes?.first?.field == "spec.clusterIPs")
        #expect(status.details?.causes?.first?.reason == "FieldValueInvalid")
        #expect(try await allocations() == [Self.ipKeys + "10.0.0.5": "ns/first"])
    }

    /// Kubernetes 1.32's bitmap allocator: `the provided IP (<ip>) is not in the valid range.
    /// The range of valid IPs is <cidr>`, wrapped in `failed to allocate IP <ip>: …`.
    @Test(arguments: ["10.0.1.1", "10.0.0.0", "10.0.0.7", "192.168.0.1"])
    func explicitAddressOutOfRange(ip: String) async throws {
        let allocator = try allocator()
        var object = try Self.service(#"{"clusterIP":"\#(ip)"}"#)
        let status = try #require(await invalid { try await allocator.allocate(&object, owner: "ns/web") })
        #expect(status.code == 422)
        #expect(
            status.message
                == #"Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"\#(ip)"}: failed to allocate IP \#(ip): the provided IP (\#(ip)) is not in the valid range. The range of valid IPs is 10.0.0.0/29"#
        )
        #expect(try await allocations().isEmpty)
    }

    @Test func headlessAndExternalNameTakeNoAddress() async throws {
        let allocator = try allocator()
        var headless = try Self.service(#"{"clusterIP":"None","ports":[{"port":80}]}"#)
        try await allocator.allocate(&headless, owner: "ns/headless")
        #expect(headless["spec"]?["clusterIP"] == "None")
        #expect(headless["spec"]?["clusterIPs"] == ["None"])
        let externalName = try Self.service(#"{"type":"ExternalName","externalName":"example.com"}"#)
        var external = externalName
        try await allocator.allocate(&external, owner: "ns/external")
        #expect(external == externalName)
        #expect(try await allocations().isEmpty)
    }

    // MARK: node ports

    @Test func nodePortServicesGetPortsInRange() async throws {
        let allocator = try allocator(ports: "30000-30009")
        // The explicit port comes first: a random pick for an earlier port could take it.
        var object = try Self.service(
            #"{"type":"NodePort","ports":[{"port":443,"nodePort":30007},{"port":80},{"port":8080,"nodePort":0}]}"#)
        try await allocator.allocate(&object, owner: "ns/web")
        let ports = Self.nodePorts(object)
        #expect(ports.count == 3)
        #expect(ports.first == 30007)
        #expect(Set(ports).count == 3)
        #expect(ports.allSatisfy { (30000...30009).contains($0) })
        let owners = try await allocations()
        for port in ports { #expect(owners[Self.portKeys + String(port)] == "ns/web") }
        #expect(owners.count == 4)
    }

    @Test func loadBalancerServicesGetNodePortsToo() async throws {
        let allocator = try allocator(ports: "30000-30009")
        var object = try Self.service(#"{"type":"LoadBalancer","ports":[{"port":80}]}"#)
        try await allocator.allocate(&object, owner: "ns/web")
        #expect(Self.nodePorts(object).count == 1)
        var clusterIP = try Self.service(#"{"type":"ClusterIP","ports":[{"port":80}]}"#)
        try await allocator.allocate(&clusterIP, owner: "ns/internal")
        #expect(Self.nodePorts(clusterIP).isEmpty)
    }

    @Test func explicitNodePortTakenTwiceFailsAndLeaksNothing() async throws {
        let allocator = try allocator()
        var object = try Self.service(
            #"{"type":"NodePort","ports":[{"port":80,"nodePort":30005},{"port":81,"nodePort":30005}]}"#)
        let status = try #require(await invalid { try await allocator.allocate(&object, owner: "ns/web") })
        #expect(status.code == 422)
        #expect(
            status.message
                == #"Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30005: provided port is already allocated"#)
        #expect(status.details?.causes?.first?.field == "spec.ports[1].nodePort")
        #expect(try await allocations().isEmpty)
        #expect(object["spec"]?["clusterIP"] == nil)
    }

    /// Kubernetes gives the entries of one port number (53/TCP and 53/UDP) one node port,
    /// requested or allocated (`initNodePorts`: `findRequestedNodePort` and `svcPortToNodePort`).
    @Test func portsOfOneNumberShareANodePortAcrossProtocols() async throws {
        let allocator = try allocator()
        var requested = try Self.service(
            #"{"type":"NodePort","ports":[{"port":53,"protocol":"TCP","nodePort":30053},{"port":53,"protocol":"UDP","nodePort":30053}]}"#
        )
        try await allocator.allocate(&requested, owner: "ns/dns")
        #expect(Self.nodePorts(requested) == [30053, 30053])
        var allocated = try Self.service(
            #"{"type":"NodePort","ports":[{"port":53,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}"#)
        try await allocator.allocate(&allocated, owner: "ns/dns2")
        let ports = Self.nodePorts(allocated)
        #expect(ports.count == 2 && ports[0] == ports[1])
        #expect(try await allocations().count == 4)
    }

    @Test func nodePortHeldByAnotherService() async throws {
        let allocator = try allocator()
        var first = try Self.service(#"{"type":"NodePort","ports":[{"port":80,"nodePort":30005}]}"#)
        try await allocator.allocate(&first, owner: "ns/first")
        var second = try Self.service(#"{"type":"NodePort","ports":[{"port":80},{"port":81,"nodePort":30005}]}"#)
        let status = try #require(await invalid { try await allocator.allocate(&second, owner: "ns/web") })
        #expect(status.details?.causes?.first?.message == "Invalid value: 30005: provided port is already allocated")
        // Only the first Service's address and port remain.
        let owners = try await allocations()
        #expect(owners.count == 2)
        #expect(Set(owners.values) == ["ns/first"])
    }

    @Test func nodePortOutOfRange() async throws {
        let allocator = try allocator()
        var object = try Self.service(#"{"type":"NodePort","ports":[{"port":80,"nodePort":80}]}"#)
        let status = try #require(await invalid { try await allocator.allocate(&object, owner: "ns/web") })
        #expect(
            status.message
                == #"Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"#
        )
        #expect(try await allocations().isEmpty)
    }

    @Test func nodePortRangeFullReleasesWhatThatServiceTook() async throws {
        let allocator = try allocator(ports: "30000-30002")
        var first = try Self.service(#"{"type":"NodePort","ports":[{"port":80},{"port":81}]}"#)
        try await allocator.allocate(&first, owner: "ns/first")
        var second = try Self.service(#"{"type":"NodePort","ports":[{"port":80},{"port":81}]}"#)
        #expect(await invalid { try await allocator.allocate(&second, owner: "ns/second") } != nil)
        let owners = try await allocations()
        #expect(Set(owners.values) == ["ns/first"])
        #expect(owners.count == 3)
    }

    // MARK: updates

    @Test func updateKeepsHeldPortsAndAllocatesOnlyNewOnes() async throws {
        let allocator = try allocator(ports: "30000-30009")
        var old = try Self.service(#"{"type":"NodePort","ports":[{"port":80,"nodePort":30001}]}"#)
        try await allocator.allocate(&old, owner: "ns/web")
        let before = try await allocations()
        var new = old
        guard case .object(var spec)? = new["spec"] else { throw Fixtures.NotAnObject() }
        spec["ports"] = [["port": 80, "nodePort": 30001], ["port": 81]]
        new["spec"] = .object(spec)
        try await allocator.allocate(&new, owner: "ns/web", old: old)
        let ports = Self.nodePorts(new)
        #expect(ports.count == 2 && ports[0] == 30001 && ports[1] != 30001)
        #expect(new["spec"]?["clusterIP"] == old["spec"]?["clusterIP"])
        let after = try await allocations()
        #expect(after.count == before.count + 1)
        #expect(after[Self.portKeys + String(ports[1])] == "ns/web")
    }

    @Test func releaseOnDeleteFreesEverything() async throws {
        let allocator = try allocator()
        var object = try Self.service(#"{"type":"NodePort","ports":[{"port":80},{"port":81}]}"#)
        try await allocator.allocate(&object, owner: "ns/web")
        #expect(try await allocations().count == 3)
        await allocator.release(old: object, new: nil)
        #expect(try await allocations().isEmpty)
    }

    @Test func releaseOnUpdateFreesOnlyWhatIsNoLongerHeld() async throws {
        let allocator = try allocator()
        let old = try Self.service(
            #"{"type":"NodePort","clusterIP":"10.0.0.3","ports":[{"port":80,"nodePort":30001},{"port":81,"nodePort":30002}]}"#)
        var held = old
        try await allocator.allocate(&held, owner: "ns/web")
        let new = try Self.service(
            #"{"type":"NodePort","clusterIP":"10.0.0.3","ports":[{"port":80,"nodePort":30001}]}"#)
        await allocator.release(old: old, new: new)
        #expect(
            try await allocations() == [Self.ipKeys + "10.0.0.3": "ns/web", Self.portKeys + "30001": "ns/web"])
    }

    @Test func carryOverFillsWhatTheUpdateLeftOut() throws {
        let old = try Self.service(
            #"{"type":"NodePort","clusterIP":"10.0.0.3","clusterIPs":["10.0.0.3"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80,"nodePort":30001},{"port":53,"protocol":"UDP","nodePort":30002},{"port":9000,"nodePort":30003}]}"#
        )
        var new = try Self.service(
            #"{"type":"NodePort","clusterIP":"","ports":[{"port":80},{"port":53,"protocol":"TCP"},{"port":9000,"nodePort":30009},{"port":7000}]}"#
        )
        ServiceAllocator.carryOver(into: &new, from: old)
        let expected = try Self.service(
            #"{"type":"NodePort","clusterIP":"10.0.0.3","clusterIPs":["10.0.0.3"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80,"nodePort":30001},{"port":53,"protocol":"TCP"},{"port":9000,"nodePort":30009},{"port":7000}]}"#
        )
        #expect(new == expected)
    }

    @Test func carryOverKeepsNodePortsOutOfClusterIPServices() throws {
        let old = try Self.service(#"{"type":"NodePort","clusterIP":"10.0.0.3","ports":[{"port":80,"nodePort":30001}]}"#)
        var new = try Self.service(#"{"type":"ClusterIP","ports":[{"port":80}]}"#)
        ServiceAllocator.carryOver(into: &new, from: old)
        #expect(new["spec"]?["clusterIP"] == "10.0.0.3")
        #expect(Self.nodePorts(new).isEmpty)
    }

    // MARK: type changes (Kubernetes' service REST: CASE A / CASE B of handleClusterIPsForUpdatedService)

    /// ExternalName → ClusterIP: Kubernetes allocates a cluster IP on that update.
    @Test func updateFromExternalNameAllocatesAClusterIP() async throws {
        let allocator = try allocator()
        let old = try Self.service(#"{"type":"ExternalName","externalName":"example.com"}"#)
        var new = try Self.service(#"{"type":"ClusterIP","ports":[{"port":80}]}"#)
        try await allocator.allocate(&new, owner: "ns/web", old: old)
        let ip = try #require(new["spec"]?["clusterIP"]?.stringValue)
        #expect(try await allocations()[Self.ipKeys + ip] == "ns/web")
    }

    /// ClusterIP → ExternalName: Kubernetes releases the old cluster IP.
    @Test func updateToExternalNameReleasesTheClusterIP() async throws {
        let allocator = try allocator()
        var old = try Self.service(#"{"type":"ClusterIP","clusterIP":"10.0.0.4","ports":[{"port":80}]}"#)
        try await allocator.allocate(&old, owner: "ns/web")
        let new = try Self.service(#"{"type":"ExternalName","externalName":"example.com"}"#)
        await allocator.release(old: old, new: new)
        #expect(try await allocations().isEmpty)
    }

    /// ClusterIP → ExternalName: the old cluster IP is not patched into the new spec (Kubernetes'
    /// patchAllocatedValues only carries it when both old and new need one), else validation
    /// forbids the update ("may not be set for ExternalName services").
    @Test func carryOverGivesExternalNameNoClusterIP() throws {
        let old = try Self.service(
            #"{"type":"ClusterIP","clusterIP":"10.0.0.3","clusterIPs":["10.0.0.3"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80}]}"#
        )
        var new = try Self.service(#"{"type":"ExternalName","externalName":"example.com"}"#)
        ServiceAllocator.carryOver(into: &new, from: old)
        #expect(new["spec"]?["clusterIP"] == nil)
        #expect(new["spec"]?["clusterIPs"] == nil)
        #expect(new["spec"]?["ipFamilies"] == nil)
        #expect(new["spec"]?["ipFamilyPolicy"] == nil)
    }
}
