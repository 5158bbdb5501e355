import APIMachinery
import Synchronization

/// `LeaseLock` over a `coordination.k8s.io/v1` Lease through the apiserver. Updates write the
/// record into the Lease last read (so its labels and other fields survive) and PUT it with
/// that resourceVersion; a 409 becomes `LeaseLockError.conflict`.
public final class RESTLeaseLock: LeaseLock {
    private let client: ResourceClient<CoordinationV1.Lease>
    public let namespace: String
    public let name: String
    private let lastRead = Mutex<CoordinationV1.Lease?>(nil)

    public init(rest: RESTClient, namespace: String, name: String) {
        client = rest.resource(CoordinationV1.Lease.self, namespace: namespace)
        self.namespace = namespace
        self.name = name
    }

    public var lockDescription: String { "\(namespace)/\(name)" }

    public func get() async throws -> VersionedLeaderElectionRecord? {
        do {
            let lease = try await client.get(name)
            lastRead.withLock { $0 = lease }
            return LeaderElectionRecord.versioned(from: lease)
        } catch let error as StatusError where error.isNotFound {
            return nil
        }
    }

    public func create(_ record: LeaderElectionRecord) async throws -> String {
        do {
            let lease = try await client.create(record.lease(name: name, namespace: namespace))
            lastRead.withLock { $0 = lease }
            return lease.metadata?.resourceVersion ?? ""
        } catch let error as StatusError where error.isAlreadyExists {
            throw LeaseLockError.alreadyExists
        }
    }

    public func update(_ record: LeaderElectionRecord, resourceVersion: String) async throws -> String {
        var lease = lastRead.withLock { $0 } ?? record.lease(name: name, namespace: namespace)
        record.apply(to: &lease)
        if lease.metadata == nil { lease.metadata = MetaV1.ObjectMeta(name: name, namespace: namespace) }
        lease.metadata?.resourceVersion = resourceVersion
        do {
            let stored = try await client.update(lease)
            lastRead.withLock { $0 = stored }
            return stored.metadata?.resourceVersion ?? ""
        } catch let error as StatusError where error.isConflict {
            throw LeaseLockError.conflict
        }
    }
}
