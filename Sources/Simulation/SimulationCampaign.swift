import RaftCore

/// Runs many seeds and summarises; what `skiff sim raft` and the test suite call.
public enum SimulationCampaign {
    public struct Summary: Sendable {
        public var seeds: Int = 0
        public var failures: [SimulationResult] = []
        public var committedEntries: UInt64 = 0
        public var acknowledgedWrites = 0
        public var servedReads = 0
        public var crashes = 0
        public var elections = 0
    }

    /// The options a seed implies: cluster size (3 or 5) and fault mix are drawn from it,
    /// so one number replays a run exactly.
    public static func options(seed: UInt64, nodes: Int? = nil, mutation: Raft.Mutation? = nil) -> SimulationOptions {
        var rng = SplitMix64(seed: seed ^ 0x5eed)
        var options = SimulationOptions(seed: seed)
        options.nodes = nodes ?? (rng.next(below: 2) == 0 ? 3 : 5)
        var faults = FaultProfile()
        faults.lossPercent = rng.next(below: 15)
        faults.duplicatePercent = rng.next(below: 5)
        faults.maxDelay = 5 + rng.next(below: 40)
        faults.crashPerMille = rng.next(below: 6)
        faults.partitionPerMille = rng.next(below: 8)
        faults.tornWritePercent = rng.next(below: 50)
        // One seed in three is a storm: frequent faults aimed at the leader, which is what
        // exposes commit-rule and election bugs (e.g. Figure 8 of the Raft paper).
        if rng.next(below: 3) == 0 {
            faults.crashPerMille = 30 + rng.next(below: 40)
            faults.partitionPerMille = 10 + rng.next(below: 20)
            faults.leaderTargetPercent = 50 + rng.next(below: 50)
            faults.minDowntime = 5
            faults.downtimeSpread = 100
        }
        options.faults = faults
        options.snapshotInterval = 20 + rng.next(below: 60)
        options.maxMessageBytes = [64, 256, 4096][Int(rng.next(below: 3))]
        options.maxInflightMessages = [1, 4, 16][Int(rng.next(below: 3))]
        options.mutation = mutation
        return options
    }

    public static func run(
        seeds: some Sequence<UInt64>, nodes: Int? = nil, mutation: Raft.Mutation? = nil,
        safetyMilliseconds: UInt64? = nil, stopAtFirstFailure: Bool = false
    ) -> Summary {
        var summary = Summary()
        for seed in seeds {
            var options = options(seed: seed, nodes: nodes, mutation: mutation)
            if let safetyMilliseconds { options.safetyMilliseconds = safetyMilliseconds }
            let result = RaftSimulation(options: options).run()
            summary.seeds += 1
            summary.committedEntries += result.committedEntries
            summary.acknowledgedWrites += result.acknowledgedWrites
            summary.servedReads += result.servedReads
            summary.crashes += result.crashes
            summary.elections += result.elections
            if !result.violations.isEmpty {
                summary.failures.append(result)
                if stopAtFirstFailure { break }
            }
        }
        return summary
    }

    /// The one command that replays `seed` exactly.
    public static func replayCommand(seed: UInt64, nodes: Int?, mutation: Raft.Mutation?) -> String {
        var command = "swift run -c release skiff sim raft --seed \(seed)"
        if let nodes { command += " --nodes \(nodes)" }
        if let mutation { command += " --mutation \(mutation.rawValue)" }
        return command + " --trace"
    }
}
