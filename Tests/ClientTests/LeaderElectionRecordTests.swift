import Component
import APIMachinery
import Testing
@testable import Client

@Suite("Leader election record and config")
struct LeaderElectionRecordTests {
    static let acquired = MicroTime(microsecondsSinceEpoch: 1_704_164_645_123_456)
    static let renewed = MicroTime(microsecondsSinceEpoch: 1_704_164_660_000_001)

    @Test("a record survives a round trip through a Lease and its JSON")
    func roundTrip() throws {
        let record = LeaderElectionRecord(
            holderIdentity: "node-1_abc", leaseDurationSeconds: 15,
            acquireTime: Self.acquired, renewTime: Self.renewed, leaderTransitions: 7)
        let lease = record.lease(name: "kube-scheduler", namespace: "kube-system")
        #expect(lease.apiVersion == "coordination.k8s.io/v1")
        #expect(lease.kind == "Lease")
        let json = JSONCodec.encodeToString(lease)
        #expect(json.contains(#""acquireTime":"2024-01-02T03:04:05.123456Z""#))
        #expect(json.contains(#""renewTime":"2024-01-02T03:04:20.000001Z""#))
        #expect(json.contains(#""holderIdentity":"node-1_abc""#))
        #expect(json.contains(#""leaseDurationSeconds":15"#))
        #expect(json.contains(#""leaseTransitions":7"#))
        let decoded = try JSONCodec.decode(CoordinationV1.Lease.self, from: Array(json.utf8))
        #expect(LeaderElectionRecord(leaseSpec: decoded.spec) == record)
    }

    @Test("a released record writes an empty holder; absent fields read as empty")
    func emptyFields() throws {
        let released = LeaderElectionRecord(holderIdentity: "", leaseDurationSeconds: 1, leaderTransitions: 2)
        let json = JSONCodec.encodeToString(released.leaseSpec)
        #expect(json.contains(#""holderIdentity":"""#))
        #expect(!json.contains("acquireTime"))

        let sparse = try JSONCodec.decode(
            CoordinationV1.Lease.self,
            from: Array(#"{"metadata":{"name":"l","resourceVersion":"42"},"spec":{"acquireTime":null}}"#.utf8))
        let versioned = LeaderElectionRecord.versioned(from: sparse)
        #expect(versioned.resourceVersion == "42")
        #expect(versioned.record == LeaderElectionRecord())
        #expect(LeaderElectionRecord(leaseSpec: nil) == LeaderElectionRecord())
    }

    @Test("apply keeps the Lease's metadata and other spec fields")
    func applyKeepsOtherFields() {
        var lease = CoordinationV1.Lease(
            metadata: MetaV1.ObjectMeta(labels: ["team": "sched"], name: "l", namespace: "ns", resourceVersion: "9"),
            spec: CoordinationV1.LeaseSpec(holderIdentity: "old", preferredHolder: "p", strategy: "OldestEmulationVersion"))
        LeaderElectionRecord(holderIdentity: "new", leaseDurationSeconds: 15, renewTime: Self.renewed).apply(to: &lease)
        #expect(lease.metadata?.labels == ["team": "sched"])
        #expect(lease.metadata?.resourceVersion == "9")
        #expect(lease.spec?.holderIdentity == "new")
        #expect(lease.spec?.preferredHolder == "p")
        #expect(lease.spec?.strategy == "OldestEmulationVersion")
        #expect(lease.spec?.renewTime == Self.renewed)
        #expect(lease.spec?.leaseTransitions == 0)
    }

    @Test("wall time truncates to microseconds and seconds")
    func wallTimeConversions() {
        let t = WallTime(nanosecondsSinceEpoch: 1_704_164_645_123_456_789)
        #expect(t.microTime.description == "2024-01-02T03:04:05.123456Z")
        #expect(t.time.description == "2024-01-02T03:04:05Z")
        #expect(t.advanced(by: .milliseconds(1500)) - t == .milliseconds(1500))
        let before = WallTime(nanosecondsSinceEpoch: -1)
        #expect(before.microTime.microsecondsSinceEpoch == -1)
        #expect(before.time.secondsSinceEpoch == -1)
    }

    @Test(
        "config validation follows client-go's rules",
        arguments: [
            (LeaderElectionConfig(identity: "a"), nil),
            (LeaderElectionConfig(identity: ""), LeaderElectionConfigError.emptyIdentity),
            (LeaderElectionConfig(identity: "a", leaseDuration: .milliseconds(500)), .leaseDurationTooShort),
            (LeaderElectionConfig(identity: "a", renewDeadline: .zero), .renewDeadlineNotPositive),
            (LeaderElectionConfig(identity: "a", retryPeriod: .zero), .retryPeriodNotPositive),
            (LeaderElectionConfig(identity: "a", leaseDuration: .seconds(10)), .leaseDurationNotGreaterThanRenewDeadline),
            (LeaderElectionConfig(identity: "a", renewDeadline: .seconds(2), retryPeriod: .seconds(2)),
             .renewDeadlineTooShortForRetryPeriod),
            (LeaderElectionConfig(identity: "a", renewDeadline: .milliseconds(2500), retryPeriod: .seconds(2)), nil),
        ] as [(LeaderElectionConfig, LeaderElectionConfigError?)]
    )
    func validation(config: LeaderElectionConfig, expected: LeaderElectionConfigError?) {
        var thrown: LeaderElectionConfigError?
        do { try config.validate() } catch { thrown = error }
        #expect(thrown == expected)
        #expect(config.leaseDurationSeconds == Int(config.leaseDuration.components.seconds))
    }
}
