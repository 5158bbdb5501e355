import APIMachinery
import Synchronization

/// Writes a key's EndpointSlices for a slice controller and remembers what it wrote until the
/// informer shows it: slices are named by `generateName`, so acting on a cache that lacks a
/// slice just created would create another. Upstream tracks slice generations for the same.
public final class SliceWriter: Sendable {
    let client: any ControllerClient
    /// Slices written per key (name → resourceVersion, "" once deleted) that the informer must
    /// show before the next sync of that key may trust it.
    let written = Mutex<[String: [String: String]]>([:])

    init(client: any ControllerClient) { self.client = client }

    /// Drops what is remembered for `key` (its owner is gone).
    func forget(_ key: String) { written.withLock { _ = $0.removeValue(forKey: key) } }

    /// Throws while a slice this controller wrote is not yet in the informer (acting on the
    /// older state could duplicate endpoints).
    public func checkFresh(_ key: String, _ existing: [DiscoveryV1.EndpointSlice]) throws {
        let pending = written.withLock { $0[key] ?? [:] }
        guard !pending.isEmpty else { return }
        let seen = Dictionary(existing.map { ($0.name, $0.metadata?.resourceVersion ?? "") }, uniquingKeysWith: { a, _ in a })
        var stale: [String] = []
        for (name, version) in pending {
            if version.isEmpty {
                if seen[name] != nil { stale.append(name) }  // deleted, still listed
            } else if let current = seen[name], let a = Int64(current), let b = Int64(version), a >= b {
                continue
            } else {
                stale.append(name)
            }
        }
        written.withLock { $0[key] = pending.filter { stale.contains($0.key) } }
        if !stale.isEmpty {
            throw StatusError.internalError("endpoint slice cache is behind this controller's writes for \(stale.sorted().joined(separator: ", "))")
        }
    }

    public func apply(_ key: String, creates: [DiscoveryV1.EndpointSlice], updates: [DiscoveryV1.EndpointSlice], deletes: [DiscoveryV1.EndpointSlice]) async throws {
        var record: [String: String] = [:]
        defer { written.withLock { $0[key, default: [:]].merge(record) { $1 } } }
        for slice in updates {
            let stored = try await client.update(slice)
            record[stored.name] = stored.metadata?.resourceVersion ?? ""
        }
        for slice in creates {
            do {
                let stored = try await client.create(slice)
                record[stored.name] = stored.metadata?.resourceVersion ?? ""
            } catch let error as StatusError where error.isNamespaceTerminating {}
        }
        for slice in deletes {
            do {
                try await client.delete(DiscoveryV1.EndpointSlice.self, namespace: slice.namespace, name: slice.name, uid: slice.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound {}
            record[slice.name] = ""
        }
    }
}
