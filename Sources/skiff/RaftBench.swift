import ArgumentParser
import RaftCore

/// `skiff bench raft`: committed entries per second of a 3-node in-memory cluster (no disk,
/// no network: the cost of the Raft core and its log), 128-byte entries, batched proposals.
struct RaftBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft",
        abstract: "Committed entries/s of a 3-node in-memory RaftCore cluster (128-byte entries, batched proposals)."
    )

    @Option(help: "Entries to commit.")
    var entries = 2_000_000

    @Option(help: "Entries per proposal batch.")
    var batch = 512

    @Option(help: "Entry payload bytes.")
    var entryBytes = 128

    func run() throws {
        var cluster = InMemoryCluster(size: 3)
        cluster.electLeader()
        let payload = [UInt8](repeating: 0xab, count: entryBytes)
        let proposals = [[UInt8]](repeating: payload, count: batch)
        let clock = ContinuousClock()
        let start = clock.now
        let target = cluster.appliedOnAll + UInt64(entries)
        var proposed: UInt64 = 0
        while cluster.appliedOnAll < target {
            // Propose a few batches per round, as a busy leader does.
            for _ in 0..<4 where proposed < UInt64(entries) {
                try cluster.proposeAtLeader(proposals)
                proposed += UInt64(batch)
            }
            cluster.runUntilQuiet()
            cluster.compactIfLarge()
        }
        let elapsed = clock.now - start
        let (s, atto) = elapsed.components
        let seconds = Double(s) + Double(atto) / 1e18
        let committed = Double(entries)
        print("skiff bench raft: 3 nodes in memory, \(entryBytes)-byte entries, batches of \(batch)")
        print("committed \(entries) entries in \(String(format: "%.3f", seconds)) s: \(Int(committed / seconds)) entries/s (\(String(format: "%.1f", committed * Double(entryBytes) / seconds / 1e6)) MB/s of payload)")
    }
}

/// Three `RaftNode`s wired directly: messages are delivered in order, storage is memory.
struct InMemoryCluster {
    var nodes: [RaftNode<MemoryStorage>]
    var storages: [MemoryStorage]
    var applied: [Raft.Index]
    var queue: [Raft.Message] = []

    init(size: Int) {
        let ids = Set((1...UInt64(size)))
        let storages = (1...size).map { _ in MemoryStorage(voters: ids) }
        self.storages = storages
        nodes = (0..<size).map { i in
            var config = Raft.Config(id: UInt64(i + 1))
            config.randomSeed = 1
            config.maxInflightMessages = 64
            return RaftNode(config: config, storage: storages[i])
        }
        applied = Array(repeating: 0, count: size)
    }

    var appliedOnAll: Raft.Index { applied.min() ?? 0 }

    mutating func electLeader() {
        nodes[0].campaign()
        runUntilQuiet()
    }

    mutating func proposeAtLeader(_ batch: [[UInt8]]) throws {
        guard let i = nodes.firstIndex(where: { $0.role == .leader }) else { throw ValidationError("no leader") }
        try nodes[i].propose(batch: batch)
    }

    mutating func runUntilQuiet() {
        var busy = true
        while busy {
            busy = false
            for i in nodes.indices where nodes[i].hasReady {
                busy = true
                let rd = nodes[i].ready()
                if let s = rd.snapshot { storages[i].applySnapshot(s) }
                storages[i].append(rd.entries)
                if let hs = rd.hardState { storages[i].setHardState(hs) }
                queue.append(contentsOf: rd.messages)
                if let last = rd.committedEntries.last { applied[i] = last.index }
                nodes[i].advance(rd)
            }
            if !queue.isEmpty {
                busy = true
                let batch = queue
                queue.removeAll(keepingCapacity: true)
                for m in batch { nodes[Int(m.to) - 1].step(m) }
            }
        }
    }

    /// Keeps memory bounded: snapshot and compact every node's log past 100k entries.
    mutating func compactIfLarge() {
        for i in nodes.indices where applied[i] > storages[i].firstIndex + 100_000 {
            storages[i].createSnapshot(at: applied[i], configuration: nodes[i].configuration, data: [])
            storages[i].compact(through: applied[i] - 1_000)
        }
    }
}
