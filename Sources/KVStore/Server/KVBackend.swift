import EtcdAPI
import Glibc
import GRPCCore
import RaftCore

/// One member behind the etcd API: its Raft node and write-ahead log, and the applied
/// state (MVCC store, watches, leases).
///
/// Every write goes through the log: it is proposed, persisted to the WAL and fsynced, then
/// applied, and only then answered — so an acknowledged write survives kill -9, and a
/// restart rebuilds the state by replaying the WAL. Reads are served from the applied state.
/// Today the member is alone in its cluster (it leads at once); the peer transport that lets
/// several members share the log comes next.
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

    let storage: MemoryStorage
    var raft: RaftNode<MemoryStorage>
    let wal: WriteAheadLog
    /// Requests proposed by this process and not yet applied, and their results once applied.
    var pending: Set<UInt64> = []
    var results: [UInt64: LoggedResult] = [:]
    var nextRequestID = UInt64.random(in: 1...(UInt64.max / 2))

    /// Opens the member's WAL under `dataDirectory` (replaying it), and starts leading.
    public init(
        name: String, memberID: UInt64, clusterID: UInt64, clientURLs: [String], peerURLs: [String],
        dataDirectory: String, now: @escaping @Sendable () -> Int64 = KVBackend.monotonicMilliseconds
    ) async throws {
        self.now = now
        self.name = name
        self.memberID = memberID
        self.clusterID = clusterID
        self.clientURLs = clientURLs
        self.peerURLs = peerURLs
        mkdir(dataDirectory, 0o700)
        mkdir(dataDirectory + "/member", 0o700)
        let (wal, replay) = try WriteAheadLog.open(directory: dataDirectory + "/member/wal")
        self.wal = wal
        let storage = MemoryStorage(voters: [memberID])
        storage.append(replay.entries)
        storage.setHardState(replay.hardState)
        self.storage = storage
        var config = Raft.Config(id: memberID)
        config.randomSeed = memberID
        raft = RaftNode(config: config, storage: storage)
        // Replays committed entries into the store, then wins the (single-member) election.
        processReady()
        raft.campaign()
        processReady()
        lessor.promote(now: now())
    }

    var header: Etcdserverpb_ResponseHeader {
        var h = Etcdserverpb_ResponseHeader()
        h.clusterID = clusterID
        h.memberID = memberID
        h.revision = store.currentRevision
        h.raftTerm = raft.term
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
        guard case .put(let response) = try submit(.put(request)) else { throw RPCError.wrongResult }
        return response
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) throws -> Etcdserverpb_DeleteRangeResponse {
        guard case .deleteRange(let response) = try submit(.deleteRange(request)) else { throw RPCError.wrongResult }
        return response
    }

    func txn(_ request: Etcdserverpb_TxnRequest) throws -> Etcdserverpb_TxnResponse {
        let ops = request.success + request.failure
        guard ops.allSatisfy({ $0.request != nil }) else {
            throw RPCError(code: .invalidArgument, message: "etcdserver: request is empty")
        }
        guard case .txn(let response) = try submit(.txn(request)) else { throw RPCError.wrongResult }
        return response
    }

    func compact(_ request: Etcdserverpb_CompactionRequest) throws -> Etcdserverpb_CompactionResponse {
        guard case .compaction(let response) = try submit(.compaction(request)) else { throw RPCError.wrongResult }
        return response
    }

    func status() -> Etcdserverpb_StatusResponse {
        var s = Etcdserverpb_StatusResponse()
        s.header = header
        s.version = "3.4.23"
        s.leader = memberID
        s.raftTerm = raft.term
        s.raftIndex = raft.commitIndex
        s.raftAppliedIndex = raft.appliedIndex
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
    static let wrongResult = RPCError(code: .internalError, message: "etcdserver: unexpected result type")

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
