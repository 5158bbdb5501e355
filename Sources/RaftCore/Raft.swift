/// Namespace for the Raft data types shared by the core, its drivers and the simulator.
///
/// Conventions: node ID 0 means "none"; log indexes start at 1 (index 0 is the empty log's
/// sentinel with term 0); terms start at 0 and only grow.
public enum Raft {
    public typealias NodeID = UInt64
    public typealias Term = UInt64
    public typealias Index = UInt64

    /// The ID meaning "no node" (no vote, no known leader).
    public static let none: NodeID = 0

    /// One log entry. `data` is opaque to Raft except for configuration changes.
    public struct Entry: Sendable, Hashable {
        public enum Kind: UInt8, Sendable { case normal = 0, configurationChange = 1 }
        public var term: Term
        public var index: Index
        public var kind: Kind
        public var data: [UInt8]

        public init(term: Term, index: Index, kind: Kind = .normal, data: [UInt8] = []) {
            self.term = term
            self.index = index
            self.kind = kind
            self.data = data
        }

        /// Bytes counted against size limits (payload plus a fixed header).
        var size: Int { data.count + 24 }
    }

    /// What must be durable before messages of the same `Ready` are sent.
    public struct HardState: Sendable, Hashable {
        public var term: Term
        public var vote: NodeID
        public var commit: Index
        public init(term: Term = 0, vote: NodeID = Raft.none, commit: Index = 0) {
            self.term = term
            self.vote = vote
            self.commit = commit
        }
    }

    /// The voting members of the cluster.
    public struct Configuration: Sendable, Hashable {
        public var voters: Set<NodeID>
        public init(voters: Set<NodeID> = []) { self.voters = voters }
    }

    public struct SnapshotMetadata: Sendable, Hashable {
        public var index: Index
        public var term: Term
        public var configuration: Configuration
        public init(index: Index = 0, term: Term = 0, configuration: Configuration = .init()) {
            self.index = index
            self.term = term
            self.configuration = configuration
        }
    }

    /// A point-in-time image of the application state up to `metadata.index`.
    public struct Snapshot: Sendable, Hashable {
        public var metadata: SnapshotMetadata
        public var data: [UInt8]
        public init(metadata: SnapshotMetadata = .init(), data: [UInt8] = []) {
            self.metadata = metadata
            self.data = data
        }
        public var isEmpty: Bool { metadata.index == 0 }
    }

    /// A single-member configuration change, carried in a `.configurationChange` entry.
    public struct ConfigurationChange: Sendable, Hashable {
        public enum Kind: UInt8, Sendable { case addNode = 0, removeNode = 1 }
        public var kind: Kind
        public var nodeID: NodeID
        /// Opaque to Raft: what the driver records about the member (name, addresses).
        public var context: [UInt8]
        public init(_ kind: Kind, _ nodeID: NodeID, context: [UInt8] = []) {
            self.kind = kind
            self.nodeID = nodeID
            self.context = context
        }

        /// 9 bytes: kind, then the node ID big-endian; then the context.
        public var encoded: [UInt8] {
            [kind.rawValue] + (0..<8).map { UInt8(truncatingIfNeeded: nodeID >> (56 - 8 * UInt64($0))) } + context
        }

        public init?(encoded bytes: [UInt8]) {
            guard bytes.count >= 9, let kind = Kind(rawValue: bytes[0]) else { return nil }
            self.kind = kind
            nodeID = bytes[1..<9].reduce(0) { $0 << 8 | UInt64($1) }
            context = Array(bytes[9...])
        }
    }

    /// The result of a linearizable read request: reads may be served once the state machine
    /// has applied `index`. `context` is the caller's request identifier.
    public struct ReadState: Sendable, Hashable {
        public var index: Index
        public var context: [UInt8]
    }

    public enum Role: Sendable, Hashable { case follower, preCandidate, candidate, leader }

    /// Volatile state worth reporting: who leads, and this node's role.
    public struct SoftState: Sendable, Hashable {
        public var leader: NodeID
        public var role: Role
    }

    /// Why a request was not accepted.
    public enum RaftError: Error, Sendable, Hashable {
        /// Not the leader and no leader known, a transfer is in progress, or the node was removed.
        case proposalDropped
        /// A configuration change is already pending.
        case configurationChangePending
        /// Storage cannot serve the entry (compacted or not yet available).
        case storage(StorageError)
    }

    public enum StorageError: Error, Sendable, Hashable {
        /// The index is before the first retained entry (covered by a snapshot).
        case compacted
        /// The index is after the last entry.
        case unavailable
        /// The snapshot is being built; try again later.
        case snapshotTemporarilyUnavailable
    }
}
