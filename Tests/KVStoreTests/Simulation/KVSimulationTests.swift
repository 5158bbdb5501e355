import Simulation
import Testing

/// The MVCC apply layer under the simulator: many seeds, each a different schedule of
/// faults; a failure names its seed so it can be replayed.
struct KVSimulationTests {
    @Test(arguments: 0..<8)
    func linearizableAndGapFreeWatches(batch: Int) {
        var operations = 0, completed = 0, crashes = 0, watched = 0, leases = 0, expired = 0
        for seed in UInt64(batch * 10)..<UInt64(batch * 10 + 10) {
            let simulation = KVClusterSimulation(options: .init(seed: seed))
            let violations = simulation.run()
            #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(3).joined(separator: "; "))")
            operations += simulation.history.count
            completed += simulation.history.filter { $0.returned != nil }.count
            crashes += simulation.crashes
            watched += simulation.watchers.map(\.seen.count).reduce(0, +)
            leases += simulation.leases.count
            expired += simulation.leasesExpired
        }
        // The runs are not vacuous: many operations, most answered, crashes, watch traffic.
        #expect(operations > 1000 && completed > operations / 2 && crashes > 10 && watched > 1000 && leases > 20 && expired > 5,
                "\(operations) operations, \(completed) answered, \(crashes) crashes, \(watched) revisions watched, \(leases) leases, \(expired) expired")
    }

    /// The checker is not vacuous here: a cluster that serves reads without ReadIndex
    /// (a stale follower answering) must be caught on some seed.
    @Test func staleReadsAreCaught() {
        var caught = false
        for seed in UInt64(0)..<40 where !caught {
            var options = KVClusterSimulation.Options(seed: seed)
            options.faults.partitionPerMille = 20
            let simulation = KVClusterSimulation(options: options)
            simulation.staleReads = true
            caught = simulation.run().contains { $0.hasPrefix("not linearizable") }
        }
        #expect(caught)
    }
}
