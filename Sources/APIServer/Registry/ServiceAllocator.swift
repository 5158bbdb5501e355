import APIMachinery
import Logging

/// Allocates Service cluster IPs and node ports so that no two Services share one, across any
/// number of apiservers: each taken IP or port is a key in the store created with
/// create-if-absent (`/registry/ranges/serviceips/<ip>`, `/registry/ranges/servicenodeports/<port>`)
/// whose value names the owning Service, and is deleted when the Service releases it.
public struct ServiceAllocator: Sendable {
    public let network: IPv4Network
    public let nodePorts: ClosedRange<Int>
    let kv: any KeyValueStore
    let logger: Logger

    static let ipPrefix = "/registry/ranges/serviceips/"
    static let portPrefix = "/registry/ranges/servicenodeports/"

    public init(
        serviceCIDR: String, nodePortRange: String, kv: any KeyValueStore,
        logger: Logger = Logger(label: "apiserver", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard let network = IPv4Network(cidr: serviceCIDR), network.size >= 8 else {
            throw StatusError.internalError("--service-cluster-ip-range \(serviceCIDR) is not an IPv4 CIDR with room for services")
        }
        let bounds = nodePortRange.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] >= 1, bounds[0] <= bounds[1], bounds[1] <= 65535 else {
            throw StatusError.internalError("--service-node-port-range \(nodePortRange) is not first-last")
        }
        self.network = network
        self.nodePorts = bounds[0]...bounds[1]
        self.kv = kv
        self.logger = logger
    }

    /// The first usable address: the `kubernetes` Service's.
    public var apiServiceIP: String { network.address(at: 1) }

    /// Allocates what a new Service needs (cluster IP unless headless or ExternalName, node
    /// ports for NodePort and LoadBalancer) and writes them into `object`. On failure nothing
    /// stays allocated; errors are 422 causes in Kubernetes' wording.
    public func allocate(_ object: inout JSONObject, owner: String, old: JSONObject? = nil) async throws {
        var spec = object.objectMember("spec")
        let oldSpec = old?.objectMember("spec") ?? JSONObject()
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        var taken: [String] = []
        do {
            let oldType = oldSpec["type"]?.stringValue ?? "ClusterIP"
            if type != "ExternalName" && (old == nil || oldType == "ExternalName") {
                let requested = spec["clusterIP"]?.stringValue ?? ""
                if requested != "None" {
                    let ip = requested.isEmpty ? try await allocateAnyIP(owner: owner) : try await allocateIP(requested, owner: owner)
                    taken.append(Self.ipPrefix + ip)
                    spec["clusterIP"] = .string(ip)
                    spec["clusterIPs"] = [.string(ip)]
                } else {
                    spec["clusterIPs"] = ["None"]
                }
                if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
                if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
            }
            let oldPorts = Set(Self.nodePorts(of: oldSpec))
            if type == "NodePort" || type == "LoadBalancer", case .array(var ports)? = spec["ports"] {
                // Entries of one port number (53/TCP, 53/UDP) share one node port, as in Kubernetes.
                var byPort: [JSONValue: Int] = [:]
                for index in ports.indices {
                    guard case .object(let port) = ports[index], case .int(let wanted)? = port["nodePort"], wanted != 0
                    else { continue }
                    let number = port["port"] ?? .null
                    if byPort[number] == Int(wanted) { continue }
                    byPort[number] = Int(wanted)
                    if oldPorts.contains(Int(wanted)) { continue }
                    try await allocatePort(Int(wanted), owner: owner, field: "spec.ports[\(index)].nodePort")
                    taken.append(Self.portPrefix + String(wanted))
                }
                for index in ports.indices {
                    guard case .object(var port) = ports[index] else { continue }
                    if case .int(let wanted)? = port["nodePort"], wanted != 0 { continue }
                    let number = port["port"] ?? .null
                    let chosen: Int
                    if let shared = byPort[number] {
                        chosen = shared
                    } else {
                        chosen = try await allocateAnyPort(owner: owner)
                        taken.append(Self.portPrefix + String(chosen))
                        byPort[number] = chosen
                    }
                    port["nodePort"] = .int(Int64(chosen))
                    ports[index] = .object(port)
                }
                spec["ports"] = .array(ports)
            }
        } catch {
            await release(keys: taken)
            throw error
        }
        object["spec"] = .object(spec)
    }

    /// Releases what `old` held and `new` (nil: deleted) no longer holds.
    public func release(old: JSONObject, new: JSONObject?) async {
        let oldSpec = old.objectMember("spec")
        var keys: [String] = []
        let newIP = new?.objectMember("spec")["clusterIP"]?.stringValue
        let newType = new?.objectMember("spec")["type"]?.stringValue
        if let ip = oldSpec["clusterIP"]?.stringValue, !ip.isEmpty, ip != "None",
           new == nil || newType == "ExternalName" || newIP != ip {
            keys.append(Self.ipPrefix + ip)
        }
        let kept = Set(new.map { Self.nodePorts(of: $0.objectMember("spec")) } ?? [])
        for port in Set(Self.nodePorts(of: oldSpec)) where !kept.contains(port) { keys.append(Self.portPrefix + String(port)) }
        await release(keys: keys)
    }

    /// An update that leaves out what was allocated keeps it (as Kubernetes does): cluster IPs
    /// and IP families when unset, and each port's node port when the same port/protocol had one.
    public static func carryOver(into object: inout JSONObject, from old: JSONObject) {
        var spec = object.objectMember("spec")
        let oldSpec = old.objectMember("spec")
        let carriesIP = (spec["type"]?.stringValue ?? "ClusterIP") != "ExternalName"
            && (oldSpec["type"]?.stringValue ?? "ClusterIP") != "ExternalName"
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"]
        where carriesIP && (spec[field] == nil || spec[field] == "") {
            if let value = oldSpec[field] { spec[field] = value }
        }
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if type == "NodePort" || type == "LoadBalancer", case .array(var ports)? = spec["ports"],
           case .array(let oldPorts)? = oldSpec["ports"] {
            for index in ports.indices {
                guard case .object(var port) = ports[index], port["nodePort"] == nil || port["nodePort"] == .int(0) else { continue }
                let protocolName = port["protocol"]?.stringValue ?? "TCP"
                if let match = oldPorts.first(where: { $0["port"] == port["port"] && ($0["protocol"]?.stringValue ?? "TCP") == protocolName }),
                   let nodePort = match["nodePort"] {
                    port["nodePort"] = nodePort
                    ports[index] = .object(port)
                }
            }
            spec["ports"] = .array(ports)
        }
        object["spec"] = .object(spec)
    }

    /// The value of an allocation key: the owner, plus a token unique to this allocation so a
    /// retried store write can tell its own claim from another request's.
    static func claim(_ owner: String) -> [UInt8] {
        Array("\(owner) \(UInt64.random(in: 0...UInt64.max))".utf8)
    }

    static func nodePorts(of spec: JSONObject) -> [Int] {
        guard case .array(let ports)? = spec["ports"] else { return [] }
        return ports.compactMap { if case .int(let p)? = $0["nodePort"], p != 0 { Int(p) } else { nil } }
    }

    /// Deletes allocation keys. A key the store fails to delete stays taken until the repair
    /// pass finds no Service holding it; the failure is logged, not thrown, because the
    /// caller is already returning the error that made it release.
    private func release(keys: [String]) async {
        for key in keys {
            do {
                if let value = try await kv.get(key).0 { _ = try await kv.delete(key, expected: value.modRevision) }
            } catch StoreError.conflict, StoreError.keyNotFound {
                continue  // claimed or released again meanwhile: not ours to delete
            } catch {
                logger.warning("service allocator: could not release an allocation; the repair pass will", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func allocateIP(_ ip: String, owner: String) async throws -> String {
        guard let offset = network.offset(of: ip), offset > 0, offset < network.size - 1 else {
            throw invalid("spec.clusterIPs", "[]string{\"\(ip)\"}", "failed to allocate IP \(ip): the provided IP (\(ip)) is not in the valid range. The range of valid IPs is \(network.cidr)", owner: owner)
        }
        do {
            _ = try await kv.create(Self.ipPrefix + ip, value: Self.claim(owner))
        } catch StoreError.keyExists {
            throw invalid("spec.clusterIPs", "[]string{\"\(ip)\"}", "failed to allocate IP \(ip): provided IP is already allocated", owner: owner)
        }
        return ip
    }

    private func allocateAnyIP(owner: String) async throws -> String {
        // Random start, then linear probing; offset 1 is kept for the `kubernetes` Service.
        let usable = network.size - 2
        let start = Int.random(in: 0..<usable)
        for step in 0..<usable {
            let offset = 1 + (start + step) % usable
            if offset == 1 && owner != "default/kubernetes" { continue }
            let ip = network.address(at: offset)
            do {
                _ = try await kv.create(Self.ipPrefix + ip, value: Self.claim(owner))
                return ip
            } catch StoreError.keyExists { continue }
        }
        throw invalid("spec.clusterIPs", "[]string{}", "failed to allocate IP: range is full", owner: owner)
    }

    private func allocatePort(_ port: Int, owner: String, field: String) async throws {
        guard nodePorts.contains(port) else {
            throw invalid(field, String(port), "provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)", owner: owner)
        }
        do {
            _ = try await kv.create(Self.portPrefix + String(port), value: Self.claim(owner))
        } catch StoreError.keyExists {
            throw invalid(field, String(port), "provided port is already allocated", owner: owner)
        }
    }

    private func allocateAnyPort(owner: String) async throws -> Int {
        let count = nodePorts.count
        let start = Int.random(in: 0..<count)
        for step in 0..<count {
            let port = nodePorts.lowerBound + (start + step) % count
            do {
                _ = try await kv.create(Self.portPrefix + String(port), value: Self.claim(owner))
                return port
            } catch StoreError.keyExists { continue }
        }
        throw invalid("spec.ports", "", "failed to allocate a node port: range is full", owner: owner)
    }

    private func invalid(_ field: String, _ value: String, _ detail: String, owner: String) -> StatusError {
        let name = owner.split(separator: "/").last.map(String.init) ?? owner
        return StatusError(.invalid(group: "", kind: "Service", name: name, causes: [
            MetaV1.StatusCause(field: field, message: "Invalid value: \(value): \(detail)", reason: "FieldValueInvalid")
        ]))
    }
}
