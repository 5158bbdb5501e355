/// The leader's view of one follower's log, and the flow control of appends to it.
///
/// - `probe`: one append in flight at a time, until the follower's position is found.
/// - `replicate`: appends stream optimistically, up to `maxInflight` unacknowledged.
/// - `snapshot`: a snapshot is in flight; nothing else is sent until it is reported.
struct Progress: Sendable, Hashable {
    enum State: Sendable, Hashable { case probe, replicate, snapshot }

    var match: Raft.Index = 0
    var next: Raft.Index
    var state: State = .probe
    /// Index of the snapshot in flight, in `snapshot` state.
    var pendingSnapshot: Raft.Index = 0
    /// Heard from since the last check-quorum round.
    var recentActive = false
    /// In `probe`: an append was sent and not answered yet.
    var probeSent = false
    var inflights: Inflights

    init(next: Raft.Index, maxInflight: Int) {
        self.next = next
        inflights = Inflights(capacity: maxInflight)
    }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            let pending = pendingSnapshot
            reset(.probe)
            next = max(match + 1, pending + 1)
        } else {
            reset(.probe)
            next = match + 1
        }
    }

    mutating func becomeReplicate() {
        reset(.replicate)
        next = match + 1
    }

    mutating func becomeSnapshot(_ index: Raft.Index) {
        reset(.snapshot)
        pendingSnapshot = index
    }

    private mutating func reset(_ state: State) {
        probeSent = false
        pendingSnapshot = 0
        self.state = state
        inflights.reset()
    }

    /// An acknowledgement up to `index`; returns true if it moved `match`.
    mutating func maybeUpdate(_ index: Raft.Index) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// A rejection of the append at `rejected`; `hint` is where to probe next. False if stale.
    mutating func maybeDecrease(rejected: Raft.Index, hint: Raft.Index) -> Bool {
        if state == .replicate {
            // Stale if it rejects an index already matched.
            guard rejected > match else { return false }
            next = match + 1
            return true
        }
        // In probe, only the rejection of the last probe counts.
        guard next - 1 == rejected else { return false }
        next = max(min(rejected, hint + 1), match + 1)
        probeSent = false
        return true
    }
}

/// A bounded FIFO of the last indexes of in-flight appends.
struct Inflights: Sendable, Hashable {
    private(set) var buffer: [Raft.Index] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var isFull: Bool { buffer.count >= capacity }
    var count: Int { buffer.count }

    mutating func add(_ index: Raft.Index) { buffer.append(index) }

    /// Frees every in-flight append whose last index is ≤ `index`.
    mutating func free(through index: Raft.Index) {
        let n = buffer.prefix { $0 <= index }.count
        if n > 0 { buffer.removeFirst(n) }
    }

    mutating func freeFirst() {
        if !buffer.isEmpty { buffer.removeFirst() }
    }

    mutating func reset() { buffer.removeAll(keepingCapacity: true) }
}

/// The configuration and every voter's progress; tallies votes and computes the commit index.
struct ProgressTracker: Sendable {
    private(set) var voters: Set<Raft.NodeID>
    var progress: [Raft.NodeID: Progress] = [:]
    private(set) var votes: [Raft.NodeID: Bool] = [:]
    let maxInflight: Int

    init(configuration: Raft.Configuration, maxInflight: Int) {
        voters = configuration.voters
        self.maxInflight = maxInflight
    }

    var configuration: Raft.Configuration { Raft.Configuration(voters: voters) }
    var quorum: Int { voters.count / 2 + 1 }

    mutating func setVoters(_ newVoters: Set<Raft.NodeID>, nextIndex: Raft.Index) {
        voters = newVoters
        for id in newVoters where progress[id] == nil {
            var p = Progress(next: nextIndex, maxInflight: maxInflight)
            // A newly added member counts as active, so check-quorum does not fire at once.
            p.recentActive = true
            progress[id] = p
        }
        for id in progress.keys where !newVoters.contains(id) { progress[id] = nil }
    }

    /// The highest index a quorum of voters has matched.
    func committedIndex() -> Raft.Index {
        guard !voters.isEmpty else { return 0 }
        let matches = voters.map { progress[$0]?.match ?? 0 }.sorted(by: >)
        return matches[quorum - 1]
    }

    mutating func resetVotes() { votes = [:] }

    mutating func recordVote(_ id: Raft.NodeID, granted: Bool) {
        if votes[id] == nil { votes[id] = granted }
    }

    enum VoteResult { case won, lost, pending }

    func tallyVotes() -> VoteResult {
        var granted = 0
        var rejected = 0
        for id in voters {
            switch votes[id] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        if granted >= quorum { return .won }
        if rejected > voters.count - quorum { return .lost }
        return .pending
    }

    /// True if a quorum (counting `selfID`) was active since the last call; resets activity.
    mutating func quorumActive(selfID: Raft.NodeID) -> Bool {
        var active = 0
        for id in voters {
            if id == selfID || progress[id]?.recentActive == true { active += 1 }
        }
        for id in progress.keys where id != selfID { progress[id]?.recentActive = false }
        return active >= quorum
    }
}
