extension Raft {
    /// Settings of one node. Timeouts are in ticks; the driver decides how long a tick is.
    public struct Config: Sendable {
        public var id: NodeID
        /// Ticks without hearing from a leader before campaigning (randomized in [t, 2t)).
        public var electionTicks: Int = 10
        /// Ticks between leader heartbeats; must be below `electionTicks`.
        public var heartbeatTicks: Int = 1
        /// Campaign in two phases so a partitioned node cannot disrupt a healthy leader.
        public var preVote = true
        /// Leaders step down without a quorum's contact for an election timeout; followers
        /// then refuse votes while they hear from a leader (leader lease).
        public var checkQuorum = true
        /// Upper bound of entry bytes in one append message.
        public var maxMessageBytes = 1 << 20
        /// Appends in flight per follower in `replicate` state.
        public var maxInflightMessages = 256
        /// Upper bound of committed-entry bytes handed out in one `Ready`.
        public var maxApplyBytes = 64 << 20
        /// Seed of this node's randomness (election timeouts).
        public var randomSeed: UInt64 = 0
        /// Testing only: break one safety rule on purpose so tests can prove the checkers see it.
        public var mutation: Mutation? = nil

        public init(id: NodeID) { self.id = id }
    }

    /// Deliberate protocol violations, to check that the simulator's checkers catch them.
    public enum Mutation: String, Sendable, CaseIterable {
        /// Count replicas of entries from earlier terms towards commit (Raft §5.4.2 forbids it).
        case commitPreviousTermEntriesByCounting
        /// Grant a vote to any candidate with an up-to-date log, even after voting this term.
        case grantTwoVotesPerTerm
    }
}

/// SplitMix64: a small deterministic generator, so a seed decides every random choice.
public struct SplitMix64: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `0..<bound` (bound > 0).
    public mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
