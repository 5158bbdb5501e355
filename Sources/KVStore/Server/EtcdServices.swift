import EtcdAPI
import GRPCCore

/// The etcd `KV` service over a `KVBackend`.
public struct KVService: Etcdserverpb_KV.SimpleServiceProtocol {
    let backend: KVBackend
    public init(backend: KVBackend) { self.backend = backend }

    public func range(request: Etcdserverpb_RangeRequest, context: ServerContext) async throws -> Etcdserverpb_RangeResponse {
        try await backend.range(request)
    }
    public func put(request: Etcdserverpb_PutRequest, context: ServerContext) async throws -> Etcdserverpb_PutResponse {
        try await backend.put(request)
    }
    public func deleteRange(request: Etcdserverpb_DeleteRangeRequest, context: ServerContext) async throws -> Etcdserverpb_DeleteRangeResponse {
        try await backend.deleteRange(request)
    }
    public func txn(request: Etcdserverpb_TxnRequest, context: ServerContext) async throws -> Etcdserverpb_TxnResponse {
        try await backend.txn(request)
    }
    public func compact(request: Etcdserverpb_CompactionRequest, context: ServerContext) async throws -> Etcdserverpb_CompactionResponse {
        try await backend.compact(request)
    }
}

/// The parts of `Maintenance` that etcdctl's `endpoint status` needs; the rest answer
/// Unimplemented until they are built.
public struct MaintenanceService: Etcdserverpb_Maintenance.SimpleServiceProtocol {
    let backend: KVBackend
    public init(backend: KVBackend) { self.backend = backend }

    public func status(request: Etcdserverpb_StatusRequest, context: ServerContext) async throws -> Etcdserverpb_StatusResponse {
        await backend.status()
    }
    public func alarm(request: Etcdserverpb_AlarmRequest, context: ServerContext) async throws -> Etcdserverpb_AlarmResponse {
        var r = Etcdserverpb_AlarmResponse()
        r.header = await backend.header
        return r
    }
    public func defragment(request: Etcdserverpb_DefragmentRequest, context: ServerContext) async throws -> Etcdserverpb_DefragmentResponse {
        var r = Etcdserverpb_DefragmentResponse()
        r.header = await backend.header
        return r
    }
    public func hash(request: Etcdserverpb_HashRequest, context: ServerContext) async throws -> Etcdserverpb_HashResponse {
        throw RPCError(code: .unimplemented, message: "hash is not implemented yet")
    }
    public func hashKV(request: Etcdserverpb_HashKVRequest, context: ServerContext) async throws -> Etcdserverpb_HashKVResponse {
        throw RPCError(code: .unimplemented, message: "hashkv is not implemented yet")
    }
    public func snapshot(request: Etcdserverpb_SnapshotRequest, response: RPCWriter<Etcdserverpb_SnapshotResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "snapshot is not implemented yet")
    }
    public func moveLeader(request: Etcdserverpb_MoveLeaderRequest, context: ServerContext) async throws -> Etcdserverpb_MoveLeaderResponse {
        throw RPCError(code: .unimplemented, message: "etcdserver: move-leader is not supported")
    }
}

/// The etcd `Cluster` service: list, add and remove members (no learners, no update).
public struct ClusterService: Etcdserverpb_Cluster.SimpleServiceProtocol {
    let backend: KVBackend
    public init(backend: KVBackend) { self.backend = backend }

    public func memberList(request: Etcdserverpb_MemberListRequest, context: ServerContext) async throws -> Etcdserverpb_MemberListResponse {
        var r = Etcdserverpb_MemberListResponse()
        r.header = await backend.header
        r.members = await backend.members()
        return r
    }
    public func memberAdd(request: Etcdserverpb_MemberAddRequest, context: ServerContext) async throws -> Etcdserverpb_MemberAddResponse {
        try await backend.memberAdd(request)
    }
    public func memberRemove(request: Etcdserverpb_MemberRemoveRequest, context: ServerContext) async throws -> Etcdserverpb_MemberRemoveResponse {
        try await backend.memberRemove(request)
    }
    public func memberUpdate(request: Etcdserverpb_MemberUpdateRequest, context: ServerContext) async throws -> Etcdserverpb_MemberUpdateResponse {
        throw RPCError(code: .unimplemented, message: "etcdserver: member update is not supported")
    }
    public func memberPromote(request: Etcdserverpb_MemberPromoteRequest, context: ServerContext) async throws -> Etcdserverpb_MemberPromoteResponse {
        throw RPCError(code: .unimplemented, message: "learners are not supported")
    }
}
