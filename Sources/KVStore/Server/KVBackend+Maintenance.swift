import EtcdAPI
import GRPCCore
import RaftCore

/// Maintenance calls beyond status: leadership transfer and consistency hashes.
extension KVBackend {
    /// A caller of MoveLeader waiting for the target to lead.
    struct Transfer {
        let target: UInt64
        let waiter: Waiter<Void>
    }

    /// etcd's MoveLeader: asked of the leader, hands leadership to `targetID` (a voting
    /// member) and answers once it leads.
    func moveLeader(_ request: Etcdserverpb_MoveLeaderRequest) async throws -> Etcdserverpb_MoveLeaderResponse {
        guard raft.role == .leader else { throw RPCError(code: .failedPrecondition, message: "etcdserver: not leader") }
        let target = request.targetID
        guard raft.configuration.voters.contains(target) else {
            throw RPCError(code: .failedPrecondition, message: "etcdserver: bad leader transferee")
        }
        if target != memberID {
            let id = nextRequestID
            nextRequestID &+= 1
            let result = await withCheckedContinuation { (c: CheckedContinuation<Result<Void, RPCError>, Never>) in
                transfers[id] = Transfer(target: target, waiter: Waiter(continuation: c, deadline: now() + config.requestTimeoutMilliseconds))
                raft.transferLeadership(to: target)
                pump()
            }
            try result.get()
        }
        var response = Etcdserverpb_MoveLeaderResponse()
        response.header = header
        return response
    }

    /// Transfers whose target now leads are answered; those past their deadline fail.
    func settleTransfers(leader: UInt64, at time: Int64) {
        for (id, transfer) in transfers where transfer.target == leader || transfer.waiter.deadline <= time {
            transfers[id] = nil
            if transfer.target == leader {
                transfer.waiter.resume(())
            } else {
                transfer.waiter.fail(RPCError(code: .unavailable, message: "etcdserver: request timed out, leader transfer took too long"))
            }
        }
    }

    /// etcd's Alarm call: a list (after a linearizable barrier), or a change through the log.
    func alarm(_ request: Etcdserverpb_AlarmRequest) async throws -> Etcdserverpb_AlarmResponse {
        if request.action == .get {
            try await linearizableBarrier()
            var response = Etcdserverpb_AlarmResponse()
            response.header = header
            response.alarms = request.alarm == .none ? state.alarms : state.alarms.filter { $0.alarm == request.alarm }
            return response
        }
        guard case .alarm(let response) = try await submit(.alarm(request)) else { throw RPCError.wrongResult }
        return response
    }

    /// A write failed for want of space: raise this member's NOSPACE alarm (once), as etcd's
    /// quota check does, which caps the store until an operator frees space and disarms it.
    func raiseNoSpace() {
        guard !raisingNoSpace, !state.alarms.contains(where: { $0.memberID == memberID && $0.alarm == .nospace }) else { return }
        raisingNoSpace = true
        var request = Etcdserverpb_AlarmRequest()
        request.action = .activate
        request.memberID = memberID
        request.alarm = .nospace
        Task {
            do { _ = try await self.submit(.alarm(request)) } catch {
                // The quota is still exceeded: the next rejected write raises it again.
                self.logger.warning("could not raise the NOSPACE alarm", metadata: ["error": "\(error)"])
            }
            self.raisingNoSpace = false
        }
    }

    func hashKV(_ request: Etcdserverpb_HashKVRequest) throws -> Etcdserverpb_HashKVResponse {
        do {
            let (hash, revision) = try state.store.hashKV(at: request.revision)
            var response = Etcdserverpb_HashKVResponse()
            response.header = header
            response.hash = hash
            response.compactRevision = state.store.compactedRevision
            response.hashRevision = revision
            return response
        } catch {
            throw RPCError(error)
        }
    }

    /// A hash of the member's whole applied state (store, leases, members, applied index).
    func hash() -> Etcdserverpb_HashResponse {
        var crc = CRC32C.Running()
        state.writeSnapshot { (piece: [UInt8]) throws(Never) in crc.update(piece) }
        var response = Etcdserverpb_HashResponse()
        response.header = header
        response.hash = crc.value
        return response
    }
}
