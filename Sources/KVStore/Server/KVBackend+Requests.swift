import EtcdAPI
import GRPCCore
import RaftCore

/// The etcd requests: reads from the applied state, writes through the log.
extension KVBackend {
    func range(_ request: Etcdserverpb_RangeRequest) async throws -> Etcdserverpb_RangeResponse {
        if !request.serializable { try await linearizableBarrier() }
        do {
            return Etcdserverpb_RangeResponse(try state.store.range(RangeRequest(request)), header: header)
        } catch {
            throw RPCError(error)
        }
    }

    func put(_ request: Etcdserverpb_PutRequest) async throws -> Etcdserverpb_PutResponse {
        guard case .put(let response) = try await submit(.put(request)) else { throw RPCError.wrongResult }
        return response
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) async throws -> Etcdserverpb_DeleteRangeResponse {
        guard case .deleteRange(let response) = try await submit(.deleteRange(request)) else { throw RPCError.wrongResult }
        return response
    }

    func txn(_ request: Etcdserverpb_TxnRequest) async throws -> Etcdserverpb_TxnResponse {
        let ops = request.success + request.failure
        guard ops.allSatisfy({ $0.request != nil }) else {
            throw RPCError(code: .invalidArgument, message: "etcdserver: request is empty")
        }
        let writes = ops.contains { op in
            switch op.request {
            case .requestRange, nil: false
            default: true
            }
        }
        if !writes {
            // A read-only transaction is served like a read (as in etcd): linearizable unless
            // every range in it asks to be serializable.
            let serializable = !ops.isEmpty && ops.allSatisfy { op in
                if case .requestRange(let r) = op.request { r.serializable } else { false }
            }
            if !serializable { try await linearizableBarrier() }
            do {
                var copy = state.store
                let (response, _) = try copy.txn(TxnRequest(request))
                return Etcdserverpb_TxnResponse(response, header: header)
            } catch {
                throw RPCError(error)
            }
        }
        guard case .txn(let response) = try await submit(.txn(request)) else { throw RPCError.wrongResult }
        return response
    }

    func compact(_ request: Etcdserverpb_CompactionRequest) async throws -> Etcdserverpb_CompactionResponse {
        guard case .compaction(let response) = try await submit(.compaction(request)) else { throw RPCError.wrongResult }
        return response
    }

    /// Proposes a write, waits until it is committed and applied here, and returns its result.
    func submit(_ request: LoggedRequest) async throws(RPCError) -> LoggedResult {
        guard !removed else { throw .stopped }
        let id = nextRequestID
        nextRequestID &+= 1
        let data: [UInt8]
        do { data = try request.encoded(id: id) } catch { throw RPCError(code: .invalidArgument, message: "etcdserver: \(error)") }
        guard data.count <= config.maxRequestBytes + 9 else { throw .tooLarge }
        let deadline = now() + config.requestTimeoutMilliseconds
        // Without a leader Raft drops proposals: wait for one, as etcd does, until the deadline.
        while true {
            do {
                try raft.propose(data)
                break
            } catch {
                if now() >= deadline { throw .timedOut }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<LoggedResult, RPCError>, Never>) in
            waiters[id] = Waiter(continuation: c, deadline: deadline)
            pump()
        }
        switch result {
        case .success(.failure(let error)):
            if error.code == RPCError.noSpace.code, error.message == RPCError.noSpace.message { raiseNoSpace() }
            throw error
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    /// Announces this member's name and client URLs through the log, once it has a leader.
    func publish() async {
        var member = Etcdserverpb_Member()
        member.id = memberID
        member.name = config.name
        member.clientUrls = config.clientURLs
        member.peerUrls = config.peerURLs
        while !Task.isCancelled, !removed {
            if state.members[memberID].map({ $0.name == config.name && $0.clientURLs == config.clientURLs }) == true { return }
            if raft.leader != Raft.none {
                do {
                    _ = try await submit(.publish(member))
                    continue
                } catch {
                    logger.debug("publishing this member's attributes failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: - Membership

    func memberAdd(_ request: Etcdserverpb_MemberAddRequest) async throws -> Etcdserverpb_MemberAddResponse {
        guard !request.isLearner else { throw RPCError(code: .unimplemented, message: "etcdserver: learners are not supported") }
        guard !request.peerUrls.isEmpty, request.peerUrls.allSatisfy({ URLAddress($0) != nil }) else {
            throw RPCError(code: .invalidArgument, message: "etcdserver: invalid peer URLs \(request.peerUrls)")
        }
        let taken = Set(state.members.values.flatMap(\.peerURLs))
        guard request.peerUrls.allSatisfy({ !taken.contains($0) }) else {
            throw RPCError(code: .failedPrecondition, message: "etcdserver: Peer URLs already exists")
        }
        let member = Member(id: Member.id(peerURLs: request.peerUrls, token: config.token), name: "", peerURLs: request.peerUrls)
        try await changeConfiguration(Raft.ConfigurationChange(.addNode, member.id, context: member.encoded))
        var response = Etcdserverpb_MemberAddResponse()
        response.header = header
        response.member = member.proto
        response.members = members()
        return response
    }

    func memberRemove(_ request: Etcdserverpb_MemberRemoveRequest) async throws -> Etcdserverpb_MemberRemoveResponse {
        guard state.members[request.id] != nil else { throw RPCError(code: .notFound, message: "etcdserver: member not found") }
        try await changeConfiguration(Raft.ConfigurationChange(.removeNode, request.id))
        var response = Etcdserverpb_MemberRemoveResponse()
        response.header = header
        response.members = members()
        return response
    }

    private func changeConfiguration(_ change: Raft.ConfigurationChange) async throws(RPCError) {
        guard raft.leader != Raft.none else { throw .noLeader }
        do {
            try raft.proposeConfigurationChange(change)
        } catch {
            throw RPCError(code: .failedPrecondition, message: "etcdserver: unhealthy cluster (a configuration change is already in progress)")
        }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<LoggedResult, RPCError>, Never>) in
            configurationWaiters[change.nodeID] = Waiter(continuation: c, deadline: now() + config.requestTimeoutMilliseconds)
            pump()
        }
        _ = try result.get()
    }
}
