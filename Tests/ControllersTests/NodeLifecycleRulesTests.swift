import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("Node lifecycle rules")
struct NodeLifecycleRulesTests {
    typealias F = Fixtures
    typealias R = NodeLifecycleRules

    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"
    static let now = F.epoch + 1000

    static func noSchedule(_ key: String, value: String? = nil) -> CoreV1.Taint {
        CoreV1.Taint(effect: "NoSchedule", key: key, value: value)
    }

    static func noExecute(_ key: String, added: Int64? = nil, value: String? = nil) -> CoreV1.Taint {
        CoreV1.Taint(effect: "NoExecute", key: key, timeAdded: added.map(F.time), value: value)
    }

    static func pod(_ tolerations: [CoreV1.Toleration]) -> CoreV1.Pod {
        var pod = F.pod("p")
        pod.spec?.tolerations = tolerations.isEmpty ? nil : tolerations
        return pod
    }

    // MARK: NoSchedule taints

    @Test("each condition calls for its NoSchedule taint, and only that one", arguments: [
        ("Ready", "False", "node.kubernetes.io/not-ready"), ("Ready", "Unknown", "node.kubernetes.io/unreachable"),
        ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"), ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
        ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"), ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
    ])
    func conditionTaint(type: String, status: String, key: String) {
        let node = type == "Ready" ? F.node("a", ready: status) : F.node("a", conditions: [type: status])
        #expect(R.noScheduleTaints(node) == [Self.noSchedule(key)])
    }

    @Test("a healthy node calls for none; neither does a node without conditions")
    func healthyNode() {
        #expect(R.noScheduleTaints(F.node("a", conditions: ["NetworkUnavailable": "False"])).isEmpty)
        #expect(R.noScheduleTaints(F.node("a", ready: nil)).isEmpty)
        // Pressure conditions that are Unknown are not tainted (only True is).
        #expect(R.noScheduleTaints(F.node("a", conditions: ["MemoryPressure": "Unknown", "DiskPressure": "Unknown"])).isEmpty)
    }

    @Test("an unschedulable (cordoned) node gets the unschedulable taint, alongside its condition taints")
    func unschedulable() {
        #expect(R.noScheduleTaints(F.node("a", unschedulable: true)) == [Self.noSchedule("node.kubernetes.io/unschedulable")])
        #expect(R.noScheduleTaints(F.node("a", unschedulable: false)).isEmpty)
        let both = R.noScheduleTaints(F.node("a", ready: "False", conditions: ["DiskPressure": "True"], unschedulable: true))
        #expect(Set(both) == [
            Self.noSchedule(Self.notReady), Self.noSchedule("node.kubernetes.io/disk-pressure"),
            Self.noSchedule("node.kubernetes.io/unschedulable"),
        ])
        #expect(both.count == 3)
    }

    // MARK: NoExecute taint

    @Test("readiness picks the NoExecute taint: False → not-ready, Unknown → unreachable, True → none")
    func noExecuteKey() {
        #expect(R.noExecuteKey(F.node("a", ready: "False")) == Self.notReady)
        #expect(R.noExecuteKey(F.node("a", ready: "Unknown")) == Self.unreachable)
        #expect(R.noExecuteKey(F.node("a", ready: "True")) == nil)
        // Pressure does not call for NoExecute.
        #expect(R.noExecuteKey(F.node("a", conditions: ["MemoryPressure": "True", "NetworkUnavailable": "True"])) == nil)
    }

    @Test("taints(of:) keeps unrelated taints, swaps the managed ones, and keeps timeAdded of those that stay")
    func mergesTaints() {
        let user = [
            Self.noSchedule("dedicated", value: "gpu"), Self.noExecute("maintenance", added: -50, value: "true"),
            // A managed key with an effect this controller does not manage is someone else's.
            CoreV1.Taint(effect: "PreferNoSchedule", key: Self.notReady),
        ]
        var memory = Self.noSchedule("node.kubernetes.io/memory-pressure")
        memory.timeAdded = F.time(-300)
        let node = F.node("a", ready: "False", taints: user + [
            memory, Self.noSchedule("node.kubernetes.io/disk-pressure"), Self.noExecute(Self.notReady, added: -200),
        ])
        let now = F.time(1000)

        let same = R.taints(
            of: node, noSchedule: [Self.noSchedule("node.kubernetes.io/memory-pressure"), Self.noSchedule(Self.notReady)],
            noExecute: Self.notReady, now: now)
        #expect(Set(same) == Set(user + [memory, Self.noSchedule(Self.notReady), Self.noExecute(Self.notReady, added: -200)]))
        #expect(same.count == user.count + 3)

        // Not-ready → unreachable: a new NoExecute taint, stamped now.
        let swapped = R.taints(of: node, noSchedule: [], noExecute: Self.unreachable, now: now)
        #expect(Set(swapped) == Set(user + [Self.noExecute(Self.unreachable, added: 1000)]))

        // Healthy again: only the unrelated taints stay.
        #expect(Set(R.taints(of: node, noSchedule: [], noExecute: nil, now: now)) == Set(user))
        #expect(R.taints(of: F.node("a"), noSchedule: [], noExecute: nil, now: now).isEmpty)
    }

    // MARK: Silent kubelet

    @Test("markedUnknown turns the kubelet's conditions Unknown, keeping their heartbeats; NetworkUnavailable is left alone")
    func markedUnknownExisting() throws {
        let node = F.node("a", ready: "True", heartbeat: -90, conditions: ["DiskPressure": "True", "NetworkUnavailable": "False"])
        let marked = try #require(R.markedUnknown(node, now: F.time(0)))
        let conditions = marked.status?.conditions ?? []
        #expect(conditions.map(\.type) == ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"])
        for condition in conditions where condition.type != "NetworkUnavailable" {
            #expect(condition.status == "Unknown", "\(condition.type)")
            #expect(condition.reason == "NodeStatusUnknown", "\(condition.type)")
            #expect(condition.message == "Kubelet stopped posting node status.", "\(condition.type)")
            #expect(condition.lastHeartbeatTime == F.time(-90), "\(condition.type)")
            #expect(condition.lastTransitionTime == F.time(0), "\(condition.type)")
        }
        let network = try #require(conditions.last)
        #expect(network.status == "False" && network.lastTransitionTime == F.time(-86_400))
        // Everything else about the node is untouched.
        #expect(marked.metadata == node.metadata && marked.spec == node.spec)
    }

    @Test("markedUnknown leaves conditions already Unknown as they are, and is nil when all of them are")
    func markedUnknownIdempotent() throws {
        var node = F.node("a", ready: "Unknown", heartbeat: -90)
        #expect(R.markedUnknown(node, now: F.time(0)) == nil)
        // Only MemoryPressure still claims to know: only it changes.
        node.status?.conditions?[1].status = "False"
        let marked = try #require(R.markedUnknown(node, now: F.time(0)))
        let conditions = try #require(marked.status?.conditions)
        #expect(conditions[0] == node.status?.conditions?[0])
        #expect(conditions[1].status == "Unknown" && conditions[1].reason == "NodeStatusUnknown" && conditions[1].lastTransitionTime == F.time(0))
    }

    @Test("markedUnknown adds the conditions a kubelet never posted, as NodeStatusNeverUpdated since creation")
    func markedUnknownMissing() throws {
        let bare = F.node("a", ready: nil, created: -120)
        let marked = try #require(R.markedUnknown(bare, now: F.time(0)))
        let conditions = marked.status?.conditions ?? []
        #expect(conditions.map(\.type) == ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"])
        for condition in conditions {
            #expect(condition.status == "Unknown", "\(condition.type)")
            #expect(condition.reason == "NodeStatusNeverUpdated", "\(condition.type)")
            #expect(condition.message == "Kubelet never posted node status.", "\(condition.type)")
            #expect(condition.lastHeartbeatTime == F.time(-120), "\(condition.type)")
            #expect(condition.lastTransitionTime == F.time(0), "\(condition.type)")
        }

        // Some posted, some not: the posted ones say "stopped", the others "never".
        var partial = F.node("a", ready: "True", heartbeat: -60, created: -120)
        partial.status?.conditions?.removeAll { $0.type == "PIDPressure" }
        let mixed = try #require(R.markedUnknown(partial, now: F.time(0))?.status?.conditions)
        #expect(mixed.map(\.type) == ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"])
        #expect(mixed.map(\.reason) == ["NodeStatusUnknown", "NodeStatusUnknown", "NodeStatusUnknown", "NodeStatusNeverUpdated"])
        #expect(mixed.map(\.lastHeartbeatTime) == [F.time(-60), F.time(-60), F.time(-60), F.time(-120)])
    }

    // MARK: Zones

    @Test("zone state: no ready node is a full disruption; more than two and at least the threshold not ready a partial one", arguments: [
        (0, 0, .normal), (3, 0, .normal), (0, 1, .fullDisruption), (0, 7, .fullDisruption), (1, 2, .normal), (0, 2, .fullDisruption),
        (1, 3, .partialDisruption), (3, 3, .normal), (2, 3, .partialDisruption), (100, 3, .normal), (9, 11, .partialDisruption),
    ] as [(Int, Int, NodeLifecycleRules.ZoneState)])
    func zoneState(ready: Int, notReady: Int, expected: NodeLifecycleRules.ZoneState) {
        #expect(R.zoneState(ready: ready, notReady: notReady, unhealthyThreshold: 0.55) == expected)
    }

    @Test("the unhealthy threshold is inclusive")
    func zoneThreshold() {
        #expect(R.zoneState(ready: 2, notReady: 3, unhealthyThreshold: 0.6) == .partialDisruption)
        #expect(R.zoneState(ready: 2, notReady: 3, unhealthyThreshold: 0.61) == .normal)
    }

    @Test("zones are keyed region:\\0:zone from the topology labels (GA or beta); unlabelled nodes share the empty zone")
    func zoneKey() {
        #expect(R.zone(F.node("a", zone: "z1")) == "r:\u{0}:z1")
        #expect(R.zone(F.node("a", labels: [
            "failure-domain.beta.kubernetes.io/region": "r", "failure-domain.beta.kubernetes.io/zone": "z1",
        ])) == "r:\u{0}:z1")
        #expect(R.zone(F.node("a", labels: ["topology.kubernetes.io/zone": "z1"])) == ":\u{0}:z1")
        #expect(R.zone(F.node("a")) == "")
        #expect(R.zone(F.node("a", labels: ["kubernetes.io/hostname": "a"])) == "")
    }

    @Test("when beta and GA zone labels disagree, upstream's GetZoneKey reads the beta ones first")
    func zoneKeyPrecedence() {
        let node = F.node("a", zone: "ga-zone", labels: [
            "failure-domain.beta.kubernetes.io/region": "beta-region", "failure-domain.beta.kubernetes.io/zone": "beta-zone",
        ])
        #expect(R.zone(node) == "beta-region:\u{0}:beta-zone")
    }

    // MARK: Taint eviction

    @Test("no NoExecute taint: nothing to evict for")
    func noNoExecute() {
        #expect(R.evictionTime(Self.pod([]), taints: [], now: Self.now) == nil)
        #expect(R.evictionTime(Self.pod([]), taints: [Self.noSchedule(Self.notReady), CoreV1.Taint(effect: "PreferNoSchedule", key: "x")], now: Self.now) == nil)
    }

    @Test("an untolerated NoExecute taint evicts now")
    func untolerated() {
        let taints = [Self.noExecute(Self.notReady, added: 0)]
        #expect(R.evictionTime(Self.pod([]), taints: taints, now: Self.now) == Self.now)
        // Wrong key, wrong effect, wrong value: not tolerated.
        #expect(R.evictionTime(Self.pod([F.toleration(Self.unreachable)]), taints: taints, now: Self.now) == Self.now)
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady, effect: "NoSchedule")]), taints: taints, now: Self.now) == Self.now)
        let valued = [Self.noExecute("dedicated", added: 0, value: "db")]
        #expect(R.evictionTime(Self.pod([F.toleration("dedicated", value: "web")]), taints: valued, now: Self.now) == Self.now)
        #expect(R.evictionTime(Self.pod([F.toleration("dedicated", value: "db")]), taints: valued, now: Self.now) == nil)
    }

    @Test("a toleration without tolerationSeconds tolerates forever; so does a wildcard one, or one without effect")
    func toleratedForever() {
        let taints = [Self.noExecute(Self.notReady, added: 0)]
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady)]), taints: taints, now: Self.now) == nil)
        #expect(R.evictionTime(Self.pod([F.toleration(nil)]), taints: taints, now: Self.now) == nil)
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady, effect: nil)]), taints: taints, now: Self.now) == nil)
    }

    @Test("tolerationSeconds counts from the taint's timeAdded")
    func tolerationSeconds() {
        let taints = [Self.noExecute(Self.notReady, added: 100)]
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady, seconds: 300)]), taints: taints, now: Self.now) == F.epoch + 400)
        // Already run out: due in the past, which means now.
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady, seconds: 30)]), taints: taints, now: Self.now) == F.epoch + 130)
        // The pod's first matching toleration carries the seconds (a later forever one does not lift them).
        let two = [F.toleration(nil, seconds: 60), F.toleration(Self.notReady)]
        #expect(R.evictionTime(Self.pod(two), taints: taints, now: Self.now) == F.epoch + 160)
        // A taint without timeAdded counts from now.
        let unstamped = [Self.noExecute(Self.notReady)]
        #expect(R.evictionTime(Self.pod([F.toleration(Self.notReady, seconds: 300)]), taints: unstamped, now: Self.now) == Self.now + 300)
    }

    @Test("zero or negative tolerationSeconds evicts at once")
    func nonPositiveSeconds() throws {
        let taints = [Self.noExecute(Self.notReady, added: 1000)]
        for seconds: Int64 in [0, -5] {
            let due = try #require(R.evictionTime(Self.pod([F.toleration(Self.notReady, seconds: seconds)]), taints: taints, now: Self.now))
            #expect(due <= Self.now, "tolerationSeconds \(seconds)")
        }
    }

    @Test("several NoExecute taints: one untolerated evicts now; otherwise their timeAdded plus the smallest seconds")
    func multipleTaints() {
        let taints = [Self.noExecute(Self.unreachable, added: 100), Self.noExecute("maintenance", added: 100, value: "true")]
        let tolerateUnreachable = F.toleration(Self.unreachable, seconds: 300)
        #expect(R.evictionTime(Self.pod([tolerateUnreachable]), taints: taints, now: Self.now) == Self.now)
        #expect(R.evictionTime(Self.pod([tolerateUnreachable, F.toleration("maintenance", seconds: 600)]), taints: taints, now: Self.now) == F.epoch + 400)
        // One tolerated forever, the other for a while: the while.
        #expect(R.evictionTime(Self.pod([F.toleration("maintenance"), tolerateUnreachable]), taints: taints, now: Self.now) == F.epoch + 400)
        // Both forever: never.
        #expect(R.evictionTime(Self.pod([F.toleration(Self.unreachable), F.toleration("maintenance")]), taints: taints, now: Self.now) == nil)
        // NoSchedule taints among them do not count.
        let mixed = taints + [Self.noSchedule("dedicated")]
        #expect(R.evictionTime(Self.pod([F.toleration(Self.unreachable), F.toleration("maintenance")]), taints: mixed, now: Self.now) == nil)
    }

    @Test("an older taint tolerated forever does not make a newer one's tolerationSeconds run out sooner")
    func olderForeverTaint() {
        // maintenance (tolerated forever) since 100, unreachable (tolerated 300 s) since 200. Upstream's taint
        // manager schedules nothing for the first and, seeing the second at 200, the deletion for 200 + 300.
        let taints = [Self.noExecute("maintenance", added: 100, value: "true"), Self.noExecute(Self.unreachable, added: 200)]
        let pod = Self.pod([F.toleration("maintenance"), F.toleration(Self.unreachable, seconds: 300)])
        #expect(R.evictionTime(pod, taints: taints, now: Self.now) == F.epoch + 500)
    }

    @Test("upstream uses the first toleration that matches each taint (GetMatchingTolerations), not every match")
    func firstMatchingToleration() {
        let taints = [Self.noExecute(Self.unreachable, added: 100)]
        // First match tolerates forever: upstream never evicts.
        let foreverFirst = Self.pod([F.toleration(Self.unreachable), F.toleration(Self.unreachable, seconds: 60)])
        #expect(R.evictionTime(foreverFirst, taints: taints, now: Self.now) == nil)
        // First match has the seconds: both agree.
        let secondsFirst = Self.pod([F.toleration(Self.unreachable, seconds: 60), F.toleration(Self.unreachable)])
        #expect(R.evictionTime(secondsFirst, taints: taints, now: Self.now) == F.epoch + 160)
    }
}
