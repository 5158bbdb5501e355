import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("Node lifecycle controller")
struct NodeLifecycleControllerTests {
    typealias F = Fixtures

    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"

    /// A `NodeLifecycleController` over listers the fake client keeps up to date, on a manual
    /// clock whose wall time starts at `Fixtures.epoch` (t = 0). Leases go straight into their
    /// store, as the kubelet renewing them would.
    final class Harness: Sendable {
        let nodes = ThreadSafeStore<CoreV1.Node>()
        let leases = ThreadSafeStore<CoordinationV1.Lease>()
        let pods = ThreadSafeStore<CoreV1.Pod>()
        let client = FakeControllerClient()
        let events = RecordingEvents()
        let clock = ManualClock()
        let controller: NodeLifecycleController

        init(
            settings: NodeLifecycleController.Settings = NodeLifecycleController.Settings(), nodes: [CoreV1.Node],
            leases: [CoordinationV1.Lease] = [], pods: [CoreV1.Pod] = []
        ) {
            controller = NodeLifecycleController(
                nodes: Lister(store: self.nodes), leases: Lister(store: self.leases), pods: Lister(store: self.pods), client: client,
                events: events, settings: settings, clock: clock, logger: F.logger)
            client.mirror(self.nodes)
            client.mirror(self.pods)
            for node in nodes { client.seed(node) }
            for lease in leases { self.leases.add(lease) }
            for pod in pods { client.seed(pod) }
        }

        func sync(_ names: String...) async throws {
            for name in names { try await controller.sync(name) }
        }

        func advance(_ seconds: Int64) { clock.advance(by: .seconds(seconds)) }

        /// The kubelet renews `node`'s Lease now.
        func renew(_ node: String) {
            let now = clock.wallNow.time.secondsSinceEpoch - F.epoch
            leases.add(F.lease(node, renewed: now))
        }

        /// The kubelet posts `node`'s status now with Ready `ready` (and whatever `change` sets).
        func post(_ node: String, ready: String, _ change: (inout CoreV1.Node) -> Void = { _ in }) throws {
            var posted = try #require(self.node(node))
            let now = clock.wallNow.time
            let conditions = posted.status?.conditions
            posted.status?.conditions = conditions?.map { condition in
                var condition = condition
                condition.lastHeartbeatTime = now
                if condition.type == "Ready", condition.status != ready {
                    condition.status = ready
                    condition.reason = "KubeletReady"
                    condition.lastTransitionTime = now
                }
                return condition
            }
            change(&posted)
            client.seed(posted)
        }

        func node(_ name: String) -> CoreV1.Node? { nodes.get(key: name) }
        func condition(_ node: String, _ type: String) -> CoreV1.NodeCondition? {
            self.node(node)?.status?.conditions?.first { $0.type == type }
        }

        /// The node's taints as `key[=value]:Effect`.
        func taints(_ name: String) -> Set<String> {
            Set((node(name)?.spec?.taints ?? []).map { taint in
                let value = taint.value.map { "=" + $0 } ?? ""
                return "\(taint.key)\(value):\(taint.effect)"
            })
        }

        /// The controller's NoExecute taint on the node (not-ready or unreachable), if any.
        func noExecute(_ name: String) -> CoreV1.Taint? {
            let keys = [NodeLifecycleControllerTests.notReady, NodeLifecycleControllerTests.unreachable]
            return node(name)?.spec?.taints?.first { $0.effect == "NoExecute" && keys.contains($0.key) }
        }

        func pod(_ name: String) -> CoreV1.Pod? { pods.get(key: "\(F.namespace)/\(name)") }
        func podCondition(_ name: String, _ type: String) -> CoreV1.PodCondition? {
            client.object(CoreV1.Pod.self, namespace: F.namespace, name: name)?.status?.conditions?.first { $0.type == type }
        }

        /// The writes made to pods, as `verb Pod name`.
        var podWrites: [String] { client.actions.filter { $0.kind == "Pod" }.map(\.description) }
        var deletedPods: [String] { client.actions("delete", kind: "Pod").map(\.name).sorted() }
        var nodeStatusWrites: Int { client.actions("updateStatus", kind: "Node").count }
    }

    /// A pod on `node`, with the tolerations DefaultTolerationSeconds would give it unless told otherwise.
    static func pod(
        _ name: String, on node: String = "a", tolerations: [CoreV1.Toleration] = F.defaultTolerations, ready: Bool = true,
        finalizer: Bool = false, deleting: Bool = false
    ) -> CoreV1.Pod {
        var pod = F.pod(name, ready: ready, node: node, deleting: deleting)
        pod.spec?.tolerations = tolerations.isEmpty ? nil : tolerations
        if finalizer { pod.metadata?.finalizers = ["example.com/keep"] }
        return pod
    }

    // MARK: Node health

    @Test("a node whose Lease keeps being renewed stays Ready, however old its status; it goes Unknown a grace period after the last renewal")
    func leaseKeepsNodeReady() async throws {
        let h = Harness(nodes: [F.node("a", heartbeat: 0)], leases: [F.lease("a", renewed: 0)])
        try await h.sync("a")
        for _ in 1...6 {
            h.advance(10)
            h.renew("a")
            try await h.sync("a")
        }
        // The status heartbeat is 60 s old, past the 40 s grace period: the Lease is what counts.
        #expect(h.condition("a", "Ready")?.status == "True")
        #expect(h.client.actions.isEmpty)
        #expect(h.events.all.isEmpty)

        // The kubelet falls silent at t = 60: exactly the grace period later it is still trusted…
        h.advance(40)
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "True")
        #expect(h.client.actions.isEmpty)
        // …one second more and it is not.
        h.advance(1)
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "Unknown")
        #expect(h.condition("a", "Ready")?.reason == "NodeStatusUnknown")
        #expect(h.nodeStatusWrites == 1)
    }

    @Test("a status heartbeat counts as much as a Lease renewal")
    func statusHeartbeatKeepsNodeReady() async throws {
        let h = Harness(nodes: [F.node("a", heartbeat: 0)])
        try await h.sync("a")
        h.advance(30)
        try h.post("a", ready: "True")
        try await h.sync("a")
        h.advance(30)
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "True")
        #expect(h.nodeStatusWrites == 0)
    }

    @Test("a node silent for longer than the grace period goes Unknown, with a NodeNotReady event, and its ready pods are marked not ready")
    func silentNodeGoesUnknown() async throws {
        let h = Harness(
            nodes: [F.node("a", heartbeat: -10, conditions: ["NetworkUnavailable": "False"]), F.node("b", heartbeat: 0)],
            leases: [F.lease("b", renewed: 0)],
            pods: [Self.pod("web-1"), Self.pod("web-2", on: "b"), Self.pod("web-3", ready: false)])
        try await h.sync("a")
        #expect(h.client.actions.isEmpty)

        h.advance(41)
        h.renew("b")
        try await h.sync("a")

        let ready = try #require(h.condition("a", "Ready"))
        #expect(ready.status == "Unknown")
        #expect(ready.reason == "NodeStatusUnknown")
        #expect(ready.message == "Kubelet stopped posting node status.")
        #expect(ready.lastHeartbeatTime == F.time(-10))
        #expect(ready.lastTransitionTime == F.time(41))
        for type in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
            #expect(h.condition("a", type)?.status == "Unknown", "\(type)")
        }
        #expect(h.condition("a", "NetworkUnavailable")?.status == "False")
        #expect(h.condition("b", "Ready")?.status == "True")

        let nodeEvents = h.events.with(reason: "NodeNotReady").filter { $0.object.kind == "Node" }
        #expect(nodeEvents.map(\.object.name) == ["a"])
        #expect(nodeEvents.first?.type == .normal)
        #expect(nodeEvents.first?.message == "Node a status is now: NodeNotReady")

        // Only the ready pod on the node was written, its Ready condition now False.
        #expect(h.podWrites == ["updateStatus Pod web-1"])
        let web1 = try #require(h.pod("web-1")?.readyCondition)
        #expect(web1.status == "False")
        #expect(web1.lastTransitionTime == F.time(41))
        #expect(h.pod("web-2")?.isReady == true)
        #expect(h.pod("web-3")?.readyCondition?.lastTransitionTime == F.time(-3600))
        let podEvents = h.events.with(reason: "NodeNotReady").filter { $0.object.kind == "Pod" }
        #expect(podEvents.map(\.object.name) == ["web-1"])
        #expect(podEvents.first?.type == .warning)
        #expect(podEvents.first?.message == "Node is not ready")

        // Level-triggered: the next pass writes no status and reports nothing more; the node is tainted unreachable.
        try await h.sync("a")
        #expect(h.nodeStatusWrites == 1)
        #expect(h.events.with(reason: "NodeNotReady").filter { $0.object.kind == "Node" }.count == 1)
        #expect(h.client.actions("updateStatus", kind: "Pod").count == 1)
        #expect(h.taints("a").contains("\(Self.unreachable):NoSchedule"))
        #expect(h.noExecute("a")?.key == Self.unreachable)
        // Its pods tolerate that for 300 s: none is evicted yet.
        #expect(h.deletedPods.isEmpty)
    }

    @Test("the grace period counts from when the controller first sees a node, not from the node's own (possibly skewed) heartbeat")
    func firstSightGetsFullGracePeriod() async throws {
        // The kubelet's clock is an hour behind, or the controller has just restarted: upstream's
        // probeTimestamp starts at the controller's now either way.
        let h = Harness(nodes: [F.node("a", heartbeat: -3600), F.node("b", heartbeat: 0)], leases: [F.lease("b", renewed: 0)])
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "True")
        #expect(h.nodeStatusWrites == 0)
        h.advance(41)
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "Unknown")
    }

    @Test("a node that never posted status gets the startup grace period (60 s), then conditions NodeStatusNeverUpdated and no NodeNotReady event")
    func neverPostedNode() async throws {
        let h = Harness(nodes: [F.node("fresh", ready: nil, created: -50), F.node("b", heartbeat: 0)], leases: [F.lease("b", renewed: 0)])
        try await h.sync("fresh")
        #expect(h.node("fresh")?.status?.conditions == nil)
        h.advance(11)
        try await h.sync("fresh")
        let ready = try #require(h.condition("fresh", "Ready"))
        #expect(ready.status == "Unknown")
        #expect(ready.reason == "NodeStatusNeverUpdated")
        #expect(ready.message == "Kubelet never posted node status.")
        #expect(ready.lastHeartbeatTime == F.time(-50))
        #expect(h.node("fresh")?.status?.conditions?.map(\.type) == ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"])
        #expect(h.events.with(reason: "NodeNotReady").isEmpty)
    }

    @Test("a node without a Ready condition, still within its startup grace, gets no NoExecute taint")
    func noReadyConditionNoNoExecute() async throws {
        let h = Harness(
            nodes: [F.node("fresh", ready: nil, created: -5), F.node("b", heartbeat: 0)], leases: [F.lease("b", renewed: 0)],
            pods: [Self.pod("early", on: "fresh", tolerations: [])])
        try await h.sync("fresh")
        #expect(h.nodeStatusWrites == 0)
        #expect(h.noExecute("fresh") == nil)
        #expect(h.deletedPods.isEmpty)
    }

    @Test("a ready pod that turns up on a node already not ready is marked not ready too")
    func podOnUnknownNode() async throws {
        let h = Harness(
            nodes: [F.node("a", ready: "Unknown", heartbeat: -100), F.node("b", heartbeat: 0)], leases: [F.lease("b", renewed: 0)])
        try await h.sync("a")
        h.client.seed(Self.pod("late"))
        try await h.sync("a")
        #expect(h.deletedPods.isEmpty)
        #expect(h.pod("late")?.isReady == false)
    }

    // MARK: Taints

    @Test("NoSchedule taints follow the conditions and spec.unschedulable; other taints are kept")
    func noScheduleTaintsFollowConditions() async throws {
        let h = Harness(
            nodes: [
                F.node(
                    "a", conditions: ["MemoryPressure": "True", "PIDPressure": "True", "NetworkUnavailable": "True"], unschedulable: true,
                    taints: [
                        CoreV1.Taint(effect: "NoSchedule", key: "dedicated", value: "gpu"),
                        CoreV1.Taint(effect: "NoSchedule", key: "node.kubernetes.io/disk-pressure"),
                    ]),
                F.node("b"),
            ],
            leases: [F.lease("a", renewed: 0), F.lease("b", renewed: 0)])
        try await h.sync("a")
        #expect(h.taints("a") == [
            "dedicated=gpu:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule",
            "node.kubernetes.io/network-unavailable:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule",
        ])
        #expect(h.client.actions == [.update(kind: "Node", namespace: "", name: "a")])
        let memory = h.node("a")?.spec?.taints?.first { $0.key == "node.kubernetes.io/memory-pressure" }
        #expect(memory?.timeAdded == F.time(0))
        // Level-triggered.
        try await h.sync("a")
        #expect(h.client.actions.count == 1)

        // Memory pressure gone, node uncordoned.
        h.advance(5)
        try h.post("a", ready: "True") { node in
            node.spec?.unschedulable = nil
            let conditions = node.status?.conditions
            node.status?.conditions = conditions?.map { condition in
                var condition = condition
                if condition.type == "MemoryPressure" { condition.status = "False" }
                return condition
            }
        }
        try await h.sync("a")
        #expect(h.taints("a") == [
            "dedicated=gpu:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/network-unavailable:NoSchedule",
        ])

        // The kubelet reports NotReady: not-ready, for scheduling and (first in its zone) execution.
        h.advance(5)
        try h.post("a", ready: "False")
        try await h.sync("a")
        #expect(h.taints("a").contains("\(Self.notReady):NoSchedule"))
        #expect(h.taints("a").contains("\(Self.notReady):NoExecute"))
        #expect(h.noExecute("a")?.timeAdded == F.time(10))

        // Ready again: both go; the rest stay.
        h.advance(5)
        try h.post("a", ready: "True")
        try await h.sync("a")
        #expect(h.taints("a") == [
            "dedicated=gpu:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/network-unavailable:NoSchedule",
        ])
    }

    @Test("the NoExecute taint swaps between not-ready and unreachable at once, stamped anew")
    func noExecuteSwap() async throws {
        let h = Harness(nodes: [F.node("a", ready: "False", heartbeat: 0), F.node("b")], leases: [F.lease("b", renewed: 0)])
        try await h.sync("a")
        #expect(h.noExecute("a") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(0)))
        // The kubelet goes silent; 41 s later it is unreachable: no wait for the rate limiter.
        h.advance(41)
        h.renew("b")
        try await h.sync("a")
        #expect(h.condition("a", "Ready")?.status == "Unknown")
        #expect(h.noExecute("a") == CoreV1.Taint(effect: "NoExecute", key: Self.unreachable, timeAdded: F.time(41)))
        #expect(!h.taints("a").contains("\(Self.notReady):NoExecute"))
        #expect(h.taints("a").contains("\(Self.unreachable):NoSchedule") && !h.taints("a").contains("\(Self.notReady):NoSchedule"))
    }

    @Test("NoExecute taints are added at --node-eviction-rate per zone: the second node of a zone waits 1/rate seconds")
    func noExecuteRateLimitedPerZone() async throws {
        let h = Harness(nodes: [
            F.node("n1", ready: "False", zone: "z1"), F.node("n2", ready: "False", zone: "z1"),
            F.node("n3", zone: "z1"), F.node("n4", zone: "z1"), F.node("n5", zone: "z1"),
            F.node("m1", ready: "False", zone: "z2"), F.node("m2", zone: "z2"),
        ])
        try await h.sync("n1", "n2", "m1")
        #expect(h.noExecute("n1") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(0)))
        // n2 waits, but is tainted NoSchedule at once.
        #expect(h.noExecute("n2") == nil)
        #expect(h.taints("n2") == ["\(Self.notReady):NoSchedule"])
        // Another zone has its own limiter.
        #expect(h.noExecute("m1") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(0)))

        h.advance(9)
        try await h.sync("n2")
        #expect(h.noExecute("n2") == nil)
        h.advance(1)
        try await h.sync("n2")
        #expect(h.noExecute("n2") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(10)))
        // Healthy nodes are never tainted.
        try await h.sync("n3", "m2")
        #expect(h.taints("n3").isEmpty && h.taints("m2").isEmpty)
    }

    @Test("a zone mostly down: no NoExecute taints when it is small, --secondary-node-eviction-rate when it is large")
    func partialDisruption() async throws {
        let nodes = [
            F.node("n1", ready: "False", zone: "z1"), F.node("n2", ready: "False", zone: "z1"), F.node("n3", ready: "False", zone: "z1"),
            F.node("n4", zone: "z1"), F.node("m1", zone: "z2"),
        ]
        let small = Harness(nodes: nodes)
        try await small.sync("n1", "n2")
        #expect(small.noExecute("n1") == nil && small.noExecute("n2") == nil)
        #expect(small.taints("n1") == ["\(Self.notReady):NoSchedule"])

        var settings = NodeLifecycleController.Settings()
        settings.largeClusterThreshold = 3
        let large = Harness(settings: settings, nodes: nodes)
        try await large.sync("n1", "n2")
        #expect(large.noExecute("n1")?.key == Self.notReady)
        #expect(large.noExecute("n2") == nil)
        large.advance(99)
        large.renew("n2")
        try await large.sync("n2")
        #expect(large.noExecute("n2") == nil)
        large.advance(1)
        large.renew("n2")
        try await large.sync("n2")
        #expect(large.noExecute("n2") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(100)))
    }

    @Test("when every zone is entirely down no NoExecute taint is added (and any is removed), and nothing is evicted")
    func allZonesDown() async throws {
        let h = Harness(
            nodes: [
                F.node("a", ready: "False", zone: "z1", taints: [
                    CoreV1.Taint(effect: "NoSchedule", key: Self.notReady),
                    CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(-100)),
                ]),
                F.node("b", ready: "False", zone: "z2"),
            ],
            pods: [Self.pod("plain", tolerations: [])])
        try await h.sync("a", "b")
        #expect(h.taints("a") == ["\(Self.notReady):NoSchedule"])
        #expect(h.taints("b") == ["\(Self.notReady):NoSchedule"])
        #expect(h.deletedPods.isEmpty)
        #expect(h.pod("plain") != nil)

        // One zone recovers: the other is tainted again, and the pod that does not tolerate it goes.
        h.advance(5)
        try h.post("b", ready: "True")
        try await h.sync("b", "a")
        #expect(h.noExecute("a") == CoreV1.Taint(effect: "NoExecute", key: Self.notReady, timeAdded: F.time(5)))
        #expect(h.deletedPods == ["plain"])
    }

    @Test("nodes labelled node.kubernetes.io/exclude-disruption do not count towards their zone's state")
    func excludedFromDisruption() async throws {
        // Without the excluded node, zone z1 has only b, which is down, as is every zone: upstream evicts nothing.
        let h = Harness(nodes: [
            F.node("a", zone: "z1", labels: ["node.kubernetes.io/exclude-disruption": ""]), F.node("b", ready: "False", zone: "z1"),
        ], leases: [F.lease("a", renewed: 0)])
        try await h.sync("b")
        #expect(h.taints("b").contains("\(Self.notReady):NoSchedule"))
        #expect(h.noExecute("b") == nil)
    }

    // MARK: Taint-based eviction

    @Test("a pod that does not tolerate a NoExecute taint gets DisruptionTarget (DeletionByTaintManager), then is deleted, with a TaintManagerEviction event")
    func evictsUntoleratingPod() async throws {
        let h = Harness(
            nodes: [F.node("a", ready: "False"), F.node("b")],
            pods: [
                Self.pod("plain", tolerations: [], finalizer: true), Self.pod("tolerant", tolerations: [F.toleration(Self.notReady)]),
                Self.pod("leaving", tolerations: [], deleting: true), Self.pod("elsewhere", on: "b", tolerations: []),
            ])
        h.client.honorFinalizers()
        try await h.sync("a")
        #expect(h.noExecute("a")?.key == Self.notReady)

        #expect(h.podWrites == ["updateStatus Pod plain", "delete Pod plain"])
        let target = try #require(h.podCondition("plain", "DisruptionTarget"))
        #expect(target.status == "True")
        #expect(target.reason == "DeletionByTaintManager")
        #expect(target.message == "Taint manager: deleting due to NoExecute taint")
        #expect(target.lastTransitionTime == F.time(0))
        // The pod keeps its other conditions, and is now being deleted.
        #expect(h.podCondition("plain", "Ready") != nil)
        #expect(h.pod("plain")?.isBeingDeleted == true)

        let events = h.events.with(reason: "TaintManagerEviction")
        #expect(events.count == 1)
        #expect(events.first?.object.kind == "Pod")
        #expect(events.first?.object.name == "plain")
        #expect(events.first?.object.namespace == F.namespace)
        #expect(events.first?.type == .normal)
        #expect(events.first?.message == "Marking for deletion Pod default/plain")

        // Level-triggered: nothing more to do.
        try await h.sync("a")
        #expect(h.podWrites.count == 2)
        #expect(h.pod("tolerant") != nil && h.pod("elsewhere") != nil)
    }

    @Test("a user's NoExecute taint evicts as well; removing it stops the evictions")
    func userNoExecuteTaint() async throws {
        let maintenance = CoreV1.Taint(effect: "NoExecute", key: "maintenance", timeAdded: F.time(0), value: "true")
        let h = Harness(
            nodes: [F.node("a", taints: [maintenance])], leases: [F.lease("a", renewed: 0)],
            pods: [Self.pod("web"), Self.pod("agent", tolerations: [F.toleration("maintenance", seconds: 60)])])
        try await h.sync("a")
        #expect(h.deletedPods == ["web"])
        // The taint is lifted before agent's 60 s run out.
        h.advance(30)
        h.renew("a")
        var lifted = try #require(h.node("a"))
        lifted.spec?.taints = nil
        h.client.seed(lifted)
        h.advance(30)
        h.renew("a")
        try await h.sync("a")
        #expect(h.deletedPods == ["web"])
        #expect(h.pod("agent") != nil)
    }

    @Test("a pod with tolerationSeconds is deleted only once they run out; one tolerating forever stays")
    func tolerationSecondsDelayEviction() async throws {
        let h = Harness(
            nodes: [F.node("a", ready: "False"), F.node("b")],
            pods: [
                Self.pod("patient", tolerations: [F.toleration(Self.notReady, seconds: 30)]),
                Self.pod("forever", tolerations: [F.toleration(Self.notReady)]),
            ])
        try await h.sync("a")
        #expect(h.noExecute("a")?.timeAdded == F.time(0))
        #expect(h.deletedPods.isEmpty)
        // Drop whatever the first sync queued at once (nothing but the node itself, if anything).
        _ = await h.controller.queue.drainReady()

        h.advance(29)
        #expect(h.controller.queue.len == 0)
        try await h.sync("a")
        #expect(h.deletedPods.isEmpty)

        // The controller comes back for the node when the 30 s are up.
        h.advance(1)
        #expect(await h.controller.queue.drainReady() == ["a"])
        try await h.sync("a")
        #expect(h.deletedPods == ["patient"])
        #expect(h.podWrites == ["updateStatus Pod patient", "delete Pod patient"])
        #expect(h.events.with(reason: "TaintManagerEviction").map(\.object.name) == ["patient"])
        #expect(h.pod("forever") != nil)
    }
}
