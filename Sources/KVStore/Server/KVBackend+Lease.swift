import EtcdAPI
import Foundation
import GRPCCore

extension KVBackend {
    func leaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) throws -> Etcdserverpb_LeaseGrantResponse {
        var logged = request
        if logged.id == 0 {
            // etcd picks a positive random ID before proposing, so every member applies the same one.
            repeat { logged.id = Int64.random(in: 1...Int64.max) } while lessor.exists(logged.id)
        }
        guard case .leaseGrant(let response) = try submit(.leaseGrant(logged)) else { throw RPCError.wrongResult }
        return response
    }

    func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) throws -> Etcdserverpb_LeaseRevokeResponse {
        guard case .leaseRevoke(let response) = try submit(.leaseRevoke(request)) else { throw RPCError.wrongResult }
        return response
    }

    func leaseKeepAlive(_ id: Int64) throws -> Etcdserverpb_LeaseKeepAliveResponse {
        do {
            let ttl = try lessor.renew(id: id, now: now())
            var response = Etcdserverpb_LeaseKeepAliveResponse()
            response.header = header
            response.id = id
            response.ttl = ttl
            return response
        } catch {
            throw RPCError(error)
        }
    }

    func leaseTimeToLive(_ request: Etcdserverpb_LeaseTimeToLiveRequest) -> Etcdserverpb_LeaseTimeToLiveResponse {
        var response = Etcdserverpb_LeaseTimeToLiveResponse()
        response.header = header
        response.id = request.id
        guard let lease = lessor.leases[request.id], let remaining = try? lessor.remainingTTL(id: request.id, now: now()) else {
            // etcd answers an unknown lease with TTL -1 ("already expired").
            response.ttl = -1
            return response
        }
        response.ttl = remaining
        response.grantedTtl = lease.ttl
        if request.keys { response.keys = lease.keys.sorted { compareKeys($0, $1) < 0 }.map { Data($0) } }
        return response
    }

    func leaseLeases() -> Etcdserverpb_LeaseLeasesResponse {
        var response = Etcdserverpb_LeaseLeasesResponse()
        response.header = header
        response.leases = lessor.leases.keys.sorted().map { id in
            var status = Etcdserverpb_LeaseStatus()
            status.id = id
            return status
        }
        return response
    }

    /// The leader revokes every lease past its deadline, through the log; called periodically.
    public func expireLeases() {
        for id in lessor.expired(now: now()) {
            var request = Etcdserverpb_LeaseRevokeRequest()
            request.id = id
            _ = try? submit(.leaseRevoke(request))
        }
    }
}

/// The etcd `Lease` service.
public struct LeaseService: Etcdserverpb_Lease.SimpleServiceProtocol {
    let backend: KVBackend
    public init(backend: KVBackend) { self.backend = backend }

    public func leaseGrant(request: Etcdserverpb_LeaseGrantRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseGrantResponse {
        try await backend.leaseGrant(request)
    }
    public func leaseRevoke(request: Etcdserverpb_LeaseRevokeRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseRevokeResponse {
        try await backend.leaseRevoke(request)
    }
    public func leaseKeepAlive(
        request: RPCAsyncSequence<Etcdserverpb_LeaseKeepAliveRequest, any Error>,
        response: RPCWriter<Etcdserverpb_LeaseKeepAliveResponse>,
        context: ServerContext
    ) async throws {
        for try await message in request {
            try await response.write(try await backend.leaseKeepAlive(message.id))
        }
    }
    public func leaseTimeToLive(request: Etcdserverpb_LeaseTimeToLiveRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
        await backend.leaseTimeToLive(request)
    }
    public func leaseLeases(request: Etcdserverpb_LeaseLeasesRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseLeasesResponse {
        await backend.leaseLeases()
    }
}
