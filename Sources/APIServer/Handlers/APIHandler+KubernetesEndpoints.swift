import APIMachinery
import Foundation

/// The apiserver publishes itself as the endpoints of the `default/kubernetes` Service, as
/// kube-apiserver's lease endpoint reconciler does: each apiserver renews a lease under
/// `/registry/masterleases/<ip>` (an expiry time, `ttl` ahead), and whichever runs a pass
/// writes the Endpoints `default/kubernetes` (labelled `skip-mirror`) and the EndpointSlice
/// `default/kubernetes` with the addresses of the leases not yet expired, dropping expired
/// ones. A stopping apiserver removes its lease and writes the rest.
extension APIHandler {
    static let masterLeasePrefix = "/registry/masterleases/"

    /// One pass for this apiserver at `ip:port`; with `leaving`, its lease is removed rather
    /// than renewed.
    public func reconcileKubernetesEndpoints(ip: String, port: Int, ttl: Int = 15, leaving: Bool = false) async throws {
        let kv = stores.kv
        let nowSeconds = Int64(now().timeIntervalSince1970)
        let ours = Self.masterLeasePrefix + ip
        let (existing, _) = try await kv.get(ours)
        if leaving {
            if let existing { _ = try await kv.delete(ours, expected: existing.modRevision) }
        } else {
            let lease = JSONCodec.encode(JSONValue.object(["ip": .string(ip), "expires": .int(nowSeconds + Int64(ttl))]))
            if let existing {
                _ = try await kv.update(ours, value: lease, expected: existing.modRevision)
            } else {
                _ = try await kv.create(ours, value: lease)
            }
        }
        var live: [String] = []
        for value in try await kv.list(prefix: Self.masterLeasePrefix, from: nil, revision: 0, limit: 0).values {
            let lease = try JSONCodec.parse(value.value)
            guard let address = lease["ip"]?.stringValue else { continue }
            guard case .int(let expires)? = lease["expires"], expires >= nowSeconds else {
                do { _ = try await kv.delete(value.key, expected: value.modRevision) } catch StoreError.conflict {}  // renewed meanwhile
                continue
            }
            live.append(address)
        }
        live.sort()
        try await write(Self.kubernetesEndpoints(ips: live, port: port), resource: "endpoints", group: "")
        try await write(Self.kubernetesEndpointSlice(ips: live, port: port), resource: "endpointslices", group: "discovery.k8s.io")
    }

    /// The Endpoints `default/kubernetes` for `ips` (no subset when there are none).
    static func kubernetesEndpoints(ips: [String], port: Int) -> JSONObject {
        var object: JSONObject = [
            "kind": "Endpoints", "apiVersion": "v1",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"]],
        ]
        if !ips.isEmpty {
            object["subsets"] = [[
                "addresses": .array(ips.map { ["ip": .string($0)] }),
                "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
            ]]
        }
        return object
    }

    /// The EndpointSlice `default/kubernetes` for `ips`.
    static func kubernetesEndpointSlice(ips: [String], port: Int) -> JSONObject {
        [
            "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["kubernetes.io/service-name": "kubernetes"]],
            "addressType": "IPv4",
            "endpoints": .array(ips.map { ["addresses": [.string($0)], "conditions": ["ready": true]] }),
            "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
        ]
    }

    /// Creates `desired` or replaces what is stored when its content differs.
    private func write(_ desired: JSONObject, resource: String, group: String) async throws {
        guard let info = registry.info(for: GroupVersionResource(group: group, version: "v1", resource: resource)) else { return }
        let store = stores.store(for: info)
        let key = store.key(namespace: "default", name: "kubernetes")
        guard let current = try await store.read(key), let stored = try current.tree().objectValue else {
            var object = desired
            ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
            do { _ = try await store.kv.create(key, value: store.encode(object)) } catch StoreError.keyExists {}  // another apiserver's pass
            return
        }
        var updated = stored
        var metadata = stored.objectMember("metadata")
        let wantedLabels = desired.objectMember("metadata")["labels"]
        var changed = metadata["labels"] != wantedLabels
        metadata["labels"] = wantedLabels
        metadata["resourceVersion"] = nil
        updated["metadata"] = .object(metadata)
        for field in ["subsets", "addressType", "endpoints", "ports"] where stored[field] != desired[field] {
            updated[field] = desired[field]
            changed = true
        }
        guard changed else { return }
        do {
            _ = try await store.kv.update(key, value: store.encode(updated), expected: current.resourceVersion)
        } catch StoreError.conflict {}  // another apiserver's pass wrote it: the next pass compares again
    }
}
