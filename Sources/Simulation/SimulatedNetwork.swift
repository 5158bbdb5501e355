import RaftCore

/// A message network under the simulator's control: every delivery time, loss, duplicate and
/// partition is decided by the seeded generator, so a seed replays exactly.
public struct SimulatedNetwork {
    struct InFlight {
        var deliverAt: UInt64
        var sequence: UInt64
        var message: Raft.Message
    }

    public var faults: FaultProfile
    private(set) var inFlight: [InFlight] = []
    private var sequence: UInt64 = 0
    /// Directed links that drop everything: (from, to).
    private(set) var blocked: Set<Link> = []

    struct Link: Hashable { var from: Raft.NodeID, to: Raft.NodeID }

    public init(faults: FaultProfile) { self.faults = faults }

    /// Snapshot messages lost on the way; the sender's transport reports them as failed,
    /// as a real one does when the stream breaks.
    private(set) var lostSnapshots: [Raft.Message] = []

    public mutating func takeLostSnapshots() -> [Raft.Message] {
        defer { lostSnapshots = [] }
        return lostSnapshots
    }

    /// Scripted scenarios: rewrites each message sent, or drops it by answering nil.
    var interceptor: (@Sendable (Raft.Message) -> Raft.Message?)?

    mutating func block(_ link: Link) { blocked.insert(link) }

    public mutating func send(_ original: Raft.Message, now: UInt64, rng: inout SplitMix64) {
        let intercepted = interceptor.map { $0(original) } ?? original
        guard let m = intercepted else { return }
        if blocked.contains(Link(from: m.from, to: m.to))
            || (faults.lossPercent > 0 && rng.next(below: 100) < faults.lossPercent)
        {
            if m.type == .snapshot { lostSnapshots.append(m) }
            return
        }
        let copies = faults.duplicatePercent > 0 && rng.next(below: 100) < faults.duplicatePercent ? 2 : 1
        for _ in 0..<copies {
            let delay = faults.minDelay + rng.next(below: faults.maxDelay - faults.minDelay + 1)
            sequence += 1
            inFlight.append(InFlight(deliverAt: now + delay, sequence: sequence, message: m))
        }
    }

    /// Messages due at or before `now`, in delivery-time order (ties by send order).
    public mutating func due(now: UInt64) -> [Raft.Message] {
        guard inFlight.contains(where: { $0.deliverAt <= now }) else { return [] }
        var ready = inFlight.filter { $0.deliverAt <= now }
        inFlight.removeAll { $0.deliverAt <= now }
        ready.sort { ($0.deliverAt, $0.sequence) < ($1.deliverAt, $1.sequence) }
        // A partition that formed after sending still drops the message.
        var delivered: [Raft.Message] = []
        for item in ready {
            if blocked.contains(Link(from: item.message.from, to: item.message.to)) {
                if item.message.type == .snapshot { lostSnapshots.append(item.message) }
            } else {
                delivered.append(item.message)
            }
        }
        return delivered
    }

    /// Cuts `group` off from everyone else, both ways (or only outbound when `oneWay`).
    public mutating func isolate(_ group: Set<Raft.NodeID>, from all: [Raft.NodeID], oneWay: Bool) {
        for a in group {
            for b in all where !group.contains(b) {
                blocked.insert(Link(from: a, to: b))
                if !oneWay { blocked.insert(Link(from: b, to: a)) }
            }
        }
    }

    public mutating func heal() { blocked = [] }

    /// Drops messages to a crashed node that are still in flight (its sockets are gone).
    public mutating func dropAll(to node: Raft.NodeID) {
        lostSnapshots += inFlight.filter { $0.message.to == node && $0.message.type == .snapshot }.map(\.message)
        inFlight.removeAll { $0.message.to == node }
    }

    public var isPartitioned: Bool { !blocked.isEmpty }
}

/// How hostile the simulated world is during the safety phase.
public struct FaultProfile: Sendable {
    /// Per-message delay range in milliseconds; a wide range reorders messages.
    public var minDelay: UInt64 = 1
    public var maxDelay: UInt64 = 20
    public var lossPercent: UInt64 = 5
    public var duplicatePercent: UInt64 = 2
    /// Chance per 1,000 ms-steps of crashing a random running node.
    public var crashPerMille: UInt64 = 3
    /// Chance per 1,000 ms-steps of a partition forming (or healing, if one exists).
    public var partitionPerMille: UInt64 = 4
    /// Milliseconds a crashed node stays down: `minDowntime` plus up to `downtimeSpread`.
    public var minDowntime: UInt64 = 50
    public var downtimeSpread: UInt64 = 450
    /// Chance that a crash or partition targets the current leader rather than a random node.
    public var leaderTargetPercent: UInt64 = 0
    /// Chance that a crash lands in the middle of a disk write, tearing it.
    public var tornWritePercent: UInt64 = 30

    public init() {}

    /// A calm network: no loss, duplication, crashes or partitions; short delays.
    public static let calm: FaultProfile = {
        var p = FaultProfile()
        p.minDelay = 1
        p.maxDelay = 5
        p.lossPercent = 0
        p.duplicatePercent = 0
        p.crashPerMille = 0
        p.partitionPerMille = 0
        p.tornWritePercent = 0
        p.leaderTargetPercent = 0
        return p
    }()
}
