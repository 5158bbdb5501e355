extension Raft {
    public enum MessageType: UInt8, Sendable, Hashable, CaseIterable {
        /// Client proposal forwarded to the leader.
        case propose
        case append, appendResponse
        case vote, voteResponse
        case preVote, preVoteResponse
        case heartbeat, heartbeatResponse
        case snapshot
        /// Leader → transfer target: start an election now.
        case timeoutNow
        /// A follower asks the leader to transfer to the sender.
        case transferLeader
        case readIndex, readIndexResponse

        var isVoteRequest: Bool { self == .vote || self == .preVote }
        var isResponse: Bool {
            switch self {
            case .appendResponse, .voteResponse, .preVoteResponse, .heartbeatResponse, .readIndexResponse: true
            default: false
            }
        }
    }

    /// A message between members. Fields unused by a type are zero/empty.
    public struct Message: Sendable, Hashable {
        public var type: MessageType
        public var to: NodeID
        public var from: NodeID
        public var term: Term
        /// append: term of the entry before `entries`; vote: candidate's last term;
        /// rejected appendResponse: term hint for fast back-off.
        public var logTerm: Term
        /// append: index before `entries`; vote: candidate's last index; appendResponse: the
        /// follower's last matching index (or the rejected index); readIndexResponse: read index.
        public var index: Index
        public var entries: [Entry]
        public var commit: Index
        public var snapshot: Snapshot?
        public var reject: Bool
        /// Rejected appendResponse: the follower's hint for the next probe.
        public var rejectHint: Index
        /// Read-index request id, or `campaignTransfer` for a vote forced by leadership transfer.
        public var context: [UInt8]

        public init(
            type: MessageType, to: NodeID = Raft.none, from: NodeID = Raft.none, term: Term = 0, logTerm: Term = 0,
            index: Index = 0, entries: [Entry] = [], commit: Index = 0, snapshot: Snapshot? = nil,
            reject: Bool = false, rejectHint: Index = 0, context: [UInt8] = []
        ) {
            self.type = type
            self.to = to
            self.from = from
            self.term = term
            self.logTerm = logTerm
            self.index = index
            self.entries = entries
            self.commit = commit
            self.snapshot = snapshot
            self.reject = reject
            self.rejectHint = rejectHint
            self.context = context
        }
    }

    /// Context of a vote request sent because of a leadership transfer: it bypasses the
    /// check-quorum lease of the voters.
    static let campaignTransfer: [UInt8] = Array("CampaignTransfer".utf8)
}

extension Raft.Message: CustomStringConvertible {
    public var description: String {
        var s = "\(from)->\(to) \(type) term=\(term)"
        switch type {
        case .append:
            s += " log=\(logTerm)/\(index) commit=\(commit)"
            if !entries.isEmpty { s += " entries=[\(entries.map { "\($0.term)/\($0.index)" }.joined(separator: " "))]" }
        case .appendResponse:
            s += reject ? " reject index=\(index) hint=\(rejectHint)/\(logTerm)" : " index=\(index)"
        case .vote, .preVote:
            s += " last=\(logTerm)/\(index)" + (context == Raft.campaignTransfer ? " transfer" : "")
        case .voteResponse, .preVoteResponse:
            s += reject ? " rejected" : " granted"
        case .heartbeat:
            s += " commit=\(commit)"
        case .snapshot:
            if let snapshot { s += " snapshot=\(snapshot.metadata.term)/\(snapshot.metadata.index)" }
        case .readIndexResponse:
            s += " index=\(index)"
        case .propose:
            s += " entries=\(entries.count)"
        default:
            break
        }
        return s
    }
}
