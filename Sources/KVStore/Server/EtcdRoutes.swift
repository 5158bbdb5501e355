import EtcdAPI
import GRPCCore
import SwiftProtobuf

/// The etcd v3 gRPC services (KV, Watch, Lease, Cluster, Maintenance) over a `KVBackend`,
/// by method path, for `GRPCServer`. Methods not built yet answer UNIMPLEMENTED as etcd
/// words it (Snapshot: the store's snapshot format is not etcd's bbolt file).
public enum EtcdRoutes {
    public static func make(_ backend: KVBackend) -> [String: GRPCRoute] {
        var routes: [String: GRPCRoute] = [:]
        func add(_ service: String, _ method: String, _ route: GRPCRoute) { routes["/etcdserverpb.\(service)/\(method)"] = route }

        add("KV", "Range", .unary(Etcdserverpb_RangeRequest.self) { try await backend.range($0) })
        add("KV", "Put", .unary(Etcdserverpb_PutRequest.self) { try await backend.put($0) })
        add("KV", "DeleteRange", .unary(Etcdserverpb_DeleteRangeRequest.self) { try await backend.deleteRange($0) })
        add("KV", "Txn", .unary(Etcdserverpb_TxnRequest.self) { try await backend.txn($0) })
        add("KV", "Compact", .unary(Etcdserverpb_CompactionRequest.self) { try await backend.compact($0) })

        add("Watch", "Watch", .streaming(Etcdserverpb_WatchRequest.self, Etcdserverpb_WatchResponse.self) { requests, writer in
            let (outgoing, continuation) = AsyncStream<Etcdserverpb_WatchResponse>.makeStream(bufferingPolicy: .unbounded)
            let id = await backend.openWatchStream(continuation)
            defer { Task { await backend.closeWatchStream(id) } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in requests { await backend.handle(message, stream: id) }
                    // The client closed its side: end the stream.
                    await backend.closeWatchStream(id)
                }
                group.addTask {
                    for await message in outgoing { try await writer.write(message) }
                }
                try await group.next()
                try await group.next()
            }
        })

        add("Lease", "LeaseGrant", .unary(Etcdserverpb_LeaseGrantRequest.self) { try await backend.leaseGrant($0) })
        add("Lease", "LeaseRevoke", .unary(Etcdserverpb_LeaseRevokeRequest.self) { try await backend.leaseRevoke($0) })
        add("Lease", "LeaseKeepAlive", .streaming(Etcdserverpb_LeaseKeepAliveRequest.self, Etcdserverpb_LeaseKeepAliveResponse.self) { requests, writer in
            for try await message in requests { try await writer.write(try await backend.leaseKeepAlive(message.id)) }
        })
        add("Lease", "LeaseTimeToLive", .unary(Etcdserverpb_LeaseTimeToLiveRequest.self) { try await backend.leaseTimeToLive($0) })
        add("Lease", "LeaseLeases", .unary(Etcdserverpb_LeaseLeasesRequest.self) { _ in try await backend.leaseLeases() })

        add("Cluster", "MemberList", .unary(Etcdserverpb_MemberListRequest.self) { _ in
            var r = Etcdserverpb_MemberListResponse()
            r.header = await backend.header
            r.members = await backend.members()
            return r
        })
        add("Cluster", "MemberAdd", .unary(Etcdserverpb_MemberAddRequest.self) { try await backend.memberAdd($0) })
        add("Cluster", "MemberRemove", .unary(Etcdserverpb_MemberRemoveRequest.self) { try await backend.memberRemove($0) })
        add("Cluster", "MemberUpdate", unimplemented(Etcdserverpb_MemberUpdateRequest.self, "etcdserver: member update is not supported"))
        add("Cluster", "MemberPromote", unimplemented(Etcdserverpb_MemberPromoteRequest.self, "learners are not supported"))

        add("Maintenance", "Status", .unary(Etcdserverpb_StatusRequest.self) { _ in await backend.status() })
        add("Maintenance", "Alarm", .unary(Etcdserverpb_AlarmRequest.self) { try await backend.alarm($0) })
        add("Maintenance", "Defragment", .unary(Etcdserverpb_DefragmentRequest.self) { _ in
            var r = Etcdserverpb_DefragmentResponse()
            r.header = await backend.header
            return r
        })
        add("Maintenance", "Hash", .unary(Etcdserverpb_HashRequest.self) { _ in await backend.hash() })
        add("Maintenance", "HashKV", .unary(Etcdserverpb_HashKVRequest.self) { try await backend.hashKV($0) })
        add("Maintenance", "Snapshot", unimplemented(Etcdserverpb_SnapshotRequest.self, "snapshot is not implemented yet"))
        add("Maintenance", "MoveLeader", .unary(Etcdserverpb_MoveLeaderRequest.self) { try await backend.moveLeader($0) })
        return routes
    }

    private static func unimplemented<Request: SwiftProtobuf.Message>(_: Request.Type, _ message: String) -> GRPCRoute {
        .unary(Request.self) { (_: Request) -> Etcdserverpb_ResponseHeader in throw RPCError(code: .unimplemented, message: message) }
    }
}
