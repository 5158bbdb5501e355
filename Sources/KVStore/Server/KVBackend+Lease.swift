import EtcdAPI
import Foundation
import GRPCCore
import RaftCore

extension KVBackend {
    func leaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) async throws -> Etcdserverpb_LeaseGrantResponse {
        var logged = request
        if logged.id == 0 {
            // etcd picks a positive random ID before proposing, so every member applies the same one.
            repeat { logged.id = Int64.random(in: 1...Int64.max) } while state.lessor.exists(logged.id)
        }
        guard case .leaseGrant(let response) = try await submit(.leaseGrant(logged)) else { throw RPCError.wrongResult }
        return response
    }

    func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) async throws -> Etcdserverpb_LeaseRevokeResponse {
        guard case .leaseRevoke(let response) = try await submit(.leaseRevoke(request)) else { throw RPCError.wrongResult }
        return response
    }

    func leaseKeepAlive(_ id: Int64) async throws -> Etcdserverpb_LeaseKeepAliveResponse {
        let answer = try await askLeader(.renew, lease: id)
        var response = Etcdserverpb_LeaseKeepAliveResponse()
        response.header = header
        response.id = id
        // etcd answers a keep-alive for an unknown (expired, revoked) lease with TTL 0.
        response.ttl = answer.status == .ok ? answer.ttl : 0
        return response
    }

    func leaseTimeToLive(_ request: Etcdserverpb_LeaseTimeToLiveRequest) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
        var response = Etcdserverpb_LeaseTimeToLiveResponse()
        response.id = request.id
        let answer = try await askLeader(.timeToLive, lease: request.id)
        response.header = header
        guard answer.status == .ok, let lease = state.lessor.leases[request.id] else {
            // etcd answers an unknown lease with TTL -1 ("already expired").
            response.ttl = -1
            return response
        }
        response.ttl = answer.ttl
        response.grantedTtl = answer.grantedTTL
        if request.keys { response.keys = lease.keys.sorted { compareKeys($0, $1) < 0 }.map { Data($0) } }
        return response
    }

    func leaseLeases() async throws -> Etcdserverpb_LeaseLeasesResponse {
        try await linearizableBarrier()
        var response = Etcdserverpb_LeaseLeasesResponse()
        response.header = header
        response.leases = state.lessor.leases.keys.sorted().map { id in
            var status = Etcdserverpb_LeaseStatus()
            status.id = id
            return status
        }
        return response
    }

    /// Lease deadlines live on the leader: answer locally when leading, else forward.
    private func askLeader(_ kind: LeaseForward.Kind, lease: Int64) async throws(RPCError) -> LeaseForward.Response {
        let request = LeaseForward.Request(requestID: nextRequestID, kind: kind, leaseID: lease)
        nextRequestID &+= 1
        if raft.role == .leader { return leaseAnswer(request) }
        let leader = raft.leader
        guard leader != Raft.none, let transport else { throw .noLeader }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<LeaseForward.Response, RPCError>, Never>) in
            leaseWaiters[request.requestID] = Waiter(continuation: c, deadline: now() + config.requestTimeoutMilliseconds)
            if !transport.send([(leader, .leaseRequest(request))]).isEmpty {
                leaseWaiters.removeValue(forKey: request.requestID)?.fail(.noLeader)
            }
        }
        let answer = try result.get()
        if answer.status == .notLeader { throw .noLeader }
        return answer
    }

    private func leaseAnswer(_ r: LeaseForward.Request) -> LeaseForward.Response {
        var answer = LeaseForward.Response(requestID: r.requestID, status: .ok, ttl: 0, grantedTTL: 0)
        guard raft.role == .leader else {
            answer.status = .notLeader
            return answer
        }
        do {
            switch r.kind {
            case .renew:
                answer.ttl = try state.renew(lease: r.leaseID, now: now())
                answer.grantedTTL = answer.ttl
            case .timeToLive:
                answer.ttl = try state.lessor.remainingTTL(id: r.leaseID, now: now())
                answer.grantedTTL = state.lessor.leases[r.leaseID]?.ttl ?? 0
            }
        } catch {
            answer.status = .notFound
        }
        return answer
    }

    /// A follower's lease request reached this member.
    func answerLeaseRequest(_ r: LeaseForward.Request, from peer: UInt64) {
        _ = transport?.send([(peer, .leaseResponse(leaseAnswer(r)))])
    }

    /// The leader revokes every lease past its deadline, through the log; called periodically.
    public func expireLeases() async {
        guard raft.role == .leader else { return }
        for id in state.lessor.expired(now: now()) where !revoking.contains(id) {
            revoking.insert(id)
            Task {
                var request = Etcdserverpb_LeaseRevokeRequest()
                request.id = id
                do { _ = try await self.submit(.leaseRevoke(request)) } catch {
                    // Still expired: the next expiry tick proposes the revoke again.
                    self.logger.info("lease revoke did not commit; retrying on the next tick", metadata: ["lease": "\(id)", "error": "\(error)"])
                }
                self.revoking.remove(id)
            }
        }
    }

}
