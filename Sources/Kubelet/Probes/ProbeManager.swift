import APIMachinery
import Component
import Logging
import Synchronization

/// Runs the startup, readiness and liveness probes of running containers (upstream
/// `prober.Manager`): one loop per probe and container instance, first after
/// `initialDelaySeconds`, then every `periodSeconds`; a result flips after
/// `successThreshold` / `failureThreshold` consecutive outcomes. Readiness and liveness wait
/// for the startup probe to succeed. A failed liveness or startup probe is reported as a
/// failure the next sync acts on (kill, and restart as the policy says); every change of a
/// result re-queues the pod.
public final class ProbeManager: Sendable {
    public struct Results: Sendable {
        public var ready: [String: Bool] = [:]
        public var started: [String: Bool] = [:]
        public var failures: [String: String] = [:]
        public init() {}
    }

    struct Loop {
        var containerID: String
        var task: Task<Void, Never>
    }

    struct State {
        var loops: [String: [String: Loop]] = [:]
        var results: [String: Results] = [:]
        var onChange: (@Sendable (String) -> Void)?
    }

    let runner: ProbeRunner
    let clock: any ComponentClock
    let logger: Logger
    let state = Mutex(State())

    public init(runtime: any ContainerRuntime, clock: any ComponentClock, logger: Logger) {
        runner = ProbeRunner(runtime: runtime)
        self.clock = clock
        self.logger = logger
    }

    /// Called with a pod UID whenever one of its results changes.
    public var onChange: (@Sendable (String) -> Void)? {
        get { state.withLock { $0.onChange } }
        set { state.withLock { $0.onChange = newValue } }
    }

    public func results(for uid: String) -> Results { state.withLock { $0.results[uid] ?? Results() } }

    /// Starts loops for the running containers of `pod` that have probes, and stops loops of
    /// container instances that are gone.
    public func update(pod: CoreV1.Pod, runtime: RuntimePodStatus) {
        let uid = pod.metadata?.uid ?? ""
        let podIP = runtime.sandboxes.first?.ip ?? ""
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        let probed = spec.containers + (spec.initContainers ?? []).filter { $0.restartPolicy == "Always" }
        var wanted: [String: (CoreV1.Container, String, String, CoreV1.Probe)] = [:]
        for container in probed {
            guard let record = runtime.latest(container.name), record.state == .running else { continue }
            for (kind, probe) in [("startup", container.startupProbe), ("readiness", container.readinessProbe), ("liveness", container.livenessProbe)] {
                if let probe { wanted["\(container.name)/\(kind)"] = (container, record.id, kind, probe) }
            }
        }
        var toStart: [(String, CoreV1.Container, String, String, CoreV1.Probe)] = []
        state.withLock { state in
            var loops = state.loops[uid] ?? [:]
            for (key, loop) in loops where wanted[key]?.1 != loop.containerID {
                loop.task.cancel()
                loops[key] = nil
                let name = String(key.split(separator: "/")[0])
                state.results[uid]?.ready[name] = nil
                state.results[uid]?.started[name] = nil
                state.results[uid]?.failures[name] = nil
            }
            for (key, entry) in wanted where loops[key] == nil {
                toStart.append((key, entry.0, entry.1, entry.2, entry.3))
                loops[key] = Loop(containerID: entry.1, task: Task {})
            }
            state.loops[uid] = loops
        }
        for (key, container, id, kind, probe) in toStart {
            let task = Task { await self.loop(uid: uid, container: container, containerID: id, kind: kind, probe: probe, podIP: podIP) }
            state.withLock { $0.loops[uid]?[key]?.task = task }
        }
    }

    /// Stops every loop of a pod and forgets its results.
    public func remove(_ uid: String) {
        let loops = state.withLock { state in
            defer { state.loops[uid] = nil; state.results[uid] = nil }
            return state.loops[uid] ?? [:]
        }
        for loop in loops.values { loop.task.cancel() }
    }

    func loop(uid: String, container: CoreV1.Container, containerID: String, kind: String, probe: CoreV1.Probe, podIP: String) async {
        let name = container.name
        let period = Swift.Duration.seconds(Int64(max(probe.periodSeconds ?? 10, 1)))
        let successThreshold = Int(max(probe.successThreshold ?? 1, 1))
        let failureThreshold = Int(max(probe.failureThreshold ?? 3, 1))
        let timeout = Int64(max(probe.timeoutSeconds ?? 1, 1))
        do { try await clock.sleep(for: .seconds(Int64(probe.initialDelaySeconds ?? 0))) } catch { return }
        var successes = 0, failures = 0
        var current: Bool? = nil
        while !Task.isCancelled {
            let gated = kind != "startup" && container.startupProbe != nil && results(for: uid).started[name] != true
            if !gated {
                let failure = await run(probe, container: container, containerID: containerID, podIP: podIP, timeout: timeout)
                if failure == nil { successes += 1; failures = 0 } else { failures += 1; successes = 0 }
                var flipped: Bool?
                if failure == nil && successes >= (kind == "readiness" ? successThreshold : 1) && current != true { flipped = true }
                if let failure, failures >= failureThreshold && current != false {
                    flipped = false
                    logger.info("probe failed", metadata: ["podUID": "\(uid)", "container": "\(name)", "probe": "\(kind)", "output": "\(failure)"])
                }
                if let flipped {
                    current = flipped
                    let notify = state.withLock { state -> (@Sendable (String) -> Void)? in
                        guard state.loops[uid] != nil else { return nil }
                        var results = state.results[uid] ?? Results()
                        switch kind {
                        case "startup":
                            results.started[name] = flipped
                            if !flipped { results.failures[name] = "Container \(name) failed startup probe" }
                        case "readiness":
                            results.ready[name] = flipped
                        default:
                            results.failures[name] = flipped ? nil : "Container \(name) failed liveness probe"
                        }
                        state.results[uid] = results
                        return state.onChange
                    }
                    notify?(uid)
                    // A failed liveness or startup probe ends this instance: the sync restarts it.
                    if !flipped && kind != "readiness" { return }
                    if flipped && kind == "startup" { return }
                }
            }
            do { try await clock.sleep(for: period) } catch { return }
        }
    }

    func run(_ probe: CoreV1.Probe, container: CoreV1.Container, containerID: String, podIP: String, timeout: Int64) async -> String? {
        if let exec = probe.exec { return await runner.exec(exec.command ?? [], containerID: containerID, timeout: timeout) }
        if let http = probe.httpGet { return await runner.httpGet(http, podIP: podIP, container: container, timeout: timeout) }
        if let tcp = probe.tcpSocket { return await runner.tcp(tcp, podIP: podIP, container: container, timeout: timeout) }
        if let grpc = probe.grpc { return await runner.grpc(grpc, podIP: podIP, timeout: timeout) }
        return nil
    }

    /// Runs a postStart or preStop hook; nil on success, else the failure message.
    public func runHook(_ hook: CoreV1.LifecycleHandler, containerID: String, pod: CoreV1.Pod, container: CoreV1.Container,
                        timeout: Swift.Duration) async -> String? {
        let seconds = max(timeout.components.seconds, 1)
        if let exec = hook.exec {
            return await runner.exec(exec.command ?? [], containerID: containerID, timeout: seconds)
        }
        let podIP = pod.status?.podIP ?? ""
        if let http = hook.httpGet { return await runner.httpGet(http, podIP: podIP, container: container, timeout: seconds) }
        if let tcp = hook.tcpSocket { return await runner.tcp(tcp, podIP: podIP, container: container, timeout: seconds) }
        if let sleep = hook.sleep {
            do {
                try await clock.sleep(for: .seconds(min(sleep.seconds, seconds)))
            } catch {
                return "sleep hook interrupted: the kubelet is stopping"
            }
            return nil
        }
        return nil
    }
}
