import APIMachinery

/// Reconciling allocation keys with the Services in the store, as Kubernetes' cluster IP and
/// node port repair controllers do. A crash between allocating and creating (or between deleting
/// a Service and releasing what it held) leaves a key no Service holds; a restored or hand-edited
/// store can hold a Service whose IP or port has no key.
extension ServiceAllocator {
    /// What one pass did: keys released, keys written back, and keys two Services both hold.
    public struct RepairReport: Sendable, Equatable {
        public var released: [String] = []
        public var restored: [String] = []
        public var shared: [String] = []
        public init() {}
    }

    static let servicePrefix = "/registry/services/"

    /// One pass. A key no Service holds is released only if it was last written at or before
    /// `settledBefore` — the revision the previous pass returned — so that a create in flight,
    /// which allocates before it writes the Service, is never robbed (passes run minutes apart).
    /// A key a Service needs and the store lacks is written back naming that Service.
    /// Returns the revision to hand to the next pass.
    public func repair(settledBefore: Int64?) async throws -> (report: RepairReport, revision: Int64) {
        let revision = try await kv.currentRevision()
        // Allocations first, Services second: a Service created in between is seen with its key
        // missing and the write-back finds the key present, which is harmless.
        let (allocated, _, _) = try await kv.list(prefix: "/registry/ranges/", from: nil, revision: 0, limit: 0)
        let (services, _, _) = try await kv.list(prefix: Self.servicePrefix, from: nil, revision: 0, limit: 0)
        var holders: [String: [String]] = [:]
        var undecodable = false
        for stored in services {
            let service: JSONObject
            do {
                guard case .object(let object) = try JSONCodec.parse(stored.value) else { throw StatusError.internalError("not a JSON object") }
                service = object
            } catch {
                logger.error("service allocator repair: a stored Service does not decode; its allocations are kept", metadata: ["key": "\(stored.key)", "error": "\(error)"])
                undecodable = true
                continue
            }
            let metadata = service.objectMember("metadata")
            let owner = "\(metadata["namespace"]?.stringValue ?? "")/\(metadata["name"]?.stringValue ?? "")"
            for key in Self.allocationKeys(of: service.objectMember("spec")) { holders[key, default: []].append(owner) }
        }
        var report = RepairReport()
        let present = Dictionary(allocated.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, stored) in present.sorted(by: { $0.key < $1.key }) where holders[key] == nil {
            guard !undecodable, let settledBefore, stored.modRevision <= settledBefore else { continue }
            do {
                _ = try await kv.delete(key, expected: stored.modRevision)
                report.released.append(key)
            } catch StoreError.conflict, StoreError.keyNotFound {
                continue  // claimed or released again since the list: no longer a leak
            } catch {
                logger.warning("service allocator repair: could not release a leaked allocation", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
        for (key, owners) in holders.sorted(by: { $0.key < $1.key }) {
            if owners.count > 1 { report.shared.append(key) }
            guard present[key] == nil else { continue }
            do {
                _ = try await kv.create(key, value: Self.claim(owners[0]))
                report.restored.append(key)
            } catch StoreError.keyExists {
                continue
            }
        }
        return (report, revision)
    }

    /// The allocation keys a Service's spec holds.
    static func allocationKeys(of spec: JSONObject) -> [String] {
        var keys: [String] = []
        if (spec["type"]?.stringValue ?? "ClusterIP") != "ExternalName",
           let ip = spec["clusterIP"]?.stringValue, !ip.isEmpty, ip != "None" {
            keys.append(ipPrefix + ip)
        }
        for port in Set(nodePorts(of: spec)) { keys.append(portPrefix + String(port)) }
        return keys
    }
}
