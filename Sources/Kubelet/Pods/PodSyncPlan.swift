import APIMachinery

/// What one sync of a pod must do to the runtime (upstream `computePodActions`): a pure
/// function of the pod spec, what the runtime holds for it and which probes failed.
///
/// Rules, as upstream's kubelet applies them:
/// - A pod needs a new sandbox when it has none, when its newest is not ready, or when more
///   than one is ready; then every container is killed first. A `restartPolicy: Never` pod whose
///   sandbox died after its containers ran gets no new sandbox: it is finished.
/// - Init containers run one at a time, in order, each to exit 0; a failed one is restarted
///   unless the policy is Never (then the pod has failed). Restartable init containers
///   (sidecars) start in order and keep running; the next init container starts once the
///   sidecar before it is running.
/// - Regular containers start once initialization is done; an exited one is restarted as the
///   restart policy says (Always; OnFailure for a non-zero exit). A running one whose spec hash
///   changed, or whose liveness or startup probe failed, is killed and, unless the policy is
///   Never, started again.
/// - When nothing runs and nothing is to start, the sandbox is stopped (`killPod`).
public struct PodSyncPlan: Sendable, Equatable {
    public struct Kill: Sendable, Equatable {
        public var id: String
        public var name: String
        public var message: String
    }

    /// A container to start: its name and whether it is an init container.
    public struct Start: Sendable, Equatable {
        public var name: String
        public var isInit: Bool
    }

    public var killPod = false
    public var createSandbox = false
    /// The ready sandbox to use when `createSandbox` is false.
    public var sandboxID: String?
    /// The attempt number of the sandbox to create.
    public var attempt: UInt32 = 0
    public var containersToKill: [Kill] = []
    public var containersToStart: [Start] = []
    /// True when an init container failed and the policy forbids restarting it.
    public var initFailed = false

    public static func compute(pod: CoreV1.Pod, runtime: RuntimePodStatus, probeFailures: [String: String] = [:]) -> PodSyncPlan {
        var plan = PodSyncPlan()
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        let policy = spec.restartPolicy ?? "Always"
        let initContainers = spec.initContainers ?? []
        let containers = spec.containers

        // Sandbox.
        let ready = runtime.sandboxes.filter(\.ready)
        if let newest = runtime.sandboxes.first {
            let missingIP = spec.hostNetwork != true && newest.ip.isEmpty
            if !newest.ready || ready.count > 1 || missingIP {
                plan.createSandbox = true
                plan.attempt = newest.attempt + 1
            } else {
                plan.sandboxID = newest.id
                plan.attempt = newest.attempt
            }
        } else {
            plan.createSandbox = true
        }
        if plan.createSandbox {
            plan.killPod = !runtime.sandboxes.isEmpty || !runtime.runningContainers.isEmpty
            if policy == "Never" && plan.attempt > 0 && !runtime.containers.isEmpty {
                // The pod ran and its sandbox is gone: it will not run again.
                plan.createSandbox = false
                plan.killPod = true
                return plan
            }
            if let first = initContainers.first {
                plan.containersToStart = [Start(name: first.name, isInit: true)]
                return plan
            }
            for container in containers {
                if let last = runtime.latest(container.name), last.state == .exited,
                    !shouldRestart(policy: policy, exitCode: last.exitCode)
                {
                    continue
                }
                plan.containersToStart.append(Start(name: container.name, isInit: false))
            }
            // Nothing would run in a new sandbox: the pod is done.
            if plan.containersToStart.isEmpty { plan.createSandbox = false }
            return plan
        }

        // Init containers, unless a regular container already ran (initialization is over).
        let regularStarted = containers.contains { runtime.latest($0.name) != nil }
        var initialized = true
        for container in initContainers {
            let isSidecar = container.restartPolicy == "Always"
            let last = runtime.latest(container.name)
            if isSidecar {
                switch last?.state {
                case nil, .created?:
                    plan.containersToStart.append(Start(name: container.name, isInit: true))
                    if !regularStarted { initialized = false }
                case .running?:
                    if let message = probeFailures[container.name], let last {
                        plan.containersToKill.append(Kill(id: last.id, name: container.name, message: message))
                        plan.containersToStart.append(Start(name: container.name, isInit: true))
                    }
                case .exited?, .unknown?:
                    plan.containersToStart.append(Start(name: container.name, isInit: true))
                }
                if !initialized { break }
                continue
            }
            if regularStarted { continue }
            switch last?.state {
            case nil, .created?:
                plan.containersToStart.append(Start(name: container.name, isInit: true))
                initialized = false
            case .running?:
                initialized = false
            case .exited? where last?.exitCode == 0:
                continue
            case .exited?, .unknown?:
                if policy == "Never" {
                    plan.initFailed = true
                    plan.killPod = true
                    plan.containersToStart = []
                    return plan
                }
                plan.containersToStart.append(Start(name: container.name, isInit: true))
                initialized = false
            }
            if !initialized { break }
        }
        if !initialized { return plan }

        // Regular containers.
        var keep = 0
        for container in containers {
            let hash = ContainerHash.of(container)
            guard let last = runtime.latest(container.name) else {
                plan.containersToStart.append(Start(name: container.name, isInit: false))
                continue
            }
            switch last.state {
            case .running:
                if !last.hash.isEmpty && last.hash != hash {
                    plan.containersToKill.append(Kill(id: last.id, name: container.name,
                                                      message: "Container \(container.name) definition changed"))
                    plan.containersToStart.append(Start(name: container.name, isInit: false))
                } else if let message = probeFailures[container.name] {
                    plan.containersToKill.append(Kill(id: last.id, name: container.name, message: message))
                    if policy != "Never" { plan.containersToStart.append(Start(name: container.name, isInit: false)) }
                } else {
                    keep += 1
                }
            case .created:
                plan.containersToStart.append(Start(name: container.name, isInit: false))
            case .unknown:
                // A container in an unknown state is killed and started again whatever the policy.
                plan.containersToKill.append(Kill(id: last.id, name: container.name, message: "Container \(container.name) is in an unknown state"))
                plan.containersToStart.append(Start(name: container.name, isInit: false))
            case .exited:
                if shouldRestart(policy: policy, exitCode: last.exitCode) {
                    plan.containersToStart.append(Start(name: container.name, isInit: false))
                }
            }
        }
        if keep == 0 && !plan.containersToStart.contains(where: { !$0.isInit }) {
            // Nothing left to run: stop the sandbox (and any sidecars).
            plan.killPod = true
            plan.containersToStart = []
        }
        return plan
    }

    /// Whether a container that exited with `exitCode` is started again under `policy`.
    public static func shouldRestart(policy: String, exitCode: Int32) -> Bool {
        switch policy {
        case "Never": return false
        case "OnFailure": return exitCode != 0
        default: return true
        }
    }
}
