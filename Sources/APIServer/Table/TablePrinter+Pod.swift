import APIMachinery

// MARK: - Pod

extension TablePrinter {
    /// Pod cells: NAME, READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES.
    ///
    /// STATUS starts from `status.reason`, else the phase; `SchedulingGated` when the
    /// PodScheduled condition says so. A failing or pending init container shows as
    /// `Init:<reason>`, `Init:ExitCode:n`, `Init:Signal:n` or `Init:i/n`; once initialised, the
    /// first container (scanning from the last) that is waiting or terminated gives its reason
    /// (`CrashLoopBackOff`, `Completed`, `ExitCode:n`…), and `Completed` with a container still
    /// running reads `Running` or `NotReady`. A pod being deleted shows `Terminating` unless it
    /// already finished, or `Unknown` when its node was lost. RESTARTS counts the containers
    /// shown (sidecar init containers included) and adds `(5m ago)` after the last restart.
    static func podCells(_ pod: TableField, now: Time) -> [JSONValue] {
        let spec = pod["spec"]
        let status = pod["status"]
        let phase = status["phase"].text

        var reason = phase
        if let statusReason = status["reason"].string, !statusReason.isEmpty { reason = statusReason }
        for condition in status["conditions"].array
        where condition["type"].string == "PodScheduled" && condition["reason"].string == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        var totalContainers = spec["containers"].count
        var readyContainers = 0
        // Init containers by name: whether each is a restartable (sidecar) container.
        var sidecar: [String: Bool] = [:]
        for container in spec["initContainers"].array {
            let restartable = container["restartPolicy"].string == "Always"
            sidecar[container["name"].text] = restartable
            if restartable { totalContainers += 1 }
        }
        let initContainerCount = spec["initContainers"].count

        var restarts: Int64 = 0
        var sidecarRestarts: Int64 = 0
        var lastRestart = Time.zero
        var lastSidecarRestart = Time.zero
        var initializing = false
        for (index, container) in status["initContainerStatuses"].array.enumerated() {
            let count = container["restartCount"].number
            restarts += count
            let finished = lastTermination(container)
            if let finished, lastRestart < finished { lastRestart = finished }
            let isSidecar = sidecar[container["name"].text] ?? false
            if isSidecar {
                sidecarRestarts += count
                if let finished, lastSidecarRestart < finished { lastSidecarRestart = finished }
            }
            let terminated = container["state"]["terminated"]
            let waiting = container["state"]["waiting"]
            if terminated.isPresent && terminated["exitCode"].number == 0 { continue }
            if isSidecar && container["started"].bool == true {
                if container["ready"].bool == true { readyContainers += 1 }
                continue
            }
            if terminated.isPresent {
                let terminatedReason = terminated["reason"].text
                if !terminatedReason.isEmpty {
                    reason = "Init:" + terminatedReason
                } else if terminated["signal"].number != 0 {
                    reason = "Init:Signal:\(terminated["signal"].number)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"].number)"
                }
            } else if let waitingReason = waiting["reason"].string, waiting.isPresent, !waitingReason.isEmpty,
                waitingReason != "PodInitializing"
            {
                reason = "Init:" + waitingReason
            } else {
                reason = "Init:\(index)/\(initContainerCount)"
            }
            initializing = true
            break
        }

        if !initializing || hasCondition(status, type: "Initialized") {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for container in status["containerStatuses"].array.reversed() {
                restarts += container["restartCount"].number
                if let finished = lastTermination(container), lastRestart < finished { lastRestart = finished }
                let waiting = container["state"]["waiting"]
                let terminated = container["state"]["terminated"]
                if waiting.isPresent && !waiting["reason"].text.isEmpty {
                    reason = waiting["reason"].text
                } else if terminated.isPresent && !terminated["reason"].text.isEmpty {
                    reason = terminated["reason"].text
                } else if terminated.isPresent {
                    let signal = terminated["signal"].number
                    reason = signal != 0 ? "Signal:\(signal)" : "ExitCode:\(terminated["exitCode"].number)"
                } else if container["ready"].bool == true && container["state"]["running"].isPresent {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = status["conditions"].array.contains {
                    $0["type"].string == "Ready" && $0["status"].string == "True"
                }
                reason = ready ? "Running" : "NotReady"
            }
        }

        if pod["metadata"]["deletionTimestamp"].isPresent {
            if status["reason"].string == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded" && phase != "Failed" {
                reason = "Terminating"
            }
        }

        var restartText = String(restarts)
        if restarts != 0 && !lastRestart.isZero {
            restartText += " (\(HumanDuration.since(lastRestart, now: now)) ago)"
        }

        // Wide columns.
        var podIP = status["podIP"].text
        if podIP.isEmpty, let first = status["podIPs"].array.first { podIP = first["ip"].text }
        let nodeName = spec["nodeName"].text
        let nominated = status["nominatedNodeName"].text
        var readinessGates = "<none>"
        let gates = spec["readinessGates"].array
        if !gates.isEmpty {
            let conditions = status["conditions"].array
            var satisfied = 0
            for gate in gates {
                let type = gate["conditionType"].text
                if let condition = conditions.first(where: { $0["type"].text == type }),
                    condition["status"].string == "True"
                {
                    satisfied += 1
                }
            }
            readinessGates = "\(satisfied)/\(gates.count)"
        }

        return [
            .string(TableFormat.name(pod)),
            .string("\(readyContainers)/\(totalContainers)"),
            .string(reason),
            .string(restartText),
            .string(TableFormat.age(pod, now: now)),
            .string(podIP.isEmpty ? "<none>" : podIP),
            .string(nodeName.isEmpty ? "<none>" : nodeName),
            .string(nominated.isEmpty ? "<none>" : nominated),
            .string(readinessGates),
        ]
    }

    /// Row conditions for a pod: `Completed` rows for pods that succeeded or failed (clients may
    /// use them to dim or hide finished pods); none otherwise.
    static func podRowConditions(_ pod: TableField) -> [JSONValue] {
        let message: String
        switch pod["status"]["phase"].text {
        case "Succeeded": message = "The pod has completed successfully."
        case "Failed": message = "The pod failed."
        default: return []
        }
        return [
            .object([
                "type": "Completed",
                "status": "True",
                "reason": .string(pod["status"]["phase"].text),
                "message": .string(message),
            ])
        ]
    }

    /// When the container last terminated (`lastState.terminated.finishedAt`); nil when it never
    /// did. A termination without a time reads as Go's zero time.
    private static func lastTermination(_ containerStatus: TableField) -> Time? {
        let terminated = containerStatus["lastState"]["terminated"]
        guard terminated.isPresent else { return nil }
        return terminated["finishedAt"].time ?? .zero
    }

    /// Whether the first condition of `type` has status True (upstream's test for Initialized).
    private static func hasCondition(_ status: TableField, type: String) -> Bool {
        guard let condition = status["conditions"].array.first(where: { $0["type"].text == type }) else { return false }
        return condition["status"].string == "True"
    }

    /// PodTemplate cells: NAME, CONTAINERS, IMAGES, POD LABELS.
    static func podTemplateCells(_ template: TableField) -> [JSONValue] {
        let (names, images) = TableFormat.containers(template["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(template)), .string(names), .string(images),
            .string(TableFormat.labels(template["template"]["metadata"]["labels"])),
        ]
    }
}
