import RaftCore

/// Options of one simulated run. One seed decides every fault and every random choice.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var nodes = 3
    /// Simulated milliseconds of the safety phase (faults on).
    public var safetyMilliseconds: UInt64 = 2_000
    /// Bound on the liveness phase (faults off): the cluster must converge within it.
    public var livenessMilliseconds: UInt64 = 5_000
    public var faults = FaultProfile()
    public var clients = 3
    /// Take a snapshot (and compact the log) after this many applied entries.
    public var snapshotInterval: UInt64 = 40
    /// Flow control: bytes per append message and appends in flight per follower. Small
    /// values split a catching-up follower's log over many messages.
    public var maxMessageBytes = 4096
    public var maxInflightMessages = 16
    /// Testing only: the protocol rule to break on purpose.
    public var mutation: Raft.Mutation?
    /// Keep a readable trace of every event (for replays).
    public var recordTrace = false

    public init(seed: UInt64) { self.seed = seed }
}

/// The outcome of one run.
public struct SimulationResult: Sendable {
    public var seed: UInt64
    public var violations: [String]
    /// Order-sensitive digest of every event: equal digests mean identical runs.
    public var traceDigest: UInt64
    public var trace: [String]
    public var committedEntries: UInt64
    public var acknowledgedWrites: Int
    public var servedReads: Int
    public var crashes: Int
    public var elections: Int
}

/// A deterministic cluster of `RaftNode`s over a simulated clock, network and disks.
///
/// Time advances in 1 ms steps; each node ticks every 10 ms (heartbeat 1 tick, election
/// timeout 10–20 ticks). The safety phase runs with the fault profile; the liveness phase
/// heals everything and requires a leader, a committed write and equal state on every node.
public final class RaftSimulation {
    let options: SimulationOptions
    var rng: SplitMix64
    var network: SimulatedNetwork
    var nodes: [SimNode] = []
    var checker = SafetyChecker()
    var clients: [SimulatedClient] = []
    var now: UInt64 = 0
    var trace: [String] = []
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var stats = (acknowledged: 0, reads: 0, crashes: 0, elections: 0)
    /// Payload of every applied index (for the final acknowledged-writes check).
    var payloads: [Raft.Index: [UInt8]] = [:]
    var clientsStopped = false

    public init(options: SimulationOptions) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        network = SimulatedNetwork(faults: options.faults)
        let ids = (1...UInt64(options.nodes))
        for id in ids {
            let node = SimNode(id: id, voters: Set(ids), tickPhase: rng.next(below: 10))
            node.raft = RaftNode(config: raftConfig(id: id, incarnation: 0), storage: node.storage)
            nodes.append(node)
        }
        clients = (0..<options.clients).map { SimulatedClient(id: $0) }
    }

    func raftConfig(id: Raft.NodeID, incarnation: UInt64) -> Raft.Config {
        var config = Raft.Config(id: id)
        config.electionTicks = 10
        config.heartbeatTicks = 1
        config.maxMessageBytes = options.maxMessageBytes
        config.maxInflightMessages = options.maxInflightMessages
        config.randomSeed = options.seed &+ incarnation &* 7919
        config.mutation = options.mutation
        return config
    }

    /// Runs the safety phase, then the liveness phase, then the final checks.
    public func run() -> SimulationResult {
        while now < options.safetyMilliseconds, checker.violations.isEmpty {
            step(faults: true)
        }
        if checker.violations.isEmpty { runLiveness() }
        checker.checkAcknowledged { self.payloads[$0] }
        return SimulationResult(
            seed: options.seed, violations: checker.violations, traceDigest: digest, trace: trace,
            committedEntries: checker.historyEnd, acknowledgedWrites: stats.acknowledged, servedReads: stats.reads,
            crashes: stats.crashes, elections: stats.elections)
    }

    // MARK: - Liveness

    private func runLiveness() {
        record("liveness: heal, restart, calm network")
        network.heal()
        network.faults = .calm
        clientsStopped = true
        for node in nodes where !node.isUp { restart(node) }
        let deadline = now + options.livenessMilliseconds
        var probe: [UInt8]?
        var probeDeadline: UInt64 = 0
        var attempt = 0
        while now < deadline, checker.violations.isEmpty {
            step(faults: false)
            guard let leader = nodes.first(where: { $0.raft?.role == .leader }), var raft = leader.raft else { continue }
            let probeApplied = probe.map { p in payloads.values.contains(p) } ?? false
            if !probeApplied && now >= probeDeadline {
                // (Re)propose the probe: a leader may lose an accepted proposal when deposed.
                attempt += 1
                let payload = Array("liveness-\(options.seed)-\(attempt)".utf8)
                if (try? raft.propose(payload)) != nil {
                    leader.raft = raft
                    probe = payload
                    probeDeadline = now + 500
                    process(leader)
                }
                continue
            }
            guard probeApplied else { continue }
            let target = raft.lastIndex
            let converged = nodes.allSatisfy { $0.appliedIndex >= target && $0.raft?.commitIndex == raft.commitIndex }
            if converged && raft.commitIndex == target {
                let digests = Set(nodes.map(\.digest))
                if digests.count != 1 { checker.fail("liveness: nodes converged to different states") }
                return
            }
        }
        if checker.violations.isEmpty {
            let state = nodes.map { "\($0.id):\($0.raft.map { "\($0.role)/t\($0.term)/c\($0.commitIndex)" + ($0.role == .leader ? " [\($0.progressDescription)]" : "") } ?? "down")/a\($0.appliedIndex)" }
            checker.fail("liveness: no convergence within \(options.livenessMilliseconds) ms after healing (\(state.joined(separator: " ")))")
        }
    }

    // MARK: - One millisecond

    func step(faults: Bool) {
        now += 1
        for m in network.due(now: now) {
            guard let node = nodes.first(where: { $0.id == m.to }), var raft = node.raft else {
                // Nobody listens on a crashed node: the sender's transport sees the failure.
                if m.type == .snapshot { reportSnapshot(m, succeeded: false) }
                continue
            }
            recordMessage(m)
            raft.step(m)
            node.raft = raft
            process(node)
            if m.type == .snapshot { reportSnapshot(m, succeeded: true) }
        }
        for m in network.takeLostSnapshots() { reportSnapshot(m, succeeded: false) }
        for node in nodes where node.isUp && (now + node.tickPhase) % 10 == 0 {
            node.raft!.tick()
            process(node)
        }
        if faults { injectFaults() }
        for node in nodes where !node.isUp {
            if let at = node.restartAt, at <= now { restart(node) }
        }
        for i in clients.indices { driveClient(i) }
        if now % 50 == 0 { checker.checkLogMatching(nodes, now: now) }
    }

    /// Tells the sender how its snapshot transfer ended.
    private func reportSnapshot(_ m: Raft.Message, succeeded: Bool) {
        guard let sender = nodes.first(where: { $0.id == m.from }), var raft = sender.raft else { return }
        raft.reportSnapshot(m.to, succeeded: succeeded)
        sender.raft = raft
        record("snapshot \(m.from)->\(m.to) \(succeeded ? "delivered" : "lost")")
        process(sender)
    }

    private func injectFaults() {
        let f = network.faults
        if f.crashPerMille > 0, rng.next(below: 1000) < f.crashPerMille {
            let up = nodes.filter(\.isUp)
            // Keep at least one node running so the safety phase has something to check.
            if up.count > 1 {
                var victim = up[Int(rng.next(below: UInt64(up.count)))]
                if rng.next(below: 100) < f.leaderTargetPercent, let leader = up.first(where: { $0.raft?.role == .leader }) {
                    victim = leader
                }
                if rng.next(below: 100) < f.tornWritePercent {
                    victim.crashDuringNextWrite = true
                    record("arm torn write on \(victim.id)")
                } else {
                    crash(victim)
                }
            }
        }
        if f.partitionPerMille > 0, rng.next(below: 1000) < f.partitionPerMille {
            if network.isPartitioned {
                network.heal()
                record("heal")
            } else {
                let ids = nodes.map(\.id)
                let size = 1 + Int(rng.next(below: UInt64(max(1, ids.count / 2))))
                var group: Set<Raft.NodeID> = []
                if rng.next(below: 100) < f.leaderTargetPercent, let leader = nodes.first(where: { $0.raft?.role == .leader }) {
                    group.insert(leader.id)
                }
                while group.count < size { group.insert(ids[Int(rng.next(below: UInt64(ids.count)))]) }
                let oneWay = rng.next(below: 4) == 0
                network.isolate(group, from: ids, oneWay: oneWay)
                record("partition \(group.sorted()) oneWay=\(oneWay)")
            }
        }
    }

    func crash(_ node: SimNode) {
        node.raft = nil
        node.crashDuringNextWrite = false
        node.pendingReads = []
        node.restartAt = now + network.faults.minDowntime + rng.next(below: network.faults.downtimeSpread)
        network.dropAll(to: node.id)
        stats.crashes += 1
        record("crash \(node.id)")
    }

    func restart(_ node: SimNode) {
        node.incarnation += 1
        node.restartAt = nil
        node.commitSeen = 0
        node.lastRole = .follower
        // The state machine restarts from the snapshot on disk and replays the log.
        let snapshot = node.storage.snapshotValue
        if let (index, digest) = SimNode.decodeSnapshot(snapshot.data) {
            node.appliedIndex = index
            node.digest = digest
        } else {
            node.appliedIndex = 0
            node.digest = 0
        }
        node.raft = RaftNode(config: raftConfig(id: node.id, incarnation: node.incarnation), storage: node.storage)
        record("restart \(node.id)")
    }

    // MARK: - The driver loop of one node

    /// Carries out every `Ready` of `node`: persist, send, apply, advance.
    func process(_ node: SimNode) {
        while var raft = node.raft, raft.hasReady {
            let rd = raft.ready()
            if let soft = rd.softState, soft.role != node.lastRole {
                if soft.role == .leader { stats.elections += 1 }
                node.lastRole = soft.role
                record("node \(node.id) is \(soft.role) in term \(raft.term)")
            }
            checker.observeRole(node: node, raft: raft, now: now)
            checker.observeCommit(node: node, raft: raft, now: now)

            // 1. Persist (a crash here may tear the write: only a prefix of entries lands).
            if node.crashDuringNextWrite, !rd.entries.isEmpty {
                let kept = Int(rng.next(below: UInt64(rd.entries.count)))
                if let s = rd.snapshot { node.storage.applySnapshot(s) }
                node.storage.append(Array(rd.entries.prefix(kept)))
                record("torn write on \(node.id): \(kept) of \(rd.entries.count) entries")
                crash(node)
                return
            }
            if let s = rd.snapshot { node.storage.applySnapshot(s) }
            node.storage.append(rd.entries)
            if let hs = rd.hardState {
                node.storage.setHardState(hs)
                checker.observePersistedHardState(node: node.id, hs, now: now)
            }
            // 2. Send.
            for m in rd.messages { network.send(m, now: now, rng: &rng) }
            // 3. Apply.
            if let s = rd.snapshot, let (index, digest) = SimNode.decodeSnapshot(s.data) {
                checker.observeSnapshotRestore(node: node.id, index: index, digest: digest, now: now)
                node.appliedIndex = index
                node.digest = digest
                record("node \(node.id) restored snapshot \(index)")
            }
            for entry in rd.committedEntries where entry.index > node.appliedIndex {
                node.digest = checker.observeApply(node: node, entry: entry, now: now)
                node.appliedIndex = entry.index
                if payloads[entry.index] == nil { payloads[entry.index] = entry.data }
                if entry.kind == .configurationChange, let change = Raft.ConfigurationChange(encoded: entry.data) {
                    raft.applyConfigurationChange(change)
                }
                acknowledgeIfOwned(node: node, entry: entry)
            }
            node.pendingReads.append(contentsOf: rd.readStates)
            raft.advance(rd)
            node.raft = raft
            serveReads(node)
            maybeSnapshot(node)
        }
    }

    private func maybeSnapshot(_ node: SimNode) {
        guard let raft = node.raft else { return }
        let last = node.storage.snapshotValue.metadata.index
        guard node.appliedIndex >= last + options.snapshotInterval, node.appliedIndex <= node.storage.lastIndex else { return }
        node.storage.createSnapshot(at: node.appliedIndex, configuration: raft.configuration, data: node.snapshotData())
        // Keep a few entries so slightly lagging followers catch up from the log.
        let keep: UInt64 = 5
        if node.appliedIndex > keep { node.storage.compact(through: node.appliedIndex - keep) }
        record("node \(node.id) snapshot at \(node.appliedIndex)")
    }

    /// Deliveries are the bulk of events: mix their fields without formatting text.
    func recordMessage(_ m: Raft.Message) {
        if options.recordTrace { trace.append("t=\(now) deliver \(m)") }
        for v in [now, UInt64(m.type.rawValue), m.from, m.to, m.term, m.logTerm, m.index, m.commit, UInt64(m.entries.count), m.reject ? 1 : 0] {
            digest ^= v
            digest = digest &* 0x100_0000_01b3
        }
    }

    func record(_ event: @autoclosure () -> String) {
        let text = "t=\(now) " + event()
        for b in text.utf8 {
            digest ^= UInt64(b)
            digest = digest &* 0x100_0000_01b3
        }
        if options.recordTrace { trace.append(text) }
    }
}
