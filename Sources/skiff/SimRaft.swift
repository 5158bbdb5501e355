import ArgumentParser
import RaftCore
import Simulation

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deterministic fault simulations.", subcommands: [SimRaft.self])
}

/// `skiff sim raft`: runs seeded Raft clusters through faults, then checks they converge.
struct SimRaft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft",
        abstract: "Simulate Raft clusters under seeded faults; print violations with a replay command."
    )

    @Option(help: "Number of seeds to run, starting at --first-seed.")
    var seeds = 100

    @Option(help: "First seed of the campaign.")
    var firstSeed: UInt64 = 1

    @Option(help: "Replay exactly this one seed.")
    var seed: UInt64?

    @Option(help: "Cluster size; by default each seed picks 3 or 5.")
    var nodes: Int?

    @Option(help: "Testing only: break a protocol rule (\(Raft.Mutation.allCases.map(\.rawValue).joined(separator: ", "))).")
    var mutation: String?

    @Flag(help: "Print the event trace of a replayed seed.")
    var trace = false

    func run() throws {
        let broken = try mutation.map { name -> Raft.Mutation in
            guard let m = Raft.Mutation(rawValue: name) else { throw ValidationError("unknown mutation \(name)") }
            return m
        }
        if let seed {
            var options = SimulationCampaign.options(seed: seed, nodes: nodes, mutation: broken)
            options.recordTrace = trace
            let result = RaftSimulation(options: options).run()
            if trace { result.trace.forEach { print($0) } }
            print("seed \(seed): \(options.nodes) nodes, \(result.committedEntries) entries committed, \(result.acknowledgedWrites) writes acknowledged, \(result.servedReads) reads, \(result.crashes) crashes, \(result.elections) elections, trace digest \(String(result.traceDigest, radix: 16))")
            result.violations.forEach { print("VIOLATION: \($0)") }
            if !result.violations.isEmpty { throw ExitCode(1) }
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let summary = SimulationCampaign.run(seeds: firstSeed..<firstSeed + UInt64(seeds), nodes: nodes, mutation: broken)
        let elapsed = clock.now - start
        for failure in summary.failures.prefix(10) {
            print("seed \(failure.seed): \(failure.violations.first ?? "")")
            print("  replay: \(SimulationCampaign.replayCommand(seed: failure.seed, nodes: nodes, mutation: broken))")
        }
        print("\(summary.seeds) seeds, \(summary.failures.count) violations (\(summary.committedEntries) entries committed, \(summary.acknowledgedWrites) writes acknowledged, \(summary.servedReads) reads, \(summary.crashes) crashes, \(summary.elections) elections; \(elapsed))")
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}
