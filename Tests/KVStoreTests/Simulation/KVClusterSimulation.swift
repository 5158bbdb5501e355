import EtcdAPI
import Foundation
import RaftCore
import Simulation

@testable import KVStore

/// The kvstore's apply layer (`KVStateMachine`: MVCC, leases, membership) on a simulated
/// cluster: the Raft simulator's seeded network faults (delay, loss, duplication, partitions)
/// plus crashes and restarts from the persisted snapshot and log, with clients doing etcd
/// puts, deletes, compare-and-swap transactions and linearizable (ReadIndex) gets, and one
/// watcher per node that follows all keys and re-watches from its last revision when its node
/// crashes or installs a snapshot — as the real member and etcd clients do.
///
/// Checked: the client history is linearizable (per key, `checkLinearizability`); every
/// watcher saw each revision once, in order, with no gap; every member converges to the same
/// state (byte-identical snapshots).
final class KVClusterSimulation {
    struct Options {
        var seed: UInt64
        var nodes = 3
        var clients = 6
        var keys = 4
        var milliseconds: UInt64 = 3_000
        var snapshotInterval: UInt64 = 60
        var faults = FaultProfile()
    }

    final class Node {
        let id: UInt64
        let storage: MemoryStorage
        var raft: RaftNode<MemoryStorage>?
        var state = KVStateMachine()
        var incarnation: UInt64 = 0
        var restartAt: UInt64?
        var pendingReads: [Raft.ReadState] = []
        let tickPhase: UInt64
        init(id: UInt64, voters: Set<UInt64>, tickPhase: UInt64) {
            self.id = id
            storage = MemoryStorage(voters: voters)
            self.tickPhase = tickPhase
        }
    }

    /// A watcher following every key through one node; `seen` is every revision delivered.
    struct Watcher {
        var node: UInt64
        var nextRevision: Int64 = 2
        var seen: [Int64] = []
        var problems: [String] = []
    }

    struct Pending {
        var operation: Int
        var node: UInt64
        var requestID: UInt64
        var readContext: [UInt8]?
        var deadline: UInt64
    }

    let options: Options
    var rng: SplitMix64
    var network: SimulatedNetwork
    var nodes: [Node] = []
    var now: UInt64 = 0
    var history: [HistoryOperation<KVModel.Input, KVModel.Output>] = []
    var pending: [Int: Pending] = [:]  // by client
    var watchers: [Watcher] = []
    var nextID: UInt64 = 1
    var violations: [String] = []
    var crashes = 0
    /// Testing the test: serve gets from the local state without ReadIndex (stale reads).
    var staleReads = false

    init(options: Options) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        network = SimulatedNetwork(faults: options.faults)
        let ids = Set((1...UInt64(options.nodes)))
        for id in ids.sorted() {
            let node = Node(id: id, voters: ids, tickPhase: rng.next(below: 10))
            node.raft = RaftNode(config: config(id), storage: node.storage)
            nodes.append(node)
            watchers.append(Watcher(node: id))
        }
    }

    private func config(_ id: UInt64) -> Raft.Config {
        var c = Raft.Config(id: id)
        c.electionTicks = 10
        c.heartbeatTicks = 1
        c.maxMessageBytes = 4096
        c.randomSeed = options.seed &+ id &* 31 &+ UInt64(crashes) &* 7919
        return c
    }

    func run() -> [String] {
        while now < options.milliseconds { step(faults: true) }
        // Heal and let everything settle; outstanding requests stay open (maybe applied, maybe not).
        network.heal()
        network.faults = .calm
        for node in nodes where node.raft == nil { restart(node) }
        let settleUntil = now + 5_000
        while now < settleUntil {
            step(faults: false)
            if converged() { break }
        }
        if !converged() { violations.append("no convergence after healing") }
        checkWatchers()
        let result = checkLinearizability(KVModel.self, history)
        if case .notLinearizable(let why) = result { violations.append("not linearizable: " + why) }
        if case .unknown = result { violations.append("linearizability check ran out of budget") }
        return violations
    }

    private func converged() -> Bool {
        guard let leader = nodes.first(where: { $0.raft?.role == .leader })?.raft else { return false }
        let target = leader.lastIndex
        guard nodes.allSatisfy({ $0.raft?.appliedIndex == target && $0.state.appliedIndex == target }) else { return false }
        return Set(nodes.map { $0.state.snapshotData() }).count == 1
    }

    // MARK: - One millisecond

    private func step(faults: Bool) {
        now += 1
        for m in network.due(now: now) {
            guard let node = nodes.first(where: { $0.id == m.to }), node.raft != nil else { continue }
            node.raft!.step(m)
            process(node)
            if m.type == .snapshot, let sender = nodes.first(where: { $0.id == m.from }), sender.raft != nil {
                sender.raft!.reportSnapshot(m.to, succeeded: true)
            }
        }
        for m in network.takeLostSnapshots() {
            if let sender = nodes.first(where: { $0.id == m.from }), sender.raft != nil { sender.raft!.reportSnapshot(m.to, succeeded: false) }
        }
        for node in nodes where node.raft != nil && (now + node.tickPhase) % 10 == 0 {
            node.raft!.tick()
            process(node)
        }
        if faults { injectFaults() }
        for node in nodes where node.raft == nil {
            if let at = node.restartAt, at <= now { restart(node) }
        }
        if faults { for client in 0..<options.clients { drive(client) } }
        for (client, p) in pending where now >= p.deadline {
            // Gave up: the operation stays open in the history (it may still take effect).
            pending[client] = nil
        }
    }

    private func injectFaults() {
        let f = network.faults
        if rng.next(below: 1000) < f.crashPerMille {
            let up = nodes.filter { $0.raft != nil }
            if up.count > 1 { crash(up[Int(rng.next(below: UInt64(up.count)))]) }
        }
        if rng.next(below: 1000) < f.partitionPerMille {
            if network.isPartitioned {
                network.heal()
            } else {
                let ids = nodes.map(\.id)
                network.isolate([ids[Int(rng.next(below: UInt64(ids.count)))]], from: ids, oneWay: rng.next(below: 4) == 0)
            }
        }
    }

    private func crash(_ node: Node) {
        node.raft = nil
        node.pendingReads = []
        node.restartAt = now + 50 + rng.next(below: 400)
        network.dropAll(to: node.id)
        crashes += 1
        // Its watcher reconnects to another running node from where it was.
        if let i = watchers.firstIndex(where: { $0.node == node.id }), let other = nodes.first(where: { $0.raft != nil }) {
            watchers[i].node = other.id
            catchUp(watcher: i, on: other)
        }
    }

    /// A restart rebuilds the state machine from the persisted snapshot and replays the log.
    private func restart(_ node: Node) {
        node.incarnation += 1
        node.restartAt = nil
        let snapshot = node.storage.snapshotValue
        node.state = snapshot.data.isEmpty ? KVStateMachine() : (try! KVStateMachine(snapshot: snapshot.data))
        node.raft = RaftNode(config: config(node.id), storage: node.storage)
        process(node)
    }

    // MARK: - Driver (the same order as KVBackend's Ready loop)

    private func process(_ node: Node) {
        while var raft = node.raft, raft.hasReady {
            let rd = raft.ready()
            if let s = rd.snapshot { node.storage.applySnapshot(s) }
            node.storage.append(rd.entries)
            if let hs = rd.hardState { node.storage.setHardState(hs) }
            for m in rd.messages { network.send(m, now: now, rng: &rng) }
            if let s = rd.snapshot {
                node.state = try! KVStateMachine(snapshot: s.data)
                for i in watchers.indices where watchers[i].node == node.id { catchUp(watcher: i, on: node) }
            }
            for entry in rd.committedEntries where entry.index > node.state.appliedIndex {
                let applied = node.state.apply(entry, header: .init(), now: Int64(now))
                if let change = applied.configurationChange { raft.applyConfigurationChange(change) }
                deliver(applied.events, on: node)
                complete(applied, on: node)
            }
            node.pendingReads += rd.readStates
            raft.advance(rd)
            node.raft = raft
            serveReads(node)
            maybeSnapshot(node)
        }
    }

    private func maybeSnapshot(_ node: Node) {
        guard let raft = node.raft else { return }
        let applied = node.state.appliedIndex
        guard applied >= node.storage.snapshotValue.metadata.index + options.snapshotInterval, applied <= node.storage.lastIndex else { return }
        node.storage.createSnapshot(at: applied, configuration: raft.configuration, data: node.state.snapshotData())
        if applied > 5 { node.storage.compact(through: applied - 5) }
    }

    // MARK: - Watchers

    private func deliver(_ events: [WatchEvent], on node: Node) {
        for i in watchers.indices where watchers[i].node == node.id {
            // A watch (re)created from a revision this node has not reached skips older changes.
            for revision in Set(events.map(\.kv.modRevision)).sorted() where revision >= watchers[i].nextRevision {
                see(revision, watcher: i)
            }
        }
    }

    private func catchUp(watcher i: Int, on node: Node) {
        guard let events = try? node.state.store.events(in: KeyRange(key: [0], end: [0]), from: watchers[i].nextRevision) else {
            watchers[i].problems.append("history from \(watchers[i].nextRevision) compacted")
            return
        }
        var seen: Set<Int64> = []
        for e in events where seen.insert(e.kv.modRevision).inserted { see(e.kv.modRevision, watcher: i) }
    }

    private func see(_ revision: Int64, watcher i: Int) {
        if revision != watchers[i].nextRevision, watchers[i].problems.count < 5 {
            watchers[i].problems.append("expected revision \(watchers[i].nextRevision), got \(revision)")
        }
        watchers[i].seen.append(revision)
        watchers[i].nextRevision = revision + 1
    }

    private func checkWatchers() {
        guard let reference = nodes.first?.state.store else { return }
        for (i, w) in watchers.enumerated() {
            violations += w.problems.map { "watcher \(i): \($0)" }
            // Each write made one revision after the store's initial 1: the watcher saw a prefix of them all.
            let expected: [Int64] = reference.currentRevision >= 2 ? Array(2...reference.currentRevision) : []
            if w.seen.count > expected.count || w.seen != Array(expected.prefix(w.seen.count)) {
                violations.append("watcher \(i) saw \(w.seen.count) revisions, not a prefix of 2...\(reference.currentRevision)")
            }
        }
    }

    // MARK: - Clients

    private func drive(_ client: Int) {
        guard pending[client] == nil, rng.next(below: 100) < 20 else { return }
        let up = nodes.filter { $0.raft != nil }
        guard !up.isEmpty else { return }
        let node = up[Int(rng.next(below: UInt64(up.count)))]
        let key = "k\(rng.next(below: UInt64(options.keys)))"
        let value = "v\(nextID)"
        let id = nextID
        nextID += 1
        let input: KVModel.Input
        let roll = rng.next(below: 100)
        if roll < 35 {
            input = .put(key: key, value: value)
        } else if roll < 45 {
            input = .delete(key: key)
        } else if roll < 65 {
            let expected: String? = rng.next(below: 3) == 0 ? nil : (node.state.store.range(single: key) ?? "v0")
            input = .compareAndSwap(key: key, expected: expected, new: value)
        } else {
            input = .get(key: key)
        }
        if staleReads, case .get = input {
            history.append(HistoryOperation(client: client, input: input, call: now, output: .value(node.state.store.range(single: key)), returned: now))
            return
        }
        var p = Pending(operation: history.count, node: node.id, requestID: id, readContext: nil, deadline: now + 500)
        do {
            switch input {
            case .get:
                p.readContext = LittleEndian.bytes(id)
                try node.raft!.readIndex(context: p.readContext!)
            default:
                try node.raft!.propose(try Self.request(input).encoded(id: id))
            }
        } catch {
            return
        }
        history.append(HistoryOperation(client: client, input: input, call: now, output: nil, returned: nil))
        pending[client] = p
        process(node)
    }

    static func request(_ input: KVModel.Input) -> LoggedRequest {
        switch input {
        case .put(let key, let value):
            var r = Etcdserverpb_PutRequest()
            r.key = Data(key.utf8)
            r.value = Data(value.utf8)
            return .put(r)
        case .delete(let key):
            var r = Etcdserverpb_DeleteRangeRequest()
            r.key = Data(key.utf8)
            return .deleteRange(r)
        case .compareAndSwap(let key, let expected, let new):
            var compare = Etcdserverpb_Compare()
            compare.key = Data(key.utf8)
            if let expected {
                compare.target = .value
                compare.result = .equal
                compare.value = Data(expected.utf8)
            } else {
                compare.target = .create
                compare.result = .equal
                compare.createRevision = 0
            }
            var put = Etcdserverpb_PutRequest()
            put.key = Data(key.utf8)
            put.value = Data(new.utf8)
            var op = Etcdserverpb_RequestOp()
            op.requestPut = put
            var r = Etcdserverpb_TxnRequest()
            r.compare = [compare]
            r.success = [op]
            return .txn(r)
        case .get:
            preconditionFailure("reads do not go through the log")
        }
    }

    private func complete(_ applied: KVStateMachine.Applied, on node: Node) {
        guard applied.requestID != 0,
            let (client, p) = pending.first(where: { $0.value.requestID == applied.requestID && $0.value.node == node.id })
        else { return }
        let output: KVModel.Output
        switch applied.result {
        case .txn(let r)?: output = .swapped(r.succeeded)
        case .put?, .deleteRange?: output = .done
        default: return
        }
        history[p.operation].output = output
        history[p.operation].returned = now
        pending[client] = nil
    }

    private func serveReads(_ node: Node) {
        var waiting: [Raft.ReadState] = []
        for read in node.pendingReads {
            guard node.state.appliedIndex >= read.index else {
                waiting.append(read)
                continue
            }
            guard let (client, p) = pending.first(where: { $0.value.readContext == read.context && $0.value.node == node.id }) else { continue }
            let value = node.state.store.range(single: history[p.operation].input.key)
            history[p.operation].output = .value(value)
            history[p.operation].returned = now
            pending[client] = nil
        }
        node.pendingReads = waiting
    }
}

extension MVCCStore {
    /// The current value of one key as a string (nil: absent).
    func range(single key: String) -> String? {
        guard let kv = try? range(RangeRequest(range: KeyRange(key: Array(key.utf8)))).kvs.first else { return nil }
        return String(decoding: kv.value, as: UTF8.self)
    }
}
