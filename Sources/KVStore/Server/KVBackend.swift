import Component
import Logging
import EtcdAPI
import Glibc
import GRPCCore
import RaftCore

/// One member behind the etcd API: its Raft node, write-ahead log and snapshots, the applied
/// state (MVCC store, leases, membership), watches, and the link to its peers.
///
/// Every write goes through the log: it is proposed (a follower's proposal is forwarded to
/// the leader by Raft), persisted and fsynced, committed by a quorum, applied, and only then
/// answered — so an acknowledged write survives kill -9. The `Ready` loop runs one pass at a
/// time; while a pass waits for its fsync, new proposals and peer messages accumulate and the
/// next pass persists them all with one fsync (group commit). Linearizable reads wait for a
/// ReadIndex round (shared by all reads that arrive while one is pending); serializable reads
/// are served from the applied state at once.
public actor KVBackend {
    public let config: KVConfig
    public nonisolated let memberID: UInt64
    public nonisolated let clusterID: UInt64
    var state: KVStateMachine
    var hub = WatchHub()
    var watchStreams: [Int: WatchStream] = [:]
    var nextStreamID = 0
    var nextHubID: Int64 = 0
    /// hub id → (stream, stream-local watch id)
    var hubOwners: [Int64: (Int, Int64)] = [:]
    /// The time source (a `ManualClock` in tests): deadlines are milliseconds since `origin`.
    let clock: any ComponentClock
    private let origin: ContinuousClock.Instant

    let storage: RaftLogStorage
    var raft: RaftNode<RaftLogStorage>
    let disk: DiskWorker
    var transport: PeerTransport?
    var draining = false
    var lastSnapshotIndex: UInt64 = 0
    var snapshotting = false
    var removed = false

    /// Clients waiting for their entry to apply, by request ID.
    var waiters: [UInt64: Waiter<LoggedResult>] = [:]
    /// MemberAdd/MemberRemove callers, by member ID.
    var configurationWaiters: [UInt64: Waiter<LoggedResult>] = [:]
    var nextRequestID = UInt64.random(in: 1...(UInt64.max / 2))
    /// Linearizable reads not yet in a ReadIndex round, and rounds in flight by context.
    var queuedReads: [Waiter<Void>] = []
    var readRounds: [UInt64: [Waiter<Void>]] = [:]
    /// Rounds whose read index is known, waiting for it to be applied.
    var confirmedReads: [(index: UInt64, waiters: [Waiter<Void>])] = []
    /// Lease requests forwarded to the leader.
    var leaseWaiters: [UInt64: Waiter<LeaseForward.Response>] = [:]
    var revoking: Set<Int64> = []
    /// A NOSPACE alarm proposal is under way.
    var raisingNoSpace = false
    /// MoveLeader callers, by request ID.
    var transfers: [UInt64: Transfer] = [:]
    public internal(set) var metrics = KVMetrics()
    let logger: Logger

    /// Opens the member's snapshot and WAL under the data directory, bootstraps a new
    /// cluster's log on first start, and replays what was persisted.
    public init(
        config: KVConfig, logger: Logger = Logger(label: "kvstore"),
        clock: any ComponentClock = SystemClock()
    ) async throws {
        self.config = config
        self.logger = logger
        self.clock = clock
        self.origin = clock.now
        memberID = config.memberID
        clusterID = config.clusterID
        let ticks = config.electionMilliseconds / config.heartbeatMilliseconds
        mkdir(config.dataDirectory, 0o700)
        mkdir(config.dataDirectory + "/member", 0o700)
        let snapshots = SnapshotStore(directory: config.dataDirectory + "/member/snap")
        let (snapshot, damaged) = snapshots.loadNewest()
        for name in damaged { logger.warning("skipping damaged snapshot", metadata: ["snapshot": "\(name)"]) }
        let (wal, replay) = try WriteAheadLog.open(directory: config.dataDirectory + "/member/wal")
        if replay.truncatedBytes > 0 {
            logger.warning("cut a torn or corrupt tail off the write-ahead log", metadata: ["bytes": "\(replay.truncatedBytes)"])
        }
        let storage = RaftLogStorage(snapshots: snapshots)
        var state = KVStateMachine(minimumLeaseTTL: Int64(max(2, (3 * config.electionMilliseconds + 999) / 2000)), quotaBytes: config.effectiveQuotaBytes)
        var hardState = replay.hardState
        if let snapshot {
            storage.applySnapshot(snapshot)
            state = try KVStateMachine(snapshot: snapshot.data, minimumLeaseTTL: state.lessor.minimumTTL, quotaBytes: config.effectiveQuotaBytes)
            hardState.commit = max(hardState.commit, snapshot.metadata.index)
            hardState.term = max(hardState.term, snapshot.metadata.term)
        } else if let marker = replay.snapshot, marker.index > 0 {
            throw WriteAheadLog.WALError(description: "kvstore: the WAL records a snapshot at index \(marker.index) but no intact snapshot file exists in member/snap")
        }
        let snapshotIndex = snapshot?.metadata.index ?? 0
        let entries = replay.entries.filter { $0.index > snapshotIndex }
        if let first = entries.first, first.index != snapshotIndex + 1 {
            throw WriteAheadLog.WALError(description: "kvstore: the WAL starts at entry \(first.index) but the snapshot ends at \(snapshotIndex)")
        }
        storage.append(entries)
        if snapshot == nil, entries.isEmpty, replay.hardState == Raft.HardState(), config.initialClusterState == .new {
            // A new cluster: every member writes the same first entries, adding the initial members.
            let bootstrap = config.initialCluster.sorted { $0.id < $1.id }.enumerated().map { i, member in
                Raft.Entry(
                    term: 1, index: UInt64(i + 1), kind: .configurationChange,
                    data: Raft.ConfigurationChange(.addNode, member.id, context: member.encoded).encoded)
            }
            hardState = Raft.HardState(term: 1, vote: Raft.none, commit: UInt64(bootstrap.count))
            try wal.append(entries: bootstrap, hardState: hardState)
            try wal.sync()
            storage.append(bootstrap)
        }
        storage.setHardState(hardState)
        self.storage = storage
        self.state = state
        lastSnapshotIndex = snapshotIndex
        disk = DiskWorker(wal: wal, snapshots: snapshots)
        var raftConfig = Raft.Config(id: config.memberID)
        raftConfig.electionTicks = max(2, ticks)
        raftConfig.heartbeatTicks = 1
        raftConfig.randomSeed = UInt64(bitPattern: clock.wallNow.nanosecondsSinceEpoch) ^ config.memberID
        raft = RaftNode(config: raftConfig, storage: storage)
        // Replay what is committed; a lone member then leads at once.
        await drain()
        if raft.configuration.voters == [memberID] {
            raft.campaign()
            await drain()
        }
    }

    var header: Etcdserverpb_ResponseHeader {
        var h = Etcdserverpb_ResponseHeader()
        h.clusterID = clusterID
        h.memberID = memberID
        h.revision = state.store.currentRevision
        h.raftTerm = raft.term
        return h
    }

    func status() -> Etcdserverpb_StatusResponse {
        var s = Etcdserverpb_StatusResponse()
        s.header = header
        s.version = "3.4.23"
        s.leader = raft.leader
        s.raftTerm = raft.term
        s.raftIndex = raft.commitIndex
        s.raftAppliedIndex = raft.appliedIndex
        s.dbSize = Int64(state.store.approximateBytes)
        s.dbSizeInUse = Int64(state.store.approximateBytes)
        // etcd lists raised alarms as errors, in the alarm's text form.
        s.errors = state.alarms.map { "memberID:\($0.memberID) alarm:\($0.alarm == .nospace ? "NOSPACE" : $0.alarm == .corrupt ? "CORRUPT" : "NONE") " }
        return s
    }

    func members() -> [Etcdserverpb_Member] {
        state.members.values.sorted { $0.id < $1.id }.map(\.proto)
    }

    /// Role and leader, for health checks and logs.
    public var leader: UInt64 { raft.leader }
    public var isLeader: Bool { raft.role == .leader }
}

/// A caller waiting for something the Ready loop will produce, with a deadline.
struct Waiter<Value: Sendable>: Sendable {
    let continuation: CheckedContinuation<Result<Value, RPCError>, Never>
    let deadline: Int64

    func resume(_ value: Value) { continuation.resume(returning: .success(value)) }
    func fail(_ error: RPCError) { continuation.resume(returning: .failure(error)) }
}

extension KVBackend {
    /// Milliseconds since this member started, on its clock (request and transfer deadlines).
    nonisolated func now() -> Int64 {
        let (seconds, attoseconds) = (clock.now - origin).components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension RPCError {
    static let wrongResult = RPCError(code: .internalError, message: "etcdserver: unexpected result type")
    static let timedOut = RPCError(code: .unavailable, message: "etcdserver: request timed out")
    static let noLeader = RPCError(code: .unavailable, message: "etcdserver: no leader")
    static let tooLarge = RPCError(code: .invalidArgument, message: "etcdserver: request is too large")
    static let stopped = RPCError(code: .unavailable, message: "etcdserver: server stopped")
    static let noSpace = RPCError(code: .resourceExhausted, message: "etcdserver: mvcc: database space exceeded")

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

