import APIMachinery
import Scheduler

extension Kubelet {
    /// Why the node refuses `pod`, or nil (upstream's predicate admit handler): the scheduler's
    /// own checks against the pods already admitted here — resources (OutOfcpu, OutOfmemory,
    /// OutOfpods, OutOf<resource>), node name, node affinity and selector (NodeAffinity),
    /// host ports (NodePorts) — and the node's NoExecute taints (Taint).
    func admissionFailure(_ pod: CoreV1.Pod) -> (reason: String, message: String)? {
        guard let current = node.current else { return nil }
        let others = activePods.filter { $0.metadata?.uid != pod.metadata?.uid }
        let nodeInfo = NodeInfo(node: current, pods: others.map(PodInfo.init))
        let podInfo = PodInfo(pod)
        if let name = pod.spec?.nodeName, !name.isEmpty, name != options.nodeName {
            return ("NodeName", "Pod was rejected: Predicate NodeName failed: node(s) didn't match the requested node name")
        }
        let insufficient = NodeResourcesFit().insufficientResources(pod: podInfo, nodeInfo: nodeInfo)
        if let first = insufficient.first {
            let resource = first.resourceName == "pods" ? "pods" : first.resourceName
            let message = insufficient.map { item in
                item.resourceName == "pods"
                    ? "Node didn't have enough resource: pods, requested: 1, used: \(item.used), capacity: \(item.capacity)"
                    : "Node didn't have enough resource: \(item.resourceName), requested: \(item.requested), used: \(item.used), capacity: \(item.capacity)"
            }.joined(separator: ", ")
            return ("OutOf\(resource)", "Pod was rejected: \(message)")
        }
        if !podInfo.requiredNodeAffinity.matches(labels: nodeInfo.labels, nodeName: nodeInfo.name) {
            return ("NodeAffinity", "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
        }
        for port in podInfo.hostPorts where nodeInfo.usedPorts.conflicts(with: port) {
            return ("NodePorts", "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports")
        }
        let tolerations = pod.spec?.tolerations ?? []
        for taint in current.spec?.taints ?? [] where taint.effect == "NoExecute" {
            let tolerated = tolerations.contains { toleration in
                if let effect = toleration.effect, !effect.isEmpty, effect != taint.effect { return false }
                if toleration.operator == "Exists" { return toleration.key == nil || toleration.key == "" || toleration.key == taint.key }
                return toleration.key == taint.key && (toleration.value ?? "") == (taint.value ?? "")
            }
            if !tolerated {
                return ("Taint", "Pod was rejected: Predicate TaintToleration failed: node(s) had untolerated taint {\(taint.key): \(taint.value ?? "")}")
            }
        }
        return nil
    }
}
