import APIMachinery
import Testing

@testable import Scheduler

/// `SchedulerCache`: the pod lifecycle (assume, finish binding, forget, confirm, expire),
/// node lifecycle, and incremental snapshots.
@Suite struct FrameworkCacheTests {
    func cacheWithNodes(_ names: [String]) -> SchedulerCache {
        let cache = SchedulerCache()
        for name in names { cache.addNode(Fx.node(name)) }
        return cache
    }

    @Test func assumeThenForgetRestoresTheNode() throws {
        let cache = cacheWithNodes(["n1"])
        let pod = Fx.podInfo("p", requests: [["cpu": "500m"]]).assigned(to: "n1")
        try cache.assumePod(pod)
        #expect(cache.isAssumed(pod))
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 500)
        #expect(throws: SchedulerCacheError("pod p(default/p) is in the cache, so can't be assumed")) {
            try cache.assumePod(pod)
        }
        try cache.forgetPod(pod)
        #expect(!cache.isAssumed(pod))
        #expect(cache.podCount == 0)
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 0)
        #expect(throws: SchedulerCacheError("pod p(default/p) wasn't assumed so cannot be forgotten")) {
            try cache.forgetPod(pod)
        }
    }

    @Test func forgetChecksTheAssumedNode() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        let pod = Fx.podInfo("p").assigned(to: "n1")
        try cache.assumePod(pod)
        #expect(throws: SchedulerCacheError("pod p(default/p) was assumed on n2 but assigned to n1")) {
            try cache.forgetPod(pod.assigned(to: "n2"))
        }
        #expect(cache.isAssumed(pod))
    }

    @Test func addAfterAssumeConfirmsThePod() throws {
        let cache = cacheWithNodes(["n1"])
        let assumed = Fx.podInfo("p", requests: [["cpu": "1"]]).assigned(to: "n1")
        try cache.assumePod(assumed)
        cache.finishBinding(assumed, now: Time(secondsSinceEpoch: 100))
        // The informer reports the bound pod: it replaces the assumed version, counted once.
        let observed = Fx.podInfo("p", node: "n1", requests: [["cpu": "1"]])
        try cache.addPod(observed)
        #expect(!cache.isAssumed(observed))
        #expect(cache.podCount == 1)
        #expect(cache.nodeInfo(named: "n1")?.pods.count == 1)
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 1000)
        #expect(throws: SchedulerCacheError("pod p(default/p) was already in added state")) {
            try cache.addPod(observed)
        }
        // A confirmed pod can no longer be forgotten.
        #expect(throws: SchedulerCacheError.self) { try cache.forgetPod(assumed) }
    }

    @Test func addOnAnotherNodeMovesTheAssumedPod() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        try cache.assumePod(Fx.podInfo("p", requests: [["cpu": "1"]]).assigned(to: "n1"))
        try cache.addPod(Fx.podInfo("p", node: "n2", requests: [["cpu": "1"]]))
        #expect(cache.nodeInfo(named: "n1")?.pods.isEmpty == true)
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 0)
        #expect(cache.nodeInfo(named: "n2")?.pods.map(\.key) == ["p"])
    }

    @Test func updateAndRemoveNeedAnAddedPod() throws {
        let cache = cacheWithNodes(["n1"])
        let v1 = Fx.podInfo("p", node: "n1", requests: [["cpu": "1"]])
        #expect(throws: SchedulerCacheError("pod p(default/p) is not added to scheduler cache, so cannot be updated")) {
            try cache.updatePod(old: v1, new: v1)
        }
        #expect(throws: SchedulerCacheError("pod p(default/p) is not found in scheduler cache, so cannot be removed from it")) {
            try cache.removePod(v1)
        }
        try cache.addPod(v1)
        let v2 = Fx.podInfo("p", node: "n1", requests: [["cpu": "2"]])
        try cache.updatePod(old: v1, new: v2)
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 2000)
        try cache.removePod(v2)
        #expect(cache.podCount == 0)
        #expect(cache.nodeInfo(named: "n1")?.requested.milliCPU == 0)

        // An assumed pod cannot be updated, but can be removed (deleted while binding).
        let assumed = Fx.podInfo("q").assigned(to: "n1")
        try cache.assumePod(assumed)
        #expect(throws: SchedulerCacheError.self) { try cache.updatePod(old: assumed, new: assumed) }
        try cache.removePod(assumed)
        #expect(cache.podCount == 0)
    }

    @Test func assumedPodsExpireOnlyAfterBindingFinishedAndTTL() throws {
        let cache = cacheWithNodes(["n1"])
        cache.assumedPodTTLSeconds = 30
        let bound = Fx.podInfo("bound").assigned(to: "n1")
        let binding = Fx.podInfo("binding").assigned(to: "n1")
        try cache.assumePod(bound)
        try cache.assumePod(binding)
        cache.finishBinding(bound, now: Time(secondsSinceEpoch: 1000))
        #expect(cache.cleanupExpiredAssumedPods(now: Time(secondsSinceEpoch: 1030)).isEmpty)
        let expired = cache.cleanupExpiredAssumedPods(now: Time(secondsSinceEpoch: 1031))
        #expect(expired.map(\.key) == ["bound"])
        // Still binding: never expires.
        #expect(cache.assumedPodKeys == ["binding"])
        #expect(cache.cleanupExpiredAssumedPods(now: Time(secondsSinceEpoch: 999_999)).isEmpty)
        // After expiry, the informer's add brings the pod back as a new one.
        try cache.addPod(Fx.podInfo("bound", node: "n1"))
        #expect(cache.podCount == 2)
    }

    @Test func zeroTTLKeepsAssumedPodsUntilConfirmed() throws {
        let cache = cacheWithNodes(["n1"])
        let pod = Fx.podInfo("p").assigned(to: "n1")
        try cache.assumePod(pod)
        cache.finishBinding(pod, now: Time(secondsSinceEpoch: 0))
        #expect(cache.cleanupExpiredAssumedPods(now: Time(secondsSinceEpoch: 1 << 40)).isEmpty)
        #expect(cache.isAssumed(pod))
    }

    @Test func nodeRemovedBeforeItsPodsLingersOutsideSnapshots() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        try cache.addPod(Fx.podInfo("p", node: "n1", requests: [["cpu": "1"]]))
        try cache.removeNode(named: "n1")
        #expect(throws: SchedulerCacheError("node n1 is not found")) { try cache.removeNode(named: "n1") }
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["n2"])
        #expect(cache.nodeInfo(named: "n1")?.node == nil)
        #expect(cache.nodeInfo(named: "n1")?.pods.count == 1)
        // The node comes back: its pods are still accounted for.
        cache.addNode(Fx.node("n1"))
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfo(named: "n1")?.requested.milliCPU == 1000)
        // Once the pod and the node are both gone, nothing is left.
        try cache.removeNode(named: "n1")
        try cache.removePod(Fx.podInfo("p", node: "n1"))
        #expect(cache.nodeInfo(named: "n1") == nil)
    }

    @Test func podAssumedOnAnUnknownNodeAppearsWhenTheNodeDoes() throws {
        let cache = SchedulerCache()
        try cache.assumePod(Fx.podInfo("p", requests: [["memory": "1Gi"]]).assigned(to: "late"))
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.count == 0)
        cache.addNode(Fx.node("late"))
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfo(named: "late")?.requested.memory == 1 << 30)
    }

    // MARK: - Snapshots

    @Test func snapshotUpdatesCopyOnlyChangedNodes() throws {
        let cache = cacheWithNodes(["n1", "n2", "n3"])
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let before = snapshot
        #expect(before.nodeInfos.map(\.name) == ["n1", "n2", "n3"])

        try cache.assumePod(Fx.podInfo("p", requests: [["cpu": "1"]]).assigned(to: "n2"))
        cache.updateSnapshot(&snapshot)
        // Unchanged nodes are the very same objects; the changed one is the new value.
        #expect(snapshot.nodeInfos[0] === before.nodeInfos[0])
        #expect(snapshot.nodeInfos[2] === before.nodeInfos[2])
        #expect(snapshot.nodeInfos[1] !== before.nodeInfos[1])
        #expect(snapshot.nodeInfos[1].generation > before.nodeInfos[1].generation)
        #expect(snapshot.nodeInfo(named: "n2")?.requested.milliCPU == 1000)
        // The earlier snapshot is untouched: snapshots are immutable values.
        #expect(before.nodeInfo(named: "n2")?.requested.milliCPU == 0)
        #expect(snapshot.generation > before.generation)

        // Nothing changed: nothing is copied.
        let again = snapshot
        cache.updateSnapshot(&snapshot)
        #expect(zip(snapshot.nodeInfos, again.nodeInfos).allSatisfy { $0 === $1 })

        // Values are shared with the cache, not copied.
        #expect(snapshot.nodeInfo(named: "n2") === cache.nodeInfo(named: "n2"))
    }

    @Test func snapshotFollowsNodeAdditionsAndRemovals() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        let n1 = snapshot.nodeInfo(named: "n1")
        cache.addNode(Fx.node("n3"))
        try cache.removeNode(named: "n2")
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["n1", "n3"])
        #expect(snapshot.nodeInfo(named: "n2") == nil)
        #expect(snapshot.nodeInfo(named: "n1") === n1)
        // Node updates replace the facts.
        cache.updateNode(Fx.node("n1", cpu: "16"))
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfo(named: "n1")?.allocatable.milliCPU == 16000)
    }

    /// A random sequence of cache operations, with a snapshot refreshed after each step; the
    /// incremental snapshot must always equal one built from scratch.
    @Test func incrementalSnapshotsMatchFreshOnes() throws {
        var random = SeededRandom(seed: 42)
        let cache = SchedulerCache()
        var incremental = Snapshot()
        var livePods: [String: PodInfo] = [:]
        var liveNodes = Set<String>()
        for step in 0..<400 {
            let nodeName = "n\(Int.random(in: 0..<12, using: &random))"
            switch Int.random(in: 0..<6, using: &random) {
            case 0:
                cache.addNode(Fx.node(nodeName, cpu: "\(Int.random(in: 1...8, using: &random))", labels: ["topology.kubernetes.io/zone": "z\(Int.random(in: 0..<3, using: &random))"]))
                liveNodes.insert(nodeName)
            case 1:
                if liveNodes.remove(nodeName) != nil { try cache.removeNode(named: nodeName) }
            case 2, 3:
                let pod = Fx.podInfo("p\(step)", requests: [["cpu": "\(Int.random(in: 1...500, using: &random))m"]])
                    .assigned(to: nodeName)
                try cache.assumePod(pod)
                livePods[pod.key] = pod
            case 4:
                if let key = livePods.keys.sorted().first, let pod = livePods.removeValue(forKey: key) {
                    try cache.removePod(pod)
                }
            default:
                if let key = livePods.keys.sorted().last, let pod = livePods[key], cache.isAssumed(pod) {
                    try cache.addPod(PodInfo(Fx.pod(key, node: pod.nodeName, requests: [["cpu": "1"]])))
                    livePods[key] = cache.pod(forKey: key)
                }
            }
            cache.updateSnapshot(&incremental)
            var fresh = Snapshot()
            cache.updateSnapshot(&fresh)
            #expect(describe(incremental) == describe(fresh), "step \(step)")
        }
    }

    func describe(_ snapshot: Snapshot) -> [String] {
        snapshot.nodeInfos.map { info in
            "\(info.name) cpu=\(info.requested.milliCPU) alloc=\(info.allocatable.milliCPU) pods=\(info.pods.map(\.key).sorted())"
        } + ["affinity=\(snapshot.nodesWithPodAffinity.map(\.name))"]
    }

    @Test func nodesAreOrderedRoundRobinAcrossZones() {
        let cache = SchedulerCache()
        let zones = ["a1": "a", "a2": "a", "a3": "a", "b1": "b", "c1": "c", "c2": "c"]
        for name in ["a1", "a2", "a3", "b1", "c1", "c2"] {
            cache.addNode(Fx.node(name, labels: ["topology.kubernetes.io/zone": zones[name] ?? ""]))
        }
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["a1", "b1", "c1", "a2", "c2", "a3"])
        // Moving a node to another zone reorders.
        cache.updateNode(Fx.node("a1", labels: ["topology.kubernetes.io/zone": "c"]))
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["a2", "b1", "c1", "a3", "c2", "a1"])
    }

    @Test func imageCountsFollowNodes() throws {
        let cache = SchedulerCache()
        cache.addNode(Fx.node("n1", images: [(["nginx:1"], 100)]))
        cache.addNode(Fx.node("n2", images: [(["nginx:1", "redis:7"], 200)]))
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeCount(ofImage: "nginx:1") == 2)
        #expect(snapshot.nodeCount(ofImage: "redis:7") == 1)
        cache.updateNode(Fx.node("n2"))
        try cache.removeNode(named: "n1")
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeCount(ofImage: "nginx:1") == 0)
        #expect(snapshot.imageNodeCounts.isEmpty)
    }

    @Test func snapshotListsNodesWithAffinityPods() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodesWithPodAffinity.isEmpty)
        let affinityPod = PodInfo(
            try Fx.pod(
                yaml: """
                    metadata: {name: a, namespace: default, uid: a}
                    spec:
                      nodeName: n2
                      containers: [{name: c}]
                      affinity:
                        podAffinity:
                          preferredDuringSchedulingIgnoredDuringExecution:
                          - weight: 5
                            podAffinityTerm: {labelSelector: {matchLabels: {app: x}}, topologyKey: zone}
                    """))
        try cache.addPod(affinityPod)
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodesWithPodAffinity.map(\.name) == ["n2"])
        #expect(snapshot.nodesWithRequiredAntiAffinity.isEmpty)
        try cache.removePod(affinityPod)
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodesWithPodAffinity.isEmpty)
    }

    @Test func compactedChangeLogStillUpdatesSnapshots() throws {
        let cache = cacheWithNodes(["n1", "n2"])
        var snapshot = Snapshot()
        cache.updateSnapshot(&snapshot)
        // Far more changes than the log keeps uncompacted.
        for index in 0..<5000 {
            let pod = Fx.podInfo("p\(index)").assigned(to: "n1")
            try cache.assumePod(pod)
            try cache.forgetPod(pod)
        }
        try cache.assumePod(Fx.podInfo("last", requests: [["cpu": "3"]]).assigned(to: "n2"))
        cache.updateSnapshot(&snapshot)
        #expect(snapshot.nodeInfo(named: "n2")?.requested.milliCPU == 3000)
        #expect(snapshot.nodeInfo(named: "n1")?.pods.isEmpty == true)
    }
}
