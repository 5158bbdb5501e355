import APIMachinery
import Testing
@testable import Scheduler

@Suite("SchedulingQueueState")
struct SchedulingQueueStateTests {
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

    // MARK: Ordering

    @Test("the active queue pops higher priority first, then earlier timestamp, then arrival order")
    func ordering() {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("low"), now: at(0))
        _ = q.add(QueueTestPods.pod("high-late", priority: 10), now: at(3))
        _ = q.add(QueueTestPods.pod("mid", priority: 5), now: at(2))
        _ = q.add(QueueTestPods.pod("high-early", priority: 10), now: at(1))
        _ = q.add(QueueTestPods.pod("tie-a", priority: -1), now: at(4))
        _ = q.add(QueueTestPods.pod("tie-b", priority: -1), now: at(4))
        #expect(q.drainActive() == ["high-early", "high-late", "mid", "low", "tie-a", "tie-b"].map { QueueTestPods.key($0) })
        #expect(q.schedulingCycle == 6)
    }

    @Test("pop counts attempts and cycles and puts the pod in flight until done")
    func popBookkeeping() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        let info = try q.popOrThrow()
        #expect(info.attempts == 1)
        #expect(info.schedulingCycle == 1)
        #expect(info.initialAttemptTimestamp == at(0))
        #expect(q.isInFlight(info.key))
        #expect(q.pop() == nil)
        q.done(info.key)
        #expect(!q.isInFlight(info.key))
    }

    // MARK: Backoff

    @Test(
        "backoff starts at 1 s and doubles per attempt up to 10 s",
        arguments: [(0, 1.0), (1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (6, 10), (60, 10)]
    )
    func backoffDurations(attempts: Int, seconds: Double) {
        #expect(SchedulingQueueOptions().backoff(attempts: attempts) == .seconds(seconds))
    }

    @Test("a pod that failed on an error waits out its backoff, which doubles with each attempt")
    func backoffQueue() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        let key = QueueTestPods.key("a")

        #expect(try q.failHead(rejectedBy: [], now: at(10)).placed == [key: .backoff])
        #expect(q.flushBackoffCompleted(now: at(10.999)).placed.isEmpty)
        #expect(q.subQueue(of: key) == .backoff)
        #expect(q.flushBackoffCompleted(now: at(11)).placed == [key: .active])

        // Second attempt: two seconds.
        _ = try q.failHead(rejectedBy: [], now: at(20))
        #expect(q.flushBackoffCompleted(now: at(21.5)).placed.isEmpty)
        #expect(q.flushBackoffCompleted(now: at(22)).placed == [key: .active])
        let info = try q.popOrThrow()
        #expect(info.attempts == 3)
        #expect(info.initialAttemptTimestamp == at(0))
        #expect(info.timestamp == at(20))
    }

    @Test("backoff pods complete in expiry order")
    func backoffOrder() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("first", priority: 1), now: at(0))
        _ = q.add(QueueTestPods.pod("second"), now: at(0))
        _ = try q.failHead(rejectedBy: [], now: at(0))
        // "second" fails a second later, but with the same 1 s backoff it expires later.
        _ = try q.failHead(rejectedBy: [], now: at(1))
        #expect(q.pendingPods().backoff.map(\.name) == ["first", "second"])
        #expect(q.flushBackoffCompleted(now: at(1.5)).placed == [QueueTestPods.key("first"): .active])
        #expect(q.flushBackoffCompleted(now: at(2)).placed == [QueueTestPods.key("second"): .active])
    }

    // MARK: Unschedulable pods and events

    @Test(
        "an unschedulable pod moves only on an event its rejecting plugin cares about",
        arguments: [
            ("NodeResourcesFit", ClusterEvent.nodeAdd, true),
            ("NodeResourcesFit", .nodeAllocatableChange, true),
            ("NodeResourcesFit", .assignedPodDelete, true),
            ("NodeResourcesFit", .assignedPodScaleDown, true),
            ("NodeResourcesFit", .nodeLabelChange, false),
            ("NodeResourcesFit", .assignedPodAdd, false),
            ("TaintToleration", .nodeAdd, true),
            ("TaintToleration", .nodeTaintChange, true),
            ("TaintToleration", .nodeAllocatableChange, false),
            ("NodeAffinity", .nodeLabelChange, true),
            ("NodeAffinity", .nodeTaintChange, false),
            ("NodeUnschedulable", .nodeTaintChange, true),
            ("NodeUnschedulable", .nodeLabelChange, false),
            ("NodePorts", .assignedPodDelete, true),
            ("NodePorts", .nodeAdd, true),
            ("NodePorts", .assignedPodAdd, false),
            ("InterPodAffinity", .assignedPodAdd, true),
            ("InterPodAffinity", .assignedPodLabelChange, true),
            ("InterPodAffinity", .assignedPodDelete, true),
            ("InterPodAffinity", .nodeLabelChange, true),
            ("InterPodAffinity", .nodeAllocatableChange, false),
            ("InterPodAffinity", .assignedPodOtherUpdate, false),
            ("PodTopologySpread", .assignedPodAdd, true),
            ("PodTopologySpread", .nodeDelete, true),
            ("PodTopologySpread", .nodeLabelChange, true),
            ("PodTopologySpread", .nodeAllocatableChange, false),
            ("SomeOutOfTreePlugin", .nodeAnnotationChange, true),
            ("NodeAffinity", .wildcard, true),
        ]
    )
    func movesOnRelevantEvents(plugin: String, event: ClusterEvent, moves: Bool) throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        #expect(try q.failHead(rejectedBy: [plugin], now: at(0)).placed == [QueueTestPods.key("a"): .unschedulable])
        let update = q.moveAllToActiveOrBackoff(event: event, now: at(5))
        let expected: [String: SchedulingQueueState.SubQueue] = moves ? [QueueTestPods.key("a"): .active] : [:]
        #expect(update.placed == expected)
        #expect(q.subQueue(of: QueueTestPods.key("a")) == (moves ? .active : .unschedulable))
    }

    @Test("a pod rejected by several plugins moves when any of them cares")
    func anyRejectorSuffices() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeAffinity", "NodeResourcesFit"], now: at(0))
        #expect(q.moveAllToActiveOrBackoff(event: .assignedPodAdd, now: at(5)).placed.isEmpty)
        #expect(q.moveAllToActiveOrBackoff(event: .assignedPodDelete, now: at(5)).placed == [QueueTestPods.key("a"): .active])
    }

    @Test("a moved pod still in its backoff goes to the backoff queue")
    func movedPodRespectsBackoff() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeResourcesFit"], now: at(0))
        #expect(q.moveAllToActiveOrBackoff(event: .nodeAdd, now: at(0.5)).placed == [QueueTestPods.key("a"): .backoff])
        #expect(q.flushBackoffCompleted(now: at(1)).placed == [QueueTestPods.key("a"): .active])
    }

    @Test("preCheck narrows which unschedulable pods an event moves")
    func preCheck() throws {
        var q = SchedulingQueueState.prioritySorted()
        for name in ["a", "b"] {
            _ = q.add(QueueTestPods.pod(name), now: at(0))
            _ = try q.failHead(rejectedBy: ["InterPodAffinity"], now: at(0))
        }
        let update = q.assignedPodAdded(QueueTestPods.pod("bound", nodeName: "n1"), now: at(5)) { $0.pod.name == "b" }
        #expect(update.placed == [QueueTestPods.key("b"): .active])
        #expect(q.subQueue(of: QueueTestPods.key("a")) == .unschedulable)
    }

    @Test("assigned pod updates move pods by what changed")
    func assignedPodUpdates() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("fit"), now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeResourcesFit"], now: at(0))
        _ = q.add(QueueTestPods.pod("affinity"), now: at(0))
        _ = try q.failHead(rejectedBy: ["InterPodAffinity"], now: at(0))
        let bound = QueueTestPods.pod("bound", labels: ["app": "x"], nodeName: "n1", cpu: "2")

        var relabeled = bound
        relabeled.metadata?.labels = ["app": "y"]
        #expect(q.assignedPodUpdated(old: bound, new: relabeled, now: at(5)).placed == [QueueTestPods.key("affinity"): .active])

        let shrunk = QueueTestPods.pod("bound", labels: ["app": "y"], nodeName: "n1", cpu: "1")
        #expect(q.assignedPodUpdated(old: relabeled, new: shrunk, now: at(5)).placed == [QueueTestPods.key("fit"): .active])
    }

    @Test("pods unschedulable for more than five minutes move back on the leftover flush")
    func leftoverFlush() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("old"), now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(0))
        _ = q.add(QueueTestPods.pod("young"), now: at(100))
        _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(100))

        #expect(q.flushUnschedulableLeftover(now: at(300)).placed.isEmpty)
        #expect(q.flushUnschedulableLeftover(now: at(300.001)).placed == [QueueTestPods.key("old"): .active])
        #expect(q.subQueue(of: QueueTestPods.key("young")) == .unschedulable)
        #expect(q.flushUnschedulableLeftover(now: at(401)).placed == [QueueTestPods.key("young"): .active])
    }

    // MARK: The scheduling-cycle rule

    @Test("a pod that fails after a move request during its cycle goes to backoff, not unschedulable")
    func cycleRule() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        _ = q.add(QueueTestPods.pod("b"), now: at(0))
        _ = q.add(QueueTestPods.pod("c"), now: at(0))

        // a: an (unrelated) event arrives while it is being scheduled.
        var a = try q.popOrThrow()
        _ = q.moveAllToActiveOrBackoff(event: .nodeAnnotationChange, now: at(1))
        #expect(q.moveRequestCycle == a.schedulingCycle)
        a.unschedulablePlugins = ["NodeAffinity"]
        #expect(try q.addUnschedulableIfNotPresent(a, now: at(1)).placed == [a.key: .backoff])

        // b: nothing happened during its cycle.
        var b = try q.popOrThrow()
        b.unschedulablePlugins = ["NodeAffinity"]
        #expect(try q.addUnschedulableIfNotPresent(b, now: at(2)).placed == [b.key: .unschedulable])

        // c: the move request came before its cycle began.
        _ = q.moveAllToActiveOrBackoff(event: .nodeAdd, now: at(3))
        var c = try q.popOrThrow()
        c.unschedulablePlugins = ["NodeAffinity"]
        #expect(try q.addUnschedulableIfNotPresent(c, now: at(3)).placed == [c.key: .unschedulable])
    }

    @Test("returning a pod the queue already holds is an error and changes nothing")
    func alreadyPresent() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        var info = try q.popOrThrow()
        _ = q.add(QueueTestPods.pod("a"), now: at(1))
        info.unschedulablePlugins = ["NodeAffinity"]
        #expect(throws: SchedulingQueueError.alreadyPresent(key: info.key, in: .active)) {
            try q.addUnschedulableIfNotPresent(info, now: at(2))
        }
        #expect(q.subQueue(of: info.key) == .active)
        #expect(!q.isInFlight(info.key))
        #expect(SchedulingQueueError.alreadyPresent(key: "ns/p", in: .backoff).description
            == "Pod ns/p is already present in the backoff queue")
    }

    // MARK: Updates and deletes of pending pods

    @Test("updating an unschedulable pod moves it only when its spec or metadata changed")
    func updateMovesUnschedulable() throws {
        var q = SchedulingQueueState.prioritySorted()
        let original = QueueTestPods.pod("a")
        _ = q.add(original, now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(0))
        let key = QueueTestPods.key("a")

        var statusOnly = original
        statusOnly.status = CoreV1.PodStatus(conditions: [CoreV1.PodCondition(status: "False", type: "PodScheduled")])
        statusOnly.metadata?.resourceVersion = "2"
        #expect(q.update(old: original, new: statusOnly, now: at(5)).placed == [key: .unschedulable])
        #expect(q.podInfo(key)?.pod == statusOnly)

        var relabeled = statusOnly
        relabeled.metadata?.labels = ["zone": "b"]
        #expect(q.update(old: statusOnly, new: relabeled, now: at(5)).placed == [key: .active])
        #expect(q.pop()?.pod == relabeled)
    }

    @Test("updating a pod in the active or backoff queue replaces it in place")
    func updateInPlace() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("active"), now: at(0))
        _ = q.add(QueueTestPods.pod("other", priority: 1), now: at(0))
        // "other" pops first (priority) and fails into backoff.
        _ = try q.failHead(rejectedBy: [], now: at(0))
        let relabeled = QueueTestPods.pod("active", labels: ["v": "2"])
        #expect(q.update(old: nil, new: relabeled, now: at(0.1)).placed == [QueueTestPods.key("active"): .active])
        let backedOff = QueueTestPods.pod("other", priority: 1, labels: ["v": "2"])
        #expect(q.update(old: nil, new: backedOff, now: at(0.1)).placed == [QueueTestPods.key("other"): .backoff])
        #expect(q.podInfo(QueueTestPods.key("other"))?.pod == backedOff)
        #expect(q.pop()?.pod == relabeled)
        // An update of an unknown pod adds it.
        #expect(q.update(old: nil, new: QueueTestPods.pod("new"), now: at(1)).placed == [QueueTestPods.key("new"): .active])
    }

    @Test("a pod updated while in flight comes back in its latest version, to backoff")
    func updateWhileInFlight() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        var info = try q.popOrThrow()
        let updated = QueueTestPods.pod("a", labels: ["fixed": "yes"])
        #expect(q.update(old: info.pod, new: updated, now: at(1)).placed.isEmpty)
        #expect(q.subQueue(of: info.key) == nil)
        info.unschedulablePlugins = ["NodeAffinity"]
        #expect(try q.addUnschedulableIfNotPresent(info, now: at(2)).placed == [info.key: .backoff])
        #expect(q.podInfo(info.key)?.pod == updated)
    }

    @Test("delete removes a pod from whichever sub-queue holds it", arguments: SchedulingQueueState.SubQueue.allCases)
    func deleteFromAnySubQueue(from subQueue: SchedulingQueueState.SubQueue) throws {
        var q = SchedulingQueueState.prioritySorted()
        let pod = QueueTestPods.pod("a", nominatedNodeName: "n1")
        _ = q.add(pod, now: at(0))
        switch subQueue {
        case .active: break
        case .backoff: _ = try q.failHead(rejectedBy: [], now: at(0))
        case .unschedulable: _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(0))
        }
        #expect(q.subQueue(of: QueueTestPods.key("a")) == subQueue)
        #expect(q.delete(pod).removed == [QueueTestPods.key("a")])
        #expect(q.subQueue(of: QueueTestPods.key("a")) == nil)
        #expect(q.pendingPods().all.isEmpty)
        #expect(q.nominatedPods(forNode: "n1").isEmpty)
    }

    @Test("a pod deleted while in flight is dropped when it comes back")
    func deleteWhileInFlight() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        var info = try q.popOrThrow()
        #expect(q.delete(info.pod).removed.isEmpty)
        info.unschedulablePlugins = ["NodeAffinity"]
        #expect(try q.addUnschedulableIfNotPresent(info, now: at(1)).removed == [info.key])
        #expect(q.subQueue(of: info.key) == nil)
        #expect(q.inFlightCount == 0)
    }

    @Test("activate moves waiting pods to the active queue at once")
    func activate() throws {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(0))
        #expect(q.activate([QueueTestPods.key("a"), "default/unknown"], now: at(0)).placed == [QueueTestPods.key("a"): .active])
    }

    // MARK: Nominations and listing

    @Test("nominated pods are listed per node, follow updates and leave on delete")
    func nominations() throws {
        var q = SchedulingQueueState.prioritySorted()
        let a = QueueTestPods.pod("a", priority: 5)
        _ = q.add(a, now: at(0))
        q.addNominatedPod(a, nodeName: "n1")
        let b = QueueTestPods.pod("b", nominatedNodeName: "n1")
        _ = q.add(b, now: at(0))
        #expect(q.nominatedPods(forNode: "n1").map(\.name) == ["a", "b"])

        // An update carrying no nomination keeps the one made in memory.
        let a2 = QueueTestPods.pod("a", priority: 5, labels: ["v": "2"])
        _ = q.update(old: a, new: a2, now: at(1))
        #expect(q.nominatedNode(of: QueueTestPods.key("a")) == "n1")
        #expect(q.nominatedPods(forNode: "n1").contains(a2))
        // An update that names another node moves the nomination.
        let b2 = QueueTestPods.pod("b", nominatedNodeName: "n2")
        _ = q.update(old: b, new: b2, now: at(1))
        #expect(q.nominatedPods(forNode: "n1").map(\.name) == ["a"])
        #expect(q.nominatedPods(forNode: "n2").map(\.name) == ["b"])

        q.deleteNominatedPodIfExists(a2)
        #expect(q.nominatedPods(forNode: "n1").isEmpty)
        _ = q.delete(b2)
        #expect(q.nominatedPods(forNode: "n2").isEmpty)
        // Bound pods are never nominated.
        q.addNominatedPod(QueueTestPods.pod("bound", nodeName: "n3"), nodeName: "n3")
        #expect(q.nominatedPods(forNode: "n3").isEmpty)
    }

    @Test("pendingPods lists every sub-queue with its size")
    func pendingPods() throws {
        var q = SchedulingQueueState.prioritySorted()
        for (i, name) in ["u", "b", "a1", "a2"].enumerated() {
            _ = q.add(QueueTestPods.pod(name, priority: Int32(10 - i)), now: at(0))
        }
        _ = try q.failHead(rejectedBy: ["NodeAffinity"], now: at(0))
        _ = try q.failHead(rejectedBy: [], now: at(0))
        _ = q.pop()
        let pending = q.pendingPods()
        #expect(pending.active.map(\.name) == ["a2"])
        #expect(pending.backoff.map(\.name) == ["b"])
        #expect(pending.unschedulable.map(\.name) == ["u"])
        #expect(pending.inFlight == 1)
        #expect(pending.description == "activeQ:1; backoffQ:1; unschedulablePods:1")
        #expect((q.activeCount, q.backoffCount, q.unschedulableCount, q.inFlightCount) == (1, 1, 1, 1))
    }

    @Test("a closed queue pops nothing")
    func closed() {
        var q = SchedulingQueueState.prioritySorted()
        _ = q.add(QueueTestPods.pod("a"), now: at(0))
        q.close()
        #expect(q.pop() == nil)
        #expect(q.activeCount == 1)
    }
}
