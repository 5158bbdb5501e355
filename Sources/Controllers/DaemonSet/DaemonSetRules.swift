import APIMachinery

/// The pure rules of the DaemonSet controller: which nodes run a daemon pod, the pod a node
/// gets, and its revision's identity (kube-controller-manager 1.32's daemon controller).
enum DaemonSetRules {
    static let revisionHashLabel = "controller-revision-hash"
    static let templateGenerationLabel = "pod-template-generation"

    /// The tolerations every daemon pod gets (upstream's `AddOrUpdateDaemonPodTolerations`):
    /// it survives not-ready and unreachable nodes and pressure, and runs on cordoned nodes.
    static func defaultTolerations(hostNetwork: Bool) -> [CoreV1.Toleration] {
        var list = [
            CoreV1.Toleration(effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists"),
            CoreV1.Toleration(effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists"),
            CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/disk-pressure", operator: "Exists"),
            CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/memory-pressure", operator: "Exists"),
            CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/pid-pressure", operator: "Exists"),
            CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable", operator: "Exists"),
        ]
        if hostNetwork {
            list.append(CoreV1.Toleration(effect: "NoSchedule", key: "node.kubernetes.io/network-unavailable", operator: "Exists"))
        }
        return list
    }

    /// `tolerations` with each default one in place of any with the same key and effect (so a
    /// daemon pod tolerates those taints forever), or added (upstream's
    /// `AddOrUpdateTolerationInPodSpec`).
    static func withDefaultTolerations(_ tolerations: [CoreV1.Toleration]?, hostNetwork: Bool) -> [CoreV1.Toleration] {
        var result = tolerations ?? []
        for toleration in defaultTolerations(hostNetwork: hostNetwork) {
            if let index = result.firstIndex(where: { $0.key == toleration.key && $0.effect == toleration.effect }) {
                result[index] = toleration
            } else {
                result.append(toleration)
            }
        }
        return result
    }

    /// Whether a daemon pod should be placed on `node` (`shouldRun`) and, if one is there,
    /// may keep running (`shouldContinue`): node selector and required affinity must match;
    /// NoSchedule taints it does not tolerate only stop new placements, NoExecute ones both
    /// (upstream's `NodeShouldRunDaemonPod`).
    static func placement(_ template: CoreV1.PodTemplateSpec, on node: CoreV1.Node) -> (shouldRun: Bool, shouldContinue: Bool) {
        // A template naming a node runs only there.
        if let pinned = template.spec?.nodeName, !pinned.isEmpty, pinned != node.name { return (false, false) }
        let probe = CoreV1.Pod(spec: template.spec)
        let fits = RequiredNodeAffinity(pod: probe).matches(labels: node.metadata?.labels ?? [:], nodeName: node.name)
        guard fits else { return (false, false) }
        let tolerations = withDefaultTolerations(template.spec?.tolerations, hostNetwork: template.spec?.hostNetwork == true).map(PodToleration.init)
        let taints = (node.spec?.taints ?? []).map(NodeTaint.init)
        let untoleratedNoExecute = tolerations.firstUntolerated(taints) { $0.effect == .noExecute } != nil
        let untoleratedNoSchedule = tolerations.firstUntolerated(taints) { $0.effect == .noSchedule } != nil
        return (!untoleratedNoExecute && !untoleratedNoSchedule, !untoleratedNoExecute)
    }

    /// The node a daemon pod is for: its `spec.nodeName`, else the one `metadata.name` its
    /// required node affinity names (upstream's `GetTargetNodeName`); nil when none or several.
    /// Upstream's podByCreationTimestampAndPhase: of a node's pods, bound ones come first, then
    /// older before newer, then by name; the first is the one kept.
    static func keptFirst(_ a: CoreV1.Pod, _ b: CoreV1.Pod) -> Bool {
        let boundA = !(a.spec?.nodeName ?? "").isEmpty, boundB = !(b.spec?.nodeName ?? "").isEmpty
        if boundA != boundB { return boundA }
        let timeA = a.metadata?.creationTimestamp?.secondsSinceEpoch ?? 0
        let timeB = b.metadata?.creationTimestamp?.secondsSinceEpoch ?? 0
        if timeA != timeB { return timeA < timeB }
        return (a.metadata?.name ?? "") < (b.metadata?.name ?? "")
    }

    static func targetNode(_ pod: CoreV1.Pod) -> String? {
        if let name = pod.spec?.nodeName, !name.isEmpty { return name }
        for term in pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [] {
            // Several names are no single node (upstream skips such a pod).
            for field in term.matchFields ?? [] where field.key == "metadata.name" && field.operator == "In" {
                return field.values?.count == 1 ? field.values?.first : nil
            }
        }
        return nil
    }

    /// The pod for `node`: the template with the revision hash and generation labels, the
    /// default tolerations, and a required node affinity naming just that node (upstream's
    /// `ReplaceDaemonSetPodNodeNameNodeAffinity`); the scheduler binds it.
    static func pod(for ds: AppsV1.DaemonSet, node: String, hash: String) -> CoreV1.Pod {
        var pod = OwnedPods.pod(from: ds.spec?.template, owner: ds)
        var labels = pod.metadata?.labels ?? [:]
        labels[revisionHashLabel] = hash
        if let generation = ds.metadata?.generation { labels[templateGenerationLabel] = String(generation) }
        pod.metadata?.labels = labels
        var spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        spec.tolerations = withDefaultTolerations(spec.tolerations, hostNetwork: spec.hostNetwork == true)
        var affinity = spec.affinity ?? CoreV1.Affinity()
        var nodeAffinity = affinity.nodeAffinity ?? CoreV1.NodeAffinity()
        nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = CoreV1.NodeSelector(nodeSelectorTerms: [
            CoreV1.NodeSelectorTerm(matchFields: [CoreV1.NodeSelectorRequirement(key: "metadata.name", operator: "In", values: [node])]),
        ])
        affinity.nodeAffinity = nodeAffinity
        spec.affinity = affinity
        pod.spec = spec
        return pod
    }

    /// `maxUnavailable`/`maxSurge` against `total` nodes (percentages rounded up, as upstream);
    /// `fallback` when unset or malformed.
    static func scaled(_ value: IntOrString?, total: Int, default fallback: Int) -> Int {
        switch value {
        case .int(let number)?: return Int(number)
        case .string(let text)?:
            guard text.hasSuffix("%"), let percent = Double(text.dropLast()) else { return fallback }
            let exact = percent * Double(total) / 100
            return Int(exact.rounded(.up))
        case nil: return fallback
        }
    }
}
