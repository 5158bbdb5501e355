import RaftCore
import Simulation
import Testing

/// Figure 8 of the Raft paper, scripted: a leader must not commit an entry of an earlier term
/// by counting replicas. With the rule broken on purpose the checker must see the damage (a
/// committed entry overwritten); with the rule intact nothing is wrong.
struct FigureEightTests {
    static let x: [UInt8] = Array("x".utf8)

    static func run(mutation: Raft.Mutation?) -> (RaftSimulation, [String]) {
        var options = SimulationOptions(seed: 8)
        options.nodes = 5
        options.clients = 0
        options.faults = .calm
        options.maxMessageBytes = 1  // one entry per append, so old and new entries travel apart
        options.maxInflightMessages = 1
        options.snapshotInterval = 1_000
        options.mutation = mutation
        let sim = RaftSimulation(options: options)
        var notes: [String] = []
        func expectLeader(_ id: Raft.NodeID, _ step: String) {
            if sim.role(of: id) != .leader {
                let state = (UInt64(1)...5).map { "\($0):\(sim.role(of: $0).map { "\($0)" } ?? "down")/t\(sim.term(of: $0) ?? 0)/last\(sim.lastIndex(of: $0) ?? 0)" }
                notes.append("\(step): expected \(id) to lead; \(state.joined(separator: " "))")
            }
        }

        // (a) S1 leads; X reaches only S2.
        sim.allowOnly([(1, 2), (1, 3), (1, 4), (1, 5)])
        sim.advance(milliseconds: 400)
        sim.healAll()
        sim.advance(milliseconds: 50)
        guard let leader = (1...5).first(where: { sim.role(of: $0) == .leader }) else {
            return (sim, ["no first leader"])
        }
        if leader != 1 { return (sim, ["first leader is \(leader), not 1"]) }
        sim.allowOnly([(1, 2)])
        sim.propose(at: 1, x)
        sim.advance(milliseconds: 30)
        let xIndex = sim.lastIndex(of: 1) ?? 0
        let xTerm = sim.term(of: 1) ?? 0
        // (b) S1 crashes; S5 wins with S3 and S4 but its own entry never leaves it.
        sim.crash(1)
        sim.allowOnly([(5, 3), (5, 4)])
        sim.intercept { m in m.from == 5 && m.type == .append && !m.entries.isEmpty ? nil : m }
        sim.advance(milliseconds: 600)
        expectLeader(5, "(b)")
        if sim.lastIndex(of: 5) != xIndex { notes.append("(b) S5's entry is not at X's index") }
        sim.crash(5)
        // (c) S1 returns and wins with S2, S3, S4; only entries older than its term get out.
        sim.restart(1)
        sim.allowOnly([(1, 2), (1, 3), (1, 4)])
        sim.intercept { m in
            // Entries of S1's new term never leave it; older ones do.
            guard m.from == 1, m.type == .append else { return m }
            var trimmed = m
            trimmed.entries = Array(m.entries.prefix { $0.term <= xTerm })
            return trimmed
        }
        sim.advance(milliseconds: 600)
        expectLeader(1, "(c)")
        // (d) S1 crashes; S5 returns and wins, overwriting X everywhere.
        sim.crash(1)
        sim.intercept(nil)
        sim.restart(5)
        sim.allowOnly([(5, 2), (5, 3), (5, 4)])
        sim.advance(milliseconds: 800)
        expectLeader(5, "(d)")
        return (sim, notes)
    }

    @Test func commitRuleHolds() {
        let (sim, notes) = Self.run(mutation: nil)
        #expect(notes.isEmpty, "\(notes)")
        #expect(sim.violations.isEmpty, "\(sim.violations)")
    }

    @Test func brokenCommitRuleIsCaught() {
        let (sim, notes) = Self.run(mutation: .commitPreviousTermEntriesByCounting)
        #expect(notes.isEmpty, "\(notes)")
        #expect(sim.violations.contains { $0.contains("applied a different entry") }, "\(sim.violations)")
    }
}
