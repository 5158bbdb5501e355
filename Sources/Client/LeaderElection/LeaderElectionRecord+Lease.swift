import APIMachinery

/// Conversion between a `LeaderElectionRecord` and a `coordination.k8s.io/v1` Lease, field for
/// field as client-go's `LeaseLock` does it: `holderIdentity`, `leaseDurationSeconds`,
/// `acquireTime`, `renewTime` (MicroTime, RFC 3339 with six fractional digits) and
/// `leaseTransitions`. Pure: no clock, no I/O.
extension LeaderElectionRecord {
    /// The record a Lease spec holds; absent fields read as empty, zero or nil (a zero MicroTime,
    /// which Kubernetes writes as `null`, reads as nil).
    public init(leaseSpec spec: CoordinationV1.LeaseSpec?) {
        self.init(
            holderIdentity: spec?.holderIdentity ?? "",
            leaseDurationSeconds: Int(spec?.leaseDurationSeconds ?? 0),
            acquireTime: spec?.acquireTime.flatMap { $0.isZero ? nil : $0 },
            renewTime: spec?.renewTime.flatMap { $0.isZero ? nil : $0 },
            leaderTransitions: Int(spec?.leaseTransitions ?? 0)
        )
    }

    /// The record `lease` holds, with its `metadata.resourceVersion` (empty when unset).
    public static func versioned(from lease: CoordinationV1.Lease) -> VersionedLeaderElectionRecord {
        VersionedLeaderElectionRecord(
            record: LeaderElectionRecord(leaseSpec: lease.spec),
            resourceVersion: lease.metadata?.resourceVersion ?? ""
        )
    }

    /// A Lease spec holding this record. Every field is written, the holder even when empty
    /// (a released lease has `holderIdentity: ""`), as client-go writes it. Counts beyond
    /// `Int32` are clamped.
    public var leaseSpec: CoordinationV1.LeaseSpec {
        CoordinationV1.LeaseSpec(
            acquireTime: acquireTime,
            holderIdentity: holderIdentity,
            leaseDurationSeconds: Int32(clamping: leaseDurationSeconds),
            leaseTransitions: Int32(clamping: leaderTransitions),
            renewTime: renewTime
        )
    }

    /// Writes this record into `lease`'s spec, keeping the spec's other fields
    /// (`preferredHolder`, `strategy`) and all metadata.
    public func apply(to lease: inout CoordinationV1.Lease) {
        var spec = lease.spec ?? CoordinationV1.LeaseSpec()
        let fields = leaseSpec
        spec.holderIdentity = fields.holderIdentity
        spec.leaseDurationSeconds = fields.leaseDurationSeconds
        spec.acquireTime = fields.acquireTime
        spec.renewTime = fields.renewTime
        spec.leaseTransitions = fields.leaseTransitions
        lease.spec = spec
    }

    /// A new Lease `namespace/name` holding this record (for `create`), with type metadata set.
    public func lease(name: String, namespace: String) -> CoordinationV1.Lease {
        CoordinationV1.Lease(
            metadata: MetaV1.ObjectMeta(name: name, namespace: namespace),
            spec: leaseSpec
        ).withTypeMeta()
    }
}
