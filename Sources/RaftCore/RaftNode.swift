/// One Raft member as a pure state machine (the shape of etcd-io/raft's RawNode).
///
/// No clock, threads or I/O: time advances by `tick()`, input arrives by `step(_:)` and the
/// request methods, and all output is collected in `ready()`, which the driver carries out
/// (see `Raft.Ready` for the order) before calling `advance(_:)`.
///
/// Guarantees (checked by the simulator): at most one leader per term; a leader's log holds
/// every committed entry; entries are committed only by counting replicas of the leader's
/// current term; every member applies the same entry at each index.
public struct RaftNode<Storage: RaftStorage> {
    public let id: Raft.NodeID
    let config: Raft.Config

    public internal(set) var term: Raft.Term = 0
    public internal(set) var vote: Raft.NodeID = Raft.none
    public internal(set) var leader: Raft.NodeID = Raft.none
    public internal(set) var role: Raft.Role = .follower

    var log: RaftLog<Storage>
    var tracker: ProgressTracker
    var random: SplitMix64

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Target of a leadership transfer in progress.
    var transferee: Raft.NodeID = Raft.none
    /// Index of the latest configuration change proposed by this leader; a new one waits
    /// until it is applied.
    var pendingConfigurationIndex: Raft.Index = 0
    var readOnly = ReadOnlyQueue()
    /// Read requests that arrived before this leader committed an entry of its term.
    var pendingReadRequests: [Raft.Message] = []

    var outbox: [Raft.Message] = []
    var readStates: [Raft.ReadState] = []
    var previousHardState: Raft.HardState
    var previousSoftState: Raft.SoftState

    /// Starts from what `storage` holds (a new member: an empty log and the bootstrap
    /// configuration; a restarted one: its persisted state).
    public init(config: Raft.Config, storage: Storage) {
        id = config.id
        self.config = config
        let (hardState, configuration) = storage.initialState()
        log = RaftLog(storage: storage, committed: hardState.commit)
        tracker = ProgressTracker(configuration: configuration, maxInflight: config.maxInflightMessages)
        random = SplitMix64(seed: config.randomSeed ^ (config.id &* 0x9E37_79B9_7F4A_7C15))
        previousHardState = hardState
        previousSoftState = Raft.SoftState(leader: Raft.none, role: .follower)
        tracker.setVoters(configuration.voters, nextIndex: log.lastIndex + 1)
        becomeFollower(term: hardState.term, leader: Raft.none)
        vote = hardState.vote
    }

    // MARK: - Inspection

    public var hardState: Raft.HardState { Raft.HardState(term: term, vote: vote, commit: log.committed) }
    public var softState: Raft.SoftState { Raft.SoftState(leader: leader, role: role) }
    public var commitIndex: Raft.Index { log.committed }
    public var appliedIndex: Raft.Index { log.applied }
    public var lastIndex: Raft.Index { log.lastIndex }
    public var configuration: Raft.Configuration { tracker.configuration }
    /// Whether this node may campaign (it is a voter).
    public var isPromotable: Bool { tracker.voters.contains(id) }

    /// Term of a log entry, if still held.
    public func term(at index: Raft.Index) -> Raft.Term? { try? log.term(at: index) }

    // MARK: - Requests

    /// Advances logical time by one tick: election timeouts, heartbeats, check-quorum.
    public mutating func tick() {
        switch role {
        case .leader: tickLeader()
        default: tickElection()
        }
    }

    /// Starts an election now (as when the election timeout fires).
    public mutating func campaign() { hup(transfer: false) }

    /// Proposes an entry. On a follower it is forwarded to the known leader.
    public mutating func propose(_ data: [UInt8]) throws(Raft.RaftError) {
        try stepLocal(Raft.Message(type: .propose, from: id, entries: [Raft.Entry(term: 0, index: 0, data: data)]))
    }

    /// Proposes several entries in one step (one append to each follower): the batching a
    /// driver does when many clients write at once.
    public mutating func propose(batch: [[UInt8]]) throws(Raft.RaftError) {
        guard !batch.isEmpty else { return }
        try stepLocal(Raft.Message(type: .propose, from: id, entries: batch.map { Raft.Entry(term: 0, index: 0, data: $0) }))
    }

    /// Proposes a single-member configuration change; applied once committed and passed to
    /// `applyConfigurationChange`.
    public mutating func proposeConfigurationChange(_ change: Raft.ConfigurationChange) throws(Raft.RaftError) {
        let entry = Raft.Entry(term: 0, index: 0, kind: .configurationChange, data: change.encoded)
        try stepLocal(Raft.Message(type: .propose, from: id, entries: [entry]))
    }

    /// Requests a linearizable read; a `ReadState` with `context` appears in a later `Ready`.
    public mutating func readIndex(context: [UInt8]) throws(Raft.RaftError) {
        try stepLocal(Raft.Message(type: .readIndex, from: id, context: context))
    }

    /// Asks the leader to hand leadership to `target`.
    public mutating func transferLeadership(to target: Raft.NodeID) {
        try? stepLocal(Raft.Message(type: .transferLeader, from: target))
    }

    /// The driver could not deliver to `peer`: stop streaming to it and probe instead.
    public mutating func reportUnreachable(_ peer: Raft.NodeID) {
        guard role == .leader, tracker.progress[peer]?.state == .replicate else { return }
        tracker.progress[peer]?.becomeProbe()
    }

    /// Outcome of sending a snapshot to `peer`.
    public mutating func reportSnapshot(_ peer: Raft.NodeID, succeeded: Bool) {
        guard role == .leader, var p = tracker.progress[peer], p.state == .snapshot else { return }
        if !succeeded { p.pendingSnapshot = 0 }
        p.becomeProbe()
        // Wait for a heartbeat response before probing again.
        p.probeSent = true
        tracker.progress[peer] = p
    }

    /// Applies a committed configuration change; returns the new configuration.
    @discardableResult
    public mutating func applyConfigurationChange(_ change: Raft.ConfigurationChange) -> Raft.Configuration {
        var voters = tracker.voters
        switch change.kind {
        case .addNode: voters.insert(change.nodeID)
        case .removeNode: voters.remove(change.nodeID)
        }
        tracker.setVoters(voters, nextIndex: log.lastIndex + 1)
        if role == .leader {
            if !voters.contains(id) {
                // A removed leader steps down; the rest elect a new one.
                becomeFollower(term: term, leader: Raft.none)
            } else {
                if transferee != Raft.none, !voters.contains(transferee) { transferee = Raft.none }
                if maybeCommit() {
                    broadcastAppend()
                } else if change.kind == .addNode, change.nodeID != id {
                    // Start a new member's catch-up now rather than at the next heartbeat.
                    sendAppend(to: change.nodeID)
                }
            }
        }
        return tracker.configuration
    }

    // MARK: - Ready / advance

    /// True when `ready()` has work for the driver.
    public var hasReady: Bool {
        softState != previousSoftState || (hardState != previousHardState && hardState != Raft.HardState())
            || !log.unstable.isEmpty || log.unstableSnapshot != nil || !outbox.isEmpty || !readStates.isEmpty
            || log.hasNextCommittedEntries
    }

    /// Collects the work for the driver. Messages and read states are handed over once;
    /// call `advance` with the result after carrying it out.
    public mutating func ready() -> Raft.Ready {
        var rd = Raft.Ready()
        if softState != previousSoftState {
            rd.softState = softState
            previousSoftState = softState
        }
        let hs = hardState
        if hs != previousHardState {
            rd.hardState = hs
            previousHardState = hs
        }
        rd.entries = log.unstable
        rd.snapshot = log.unstableSnapshot
        rd.committedEntries = log.nextCommittedEntries(maxBytes: config.maxApplyBytes)
        if let last = rd.committedEntries.last { log.acceptApplying(last.index) }
        rd.messages = outbox
        outbox = []
        rd.readStates = readStates
        readStates = []
        return rd
    }

    /// The driver has persisted, sent and applied `ready`.
    public mutating func advance(_ ready: Raft.Ready) {
        if let snapshot = ready.snapshot {
            log.stableSnapshotTo(snapshot.metadata.index)
            log.appliedTo(snapshot.metadata.index)
        }
        if let last = ready.entries.last { log.stableTo(index: last.index, term: last.term) }
        if let last = ready.committedEntries.last { log.appliedTo(last.index) }
    }

    // MARK: - Role changes

    mutating func reset(term newTerm: Raft.Term) {
        if term != newTerm {
            term = newTerm
            vote = Raft.none
        }
        leader = Raft.none
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = config.electionTicks + Int(random.next(below: UInt64(config.electionTicks)))
        transferee = Raft.none
        tracker.resetVotes()
        let last = log.lastIndex
        for peer in tracker.progress.keys {
            var p = Progress(next: last + 1, maxInflight: config.maxInflightMessages)
            if peer == id { p.match = last }
            tracker.progress[peer] = p
        }
        pendingConfigurationIndex = 0
        readOnly = ReadOnlyQueue()
        pendingReadRequests = []
    }

    mutating func becomeFollower(term: Raft.Term, leader newLeader: Raft.NodeID) {
        reset(term: term)
        leader = newLeader
        role = .follower
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader, "leader cannot become pre-candidate")
        // Term and vote stay: a pre-vote changes nothing durable.
        tracker.resetVotes()
        leader = Raft.none
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        precondition(role != .leader, "leader cannot become candidate")
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    mutating func becomeLeader() {
        precondition(role == .candidate, "only a candidate becomes leader")
        reset(term: term)
        leader = id
        role = .leader
        tracker.progress[id]?.becomeReplicate()
        // Configuration changes in the uncommitted tail must apply before another is accepted.
        pendingConfigurationIndex = log.lastIndex
        // An empty entry of the new term lets earlier entries commit (§5.4.2).
        appendEntries([Raft.Entry(term: 0, index: 0)])
        broadcastAppend()
    }

    // MARK: - Ticks

    mutating func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            hup(transfer: false)
        }
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTicks {
            electionElapsed = 0
            if config.checkQuorum && !tracker.quorumActive(selfID: id) {
                becomeFollower(term: term, leader: Raft.none)
                return
            }
            // A transfer that did not finish within an election timeout is abandoned.
            transferee = Raft.none
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat(context: [])
        }
    }

    // MARK: - Sending

    mutating func send(_ message: Raft.Message) {
        var m = message
        // Forwarded requests keep their origin (a transfer request's `from` is its target).
        if m.from == Raft.none { m.from = id }
        // Vote requests and pre-vote traffic carry their own terms; the rest carry ours.
        switch m.type {
        case .vote, .preVote, .voteResponse, .preVoteResponse:
            break
        case .propose, .readIndex, .transferLeader:
            m.term = 0
        default:
            m.term = term
        }
        outbox.append(m)
    }
}

extension RaftNode {
    /// The leader's view of each member (`2: replicate match=5 next=6`), for traces and debugging.
    public var progressDescription: String {
        tracker.progress.sorted { $0.key < $1.key }.map { id, p in
            var s = "\(id): \(p.state) match=\(p.match) next=\(p.next)"
            if p.state == .snapshot { s += " pendingSnapshot=\(p.pendingSnapshot)" }
            if p.probeSent { s += " paused" }
            if p.inflights.count > 0 { s += " inflight=\(p.inflights.count)" }
            return s
        }.joined(separator: ", ")
    }
}
