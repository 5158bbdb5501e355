extension RaftNode {
    /// Handles a message from a peer. Messages from stale terms are answered or dropped;
    /// a newer term makes this node a follower first (except for pre-votes, which change
    /// nothing durable).
    public mutating func step(_ m: Raft.Message) {
        guard m.from != id, m.from != Raft.none else { return }
        if m.type == .propose || m.type == .readIndex || m.type == .transferLeader {
            // Forwarded requests carry no term.
            try? stepByRole(m)
            return
        }
        if m.term > term {
            if m.type.isVoteRequest {
                let forced = m.context == Raft.campaignTransfer
                let inLease = config.checkQuorum && leader != Raft.none && electionElapsed < config.electionTicks
                // A member that hears from a live leader ignores disruptive candidates.
                if !forced && inLease { return }
            }
            switch m.type {
            case .preVote:
                break  // answered below without changing term
            case .preVoteResponse where !m.reject:
                break  // our term moves only when the pre-vote wins
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: m.term, leader: m.from)
            default:
                becomeFollower(term: m.term, leader: Raft.none)
            }
        } else if m.term < term {
            if (config.checkQuorum || config.preVote) && (m.type == .heartbeat || m.type == .append) {
                // Tell a deposed leader about the newer term so it steps down.
                send(Raft.Message(type: .appendResponse, to: m.from))
            } else if m.type == .preVote {
                send(Raft.Message(type: .preVoteResponse, to: m.from, term: term, reject: true))
            }
            return
        }

        switch m.type {
        case .vote, .preVote:
            handleVoteRequest(m)
        default:
            try? stepByRole(m)
        }
    }

    /// A local request (`propose`, `readIndex`, `transferLeader`), reporting drops.
    mutating func stepLocal(_ m: Raft.Message) throws(Raft.RaftError) {
        try stepByRole(m)
    }

    mutating func stepByRole(_ m: Raft.Message) throws(Raft.RaftError) {
        switch role {
        case .leader: try stepLeader(m)
        case .candidate, .preCandidate: try stepCandidate(m)
        case .follower: try stepFollower(m)
        }
    }

    // MARK: - Elections

    mutating func hup(transfer: Bool) {
        guard role != .leader, isPromotable else { return }
        // Wait until configuration changes already committed are applied.
        if hasUnappliedConfigurationChange() { return }
        if config.preVote && !transfer {
            campaign(preVote: true, transfer: false)
        } else {
            campaign(preVote: false, transfer: transfer)
        }
    }

    private func hasUnappliedConfigurationChange() -> Bool {
        guard log.committed > log.applied else { return false }
        let pending = (try? log.slice(log.applied + 1, log.committed + 1, maxBytes: .max)) ?? []
        return pending.contains { $0.kind == .configurationChange }
    }

    mutating func campaign(preVote: Bool, transfer: Bool) {
        let voteTerm: Raft.Term
        let type: Raft.MessageType
        if preVote {
            becomePreCandidate()
            voteTerm = term + 1
            type = .preVote
        } else {
            becomeCandidate()
            voteTerm = term
            type = .vote
        }
        tracker.recordVote(id, granted: true)
        if tracker.tallyVotes() == .won {
            // A single-member cluster wins at once.
            if preVote { campaign(preVote: false, transfer: transfer) } else { becomeLeader() }
            return
        }
        for peer in tracker.voters.sorted() where peer != id {
            send(
                Raft.Message(
                    type: type, to: peer, term: voteTerm, logTerm: log.lastTerm, index: log.lastIndex,
                    context: transfer ? Raft.campaignTransfer : []))
        }
    }

    mutating func handleVoteRequest(_ m: Raft.Message) {
        let responseType: Raft.MessageType = m.type == .vote ? .voteResponse : .preVoteResponse
        var canVote =
            vote == m.from
            || (vote == Raft.none && leader == Raft.none)
            || (m.type == .preVote && m.term > term)
        if config.mutation == .grantTwoVotesPerTerm { canVote = true }
        if canVote && log.isUpToDate(index: m.index, term: m.logTerm) {
            // Grants carry the requested term so the candidate counts them.
            send(Raft.Message(type: responseType, to: m.from, term: m.term))
            if m.type == .vote {
                electionElapsed = 0
                vote = m.from
            }
        } else {
            send(Raft.Message(type: responseType, to: m.from, term: term, reject: true))
        }
    }

    // MARK: - Candidate

    mutating func stepCandidate(_ m: Raft.Message) throws(Raft.RaftError) {
        switch m.type {
        case .propose, .readIndex:
            throw .proposalDropped
        case .append:
            becomeFollower(term: m.term, leader: m.from)
            handleAppend(m)
        case .heartbeat:
            becomeFollower(term: m.term, leader: m.from)
            handleHeartbeat(m)
        case .snapshot:
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m)
        case .voteResponse where role == .candidate, .preVoteResponse where role == .preCandidate:
            tracker.recordVote(m.from, granted: !m.reject)
            switch tracker.tallyVotes() {
            case .won:
                if role == .preCandidate {
                    campaign(preVote: false, transfer: false)
                } else {
                    becomeLeader()
                }
            case .lost:
                becomeFollower(term: term, leader: Raft.none)
            case .pending:
                break
            }
        default:
            break
        }
    }

    // MARK: - Follower

    mutating func stepFollower(_ m: Raft.Message) throws(Raft.RaftError) {
        switch m.type {
        case .propose, .readIndex, .transferLeader:
            guard leader != Raft.none else { throw .proposalDropped }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .append:
            electionElapsed = 0
            leader = m.from
            handleAppend(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            handleHeartbeat(m)
        case .snapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .timeoutNow:
            hup(transfer: true)
        case .readIndexResponse:
            readStates.append(Raft.ReadState(index: m.index, context: m.context))
        default:
            break
        }
    }

    mutating func handleAppend(_ m: Raft.Message) {
        if m.index < log.committed {
            send(Raft.Message(type: .appendResponse, to: m.from, index: log.committed))
            return
        }
        if let lastNew = log.maybeAppend(index: m.index, logTerm: m.logTerm, commit: m.commit, entries: m.entries) {
            send(Raft.Message(type: .appendResponse, to: m.from, index: lastNew))
        } else {
            // Point the leader at where our logs may agree, skipping a whole term at a time.
            let (hintIndex, hintTerm) = log.findConflictByTerm(index: min(m.index, log.lastIndex), term: m.logTerm)
            send(
                Raft.Message(
                    type: .appendResponse, to: m.from, logTerm: hintTerm, index: m.index, reject: true,
                    rejectHint: hintIndex))
        }
    }

    mutating func handleHeartbeat(_ m: Raft.Message) {
        log.commit(to: min(m.commit, log.lastIndex))
        send(Raft.Message(type: .heartbeatResponse, to: m.from, context: m.context))
    }

    mutating func handleSnapshot(_ m: Raft.Message) {
        guard let snapshot = m.snapshot else { return }
        if restore(snapshot) {
            send(Raft.Message(type: .appendResponse, to: m.from, index: log.lastIndex))
        } else {
            send(Raft.Message(type: .appendResponse, to: m.from, index: log.committed))
        }
    }

    /// Installs a leader's snapshot unless the log already covers it.
    mutating func restore(_ snapshot: Raft.Snapshot) -> Bool {
        let meta = snapshot.metadata
        guard meta.index > log.committed else { return false }
        if log.matchTerm(meta.index, meta.term) {
            // Our log already has it: just move commit forward.
            log.commit(to: meta.index)
            return false
        }
        log.restore(snapshot)
        tracker.setVoters(meta.configuration.voters, nextIndex: log.lastIndex + 1)
        return true
    }
}
