import APIMachinery

/// What a leader-election lock stores: who holds the lease, for how long it is valid after each
/// renewal, and how often it changed hands (client-go's `LeaderElectionRecord`).
///
/// An empty `holderIdentity` means nobody holds the lease (it was released); candidates may take
/// it at once. Times have microsecond precision, the precision of a Lease's `MicroTime` fields,
/// so a record survives a round trip through a Lease unchanged.
public struct LeaderElectionRecord: Sendable, Hashable, CustomStringConvertible {
    public var holderIdentity: String
    public var leaseDurationSeconds: Int
    public var acquireTime: MicroTime?
    public var renewTime: MicroTime?
    public var leaderTransitions: Int

    public init(
        holderIdentity: String = "",
        leaseDurationSeconds: Int = 0,
        acquireTime: MicroTime? = nil,
        renewTime: MicroTime? = nil,
        leaderTransitions: Int = 0
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaderTransitions = leaderTransitions
    }

    public var description: String {
        let holder = holderIdentity.isEmpty ? "<none>" : holderIdentity
        return "holder=\(holder) duration=\(leaseDurationSeconds)s transitions=\(leaderTransitions)"
            + " acquired=\(acquireTime?.description ?? "-") renewed=\(renewTime?.description ?? "-")"
    }
}

/// A record read from the lock with the `resourceVersion` an update must be conditioned on.
public struct VersionedLeaderElectionRecord: Sendable, Hashable {
    public var record: LeaderElectionRecord
    public var resourceVersion: String

    public init(record: LeaderElectionRecord, resourceVersion: String) {
        self.record = record
        self.resourceVersion = resourceVersion
    }
}
