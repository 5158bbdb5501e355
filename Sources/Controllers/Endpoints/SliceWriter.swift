import APIMachinery
import Client
import Synchronization

/// The EndpointSlices one slice controller manages (labelled `managed-by: managedBy`), by
/// Service: which they are, their events routed to the Service's key, and their writes,
/// remembered until the informer shows them: slices are named by `generateName`, so acting on
/// a cache that lacks a slice just created would create another. Upstream tracks slice
/// generations for the same.
public final class SliceWriter: Sendable {
    let client: any ControllerClient
    let managedBy: String
    /// Slices written per key (name → resourceVersion, "" once deleted) that the informer must
    /// show before the next sync of that key may trust it.
    let written = Mutex<[String: [String: String]]>([:])

    init(client: any ControllerClient, managedBy: String) {
        self.client = client
        self.managedBy = managedBy
    }

    /// Whether this controller manages `slice`; the name of its Service if so.
    func service(of slice: DiscoveryV1.EndpointSlice) -> String? {
        guard slice.metadata?.labels?[EndpointSliceController.managedByLabel] == managedBy else { return nil }
        return slice.metadata?.labels?[EndpointSliceController.serviceNameLabel]
    }

    /// The slices of Service `namespace/name` this controller manages.
    func slices(of namespace: String, _ name: String, in lister: Lister<DiscoveryV1.EndpointSlice>) -> [DiscoveryV1.EndpointSlice] {
        lister.list(namespace: namespace).filter { service(of: $0) == name }
    }

    /// Queues the Service of every slice this controller manages that changes.
    func register(_ slices: SharedInformer<DiscoveryV1.EndpointSlice>, queue: WorkQueue<String>) {
        _ = slices.addEventHandler(ResourceEventHandler(onAnyChange: { [self] slice in
            guard let service = service(of: slice) else { return }
            queue.add(MetaNamespaceKey.key(namespace: slice.namespace, name: service))
        }))
    }

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
