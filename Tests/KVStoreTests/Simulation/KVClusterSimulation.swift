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
/// Lease clients grant leases, attach a key, keep them alive through the leader a few times,
/// then revoke them or let them expire; the leader revokes expired leases through the log,
/// and a new leader gives every lease its full TTL again (as `KVBackend` does).
///
/// Checked: the client history is linearizable (per key, `checkLinearizability`); every
/// watcher saw each revision once, in order, with no gap; every member converges to the same
/// state (byte-identical snapshots); on every member after every entry, a key's lease exists
/// and lists it; no lease is revoked by expiry before its TTL has run from its grant, nor
/// from a keep-alive answered by the same leader; no lease outlives its TTL once the
/// cluster is calm.
final class KVClusterSimulation {
    struct Options {
        var seed: UInt64
        var nodes = 3
        var clients = 6
        var keys = 4
        var milliseconds: UInt64 = 3_000
        var snapshotInterval: UInt64 = 60
        var leaseClients = 2
        var faults = FaultProfile()
    }

    /// A client working one lease at a time: grant, attach a key, keep alive, revoke or abandon.
    struct LeaseClient {
        enum Phase { case idle, granting, granted, attaching, keepingAlive, revoking }
        var phase = Phase.idle
        var lease: Int64 = 0
        var node: UInt64 = 0
        var requestID: UInt64 = 0
        var deadline: UInt64 = 0
        var renewalsLeft = 0
        var nextRenewal: UInt64 = 0
    }

    /// What clients know of a lease: when its grant was asked for, its TTL, the keep-alives
    /// a leader answered (time and term).
    struct LeaseRecord {
        var asked: UInt64
        var ttl: Int64 = 0
        var renewals: [(at: UInt64, term: UInt64)] = []
        var revokedByClient = false
    }

    final class Node {
        let id: UInt64
        let storage: MemoryStorage
        var raft: RaftNode<MemoryStorage>?
        var state = KVStateMachine(minimumLeaseTTL: 1)
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
    var leaseClients: [LeaseClient] = []
    var leases: [Int64: LeaseRecord] = [:]
    /// Revocations the leader proposed for expired leases, by request ID.
    var expiryRevocations: [UInt64: (lease: Int64, decidedAt: UInt64, term: UInt64)] = [:]
    var leasesExpired = 0
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
        leaseClients = Array(repeating: LeaseClient(), count: options.leaseClients)
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
        if !converged() { violations.append("no convergence after healing: " + convergenceReport()) }
        checkWatchers()
        checkLeasesEnded()
        let result = checkLinearizability(KVModel.self, history)
        if case .notLinearizable(let why) = result { violations.append("not linearizable: " + why) }
        if case .unknown = result { violations.append("linearizability check ran out of budget") }
        return violations
    }

    private func converged() -> Bool {
        guard let leader = nodes.first(where: { $0.raft?.role == .leader })?.raft else { return false }
        let target = leader.lastIndex
        guard nodes.allSatisfy({ $0.raft?.appliedIndex == target && $0.state.appliedIndex == target }) else { return false }
        // Calm and with no client left to keep them alive, every lease must have expired.
        guard nodes.allSatisfy({ $0.state.lessor.leases.isEmpty }) else { return false }
        return Set(nodes.map { $0.state.snapshotData() }).count == 1
    }

    /// What keeps the cluster from converging (for the violation message).
    private func convergenceReport() -> String {
        nodes.map { node in
            let leases = node.state.lessor.leases.values.map { "\($0.id)@\($0.expiresAt.map(String.init) ?? "-")" }
            return "node \(node.id) \(node.raft.map { "\($0.role) term \($0.term) applied \($0.appliedIndex)/\($0.lastIndex)" } ?? "down") leases [\(leases.joined(separator: " "))]"
        }.joined(separator: "; ") + " at \(now) ms"
    }

    // MARK: - One millisecond

    private func step(faults: Bool) {
        now += 1
        for m in network.due(now: now) {
            guard let node = nodes.first(where: { $0.id == m.to }), node.raft != nil else {
                // A snapshot sent to a member that is down is reported lost, as the transport does.
                if m.type == .snapshot, let sender = nodes.first(where: { $0.id == m.from }), sender.raft != nil {
                    sender.raft!.reportSnapshot(m.to, succeeded: false)
                }
                continue
            }
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
        if faults {
            for client in 0..<options.clients { drive(client) }
            for client in leaseClients.indices { driveLease(client) }
        }
        if now % 100 == 0 { expireLeases() }
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
        node.state = snapshot.data.isEmpty ? KVStateMachine(minimumLeaseTTL: 1) : (try! KVStateMachine(snapshot: snapshot.data, minimumLeaseTTL: 1))
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
            if let soft = rd.softState {
                if soft.role == .leader { node.state.promote(now: Int64(now)) } else { node.state.demote() }
            }
            if let s = rd.snapshot {
                node.state = try! KVStateMachine(snapshot: s.data, minimumLeaseTTL: 1)
                for i in watchers.indices where watchers[i].node == node.id { catchUp(watcher: i, on: node) }
            }
            for entry in rd.committedEntries where entry.index > node.state.appliedIndex {
                let applied = node.state.apply(entry, header: .init(), now: Int64(now))
                if let change = applied.configurationChange { raft.applyConfigurationChange(change) }
                deliver(applied.events, on: node)
                complete(applied, on: node)
                checkLeases(applied, on: node, term: raft.term)
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
        if applied.requestID != 0, let i = leaseClients.firstIndex(where: { $0.requestID == applied.requestID && $0.node == node.id }) {
            leaseAnswered(i, applied.result)
            return
        }
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

extension KVClusterSimulation {
    // MARK: - Lease clients

    func driveLease(_ c: Int) {
        var client = leaseClients[c]
        if client.phase != .idle, client.phase != .keepingAlive, client.phase != .granted, now >= client.deadline {
            client.phase = .idle  // gave up on a request (it may still take effect)
        }
        let up = nodes.filter { $0.raft != nil }
        guard !up.isEmpty else { return }
        switch client.phase {
        case .idle:
            guard rng.next(below: 100) < 5 else { break }
            let node = up[Int(rng.next(below: UInt64(up.count)))]
            var grant = Etcdserverpb_LeaseGrantRequest()
            grant.id = Int64(nextID)
            grant.ttl = 1
            if propose(.leaseGrant(grant), client: &client, on: node) {
                client.lease = grant.id
                client.phase = .granting
                leases[grant.id] = LeaseRecord(asked: now)
            }
        case .keepingAlive:
            guard now >= client.nextRenewal else { break }
            if client.renewalsLeft == 0 {
                // Either revoke it or walk away and let it expire.
                if rng.next(below: 2) == 0 {
                    var revoke = Etcdserverpb_LeaseRevokeRequest()
                    revoke.id = client.lease
                    let node = up[Int(rng.next(below: UInt64(up.count)))]
                    if propose(.leaseRevoke(revoke), client: &client, on: node) {
                        client.phase = .revoking
                        leases[client.lease]?.revokedByClient = true
                    }
                } else {
                    client.phase = .idle
                }
                break
            }
            client.nextRenewal = now + 300 + rng.next(below: 400)
            // Keep-alives are answered by the leader (a follower forwards them there).
            guard let leader = up.first(where: { $0.raft?.role == .leader }) else { break }
            if (try? leader.state.renew(lease: client.lease, now: Int64(now))) != nil {
                leases[client.lease]?.renewals.append((now, leader.raft!.term))
                client.renewalsLeft -= 1
            } else {
                client.phase = .idle  // the lease is gone
            }
        case .granted:
            // Attach a key to the new lease (answers arrive inside a Ready pass, so the put
            // is proposed here, on the next step).
            var put = Etcdserverpb_PutRequest()
            put.key = Data("l\(client.lease)".utf8)
            put.value = Data("held".utf8)
            put.lease = client.lease
            let node = up[Int(rng.next(below: UInt64(up.count)))]
            client.phase = propose(.put(put), client: &client, on: node) ? .attaching : .idle
        case .granting, .attaching, .revoking:
            break
        }
        leaseClients[c] = client
    }

    private func propose(_ request: LoggedRequest, client: inout LeaseClient, on node: Node) -> Bool {
        let id = nextID
        nextID += 1
        guard (try? node.raft!.propose(try request.encoded(id: id))) != nil else { return false }
        client.requestID = id
        client.node = node.id
        client.deadline = now + 500
        process(node)
        return true
    }

    func leaseAnswered(_ c: Int, _ result: LoggedResult?) {
        var client = leaseClients[c]
        client.requestID = 0
        switch (client.phase, result) {
        case (.granting, .leaseGrant(let r)?):
            leases[client.lease]?.ttl = r.ttl
            client.phase = .granted
        case (.attaching, _):
            client.phase = .keepingAlive
            client.renewalsLeft = Int(rng.next(below: 5))
            client.nextRenewal = now + 300
        default:
            client.phase = .idle
        }
        leaseClients[c] = client
    }

    /// The leader revokes leases past their deadline through the log (as `KVBackend.expireLeases`).
    func expireLeases() {
        for node in nodes {
            guard var raft = node.raft, raft.role == .leader else { continue }
            for id in node.state.lessor.expired(now: Int64(now))
            where !expiryRevocations.values.contains(where: { $0.lease == id && $0.term == raft.term }) {
                var revoke = Etcdserverpb_LeaseRevokeRequest()
                revoke.id = id
                let requestID = nextID
                nextID += 1
                guard (try? raft.propose(try LoggedRequest.leaseRevoke(revoke).encoded(id: requestID))) != nil else { continue }
                expiryRevocations[requestID] = (id, now, raft.term)
            }
            node.raft = raft
            process(node)
        }
    }

    // MARK: - Lease checks

    /// After every entry: leases and the keys attached to them agree; an expiry was not early.
    func checkLeases(_ applied: KVStateMachine.Applied, on node: Node, term: UInt64) {
        let state = node.state
        for key in state.store.keys where key.first == UInt8(ascii: "l") {
            guard let kv = state.store.current(key), kv.lease != 0 else { continue }
            if state.lessor.leases[kv.lease]?.keys.contains(key) != true, violations.count < 20 {
                violations.append("node \(node.id): key \(String(decoding: key, as: UTF8.self)) attached to lease \(kv.lease), which does not list it")
            }
        }
        for (id, lease) in state.lessor.leases {
            for key in lease.keys where state.store.current(key)?.lease != id {
                if violations.count < 20 { violations.append("node \(node.id): lease \(id) lists a key not attached to it") }
            }
        }
        guard let expiry = expiryRevocations[applied.requestID], case .leaseRevoke? = applied.result,
              let record = leases[expiry.lease] else { return }
        expiryRevocations[applied.requestID] = nil
        leasesExpired += 1
        let ttl = UInt64(record.ttl * 1000)
        if expiry.decidedAt < record.asked + ttl {
            violations.append("lease \(expiry.lease) expired at \(expiry.decidedAt) ms, granted at \(record.asked) ms with TTL \(record.ttl) s")
        }
        for renewal in record.renewals where renewal.term == expiry.term && expiry.decidedAt < renewal.at + ttl {
            violations.append("lease \(expiry.lease) expired at \(expiry.decidedAt) ms, kept alive at \(renewal.at) ms by the same leader")
        }
    }

    /// Once calm, no lease lives on long past its TTL from its last keep-alive.
    func checkLeasesEnded() {
        guard let leader = nodes.first(where: { $0.raft?.role == .leader }) else { return }
        for id in leader.state.lessor.leases.keys {
            guard let record = leases[id], record.ttl > 0 else { continue }
            let last = max(record.asked, record.renewals.last?.at ?? 0)
            // Slack: a new leader gives every lease its full TTL again after the fault phase.
            if now > max(last, options.milliseconds) + UInt64(record.ttl * 1000) + 1_000 {
                violations.append("lease \(id) still alive at \(now) ms, last kept alive at \(last) ms (TTL \(record.ttl) s)")
            }
        }
    }
}

extension MVCCStore {
    /// The current value of one key as a string (nil: absent).
    func range(single key: String) -> String? {
        guard let kv = try? range(RangeRequest(range: KeyRange(key: Array(key.utf8)))).kvs.first else { return nil }
        return String(decoding: kv.value, as: UTF8.self)
    }
}
