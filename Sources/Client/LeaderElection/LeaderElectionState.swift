import Component
import APIMachinery

/// The pure core of `LeaderElector`: what the elector has observed of the lock and what it
/// should write next. No I/O and no clock: callers pass the monotonic `now` (to judge expiry)
/// and the wall time `wallNow` (to stamp records).
///
/// Expiry is judged from `observedTime`, the local monotonic instant at which the record was
/// last seen to *change*, never from the record's `renewTime`: the holder's wall clock may be
/// skewed against ours, while our own clock measures correctly how long the record has stood
/// still.
struct LeaderElectionState: Sendable {
    /// What to do after reading the lock.
    enum Decision: Sendable, Equatable {
        /// The lock object is absent: create it holding this record.
        case create(LeaderElectionRecord)
        /// Write this record conditioned on `resourceVersion` (acquire, take over, or renew).
        case update(LeaderElectionRecord, resourceVersion: String)
        /// Someone else holds an unexpired lease.
        case heldByOther(String)
    }

    let identity: String
    let leaseDurationSeconds: Int
    private(set) var observed: VersionedLeaderElectionRecord?
    private(set) var observedTime: ContinuousClock.Instant?
    /// The last holder reported through `onNewLeader` ("" when none yet or released).
    private var reportedLeader = ""

    init(identity: String, leaseDurationSeconds: Int) {
        self.identity = identity
        self.leaseDurationSeconds = leaseDurationSeconds
    }

    /// Whether the last observed record names this candidate as holder (client-go `IsLeader`).
    var observedSelfAsHolder: Bool { observed?.record.holderIdentity == identity }

    /// The holder of the last observed record; nil when none was observed or it is released.
    var observedHolder: String? {
        guard let holder = observed?.record.holderIdentity, !holder.isEmpty else { return nil }
        return holder
    }

    /// Whether the observed lease is still valid at `now`: less than its duration has passed
    /// since it was last seen to change.
    func observedLeaseValid(now: ContinuousClock.Instant) -> Bool {
        guard let observed, let observedTime else { return false }
        return observedTime.advanced(by: .seconds(observed.record.leaseDurationSeconds)) > now
    }

    // MARK: Attempts

    /// The optimistic renewal: when this candidate holds a lease that is still valid, the write
    /// it can try with the resourceVersion it last saw, skipping the read. Nil otherwise.
    func fastPathRenewal(now: ContinuousClock.Instant, wallNow: WallTime) -> (LeaderElectionRecord, String)? {
        guard observedSelfAsHolder, observedLeaseValid(now: now), let observed else { return nil }
        var record = freshRecord(wallNow: wallNow)
        record.acquireTime = observed.record.acquireTime
        record.leaderTransitions = observed.record.leaderTransitions
        return (record, observed.resourceVersion)
    }

    /// Takes in what a read of the lock returned (`nil`: absent) and decides what to write.
    /// The observation time moves only when the record differs from the last one observed.
    mutating func decide(
        after read: VersionedLeaderElectionRecord?,
        now: ContinuousClock.Instant,
        wallNow: WallTime
    ) -> Decision {
        guard let read else { return .create(freshRecord(wallNow: wallNow)) }
        observe(read, now: now)
        let current = read.record
        if !current.holderIdentity.isEmpty, current.holderIdentity != identity, observedLeaseValid(now: now) {
            return .heldByOther(current.holderIdentity)
        }
        var record = freshRecord(wallNow: wallNow)
        if current.holderIdentity == identity {
            record.acquireTime = current.acquireTime
            record.leaderTransitions = current.leaderTransitions
        } else {
            record.leaderTransitions = current.leaderTransitions + 1
        }
        return .update(record, resourceVersion: read.resourceVersion)
    }

    /// Records a successful write of `record` (stored as `resourceVersion`) issued at `now`.
    mutating func wrote(_ record: LeaderElectionRecord, resourceVersion: String, now: ContinuousClock.Instant) {
        observed = VersionedLeaderElectionRecord(record: record, resourceVersion: resourceVersion)
        observedTime = now
    }

    /// The released record to write on shutdown (empty holder, 1 s duration, transitions kept)
    /// with the resourceVersion to condition it on; nil when this candidate is not the observed
    /// holder.
    func releaseRecord(wallNow: WallTime) -> (LeaderElectionRecord, String)? {
        guard observedSelfAsHolder, let observed else { return nil }
        let stamp = wallNow.microTime
        let record = LeaderElectionRecord(
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: stamp,
            renewTime: stamp,
            leaderTransitions: observed.record.leaderTransitions
        )
        return (record, observed.resourceVersion)
    }

    /// The holder to report through `onNewLeader`, if the observed holder changed to a new
    /// non-empty identity since the last report.
    mutating func leaderToReport() -> String? {
        let holder = observed?.record.holderIdentity ?? ""
        guard holder != reportedLeader else { return nil }
        reportedLeader = holder
        return holder.isEmpty ? nil : holder
    }

    // MARK: Helpers

    private mutating func observe(_ read: VersionedLeaderElectionRecord, now: ContinuousClock.Instant) {
        if observed?.record != read.record || observedTime == nil {
            observedTime = now
        }
        observed = read
    }

    /// A record naming this candidate, acquired and renewed at `wallNow`.
    private func freshRecord(wallNow: WallTime) -> LeaderElectionRecord {
        let stamp = wallNow.microTime
        return LeaderElectionRecord(
            holderIdentity: identity,
            leaseDurationSeconds: leaseDurationSeconds,
            acquireTime: stamp,
            renewTime: stamp,
            leaderTransitions: 0
        )
    }
}
