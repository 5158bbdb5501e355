extension RaftNode {
    mutating func stepLeader(_ m: Raft.Message) throws(Raft.RaftError) {
        switch m.type {
        case .propose:
            try handleProposal(m)
        case .readIndex:
            handleReadIndex(m)
        case .transferLeader:
            handleTransfer(to: m.from)
        case .appendResponse:
            handleAppendResponse(m)
        case .heartbeatResponse:
            handleHeartbeatResponse(m)
        default:
            break
        }
    }

    private mutating func handleProposal(_ m: Raft.Message) throws(Raft.RaftError) {
        guard !m.entries.isEmpty else { return }
        // A removed leader or one handing over takes no new work.
        guard tracker.voters.contains(id), transferee == Raft.none else { throw .proposalDropped }
        var entries = m.entries
        for i in entries.indices where entries[i].kind == .configurationChange {
            if pendingConfigurationIndex > log.applied {
                if m.from == id { throw .configurationChangePending }
                entries[i] = Raft.Entry(term: 0, index: 0)  // keep the batch's shape; drop the change
            } else {
                pendingConfigurationIndex = log.lastIndex + Raft.Index(i) + 1
            }
        }
        appendEntries(entries)
        broadcastAppend()
    }

    /// Appends locally with this term and the next indexes; counts as our own acknowledgement.
    mutating func appendEntries(_ entries: [Raft.Entry]) {
        var last = log.lastIndex
        let stamped = entries.map { entry -> Raft.Entry in
            last += 1
            return Raft.Entry(term: term, index: last, kind: entry.kind, data: entry.data)
        }
        let lastIndex = log.append(stamped)
        _ = tracker.progress[id]?.maybeUpdate(lastIndex)
        _ = maybeCommit()
    }

    /// Advances commit to the highest index a quorum holds, if it is from this term.
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let index = tracker.committedIndex()
        guard index > log.committed else { return false }
        if config.mutation != .commitPreviousTermEntriesByCounting {
            guard log.matchTerm(index, term) else { return false }
        }
        log.commit(to: index)
        releasePendingReads()
        return true
    }

    // MARK: - Replication

    mutating func broadcastAppend() {
        for peer in tracker.progress.keys.sorted() where peer != id { sendAppend(to: peer) }
    }

    /// Sends entries (or a snapshot, when they are compacted) to `peer` unless it is paused.
    @discardableResult
    mutating func sendAppend(to peer: Raft.NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var p = tracker.progress[peer], !p.isPaused else { return false }
        defer { tracker.progress[peer] = p }
        let prevIndex = p.next - 1
        let prevTerm = try? log.term(at: prevIndex)
        let entries = try? log.entries(from: p.next, maxBytes: config.maxMessageBytes)
        if let entries, entries.isEmpty, !sendIfEmpty { return false }

        guard let prevTerm, let entries else {
            // The entries are compacted: send the snapshot, if the peer is alive.
            guard p.recentActive, let snapshot = try? log.snapshot(), !snapshot.isEmpty else { return false }
            p.becomeSnapshot(snapshot.metadata.index)
            send(Raft.Message(type: .snapshot, to: peer, snapshot: snapshot))
            return true
        }
        send(
            Raft.Message(
                type: .append, to: peer, logTerm: prevTerm, index: prevIndex, entries: entries, commit: log.committed))
        switch p.state {
        case .replicate:
            if let last = entries.last {
                p.next = last.index + 1
                p.inflights.add(last.index)
            }
        case .probe:
            p.probeSent = true
        case .snapshot:
            break
        }
        return true
    }

    private mutating func handleAppendResponse(_ m: Raft.Message) {
        guard var p = tracker.progress[m.from] else { return }
        p.recentActive = true
        if m.reject {
            var hint = m.rejectHint
            if m.logTerm > 0 {
                hint = log.findConflictByTerm(index: m.rejectHint, term: m.logTerm).0
            }
            if p.maybeDecrease(rejected: m.index, hint: hint) {
                if p.state == .replicate { p.becomeProbe() }
                tracker.progress[m.from] = p
                sendAppend(to: m.from)
            } else {
                tracker.progress[m.from] = p
            }
            return
        }
        let wasPaused = p.isPaused
        guard p.maybeUpdate(m.index) else {
            tracker.progress[m.from] = p
            return
        }
        switch p.state {
        case .probe:
            p.becomeReplicate()
        case .snapshot where p.match >= p.pendingSnapshot:
            p.becomeProbe()
            p.becomeReplicate()
        case .replicate:
            p.inflights.free(through: m.index)
        case .snapshot:
            break
        }
        tracker.progress[m.from] = p
        if maybeCommit() {
            broadcastAppend()
        } else if wasPaused {
            sendAppend(to: m.from)
        }
        // Keep the pipeline full.
        while sendAppend(to: m.from, sendIfEmpty: false) {}
        if m.from == transferee, tracker.progress[m.from]?.match == log.lastIndex {
            send(Raft.Message(type: .timeoutNow, to: m.from))
        }
    }

    private mutating func handleHeartbeatResponse(_ m: Raft.Message) {
        guard var p = tracker.progress[m.from] else { return }
        p.recentActive = true
        p.probeSent = false
        if p.state == .replicate, p.inflights.isFull { p.inflights.freeFirst() }
        tracker.progress[m.from] = p
        if p.match < log.lastIndex { sendAppend(to: m.from) }
        guard !m.context.isEmpty, tracker.voters.contains(m.from) else { return }
        let acks = readOnly.acknowledge(m.context, from: m.from)
        guard acks >= tracker.quorum else { return }
        for request in readOnly.release(through: m.context) {
            respondToRead(request.message, index: request.index)
        }
    }

    mutating func broadcastHeartbeat(context: [UInt8]) {
        for (peer, p) in tracker.progress.sorted(by: { $0.key < $1.key }) where peer != id {
            // Never tell a follower to commit past what it is known to hold.
            send(Raft.Message(type: .heartbeat, to: peer, commit: min(p.match, log.committed), context: context))
        }
    }

    // MARK: - Reads

    private mutating func handleReadIndex(_ m: Raft.Message) {
        if tracker.voters.count == 1 {
            respondToRead(m, index: log.committed)
            return
        }
        // Until an entry of this term commits, the commit index may be stale (§6.4).
        guard log.matchTerm(log.committed, term) else {
            pendingReadRequests.append(m)
            return
        }
        guard readOnly.add(m, index: log.committed) else { return }
        _ = readOnly.acknowledge(m.context, from: id)
        broadcastHeartbeat(context: m.context)
    }

    private mutating func releasePendingReads() {
        guard !pendingReadRequests.isEmpty, log.matchTerm(log.committed, term) else { return }
        let waiting = pendingReadRequests
        pendingReadRequests = []
        for m in waiting { handleReadIndex(m) }
    }

    private mutating func respondToRead(_ m: Raft.Message, index: Raft.Index) {
        if m.from == id || m.from == Raft.none {
            readStates.append(Raft.ReadState(index: index, context: m.context))
        } else {
            send(Raft.Message(type: .readIndexResponse, to: m.from, index: index, context: m.context))
        }
    }

    // MARK: - Leadership transfer

    private mutating func handleTransfer(to target: Raft.NodeID) {
        guard target != id, tracker.voters.contains(target), transferee != target else { return }
        transferee = target
        // The transfer must finish within an election timeout.
        electionElapsed = 0
        if tracker.progress[target]?.match == log.lastIndex {
            send(Raft.Message(type: .timeoutNow, to: target))
        } else {
            sendAppend(to: target)
        }
    }
}

/// Read-index requests waiting for a quorum of heartbeat acknowledgements, in arrival order.
struct ReadOnlyQueue: Sendable {
    struct Request: Sendable {
        var message: Raft.Message
        var index: Raft.Index
        var acks: Set<Raft.NodeID>
    }

    private var requests: [[UInt8]: Request] = [:]
    private var order: [[UInt8]] = []

    /// Queues a request; false if one with the same context is already waiting.
    mutating func add(_ m: Raft.Message, index: Raft.Index) -> Bool {
        guard requests[m.context] == nil else { return false }
        requests[m.context] = Request(message: m, index: index, acks: [])
        order.append(m.context)
        return true
    }

    /// Records an acknowledgement; returns how many members have acknowledged.
    mutating func acknowledge(_ context: [UInt8], from peer: Raft.NodeID) -> Int {
        guard requests[context] != nil else { return 0 }
        requests[context]?.acks.insert(peer)
        return requests[context]?.acks.count ?? 0
    }

    /// Removes and returns every request up to and including `context`.
    mutating func release(through context: [UInt8]) -> [Request] {
        guard let position = order.firstIndex(of: context) else { return [] }
        let released = order[...position].compactMap { requests[$0] }
        for c in order[...position] { requests[c] = nil }
        order.removeFirst(position + 1)
        return released
    }
}
