import RaftCore

/// A message network under the simulator's control: every delivery time, loss, duplicate and
/// partition is decided by the seeded generator, so a seed replays exactly.
struct SimulatedNetwork {
    struct InFlight {
        var deliverAt: UInt64
        var sequence: UInt64
        var message: Raft.Message
    }

    var faults: FaultProfile
    private(set) var inFlight: [InFlight] = []
    private var sequence: UInt64 = 0
    /// Directed links that drop everything: (from, to).
    private(set) var blocked: Set<Link> = []

    struct Link: Hashable { var from: Raft.NodeID, to: Raft.NodeID }

    init(faults: FaultProfile) { self.faults = faults }

    mutating func send(_ m: Raft.Message, now: UInt64, rng: inout SplitMix64) {
        if blocked.contains(Link(from: m.from, to: m.to)) { return }
        if faults.lossPercent > 0, rng.next(below: 100) < faults.lossPercent { return }
        let copies = faults.duplicatePercent > 0 && rng.next(below: 100) < faults.duplicatePercent ? 2 : 1
        for _ in 0..<copies {
            let delay = faults.minDelay + rng.next(below: faults.maxDelay - faults.minDelay + 1)
            sequence += 1
            inFlight.append(InFlight(deliverAt: now + delay, sequence: sequence, message: m))
        }
    }

    /// Messages due at or before `now`, in delivery-time order (ties by send order).
    mutating func due(now: UInt64) -> [Raft.Message] {
        guard inFlight.contains(where: { $0.deliverAt <= now }) else { return [] }
        var ready = inFlight.filter { $0.deliverAt <= now }
        inFlight.removeAll { $0.deliverAt <= now }
        ready.sort { ($0.deliverAt, $0.sequence) < ($1.deliverAt, $1.sequence) }
        // A partition that formed after sending still drops the message.
        return ready.map(\.message).filter { !blocked.contains(Link(from: $0.from, to: $0.to)) }
    }

    /// Cuts `group` off from everyone else, both ways (or only outbound when `oneWay`).
    mutating func isolate(_ group: Set<Raft.NodeID>, from all: [Raft.NodeID], oneWay: Bool) {
        for a in group {
            for b in all where !group.contains(b) {
                blocked.insert(Link(from: a, to: b))
                if !oneWay { blocked.insert(Link(from: b, to: a)) }
            }
        }
    }

    mutating func heal() { blocked = [] }

    /// Drops messages to a crashed node that are still in flight (its sockets are gone).
    mutating func dropAll(to node: Raft.NodeID) { inFlight.removeAll { $0.message.to == node } }

    var isPartitioned: Bool { !blocked.isEmpty }
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
        return p
    }()
}
