import APIMachinery
import CRIAPI
import Client
import Component
import Foundation
import Logging

extension Kubelet {
    /// One level-triggered sync of the pod with `uid` (see the type's doc).
    func sync(_ uid: String) async throws {
        let pod = memory.withLock { $0.pods[uid] }
        let runtimeStatus = try await readRuntime(uid)
        guard var pod else {
            try await cleanUp(uid, runtime: runtimeStatus)
            return
        }
        if let written = memory.withLock({ $0.written[uid] }) { pod.status = written }
        let phase = pod.status?.phase
        if pod.metadata?.deletionTimestamp != nil {
            try await terminate(pod, runtime: runtimeStatus, delete: true)
            return
        }
        if phase == "Succeeded" || phase == "Failed" {
            memory.withLock { _ = $0.finished.insert(uid) }
            try await terminate(pod, runtime: runtimeStatus, delete: false)
            return
        }
        if !memory.withLock({ $0.admitted.contains(uid) }) {
            if runtimeStatus.sandboxes.isEmpty, let (reason, message) = admissionFailure(pod) {
                logger.info("pod rejected", metadata: ["pod": "\(pod.key)", "reason": "\(reason)"])
                recorder.event(regarding: pod, type: .warning, reason: reason, message: message)
                var status = pod.status ?? CoreV1.PodStatus()
                status.phase = "Failed"
                status.reason = reason
                status.message = message
                memory.withLock { _ = $0.rejected.insert(uid); _ = $0.finished.insert(uid) }
                try await writeStatus(pod, status)
                return
            }
            memory.withLock { _ = $0.admitted.insert(uid) }
        }

        let probeResults = probes.results(for: uid)
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtimeStatus, probeFailures: probeResults.failures)
        var waiting = memory.withLock { $0.waiting[uid] ?? [:] }
        var requeue: Swift.Duration? = nil
        let grace = Int64(pod.spec?.terminationGracePeriodSeconds ?? 30)

        if plan.killPod {
            await killAll(pod, runtime: runtimeStatus, grace: grace)
        }
        for kill in plan.containersToKill {
            if let record = runtimeStatus.containers.first(where: { $0.id == kill.id }) {
                recorder.event(regarding: pod, type: .normal, reason: "Killing", message: kill.message + ", will be restarted")
                await stop(record, pod: pod, grace: grace)
            }
        }

        var sandboxID = plan.sandboxID
        var podIPs: [String] = runtimeStatus.sandboxes.first.map { $0.ready && !$0.ip.isEmpty ? [$0.ip] + $0.additionalIPs : [] } ?? []
        let sandboxConfig = sandboxes.build(pod, attempt: plan.attempt)
        let environment = try await environmentBuilder(pod, podIPs: podIPs)
        var volumePaths: [String: String] = [:]
        if !plan.containersToStart.isEmpty || plan.createSandbox {
            do {
                volumePaths = try await volumes.setUp(pod: pod, objects: objects, environment: environment)
            } catch {
                recorder.event(regarding: pod, type: .warning, reason: "FailedMount", message: error.message)
                logger.info("volume set-up failed", metadata: ["pod": "\(pod.key)", "error": "\(error.message)"])
                try await writeStatus(pod, buildStatus(pod, runtime: runtimeStatus, waiting: waiting, probes: probeResults))
                queue.add(uid, after: .seconds(2))
                return
            }
        } else {
            // Refresh configMap, secret and downward-API contents of running pods.
            do {
                volumePaths = try await volumes.setUp(pod: pod, objects: objects, environment: environment)
            } catch {
                logger.debug("volume refresh failed", metadata: ["pod": "\(pod.key)", "error": "\(error.message)"])
            }
        }
        if plan.createSandbox {
            do {
                try FileManager.default.createDirectory(atPath: sandboxes.logDirectory(pod), withIntermediateDirectories: true)
                let id = try await runtime.runPodSandbox(sandboxConfig)
                sandboxID = id
                let status = try await runtime.podSandboxStatus(id)
                podIPs = status.network.ip.isEmpty ? [] : [status.network.ip] + status.network.additionalIps.map(\.ip)
                logger.debug("sandbox started", metadata: ["pod": "\(pod.key)", "sandbox": "\(id)", "ip": "\(status.network.ip)"])
            } catch {
                recorder.event(regarding: pod, type: .warning, reason: "FailedCreatePodSandBox",
                               message: "Failed to create pod sandbox: \(error)")
                logger.warning("sandbox creation failed", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
                throw error
            }
        }
        if let sandboxID {
            // The new sandbox's IPs, without reading the pod's ConfigMaps and Secrets again.
            var environment = environment
            if !podIPs.isEmpty { environment.podIPs = podIPs }
            for start in plan.containersToStart {
                let result = await startContainer(start, pod: pod, sandboxID: sandboxID, sandboxConfig: sandboxConfig,
                                                  runtime: runtimeStatus, environment: environment, volumes: volumePaths)
                switch result {
                case .started:
                    waiting[start.name] = nil
                case .waiting(let reason, let retry):
                    waiting[start.name] = reason
                    if let retry { requeue = min(requeue ?? retry, retry) }
                }
                // Init containers run one at a time: stop at the first that did not start.
                if start.isInit, case .waiting = result { break }
            }
        }
        memory.withLock { $0.waiting[uid] = waiting }
        let fresh = try await readRuntime(uid)
        probes.update(pod: pod, runtime: fresh)
        var status = buildStatus(pod, runtime: fresh, waiting: waiting, probes: probes.results(for: uid))
        if plan.initFailed || (plan.killPod && !plan.createSandbox) {
            status = buildStatus(pod, runtime: fresh, waiting: waiting, probes: probes.results(for: uid), terminal: true)
        }
        try await writeStatus(pod, status)
        await removeDeadContainers(fresh)
        // Level-triggered resync: configMap and secret volumes, probes and status are
        // refreshed at least every syncFrequency even when nothing reports a change.
        queue.add(uid, after: min(requeue ?? options.config.syncFrequency, options.config.syncFrequency))
    }

    /// Container garbage collection within a pod (upstream `maxPerPodContainerCount` = 1):
    /// each container keeps its newest record and the one before it (its `lastState`); older
    /// exited records are removed.
    func removeDeadContainers(_ status: RuntimePodStatus) async {
        var seen: [String: Int] = [:]
        for record in status.containers {
            seen[record.name, default: 0] += 1
            guard seen[record.name]! > 2, record.state == .exited else { continue }
            do {
                try await runtime.removeContainer(record.id)
            } catch {
                logger.debug("removing a dead container failed", metadata: ["container": "\(record.name)", "id": "\(record.id)", "error": "\(error)"])
            }
        }
    }

    /// Reads what the runtime holds for one pod.
    func readRuntime(_ uid: String) async throws -> RuntimePodStatus {
        var sandboxes: [RuntimePodStatus.Sandbox] = []
        var name = "", namespace = ""
        for sandbox in try await runtime.listPodSandboxes(podUID: uid) {
            name = sandbox.metadata.name
            namespace = sandbox.metadata.namespace
            var ip = "", more: [String] = []
            if sandbox.state == .sandboxReady {
                do {
                    let status = try await runtime.podSandboxStatus(sandbox.id)
                    ip = status.network.ip
                    more = status.network.additionalIps.map(\.ip)
                } catch let error as RuntimeError where error.code == .notFound {
                    continue
                }
            }
            sandboxes.append(.init(id: sandbox.id, attempt: sandbox.metadata.attempt, ready: sandbox.state == .sandboxReady,
                                   ip: ip, additionalIPs: more, createdAt: sandbox.createdAt))
        }
        var containers: [RuntimePodStatus.Container] = []
        for container in try await runtime.listContainers(podUID: uid) {
            do {
                let status = try await runtime.containerStatus(container.id)
                containers.append(RuntimePodStatus.Container(status, sandboxID: container.podSandboxID))
            } catch let error as RuntimeError where error.code == .notFound {
                continue
            }
        }
        return RuntimePodStatus(uid: uid, name: name, namespace: namespace, sandboxes: sandboxes, containers: containers)
    }

    func environmentBuilder(_ pod: CoreV1.Pod, podIPs: [String]) async throws -> EnvironmentBuilder {
        let namespace = pod.metadata?.namespace ?? "default"
        var configMaps: [String: CoreV1.ConfigMap] = [:]
        var secrets: [String: CoreV1.Secret] = [:]
        for container in (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? []) {
            for source in container.envFrom ?? [] {
                if let name = source.configMapRef?.name, configMaps[name] == nil {
                    configMaps[name] = try await objects.configMap(namespace: namespace, name: name)
                }
                if let name = source.secretRef?.name, secrets[name] == nil {
                    secrets[name] = try await objects.secret(namespace: namespace, name: name)
                }
            }
            for variable in container.env ?? [] {
                if let name = variable.valueFrom?.configMapKeyRef?.name, configMaps[name] == nil {
                    configMaps[name] = try await objects.configMap(namespace: namespace, name: name)
                }
                if let name = variable.valueFrom?.secretKeyRef?.name, secrets[name] == nil {
                    secrets[name] = try await objects.secret(namespace: namespace, name: name)
                }
            }
        }
        return EnvironmentBuilder(
            pod: pod, nodeName: options.nodeName, hostIPs: options.nodeIPs, podIPs: podIPs, configMaps: configMaps,
            secrets: secrets, services: serviceInformer.store.list(), nodeAllocatable: node.builder.allocatable)
    }

    enum StartResult {
        case started
        case waiting(ContainerWaitingReason, retry: Swift.Duration?)
    }

    /// Starts one container (upstream `startContainer`): crash-loop back-off, image, config,
    /// create, start, postStart hook. A failure becomes the container's waiting reason.
    func startContainer(
        _ start: PodSyncPlan.Start, pod: CoreV1.Pod, sandboxID: String, sandboxConfig: Runtime_V1_PodSandboxConfig,
        runtime status: RuntimePodStatus, environment: EnvironmentBuilder, volumes: [String: String]
    ) async -> StartResult {
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        guard let container = (start.isInit ? spec.initContainers ?? [] : spec.containers).first(where: { $0.name == start.name }) else {
            return .started
        }
        let uid = pod.metadata?.uid ?? ""
        let key = "\(uid)/\(container.name)"
        let last = status.latest(container.name)
        if let last, last.state == .exited || last.state == .unknown {
            let elapsed = clock.wallNow - WallTime(nanosecondsSinceEpoch: last.finishedAt > 0 ? last.finishedAt : last.createdAt)
            if let left = crashBackoff.remaining(key, elapsed: elapsed) {
                let wait = crashBackoff.current(key) ?? left
                let message = "back-off \(Self.goDuration(wait)) restarting failed container=\(container.name) pod=\(pod.metadata?.name ?? "")_\(pod.metadata?.namespace ?? "")(\(uid))"
                recorder.event(regarding: pod, type: .warning, reason: "BackOff", message: "Back-off restarting failed container \(container.name) in pod \(pod.metadata?.name ?? "")_\(pod.metadata?.namespace ?? "")(\(uid))")
                return .waiting(ContainerWaitingReason("CrashLoopBackOff", message), retry: left)
            }
            crashBackoff.next(key)
        }
        // Image.
        let secrets = await pullSecrets(pod)
        let credentials = ImageManager.credentials(for: container.image ?? "", secrets: secrets) { [logger] problem in
            logger.warning("skipping an image pull secret", metadata: ["pod": "\(pod.key)", "problem": "\(problem)"])
        }
        let lastPullFailure = memory.withLock { $0.waiting[uid]?[container.name] }.flatMap { reason -> Swift.Duration? in
            reason.reason == "ErrImagePull" || reason.reason == "ImagePullBackOff" ? .zero : nil
        }
        let image = container.image ?? ""
        let imageRef: String
        switch await images.ensure(container: container, podKey: uid, auth: credentials, sandbox: sandboxConfig, lastFailure: lastPullFailure) {
        case .ready(let reference, let pulled):
            imageRef = reference
            if let pulled {
                recorder.event(regarding: pod, type: .normal, reason: "Pulling", message: "Pulling image \"\(image)\"")
                recorder.event(regarding: pod, type: .normal, reason: "Pulled",
                               message: "Successfully pulled image \"\(image)\" in \(Self.goDuration(pulled))")
            } else {
                recorder.event(regarding: pod, type: .normal, reason: "Pulled",
                               message: "Container image \"\(image)\" already present on machine")
            }
        case .waiting(let reason):
            let type: EventType = .warning
            if reason.reason == "ErrImagePull" {
                recorder.event(regarding: pod, type: type, reason: "Failed", message: "Failed to pull image \"\(image)\": \(reason.message)")
                recorder.event(regarding: pod, type: type, reason: "Failed", message: "Error: ErrImagePull")
            } else if reason.reason == "ImagePullBackOff" {
                recorder.event(regarding: pod, type: .normal, reason: "BackOff", message: "Back-off pulling image \"\(image)\"")
            } else {
                recorder.event(regarding: pod, type: type, reason: "Failed", message: "Error: \(reason.reason)")
            }
            let retry = images.backoff.current("\(uid)/\(image)") ?? .seconds(10)
            return .waiting(reason, retry: retry)
        }
        // Configuration.
        let restartCount = last.map { $0.restartCount + 1 } ?? 0
        let config: Runtime_V1_ContainerConfig
        do {
            let env = try environment.build(for: container)
            let kind = !start.isInit ? "regular" : (container.restartPolicy == "Always" ? "sidecar" : "init")
            config = try ContainerConfigBuilder(podDirectory: self.volumes.podDirectory(uid), seccompRoot: options.rootDir + "/seccomp").build(
                pod: pod, container: container, restartCount: restartCount, kind: kind, environment: env, volumes: volumes,
                imageRef: imageRef)
        } catch {
            recorder.event(regarding: pod, type: .warning, reason: "Failed", message: "Error: \(error.message)")
            return .waiting(ContainerWaitingReason("CreateContainerConfigError", error.message), retry: .seconds(10))
        }
        // Create and start.
        let id: String
        do {
            id = try await runtime.createContainer(in: sandboxID, config: config, sandboxConfig: sandboxConfig)
        } catch {
            recorder.event(regarding: pod, type: .warning, reason: "Failed", message: "Error: \(error)")
            return .waiting(ContainerWaitingReason("CreateContainerError", "\(error)"), retry: .seconds(10))
        }
        recorder.event(regarding: pod, type: .normal, reason: "Created", message: "Created container \(container.name)")
        do {
            try await runtime.startContainer(id)
        } catch {
            recorder.event(regarding: pod, type: .warning, reason: "Failed", message: "Error: \(error)")
            return .waiting(ContainerWaitingReason("RunContainerError", "\(error)"), retry: .seconds(1))
        }
        recorder.event(regarding: pod, type: .normal, reason: "Started", message: "Started container \(container.name)")
        if let hook = container.lifecycle?.postStart {
            if let failure = await probes.runHook(hook, containerID: id, pod: pod, container: container, timeout: .seconds(30)) {
                recorder.event(regarding: pod, type: .warning, reason: "FailedPostStartHook", message: failure)
                let grace = Int64(pod.spec?.terminationGracePeriodSeconds ?? 30)
                do {
                    try await runtime.stopContainer(id, timeout: grace)
                } catch {
                    logger.warning("stopping a container whose postStart hook failed", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
                }
                return .waiting(ContainerWaitingReason("PostStartHookError", failure), retry: nil)
            }
        }
        return .started
    }

    func pullSecrets(_ pod: CoreV1.Pod) async -> [CoreV1.Secret] {
        var result: [CoreV1.Secret] = []
        for ref in pod.spec?.imagePullSecrets ?? [] {
            guard let name = ref.name else { continue }
            do {
                if let secret = try await objects.secret(namespace: pod.metadata?.namespace ?? "default", name: name) { result.append(secret) }
            } catch {
                logger.warning("cannot read an image pull secret", metadata: ["pod": "\(pod.key)", "secret": "\(name)", "error": "\(error)"])
            }
        }
        return result
    }

    /// Stops a container: its preStop hook first (within the grace period), then SIGTERM and,
    /// after what is left of the grace period (at least 2 s), SIGKILL.
    func stop(_ record: RuntimePodStatus.Container, pod: CoreV1.Pod?, grace: Int64) async {
        guard record.state == .running || record.state == .created else { return }
        var remaining = grace
        if record.state == .running, let pod,
            let container = ((pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])).first(where: { $0.name == record.name }),
            let hook = container.lifecycle?.preStop
        {
            let start = clock.now
            if let failure = await probes.runHook(hook, containerID: record.id, pod: pod, container: container, timeout: .seconds(grace)) {
                recorder.event(regarding: pod, type: .warning, reason: "FailedPreStopHook", message: failure)
            }
            let spent = Int64((clock.now - start).components.seconds)
            remaining = max(grace - spent, 2)
        }
        // A failed stop is tried again with what is left of the grace period (at least 2 s), so a
        // dropped runtime connection does not turn a graceful stop into the sandbox's SIGKILL.
        let deadline = clock.now + .seconds(remaining)
        for attempt in 1...3 {
            do {
                try await runtime.stopContainer(record.id, timeout: remaining)
                return
            } catch let error as RuntimeError where error.code == .notFound {
                return
            } catch {
                logger.warning("stopping a container failed", metadata: [
                    "container": "\(record.name)", "id": "\(record.id)", "attempt": "\(attempt)", "error": "\(error)",
                ])
                remaining = max((deadline - clock.now).components.seconds, 2)
            }
        }
    }

    /// Stops every container (in parallel, sidecars after the others) and every sandbox of a pod.
    func killAll(_ pod: CoreV1.Pod?, runtime status: RuntimePodStatus, grace: Int64) async {
        let running = status.containers.filter { $0.state == .running || $0.state == .created }
        let sidecars = Set((pod?.spec?.initContainers ?? []).filter { $0.restartPolicy == "Always" }.map(\.name))
        if let pod, !running.isEmpty {
            for record in running where record.state == .running {
                recorder.event(regarding: pod, type: .normal, reason: "Killing", message: "Stopping container \(record.name)")
            }
        }
        for group in [running.filter { !sidecars.contains($0.name) }, running.filter { sidecars.contains($0.name) }] {
            await withTaskGroup(of: Void.self) { tasks in
                for record in group {
                    tasks.addTask { await self.stop(record, pod: pod, grace: grace) }
                }
            }
        }
        for sandbox in status.sandboxes where sandbox.ready {
            do {
                try await runtime.stopPodSandbox(sandbox.id)
            } catch {
                logger.warning("stopping a sandbox failed", metadata: ["sandbox": "\(sandbox.id)", "error": "\(error)"])
            }
        }
    }

    /// A pod being deleted (or finished): stop it, report its final status and, when deleted,
    /// remove it from the API with grace 0 so its name is free.
    func terminate(_ pod: CoreV1.Pod, runtime status: RuntimePodStatus, delete: Bool) async throws {
        let uid = pod.metadata?.uid ?? ""
        let grace = Int64(pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
        probes.remove(uid)
        if !status.runningContainers.isEmpty || status.sandboxes.contains(where: \.ready) {
            await killAll(pod, runtime: status, grace: grace)
        }
        let fresh = try await readRuntime(uid)
        if !memory.withLock({ $0.rejected.contains(uid) }) {
            let waiting = memory.withLock { $0.waiting[uid] ?? [:] }
            try await writeStatus(pod, buildStatus(pod, runtime: fresh, waiting: waiting, probes: .init(), terminal: true))
        }
        guard delete else { return }
        var options = MetaV1.DeleteOptions()
        options.gracePeriodSeconds = 0
        options.preconditions = MetaV1.Preconditions(uid: uid)
        do {
            try await podClient.delete(pod.metadata?.name ?? "", namespace: pod.metadata?.namespace, options: options)
            logger.debug("pod deleted", metadata: ["pod": "\(pod.key)"])
        } catch let error as StatusError where error.isNotFound || error.isConflict {
            return
        }
    }

    /// A pod no longer bound here (deleted from the API): stop and remove what the runtime
    /// holds for it and its directory.
    func cleanUp(_ uid: String, runtime status: RuntimePodStatus) async throws {
        probes.remove(uid)
        await killAll(nil, runtime: status, grace: 2)
        for container in status.containers {
            do { try await runtime.removeContainer(container.id) } catch let error as RuntimeError where error.code == .notFound {}
        }
        for sandbox in status.sandboxes {
            do { try await runtime.removePodSandbox(sandbox.id) } catch let error as RuntimeError where error.code == .notFound {}
        }
        do {
            try volumes.tearDown(uid: uid)
        } catch {
            logger.warning("removing a pod's directory failed", metadata: ["podUID": "\(uid)", "error": "\(error)"])
        }
        crashBackoff.reset(prefix: uid + "/")
        images.backoff.reset(prefix: uid + "/")
        memory.withLock { memory in
            memory.waiting[uid] = nil
            memory.written[uid] = nil
            memory.admitted.remove(uid)
            memory.rejected.remove(uid)
            memory.finished.remove(uid)
        }
    }

    func buildStatus(_ pod: CoreV1.Pod, runtime status: RuntimePodStatus, waiting: [String: ContainerWaitingReason],
                     probes results: ProbeManager.Results, terminal: Bool = false) -> CoreV1.PodStatus {
        var observed = PodStatusBuilder.Observations()
        observed.waiting = waiting
        observed.ready = results.ready
        observed.started = results.started
        for record in status.containers where record.state == .exited && !record.messageFile.isEmpty {
            if let data = FileManager.default.contents(atPath: record.messageFile), !data.isEmpty {
                observed.terminationMessages[record.name] = String(decoding: data.prefix(4096), as: UTF8.self)
            }
        }
        let builder = PodStatusBuilder(runtimeName: memory.withLock { $0.runtimeName }, hostIPs: options.nodeIPs, now: clock.wallNow)
        return builder.build(pod: pod, runtime: status, observed: observed, terminal: terminal)
    }

    /// Writes `status` when it differs from what was last written, as a merge patch of the
    /// status subresource (the pod's UID in it guards against a pod recreated under its name).
    /// A static pod's status is written to its mirror pod.
    func writeStatus(_ pod: CoreV1.Pod, _ status: CoreV1.PodStatus) async throws {
        let uid = pod.metadata?.uid ?? ""
        let (base, target) = memory.withLock { memory -> (CoreV1.PodStatus?, String?) in
            // A static pod's status goes to its mirror pod, once there is one.
            let target = memory.staticPods[uid] == nil ? uid : memory.mirrors[uid]
            return (memory.written[uid], target)
        }
        guard let target else { return }
        let from = base ?? pod.status ?? CoreV1.PodStatus()
        guard from != status else { return }
        let diff = MergePatch.create(from: JSONCodec.tree(of: from), to: JSONCodec.tree(of: status))
        let body: JSONValue = ["metadata": ["uid": .string(target)], "status": diff]
        do {
            _ = try await podClient.patch(pod.metadata?.name ?? "", namespace: pod.metadata?.namespace, type: .merge,
                                          body: JSONCodec.encode(body), subresource: "status")
            memory.withLock { $0.written[uid] = status }
        } catch let error as StatusError where error.isNotFound {
            return
        }
    }

    /// A duration as Go prints it (`10s`, `1m20s`, `2m40s`, `5m0s`).
    static func goDuration(_ duration: Swift.Duration) -> String {
        let total = duration.components.seconds
        if total < 60 {
            let milli = duration.components.attoseconds / 1_000_000_000_000_000
            return milli == 0 || total >= 10 ? "\(total)s" : String(format: "%.3gs", Double(total) + Double(milli) / 1000)
        }
        let minutes = total / 60, seconds = total % 60
        if minutes < 60 { return "\(minutes)m\(seconds)s" }
        return "\(minutes / 60)h\(minutes % 60)m\(seconds)s"
    }
}

extension CoreV1.Pod {
    /// `namespace/name`, for logs.
    var key: String { "\(metadata?.namespace ?? "")/\(metadata?.name ?? "")" }
}
