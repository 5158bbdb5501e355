import Component
import APIMachinery
import Client
import Testing
@testable import Scheduler

@Suite("SchedulingQueue")
struct SchedulingQueueTests {
    let clock = ManualClock()

    func queue(_ options: SchedulingQueueOptions = SchedulingQueueOptions()) -> SchedulingQueue {
        SchedulingQueue(less: QueuedPodInfo.prioritySort, clock: clock, options: options)
    }

    func yield(until condition: () async -> Bool) async {
        while await !condition() { await Task.yield() }
    }

    @Test("pop suspends until a pod is added", .timeLimit(.minutes(1)))
    func popSuspendsUntilAdd() async {
        let q = queue()
        let popper = Task { await q.pop() }
        await yield { await q.waitingPoppers == 1 }
        await q.add(QueueTestPods.pod("a"))
        let info = await popper.value
        #expect(info?.key == QueueTestPods.key("a"))
        #expect(info?.attempts == 1)
        #expect(await q.waitingPoppers == 0)
    }

    @Test("suspended poppers are served in arrival order, each with a different pod", .timeLimit(.minutes(1)))
    func poppersInOrder() async {
        let q = queue()
        let first = Task { await q.pop() }
        await yield { await q.waitingPoppers == 1 }
        let second = Task { await q.pop() }
        await yield { await q.waitingPoppers == 2 }
        await q.add(QueueTestPods.pod("x", priority: 1))
        await q.add(QueueTestPods.pod("y"))
        #expect(await first.value?.pod.name == "x")
        #expect(await second.value?.pod.name == "y")
    }

    @Test("close releases suspended poppers and later pops get nothing", .timeLimit(.minutes(1)))
    func closeReleasesPoppers() async {
        let q = queue()
        let poppers = [Task { await q.pop() }, Task { await q.pop() }]
        await yield { await q.waitingPoppers == 2 }
        await q.close()
        for popper in poppers { #expect(await popper.value == nil) }
        await q.add(QueueTestPods.pod("a"))
        #expect(await q.pop() == nil)
    }

    @Test("a cancelled pop returns nil and leaves the queue", .timeLimit(.minutes(1)))
    func cancelledPop() async {
        let q = queue()
        let popper = Task { await q.pop() }
        await yield { await q.waitingPoppers == 1 }
        popper.cancel()
        #expect(await popper.value == nil)
        await yield { await q.waitingPoppers == 0 }
        await q.add(QueueTestPods.pod("a"))
        #expect(await q.snapshot.activeCount == 1)
    }

    @Test("run moves a pod out of backoff on the flush after its backoff ends", .timeLimit(.minutes(1)))
    func runFlushesBackoff() async throws {
        let q = queue()
        await q.add(QueueTestPods.pod("a"))
        let info = try #require(await q.pop())
        #expect(try await q.addUnschedulableIfNotPresent(info).placed == [info.key: .backoff])
        let runner = Task { await q.run() }
        let popper = Task { await q.pop() }
        await yield { await q.waitingPoppers == 1 }

        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(1)))
        clock.advance(by: .seconds(1))
        let again = await popper.value
        #expect(again?.key == info.key)
        #expect(again?.attempts == 2)

        await q.close()
        await runner.value
        #expect(clock.sleeperCount == 0)
    }

    @Test("run moves unschedulable leftovers back on the first leftover flush after five minutes", .timeLimit(.minutes(1)))
    func runFlushesLeftovers() async throws {
        let q = queue()
        let start = clock.now
        await q.add(QueueTestPods.pod("a"))
        var info = try #require(await q.pop())
        info.unschedulablePlugins = ["NodeAffinity"]
        #expect(try await q.addUnschedulableIfNotPresent(info).placed == [info.key: .unschedulable])
        let runner = Task { await q.run() }

        // Flushes run every second (backoff) and every 30 s (leftovers): the one at 300 s is not
        // yet *more* than five minutes, the one at 330 s is.
        var movedAt: Swift.Duration?
        while clock.now - start < .seconds(400), movedAt == nil {
            await clock.waitForSleepers(1)
            clock.advance(to: clock.nextDeadline ?? clock.now)
            await clock.waitForSleepers(1)
            if await q.snapshot.subQueue(of: info.key) == .active { movedAt = clock.now - start }
        }
        #expect(movedAt == .seconds(330))

        runner.cancel()
        await runner.value
    }

    @Test("node and assigned-pod events move only the pods whose plugins care", .timeLimit(.minutes(1)))
    func eventsThroughTheShell() async throws {
        let q = queue()
        for (name, plugin) in [("fit", "NodeResourcesFit"), ("taint", "TaintToleration"), ("ports", "NodePorts")] {
            await q.add(QueueTestPods.pod(name))
            var info = try #require(await q.pop())
            info.unschedulablePlugins = [plugin]
            try await q.addUnschedulableIfNotPresent(info)
        }
        clock.advance(by: .seconds(5))
        let node = CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "n1"))
        var tainted = node
        tainted.spec = CoreV1.NodeSpec(unschedulable: true)
        #expect(await q.nodeUpdated(old: node, new: tainted).placed == [QueueTestPods.key("taint"): .active])
        #expect(await q.nodeUpdated(old: tainted, new: tainted).placed.isEmpty)
        let bound = QueueTestPods.pod("bound", nodeName: "n1")
        #expect(await q.assignedPodAdded(bound).placed.isEmpty)
        #expect(await q.assignedPodDeleted(bound).placed == [
            QueueTestPods.key("fit"): .active, QueueTestPods.key("ports"): .active,
        ])
        #expect(await q.pendingPods().description == "activeQ:3; backoffQ:0; unschedulablePods:0")
    }

    @Test("nominated pods are served in their latest queued version")
    func nominatedThroughTheShell() async {
        let q = queue()
        let pod = QueueTestPods.pod("victor", priority: 100)
        await q.add(pod)
        await q.addNominatedPod(pod, nodeName: "n1")
        let newer = QueueTestPods.pod("victor", priority: 100, labels: ["v": "2"])
        await q.update(old: pod, new: newer)
        #expect(await q.nominatedPods(forNode: "n1") == [newer])
        await q.deleteNominatedPodIfExists(newer)
        #expect(await q.nominatedPods(forNode: "n1").isEmpty)
    }
}

@Suite("Cluster events")
struct SchedulingQueueClusterEventTests {
    static let base = CoreV1.Node(
        metadata: MetaV1.ObjectMeta(annotations: ["a": "1"], labels: ["zone": "a"], name: "n1"),
        spec: CoreV1.NodeSpec(),
        status: CoreV1.NodeStatus(
            allocatable: ["cpu": Quantity(integer: 4)],
            conditions: [CoreV1.NodeCondition(status: "True", type: "Ready")]))

    static func changed(_ change: (inout CoreV1.Node) -> Void) -> CoreV1.Node {
        var node = base
        change(&node)
        return node
    }

    @Test(
        "node updates are classified by what changed",
        arguments: [
            (changed { $0.status?.allocatable = ["cpu": Quantity(integer: 8)] }, ["NodeAllocatableChange"]),
            (changed { $0.metadata?.labels = ["zone": "b"] }, ["NodeLabelChange"]),
            (changed { $0.spec?.taints = [CoreV1.Taint(effect: "NoSchedule", key: "k")] }, ["NodeTaintChange"]),
            (changed { $0.spec?.unschedulable = true }, ["NodeTaintChange"]),
            (changed { $0.status?.conditions = [CoreV1.NodeCondition(status: "False", type: "Ready")] }, ["NodeConditionChange"]),
            (changed { $0.metadata?.annotations = [:] }, ["NodeAnnotationChange"]),
            (changed {
                $0.metadata?.labels = [:]
                $0.status?.allocatable = [:]
            }, ["NodeAllocatableChange", "NodeLabelChange"]),
            (changed {
                $0.metadata?.resourceVersion = "9"
                $0.status?.conditions = [CoreV1.NodeCondition(lastHeartbeatTime: Time(secondsSinceEpoch: 5), status: "True", type: "Ready")]
            }, []),
        ]
    )
    func nodeUpdates(new: CoreV1.Node, labels: [String]) {
        #expect(ClusterEvent.nodeUpdate(old: Self.base, new: new).map(\.label) == labels)
    }

    @Test("assigned pod updates are classified by labels and request decreases")
    func podUpdates() {
        let old = QueueTestPods.pod("p", labels: ["a": "1"], nodeName: "n", cpu: "500m")
        #expect(ClusterEvent.assignedPodUpdate(old: old, new: QueueTestPods.pod("p", labels: ["a": "2"], nodeName: "n", cpu: "500m"))
            == [.assignedPodLabelChange])
        #expect(ClusterEvent.assignedPodUpdate(old: old, new: QueueTestPods.pod("p", labels: ["a": "1"], nodeName: "n", cpu: "250m"))
            == [.assignedPodScaleDown])
        #expect(ClusterEvent.assignedPodUpdate(old: old, new: QueueTestPods.pod("p", labels: ["a": "1"], nodeName: "n", cpu: "1"))
            == [.assignedPodOtherUpdate])
        #expect(ClusterEvent.assignedPodUpdate(old: old, new: QueueTestPods.pod("p", labels: ["a": "1"], nodeName: "n"))
            == [.assignedPodScaleDown])
    }

    @Test("registrations match events on resource and any shared action bit")
    func matching() {
        let registration = ClusterEvent(resource: .node, actionType: [.add, .updateNodeLabel])
        #expect(registration.matches(.nodeAdd))
        #expect(registration.matches(.nodeLabelChange))
        #expect(!registration.matches(.nodeTaintChange))
        #expect(!registration.matches(.assignedPodAdd))
        #expect(ClusterEvent(resource: .wildcard, actionType: .add).matches(.assignedPodAdd))
        #expect(ClusterEvent(resource: .pod, actionType: .update).matches(.assignedPodOtherUpdate))
        #expect(!ClusterEvent(resource: .pod, actionType: .updatePodLabel).matches(.assignedPodOtherUpdate))
    }
}

@Suite("QueuedPodHeap")
struct SchedulingQueueHeapTests {
    @Test("random inserts, updates and removals pop in the order of a sorted model")
    func matchesModel() {
        var generator = QueueTestRandom(seed: 42)
        let t0 = ContinuousClock.now
        var heap = QueuedPodHeap(less: QueuedPodInfo.prioritySort)
        var model: [String: (info: QueuedPodInfo, arrival: Int)] = [:]
        var arrivals = 0
        for _ in 0..<2000 {
            let name = "p\(generator.next() % 50)"
            switch generator.next() % 4 {
            case 0:
                heap.remove(QueueTestPods.key(name))
                model[QueueTestPods.key(name)] = nil
            default:
                let info = QueuedPodInfo(
                    pod: QueueTestPods.pod(name, priority: Int32(generator.next() % 5)),
                    timestamp: t0.advanced(by: .seconds(Int64(generator.next() % 10))))
                heap.upsert(info)
                if let existing = model[info.key] {
                    model[info.key] = (info, existing.arrival)
                } else {
                    arrivals += 1
                    model[info.key] = (info, arrivals)
                }
            }
        }
        let expected = model.values.sorted { a, b in
            if QueuedPodInfo.prioritySort(a.info, b.info) { return true }
            if QueuedPodInfo.prioritySort(b.info, a.info) { return false }
            return a.arrival < b.arrival
        }.map(\.info.key)
        #expect(heap.count == expected.count)
        var popped: [String] = []
        while let info = heap.pop() { popped.append(info.key) }
        #expect(popped == expected)
    }
}

/// A small deterministic generator for the model test.
struct QueueTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
