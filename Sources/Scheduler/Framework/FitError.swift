/// Everything a failed cycle learned about why the pod fits nowhere (upstream `Diagnosis`).
public struct Diagnosis: Sendable {
    public var nodeToStatus = NodeToStatus()
    /// Plugins that rejected the pod on some node (their events may make it schedulable).
    public var unschedulablePlugins: Set<String> = []
    /// The PreFilter rejection message, when PreFilter rejected the pod.
    public var preFilterMessage = ""
    /// The PostFilter (preemption) message; set by the shell after running PostFilter.
    public var postFilterMessage = ""

    public init() {}

    /// Notes the plugin of a rejecting status in `unschedulablePlugins`.
    public mutating func addPluginStatus(_ status: Status) {
        guard let plugin = status.plugin, !plugin.isEmpty, status.isRejected else { return }
        unschedulablePlugins.insert(plugin)
    }
}

/// No node can run the pod (upstream `FitError`). `message` is the text of the
/// FailedScheduling event and the pod's PodScheduled condition, in upstream's format:
///
///     0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.
///
/// Each reason is counted over the nodes that gave it, rendered as "<count> <reason>", the
/// entries sorted as strings and joined with ", ". When PreFilter rejected the pod its
/// message replaces the per-node reasons. A PostFilter message (`preemption: …`) is appended
/// as a further sentence once the shell sets `diagnosis.postFilterMessage`.
public struct FitError: Error, Sendable, CustomStringConvertible {
    public var pod: PodInfo
    public var numAllNodes: Int
    public var diagnosis: Diagnosis

    public init(pod: PodInfo, numAllNodes: Int, diagnosis: Diagnosis) {
        self.pod = pod
        self.numAllNodes = numAllNodes
        self.diagnosis = diagnosis
    }

    public var message: String {
        var text = "0/\(numAllNodes) nodes are available:"
        if !diagnosis.preFilterMessage.isEmpty {
            text += " \(diagnosis.preFilterMessage)."
        } else {
            var counts: [String: Int] = [:]
            for status in diagnosis.nodeToStatus.statuses.values {
                for reason in status.reasons { counts[reason, default: 0] += 1 }
            }
            let absent = numAllNodes - diagnosis.nodeToStatus.explicitCount
            if absent > 0 {
                for reason in diagnosis.nodeToStatus.absentNodesStatus.reasons { counts[reason, default: 0] += absent }
            }
            let histogram = counts.map { "\($0.value) \($0.key)" }.sorted(by: goStringLess)
            if !histogram.isEmpty { text += " " + histogram.joined(separator: ", ") + "." }
        }
        if !diagnosis.postFilterMessage.isEmpty { text += " \(diagnosis.postFilterMessage)." }
        return text
    }

    public var description: String { message }
}

/// Byte-wise string order, as Go's `sort.Strings` (Swift's `<` compares by Unicode scalars,
/// which agrees for the ASCII reasons used here but not in general).
func goStringLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
