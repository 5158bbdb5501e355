import APIMachinery

/// The pure rules of the node lifecycle controller: which taints a node's conditions call
/// for, how a silent node's conditions read, how zones are judged, and when a pod on a
/// `NoExecute`-tainted node must go (kube-controller-manager 1.32's nodelifecycle and
/// taint-eviction controllers).
enum NodeLifecycleRules {
    static let notReadyTaint = "node.kubernetes.io/not-ready"
    static let unreachableTaint = "node.kubernetes.io/unreachable"
    static let unschedulableTaint = "node.kubernetes.io/unschedulable"
    /// Condition type and status → the NoSchedule taint it calls for.
    static let conditionTaints: [(type: String, status: String, key: String)] = [
        ("Ready", "False", notReadyTaint), ("Ready", "Unknown", unreachableTaint),
        ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"), ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
        ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"), ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
    ]
    /// Every taint this controller owns.
    static let managedKeys: Set<String> = Set(conditionTaints.map(\.key) + [unschedulableTaint])
    /// The conditions a kubelet posts, set to Unknown when it falls silent.
    static let kubeletConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]

    static func condition(_ node: CoreV1.Node, _ type: String) -> CoreV1.NodeCondition? {
        node.status?.conditions?.first { $0.type == type }
    }

    /// The Ready condition's status; nil before the kubelet (or this controller) ever set one.
    static func readyStatus(_ node: CoreV1.Node) -> String? { condition(node, "Ready")?.status }

    /// The NoSchedule taints `node` should carry (upstream's `doNoScheduleTaintingPass`).
    /// Stamped `now`, as upstream's `SwapNodeControllerTaint` stamps the taints it adds; an
    /// existing taint keeps its time (`taints(of:…)`).
    static func noScheduleTaints(_ node: CoreV1.Node, now: Time? = nil) -> [CoreV1.Taint] {
        var taints: [CoreV1.Taint] = []
        for rule in conditionTaints where condition(node, rule.type)?.status == rule.status {
            taints.append(CoreV1.Taint(effect: "NoSchedule", key: rule.key, timeAdded: now))
        }
        if node.spec?.unschedulable == true { taints.append(CoreV1.Taint(effect: "NoSchedule", key: unschedulableTaint, timeAdded: now)) }
        return taints
    }

    /// The NoExecute taint key `node`'s readiness calls for: not-ready, unreachable or none.
    static func noExecuteKey(_ node: CoreV1.Node) -> String? {
        switch readyStatus(node) {
        case "False": notReadyTaint
        case "Unknown": unreachableTaint
        default: nil  // ready, or never reported: nothing yet
        }
    }

    /// `node`'s taints with the managed NoSchedule ones replaced by `wanted` and the managed
    /// NoExecute one set to `noExecute` (keeping its timeAdded when unchanged); others kept.
    static func taints(of node: CoreV1.Node, noSchedule wanted: [CoreV1.Taint], noExecute: String?, now: Time) -> [CoreV1.Taint] {
        let current = node.spec?.taints ?? []
        var result = current.filter { !(managedKeys.contains($0.key) && ($0.effect == "NoSchedule" || $0.effect == "NoExecute")) }
        for taint in wanted {
            result.append(current.first { $0.key == taint.key && $0.effect == "NoSchedule" } ?? taint)
        }
        if let noExecute {
            result.append(current.first { $0.key == noExecute && $0.effect == "NoExecute" }
                ?? CoreV1.Taint(effect: "NoExecute", key: noExecute, timeAdded: now))
        }
        return result
    }

    /// `node` with its kubelet conditions marked Unknown, as upstream writes them when the
    /// kubelet has not reported for the grace period; nil when they already are.
    static func markedUnknown(_ node: CoreV1.Node, now: Time) -> CoreV1.Node? {
        var conditions = node.status?.conditions ?? []
        var changed = false
        for type in kubeletConditions {
            if let index = conditions.firstIndex(where: { $0.type == type }) {
                guard conditions[index].status != "Unknown" else { continue }
                conditions[index].status = "Unknown"
                conditions[index].reason = "NodeStatusUnknown"
                conditions[index].message = "Kubelet stopped posting node status."
                conditions[index].lastTransitionTime = now
            } else {
                conditions.append(CoreV1.NodeCondition(
                    lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: now,
                    message: "Kubelet never posted node status.", reason: "NodeStatusNeverUpdated", status: "Unknown", type: type))
            }
            changed = true
        }
        guard changed else { return nil }
        var copy = node
        var status = copy.status ?? CoreV1.NodeStatus()
        status.conditions = conditions
        copy.status = status
        return copy
    }

    // MARK: Zones

    enum ZoneState: Equatable { case normal, partialDisruption, fullDisruption }

    /// `region:\0:zone` from the topology labels (empty when unlabelled), as upstream keys zones.
    static func zone(_ node: CoreV1.Node) -> String {
        let labels = node.metadata?.labels ?? [:]
        // The beta labels first, as upstream's GetZoneKey reads them.
        let region = labels["failure-domain.beta.kubernetes.io/region"] ?? labels["topology.kubernetes.io/region"] ?? ""
        let zone = labels["failure-domain.beta.kubernetes.io/zone"] ?? labels["topology.kubernetes.io/zone"] ?? ""
        return region.isEmpty && zone.isEmpty ? "" : "\(region):\u{0}:\(zone)"
    }

    /// Upstream's `ComputeZoneState`: every node not ready is a full disruption; more than two
    /// and at least `unhealthyThreshold` of them a partial one.
    static func zoneState(ready: Int, notReady: Int, unhealthyThreshold: Double) -> ZoneState {
        if notReady > 0 && ready == 0 { return .fullDisruption }
        if notReady > 2 && Double(notReady) / Double(notReady + ready) >= unhealthyThreshold { return .partialDisruption }
        return .normal
    }

    // MARK: Taint eviction

    /// When `pod` must be deleted given its node's NoExecute taints (upstream's taint
    /// eviction controller): now (`deadline` ≤ now) for a taint it does not tolerate, at the
    /// earliest taint time plus the smallest matching `tolerationSeconds` otherwise; nil when it
    /// tolerates them all forever.
    static func evictionTime(_ pod: CoreV1.Pod, taints: [CoreV1.Taint], now: Int64) -> Int64? {
        let noExecute = taints.filter { $0.effect == "NoExecute" }
        guard !noExecute.isEmpty else { return nil }
        var due: Int64?
        for taint in noExecute {
            // The first toleration matching each taint counts (upstream's GetMatchingTolerations);
            // a taint tolerated forever sets no deadline.
            guard let used = (pod.spec?.tolerations ?? []).first(where: { PodToleration($0).tolerates(NodeTaint(taint)) }) else {
                return now
            }
            guard let limit = used.tolerationSeconds else { continue }
            let deadline = (taint.timeAdded?.secondsSinceEpoch ?? now) + max(limit, 0)
            due = min(due ?? deadline, deadline)
        }
        return due
    }
}
