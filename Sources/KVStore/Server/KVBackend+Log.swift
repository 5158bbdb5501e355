import EtcdAPI
import Foundation
import GRPCCore
import RaftCore
import SwiftProtobuf

/// A write as it travels through the Raft log: a tag byte and the etcd request's protobuf
/// bytes, after an 8-byte request ID that lets the proposer find its result.
enum LoggedRequest {
    case put(Etcdserverpb_PutRequest)
    case deleteRange(Etcdserverpb_DeleteRangeRequest)
    case txn(Etcdserverpb_TxnRequest)
    case compaction(Etcdserverpb_CompactionRequest)
    case leaseGrant(Etcdserverpb_LeaseGrantRequest)
    case leaseRevoke(Etcdserverpb_LeaseRevokeRequest)

    func encoded(id: UInt64) throws -> [UInt8] {
        var out = (0..<8).map { UInt8(truncatingIfNeeded: id >> (8 * UInt64($0))) }
        let (tag, message): (UInt8, any SwiftProtobuf.Message) =
            switch self {
            case .put(let m): (1, m)
            case .deleteRange(let m): (2, m)
            case .txn(let m): (3, m)
            case .compaction(let m): (4, m)
            case .leaseGrant(let m): (5, m)
            case .leaseRevoke(let m): (6, m)
            }
        out.append(tag)
        out.append(contentsOf: try message.serializedBytes() as [UInt8])
        return out
    }

    static func decode(_ bytes: [UInt8]) -> (UInt64, LoggedRequest)? {
        guard bytes.count >= 9 else { return nil }
        let id = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let payload = bytes[9...]
        do {
            switch bytes[8] {
            case 1: return (id, .put(try .init(serializedBytes: Array(payload))))
            case 2: return (id, .deleteRange(try .init(serializedBytes: Array(payload))))
            case 3: return (id, .txn(try .init(serializedBytes: Array(payload))))
            case 4: return (id, .compaction(try .init(serializedBytes: Array(payload))))
            case 5: return (id, .leaseGrant(try .init(serializedBytes: Array(payload))))
            case 6: return (id, .leaseRevoke(try .init(serializedBytes: Array(payload))))
            default: return nil
            }
        } catch {
            return nil
        }
    }
}

/// What applying a logged request produced, handed back to the proposer.
enum LoggedResult {
    case put(Etcdserverpb_PutResponse)
    case deleteRange(Etcdserverpb_DeleteRangeResponse)
    case txn(Etcdserverpb_TxnResponse)
    case compaction(Etcdserverpb_CompactionResponse)
    case leaseGrant(Etcdserverpb_LeaseGrantResponse)
    case leaseRevoke(Etcdserverpb_LeaseRevokeResponse)
    case failure(RPCError)
}

extension KVBackend {
    /// Proposes a write, waits until it is durable and applied, and returns its result.
    func submit(_ request: LoggedRequest) throws -> LoggedResult {
        let id = nextRequestID
        nextRequestID &+= 1
        let data: [UInt8]
        do { data = try request.encoded(id: id) } catch { throw RPCError(code: .invalidArgument, message: "etcdserver: \(error)") }
        do {
            try raft.propose(data)
        } catch {
            throw RPCError(code: .unavailable, message: "etcdserver: no leader")
        }
        pending.insert(id)
        processReady()
        pending.remove(id)
        guard let result = results.removeValue(forKey: id) else {
            throw RPCError(code: .unavailable, message: "etcdserver: request timed out")
        }
        if case .failure(let error) = result { throw error }
        return result
    }

    /// Carries out the Raft node's work: persist (WAL append + fsync), then apply.
    func processReady() {
        while raft.hasReady {
            let ready = raft.ready()
            if !ready.entries.isEmpty || ready.hardState != nil {
                do {
                    try wal.append(entries: ready.entries, hardState: ready.hardState)
                    try wal.sync()
                } catch {
                    // A member that cannot persist must not acknowledge anything: stop, as etcd does.
                    fatalError("kvstore: write-ahead log failed: \(error)")
                }
            }
            storage.append(ready.entries)
            if let hardState = ready.hardState { storage.setHardState(hardState) }
            for entry in ready.committedEntries where entry.kind == .normal && !entry.data.isEmpty {
                apply(entry.data)
            }
            raft.advance(ready)
        }
    }

    private func apply(_ data: [UInt8]) {
        guard let (id, request) = LoggedRequest.decode(data) else { return }
        let result: LoggedResult
        do {
            switch request {
            case .put(let r): result = .put(try applyPut(r))
            case .deleteRange(let r): result = .deleteRange(try applyDeleteRange(r))
            case .txn(let r): result = .txn(try applyTxn(r))
            case .compaction(let r): result = .compaction(try applyCompaction(r))
            case .leaseGrant(let r): result = .leaseGrant(try applyLeaseGrant(r))
            case .leaseRevoke(let r): result = .leaseRevoke(try applyLeaseRevoke(r))
            }
        } catch {
            result = .failure(RPCError(error))
        }
        if pending.contains(id) { results[id] = result }
    }

    // MARK: - Apply (deterministic: the same on every member and on replay)

    private func applyPut(_ request: Etcdserverpb_PutRequest) throws -> Etcdserverpb_PutResponse {
        if request.lease != 0, !lessor.exists(request.lease) { throw Lessor.LeaseError.notFound }
        let (response, events) = try store.put(PutRequest(request))
        committed(events)
        return Etcdserverpb_PutResponse(response, header: header)
    }

    private func applyDeleteRange(_ request: Etcdserverpb_DeleteRangeRequest) throws -> Etcdserverpb_DeleteRangeResponse {
        let (response, events) = try store.deleteRange(DeleteRangeRequest(request))
        committed(events)
        return Etcdserverpb_DeleteRangeResponse(response, header: header)
    }

    private func applyTxn(_ request: Etcdserverpb_TxnRequest) throws -> Etcdserverpb_TxnResponse {
        let (response, events) = try store.txn(TxnRequest(request))
        committed(events)
        return Etcdserverpb_TxnResponse(response, header: header)
    }

    private func applyCompaction(_ request: Etcdserverpb_CompactionRequest) throws -> Etcdserverpb_CompactionResponse {
        try store.compact(request.revision)
        var response = Etcdserverpb_CompactionResponse()
        response.header = header
        return response
    }

    private func applyLeaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) throws -> Etcdserverpb_LeaseGrantResponse {
        let lease = try lessor.grant(id: request.id, ttl: request.ttl, now: now())
        var response = Etcdserverpb_LeaseGrantResponse()
        response.header = header
        response.id = lease.id
        response.ttl = lease.ttl
        return response
    }

    private func applyLeaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) throws -> Etcdserverpb_LeaseRevokeResponse {
        let keys = try lessor.revoke(id: request.id)
        if !keys.isEmpty {
            let deletes = keys.map { RequestOp.deleteRange(DeleteRangeRequest(range: KeyRange(key: $0))) }
            let (_, events) = try store.txn(TxnRequest(success: deletes))
            committed(events)
        }
        var response = Etcdserverpb_LeaseRevokeResponse()
        response.header = header
        return response
    }

    /// Keeps leases and watchers in step with an applied write.
    private func committed(_ events: [WatchEvent]) {
        lessor.apply(events)
        notify(events)
    }
}
