import ArgumentParser

/// `skiff`: the admin CLI (benchmarks today; local cluster and PKI commands as they land).
@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Skiff admin tool: benchmarks and, as they land, local cluster and PKI commands.",
        subcommands: [Bench.self, Sim.self, HollowNodes.self]
    )
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (run them in a release build).",
        subcommands: [CodecBench.self, RaftBench.self, SchedulerLoad.self, WatchLoad.self]
    )
}
