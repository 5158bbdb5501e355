import EtcdAPI
import Glibc
import GRPCCore

/// One member's applied state behind the etcd API: the MVCC store, watches and leases.
///
/// Today it applies requests directly (a single member, state in memory); the Raft driver
/// and WAL slot in between the services and `apply` without changing either side.
public actor KVBackend {
    public let memberID: UInt64
    public let clusterID: UInt64
    public let name: String
    public let clientURLs: [String]
    public let peerURLs: [String]
    var store = MVCCStore()
    var lessor = Lessor()
    var hub = WatchHub()
    var watchStreams: [Int: WatchStream] = [:]
    var nextStreamID = 0
    var nextHubID: Int64 = 0
    /// hub id → (stream, stream-local watch id)
    var hubOwners: [Int64: (Int, Int64)] = [:]
    /// Milliseconds on a monotonic clock (injected for tests).
    let now: @Sendable () -> Int64

    public init(
        name: String, memberID: UInt64, clusterID: UInt64, clientURLs: [String], peerURLs: [String],
        now: @escaping @Sendable () -> Int64 = KVBackend.monotonicMilliseconds
    ) {
        self.now = now
        // A single member leads from the start, so it keeps lease deadlines.
        lessor.promote(now: now())
        self.name = name
        self.memberID = memberID
        self.clusterID = clusterID
        self.clientURLs = clientURLs
        self.peerURLs = peerURLs
    }

    var header: Etcdserverpb_ResponseHeader {
        var h = Etcdserverpb_ResponseHeader()
        h.clusterID = clusterID
        h.memberID = memberID
        h.revision = store.currentRevision
        h.raftTerm = 1
        return h
    }

    func range(_ request: Etcdserverpb_RangeRequest) throws -> Etcdserverpb_RangeResponse {
        do {
            return Etcdserverpb_RangeResponse(try store.range(RangeRequest(request)), header: header)
        } catch {
            throw RPCError(error)
        }
    }

    func put(_ request: Etcdserverpb_PutRequest) throws -> Etcdserverpb_PutResponse {
        if request.lease != 0, !lessor.exists(request.lease) { throw RPCError(Lessor.LeaseError.notFound) }
        do {
            let (response, events) = try store.put(PutRequest(request))
            lessor.apply(events)
            notify(events)
            return Etcdserverpb_PutResponse(response, header: header)
        } catch {
            throw RPCError(error)
        }
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) throws -> Etcdserverpb_DeleteRangeResponse {
        do {
            let (response, events) = try store.deleteRange(DeleteRangeRequest(request))
            lessor.apply(events)
            notify(events)
            return Etcdserverpb_DeleteRangeResponse(response, header: header)
        } catch {
            throw RPCError(error)
        }
    }

    func txn(_ request: Etcdserverpb_TxnRequest) throws -> Etcdserverpb_TxnResponse {
        let ops = request.success + request.failure
        guard ops.allSatisfy({ $0.request != nil }) else {
            throw RPCError(code: .invalidArgument, message: "etcdserver: request is empty")
        }
        do {
            let (response, events) = try store.txn(TxnRequest(request))
            lessor.apply(events)
            notify(events)
            return Etcdserverpb_TxnResponse(response, header: header)
        } catch {
            throw RPCError(error)
        }
    }

    func compact(_ request: Etcdserverpb_CompactionRequest) throws -> Etcdserverpb_CompactionResponse {
        do {
            try store.compact(request.revision)
        } catch {
            throw RPCError(error)
        }
        var response = Etcdserverpb_CompactionResponse()
        response.header = header
        return response
    }

    func status() -> Etcdserverpb_StatusResponse {
        var s = Etcdserverpb_StatusResponse()
        s.header = header
        s.version = "3.4.23"
        s.leader = memberID
        s.raftTerm = 1
        s.raftIndex = UInt64(store.currentRevision)
        s.raftAppliedIndex = UInt64(store.currentRevision)
        return s
    }

    func members() -> [Etcdserverpb_Member] {
        var m = Etcdserverpb_Member()
        m.id = memberID
        m.name = name
        m.clientUrls = clientURLs
        m.peerUrls = peerURLs
        return [m]
    }
}

extension KVBackend {
    public static let monotonicMilliseconds: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

extension RPCError {
    /// etcd's status codes and messages for the store's errors.
    init(_ error: any Error) {
        switch error {
        case let e as MVCCError:
            switch e {
            case .compacted, .futureRevision: self.init(code: .outOfRange, message: "etcdserver: " + e.description)
            case .keyNotFound, .duplicateKeyInTxn: self.init(code: .invalidArgument, message: e.description)
            }
        case let e as Lessor.LeaseError:
            self.init(code: e == .notFound ? .notFound : .failedPrecondition, message: e.description)
        case let e as RPCError:
            self = e
        default:
            self.init(code: .internalError, message: "etcdserver: \(error)")
        }
    }
}
