import APIMachinery
import Client
import Component

/// The API status of a pod from what the runtime holds for it (upstream
/// `generateAPIPodStatus` and `getPhase`): a pure function of its inputs.
///
/// - Container states: running; terminated with the runtime's reason (Completed, Error,
///   OOMKilled) and exit code; waiting with the last sync's reason (ErrImagePull,
///   CrashLoopBackOff, …) or ContainerCreating / PodInitializing. The previous run of a
///   restarted container is its `lastState`.
/// - Phase: Pending until initialization is done and every container has started; Running
///   while one runs (or will be restarted); Succeeded when all exited 0 and none restarts;
///   Failed when one failed and none restarts. A phase never goes back from Succeeded or
///   Failed.
/// - Conditions PodReadyToStartContainers, Initialized, ContainersReady and Ready, with
///   upstream's reasons; a condition's transition time moves only when its status changes.
public struct PodStatusBuilder: Sendable {
    public var runtimeName: String
    public var hostIPs: [String]
    public var now: WallTime

    public init(runtimeName: String, hostIPs: [String], now: WallTime) {
        self.runtimeName = runtimeName
        self.hostIPs = hostIPs
        self.now = now
    }

    /// Inputs besides the pod and its runtime status.
    public struct Observations: Sendable {
        /// Why containers are not running, by name.
        public var waiting: [String: ContainerWaitingReason] = [:]
        /// Readiness probe results by container name (absent: no probe or no result yet).
        public var ready: [String: Bool] = [:]
        /// Startup probe results by container name.
        public var started: [String: Bool] = [:]
        /// Terminal messages read from containers' termination-message files.
        public var terminationMessages: [String: String] = [:]
        public init() {}
    }

    /// - Parameter terminal: the pod will not run again (deleted, or finished under its policy):
    ///   once nothing runs, its phase is Succeeded if every container exited 0, else Failed.
    public func build(pod: CoreV1.Pod, runtime: RuntimePodStatus, observed: Observations = Observations(),
                      terminal podIsTerminal: Bool = false) -> CoreV1.PodStatus {
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        let old = pod.status ?? CoreV1.PodStatus()
        var status = old
        let policy = spec.restartPolicy ?? "Always"
        let initContainers = spec.initContainers ?? []

        let initDone = Self.initialized(spec: spec, runtime: runtime)
        status.initContainerStatuses = initContainers.isEmpty ? nil : initContainers.map { container in
            let isSidecar = container.restartPolicy == "Always"
            var status = containerStatus(container, runtime: runtime, observed: observed, defaultWaiting: "PodInitializing",
                                         willRestart: { isSidecar || (policy != "Never" && $0 != 0) },
                                         readinessApplies: isSidecar)
            // A regular init container that completed is ready, as upstream reports it.
            if !isSidecar, status.state?.terminated?.exitCode == 0 { status.ready = true }
            return status
        }
        status.containerStatuses = spec.containers.map { container in
            containerStatus(container, runtime: runtime, observed: observed,
                            defaultWaiting: initContainers.isEmpty ? "ContainerCreating" : "PodInitializing",
                            willRestart: { PodSyncPlan.shouldRestart(policy: policy, exitCode: $0) },
                            readinessApplies: true)
        }

        var phase = Self.phase(spec: spec, statuses: status.containerStatuses ?? [], initStatuses: status.initContainerStatuses ?? [],
                               initialized: initDone, runtime: runtime)
        if podIsTerminal && runtime.runningContainers.isEmpty && phase != "Succeeded" && phase != "Failed" {
            let all = status.containerStatuses ?? []
            let succeeded = !all.isEmpty && all.allSatisfy { $0.state?.terminated?.exitCode == 0 }
            phase = succeeded ? "Succeeded" : "Failed"
        }
        if old.phase == "Succeeded" || old.phase == "Failed" {
            status.phase = old.phase
        } else {
            status.phase = phase
        }

        let sandbox = runtime.sandboxes.first
        if spec.hostNetwork == true {
            let ips = hostIPs
            status.podIP = ips.first
            status.podIPs = ips.isEmpty ? nil : ips.map { CoreV1.PodIP(ip: $0) }
        } else if let sandbox, sandbox.ready, !sandbox.ip.isEmpty {
            status.podIP = sandbox.ip
            status.podIPs = ([sandbox.ip] + sandbox.additionalIPs).map { CoreV1.PodIP(ip: $0) }
        }
        status.hostIP = hostIPs.first
        status.hostIPs = hostIPs.isEmpty ? nil : hostIPs.map { CoreV1.HostIP(ip: $0) }
        if status.startTime == nil { status.startTime = now.time }
        status.qosClass = QOSClass.of(spec)

        // Conditions.
        let terminal = status.phase == "Succeeded" || status.phase == "Failed"
        let sandboxReady = sandbox.map { $0.ready && (spec.hostNetwork == true || !$0.ip.isEmpty) } ?? false
        var conditions: [CoreV1.PodCondition] = []
        conditions.append(condition(old, "PodReadyToStartContainers", sandboxReady && !terminal ? "True" : "False"))
        // Init containers not done, in spec order: regular ones not exited 0, sidecars not started.
        let incomplete = initContainers.filter { c in
            (status.initContainerStatuses ?? []).first { $0.name == c.name }.map { s in
                c.restartPolicy == "Always" ? s.started != true : s.state?.terminated?.exitCode != 0
            } ?? true
        }.map(\.name)
        let incompleteInit = initContainers.filter { $0.restartPolicy != "Always" && incomplete.contains($0.name) }
        if initDone || terminal && incompleteInit.isEmpty {
            conditions.append(condition(old, "Initialized", "True"))
        } else {
            let names = incomplete
            conditions.append(condition(old, "Initialized", "False", reason: "ContainersNotInitialized",
                                        message: "containers with incomplete status: [\(names.joined(separator: " "))]"))
        }
        // Unready sidecars first, then regular containers, as upstream lists them.
        let unready = (status.initContainerStatuses ?? []).filter { s in
                initContainers.contains { $0.name == s.name && $0.restartPolicy == "Always" } && !s.ready
            }.map(\.name)
            + (status.containerStatuses ?? []).filter { !$0.ready }.map(\.name)
        if terminal {
            let reason = status.phase == "Failed" ? "PodFailed" : "PodCompleted"
            conditions.append(condition(old, "ContainersReady", "False", reason: reason, message: ""))
            conditions.append(condition(old, "Ready", "False", reason: reason, message: ""))
        } else if unready.isEmpty {
            conditions.append(condition(old, "ContainersReady", "True"))
            var gateProblems: [String] = []
            for gate in (spec.readinessGates ?? []).map(\.conditionType) {
                guard let found = (old.conditions ?? []).first(where: { $0.type == gate }) else {
                    gateProblems.append("corresponding condition of pod readiness gate \"\(gate)\" does not exist.")
                    continue
                }
                if found.status != "True" {
                    gateProblems.append("the status of pod readiness gate \"\(gate)\" is not \"True\", but \(found.status)")
                }
            }
            if gateProblems.isEmpty {
                conditions.append(condition(old, "Ready", "True"))
            } else {
                conditions.append(condition(old, "Ready", "False", reason: "ReadinessGatesNotReady",
                                            message: gateProblems.joined(separator: ", ")))
            }
        } else {
            let message = "containers with unready status: [\(unready.joined(separator: " "))]"
            conditions.append(condition(old, "ContainersReady", "False", reason: "ContainersNotReady", message: message))
            conditions.append(condition(old, "Ready", "False", reason: "ContainersNotReady", message: message))
        }
        // Conditions the kubelet does not own (PodScheduled, readiness gates, DisruptionTarget) are kept.
        let owned: Set<String> = ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"]
        let others = (old.conditions ?? []).filter { !owned.contains($0.type) }
        status.conditions = Self.ordered(others + conditions)
        return status
    }

    /// Upstream's order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, then the rest.
    static func ordered(_ conditions: [CoreV1.PodCondition]) -> [CoreV1.PodCondition] {
        let order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        return conditions.enumerated().sorted { a, b in
            let ia = order.firstIndex(of: a.element.type) ?? order.count
            let ib = order.firstIndex(of: b.element.type) ?? order.count
            return ia != ib ? ia < ib : a.offset < b.offset
        }.map(\.element)
    }

    func condition(_ old: CoreV1.PodStatus, _ type: String, _ value: String, reason: String? = nil, message: String? = nil) -> CoreV1.PodCondition {
        let previous = (old.conditions ?? []).first { $0.type == type }
        var condition = CoreV1.PodCondition(status: value, type: type)
        condition.reason = reason
        condition.message = message.flatMap { $0.isEmpty ? nil : $0 }
        condition.lastProbeTime = nil
        condition.lastTransitionTime = previous?.status == value ? previous?.lastTransitionTime : now.time
        return condition
    }

    /// Whether initialization is over: every non-sidecar init container exited 0 and every
    /// sidecar has started, or a regular container already ran.
    public static func initialized(spec: CoreV1.PodSpec, runtime: RuntimePodStatus) -> Bool {
        if spec.containers.contains(where: { runtime.latest($0.name) != nil }) { return true }
        for container in spec.initContainers ?? [] {
            let last = runtime.latest(container.name)
            if container.restartPolicy == "Always" {
                guard last?.state == .running else { return false }
            } else {
                guard let last, last.state == .exited, last.exitCode == 0 else { return false }
            }
        }
        return true
    }

    func containerStatus(
        _ container: CoreV1.Container, runtime: RuntimePodStatus, observed: Observations, defaultWaiting: String,
        willRestart: (Int32) -> Bool, readinessApplies: Bool
    ) -> CoreV1.ContainerStatus {
        let records = runtime.records(container.name)
        var status = CoreV1.ContainerStatus(image: container.image ?? "", imageID: "", name: container.name, ready: false, restartCount: 0)
        guard let last = records.first else {
            let waiting = observed.waiting[container.name]
            status.state = CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(
                message: waiting?.message, reason: waiting?.reason ?? defaultWaiting))
            status.started = false
            return status
        }
        status.containerID = "\(runtimeName)://\(last.id)"
        status.imageID = last.imageRef
        status.restartCount = Int32(last.restartCount)
        if !last.image.isEmpty { status.image = last.image }
        switch last.state {
        case .running:
            status.state = CoreV1.ContainerState(running: CoreV1.ContainerStateRunning(startedAt: WallTime(nanosecondsSinceEpoch: last.startedAt).time))
            let started = container.startupProbe == nil ? true : (observed.started[container.name] ?? false)
            status.started = started
            if readinessApplies {
                status.ready = started && (container.readinessProbe == nil ? true : (observed.ready[container.name] ?? false))
            }
            if records.count > 1 { status.lastState = CoreV1.ContainerState(terminated: terminated(records[1], observed: nil)) }
        case .exited, .unknown:
            status.started = false
            if willRestart(last.exitCode), let waiting = observed.waiting[container.name] {
                status.state = CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(message: waiting.message, reason: waiting.reason))
                status.lastState = CoreV1.ContainerState(terminated: terminated(last, observed: observed.terminationMessages[container.name]))
            } else {
                status.state = CoreV1.ContainerState(terminated: terminated(last, observed: observed.terminationMessages[container.name]))
                if records.count > 1 { status.lastState = CoreV1.ContainerState(terminated: terminated(records[1], observed: nil)) }
            }
        case .created:
            status.started = false
            let waiting = observed.waiting[container.name]
            status.state = CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(message: waiting?.message, reason: waiting?.reason ?? "ContainerCreating"))
            if records.count > 1 { status.lastState = CoreV1.ContainerState(terminated: terminated(records[1], observed: nil)) }
        }
        return status
    }

    func terminated(_ record: RuntimePodStatus.Container, observed message: String?) -> CoreV1.ContainerStateTerminated {
        var state = CoreV1.ContainerStateTerminated(exitCode: record.exitCode)
        state.containerID = "\(runtimeName)://\(record.id)"
        state.reason = record.reason.isEmpty ? (record.exitCode == 0 ? "Completed" : "Error") : record.reason
        let text = message ?? record.message
        state.message = text.isEmpty ? nil : text
        if record.startedAt > 0 { state.startedAt = WallTime(nanosecondsSinceEpoch: record.startedAt).time }
        if record.finishedAt > 0 { state.finishedAt = WallTime(nanosecondsSinceEpoch: record.finishedAt).time }
        return state
    }

    /// Upstream `getPhase`.
    static func phase(spec: CoreV1.PodSpec, statuses: [CoreV1.ContainerStatus], initStatuses: [CoreV1.ContainerStatus],
                      initialized: Bool, runtime: RuntimePodStatus) -> String {
        let policy = spec.restartPolicy ?? "Always"
        // A failed init container under Never fails the pod.
        if !initialized {
            for status in initStatuses {
                if let code = status.state?.terminated?.exitCode, code != 0, policy == "Never" { return "Failed" }
            }
            return "Pending"
        }
        var running = 0, waiting = 0, stopped = 0, succeeded = 0, unknown = 0
        for status in statuses {
            if status.state?.running != nil {
                running += 1
            } else if let terminated = status.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if status.state?.waiting != nil {
                if status.lastState?.terminated != nil { stopped += 1 } else { waiting += 1 }
            } else {
                unknown += 1
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 && unknown == 0 { return "Running" }
        // A sidecar still running keeps the pod Running after its regular containers exited.
        let sidecarRunning = (spec.initContainers ?? []).contains { $0.restartPolicy == "Always" && runtime.latest($0.name)?.state == .running }
        if running == 0 && stopped > 0 && unknown == 0 && sidecarRunning { return "Running" }
        if running == 0 && stopped > 0 && unknown == 0 {
            if policy == "Always" { return "Running" }
            if stopped == succeeded { return "Succeeded" }
            if policy == "OnFailure" { return "Running" }
            return "Failed"
        }
        return "Pending"
    }
}
