import Component
import APIMachinery
import Synchronization
import Testing
@testable import Client

// MARK: - In-memory Lease

/// One Lease kept in memory with apiserver semantics: integer resourceVersions bumped on every
/// write, create fails when it exists, update is a compare-and-swap on resourceVersion.
final class LeaderElectionFakeLeaseStore: Sendable {
    private struct State {
        var lease: CoordinationV1.Lease?
        var version = 0
    }

    private let state = Mutex(State())
    let name = "kube-scheduler"
    let namespace = "kube-system"

    var lease: CoordinationV1.Lease? { state.withLock { $0.lease } }
    var record: LeaderElectionRecord? { lease.map { LeaderElectionRecord(leaseSpec: $0.spec) } }
    var resourceVersion: Int { state.withLock { $0.version } }

    /// Writes `record` directly (another holder or an operator editing the Lease).
    func seed(_ record: LeaderElectionRecord) {
        state.withLock { s in
            s.version += 1
            var lease = s.lease ?? record.lease(name: name, namespace: namespace)
            record.apply(to: &lease)
            lease.metadata?.resourceVersion = String(s.version)
            s.lease = lease
        }
    }

    func get() -> VersionedLeaderElectionRecord? {
        state.withLock { $0.lease.map(LeaderElectionRecord.versioned(from:)) }
    }

    func create(_ record: LeaderElectionRecord) throws -> String {
        try state.withLock { s in
            guard s.lease == nil else { throw LeaseLockError.alreadyExists }
            s.version += 1
            var lease = record.lease(name: name, namespace: namespace)
            lease.metadata?.resourceVersion = String(s.version)
            s.lease = lease
            return String(s.version)
        }
    }

    func update(_ record: LeaderElectionRecord, resourceVersion: String) throws -> String {
        try state.withLock { s in
            guard var lease = s.lease, lease.metadata?.resourceVersion == resourceVersion else {
                throw LeaseLockError.conflict
            }
            s.version += 1
            record.apply(to: &lease)
            lease.metadata?.resourceVersion = String(s.version)
            s.lease = lease
            return String(s.version)
        }
    }
}

struct LeaderElectionTestError: Error {}

/// One candidate's connection to the store, which a test can break (calls throw) or hang
/// (calls suspend until cancelled).
final class LeaderElectionFakeLock: LeaseLock {
    enum Mode: Sendable { case healthy, failing, hanging }

    private struct State {
        var mode = Mode.healthy
        var gets = 0
        var creates = 0
        var updates = 0
        var hung = 0
    }

    let store: LeaderElectionFakeLeaseStore
    private let state = Mutex(State())

    init(_ store: LeaderElectionFakeLeaseStore) { self.store = store }

    var lockDescription: String { "\(store.namespace)/\(store.name)" }

    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }
    var counts: (gets: Int, creates: Int, updates: Int) { state.withLock { ($0.gets, $0.creates, $0.updates) } }
    /// Calls currently suspended in `.hanging` mode.
    var hungCalls: Int { state.withLock { $0.hung } }

    func get() async throws -> VersionedLeaderElectionRecord? {
        try await enter { $0.gets += 1 }
        return store.get()
    }

    func create(_ record: LeaderElectionRecord) async throws -> String {
        try await enter { $0.creates += 1 }
        return try store.create(record)
    }

    func update(_ record: LeaderElectionRecord, resourceVersion: String) async throws -> String {
        try await enter { $0.updates += 1 }
        return try store.update(record, resourceVersion: resourceVersion)
    }

    private func enter(_ count: (inout State) -> Void) async throws {
        let mode = state.withLock { s -> Mode in
            count(&s)
            if s.mode == .hanging { s.hung += 1 }
            return s.mode
        }
        switch mode {
        case .healthy: return
        case .failing: throw LeaderElectionTestError()
        case .hanging:
            await leaderElectionSuspendUntilCancelled()
            state.withLock { $0.hung -= 1 }
            throw CancellationError()
        }
    }
}

/// Suspends the calling task until it is cancelled.
func leaderElectionSuspendUntilCancelled() async {
    let (stream, continuation) = AsyncStream<Never>.makeStream()
    for await _ in stream {}
    withExtendedLifetime(continuation) {}
}

// MARK: - Callbacks

/// Records what each candidate's callbacks saw, and how many candidates ran leading work at once.
final class LeadershipTracker: Sendable {
    private struct State {
        var active: Set<String> = []
        var maxConcurrent = 0
        var started: [String] = []
        var ended: [String] = []
        var stopped: [String] = []
        var newLeaders: [String: [String]] = [:]
    }

    private let state = Mutex(State())

    var maxConcurrent: Int { state.withLock { $0.maxConcurrent } }
    var started: [String] { state.withLock { $0.started } }
    var ended: [String] { state.withLock { $0.ended } }
    var stopped: [String] { state.withLock { $0.stopped } }
    func isActive(_ id: String) -> Bool { state.withLock { $0.active.contains(id) } }
    func newLeaders(seenBy id: String) -> [String] { state.withLock { $0.newLeaders[id] ?? [] } }

    /// Callbacks for candidate `id`: leading work runs until cancelled.
    func callbacks(for id: String) -> LeaderCallbacks {
        LeaderCallbacks(
            onStartedLeading: {
                self.state.withLock { s in
                    s.active.insert(id)
                    s.started.append(id)
                    s.maxConcurrent = max(s.maxConcurrent, s.active.count)
                }
                await leaderElectionSuspendUntilCancelled()
                self.state.withLock { s in
                    s.active.remove(id)
                    s.ended.append(id)
                }
            },
            onStoppedLeading: { self.state.withLock { $0.stopped.append(id) } },
            onNewLeader: { leader in self.state.withLock { $0.newLeaders[id, default: []].append(leader) } }
        )
    }

    /// Yields until `condition` holds (no sleeping).
    func yield(until condition: (LeadershipTracker) -> Bool) async {
        while !condition(self) { await Task.yield() }
    }
}

// MARK: - Driving time

/// A manual clock (its wall time starting at `wallStart`), and helpers that step time only once every
/// elector is parked between attempts.
struct LeaderElectionHarness {
    /// 2024-01-02T03:04:05.123456789Z
    static let wallStart = WallTime(nanosecondsSinceEpoch: 1_704_164_645_123_456_789)

    let clock = ManualClock(wall: Self.wallStart)
    let start: ContinuousClock.Instant

    init() {
        start = clock.now
    }

    func elector(
        _ id: String,
        lock: any LeaseLock,
        tracker: LeadershipTracker,
        releaseOnCancel: Bool = true,
        jitter: Double = 0
    ) throws -> LeaderElector {
        try LeaderElector(
            config: LeaderElectionConfig(identity: id, releaseOnCancel: releaseOnCancel, name: "test"),
            lock: lock,
            callbacks: tracker.callbacks(for: id),
            clock: clock,
            jitter: { jitter }
        )
    }

    func at(_ seconds: Double) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    /// Waits until each elector is paused with a deadline after now, or has stopped.
    func settle(_ electors: [LeaderElector]) async {
        for elector in electors {
            while !isSettled(elector) { await Task.yield() }
        }
    }

    private func isSettled(_ elector: LeaderElector) -> Bool {
        switch elector.phase {
        case .stopped: true
        case .waiting(let until): until > clock.now
        case .notStarted, .working: false
        }
    }

    /// Steps time to `target`, pausing at every elector deadline on the way and letting all
    /// electors settle after each step; `check` runs after every settled step.
    func advance(
        _ electors: [LeaderElector],
        to target: ContinuousClock.Instant,
        check: () -> Void = {}
    ) async {
        while true {
            await settle(electors)
            check()
            let deadlines = electors.compactMap { elector -> ContinuousClock.Instant? in
                if case .waiting(let until) = elector.phase { return until }
                return nil
            }
            guard let next = deadlines.min(), next < target else { break }
            clock.advance(to: next)
        }
        clock.advance(to: target)
        await settle(electors)
        check()
    }
}
