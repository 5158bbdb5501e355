import APIMachinery
import Client
import Component
import Testing
@testable import Kubelet

/// `PodStatusBuilder` against upstream's `generateAPIPodStatus`, `getPhase` and the
/// condition generators of pkg/kubelet/status (1.32, SidecarContainers on).
@Suite("Pod status builder (generateAPIPodStatus)")
struct PodStatusBuilderTests {
    static let t0 = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    static let t1 = WallTime(nanosecondsSinceEpoch: 1_700_000_600_000_000_000)
    static let builder = PodStatusBuilder(runtimeName: "containerd", hostIPs: ["192.168.1.10", "fd00::10"], now: PodStatusBuilderTests.t1)

    static func condition(_ status: CoreV1.PodStatus, _ type: String) -> CoreV1.PodCondition? {
        status.conditions?.first { $0.type == type }
    }

    static func containerStatus(_ status: CoreV1.PodStatus, _ name: String) -> CoreV1.ContainerStatus? {
        status.containerStatuses?.first { $0.name == name }
    }

    static func initStatus(_ status: CoreV1.PodStatus, _ name: String) -> CoreV1.ContainerStatus? {
        status.initContainerStatuses?.first { $0.name == name }
    }

    static func sandbox(_ ip: String = "10.88.0.5", additional: [String] = []) -> RuntimePodStatus.Sandbox {
        RuntimePodStatus.Sandbox(id: "sb-1", ready: true, ip: ip, additionalIPs: additional, createdAt: 1)
    }

    // MARK: Phase

    @Test("a pod whose containers have not started is Pending, its containers waiting as ContainerCreating")
    func pendingContainerCreating() {
        let pod = Fx.pod(containers: [Fx.container("main")])
        let status = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()]))
        #expect(status.phase == "Pending")
        let main = Self.containerStatus(status, "main")
        #expect(main?.state?.waiting?.reason == "ContainerCreating")
        #expect(main?.ready == false)
        #expect(main?.started == false)
        #expect(main?.containerID == nil)
        #expect(main?.image == "registry.example.com/app:1.0")
    }

    @Test("the last sync's waiting reason and message are shown on a container that has not started")
    func waitingReasonFromObservations() {
        let pod = Fx.pod(containers: [Fx.container("main")])
        var observed = PodStatusBuilder.Observations()
        observed.waiting["main"] = ContainerWaitingReason("ErrImagePull", "failed to pull image: not found")
        let status = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()]), observed: observed)
        let waiting = Self.containerStatus(status, "main")?.state?.waiting
        #expect(waiting?.reason == "ErrImagePull")
        #expect(waiting?.message == "failed to pull image: not found")
        #expect(status.phase == "Pending")
    }

    @Test("while an init container runs the pod is Pending, regular containers wait as PodInitializing")
    func pendingWhileInitializing() {
        let setup = Fx.container("setup"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [setup])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(setup)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Pending")
        #expect(Self.initStatus(status, "setup")?.state?.running != nil)
        #expect(Self.containerStatus(status, "main")?.state?.waiting?.reason == "PodInitializing")
        let initialized = Self.condition(status, "Initialized")
        #expect(initialized?.status == "False")
        #expect(initialized?.reason == "ContainersNotInitialized")
        #expect(initialized?.message == "containers with incomplete status: [setup]")
    }

    @Test("regular containers of a pod with init containers wait as PodInitializing until they are created")
    func podInitializingAfterInitDone() {
        let setup = Fx.container("setup"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [setup])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(setup, code: 0)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Pending")
        #expect(Self.condition(status, "Initialized")?.status == "True")
        #expect(Self.containerStatus(status, "main")?.state?.waiting?.reason == "PodInitializing")
    }

    @Test("a running container: Running phase, startedAt, containerd:// ID, image ID, restart count, started and ready")
    func runningContainer() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        var record = Fx.running(main, id: "abc123", createdAt: 1_700_000_000_000_000_000, startedAt: 1_700_000_005_000_000_000, restartCount: 2)
        record.imageRef = "sha256:feed"
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [record])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Running")
        let container = Self.containerStatus(status, "main")
        #expect(container?.state?.running?.startedAt == Time(secondsSinceEpoch: 1_700_000_005))
        #expect(container?.containerID == "containerd://abc123")
        #expect(container?.imageID == "sha256:feed")
        #expect(container?.restartCount == 2)
        #expect(container?.started == true)
        #expect(container?.ready == true)
        #expect(container?.lastState?.terminated == nil)
    }

    @Test("terminated states carry the exit code and the runtime's reason, Completed or Error by default")
    func terminatedStates() {
        let ok = Fx.container("ok"), bad = Fx.container("bad"), oom = Fx.container("oom")
        let pod = Fx.pod(containers: [ok, bad, oom], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [
            Fx.exited(ok, code: 0, id: "c-ok", createdAt: 10, startedAt: 1_700_000_001_000_000_000, finishedAt: 1_700_000_009_000_000_000),
            Fx.exited(bad, code: 1, createdAt: 11),
            Fx.exited(oom, code: 137, createdAt: 12, reason: "OOMKilled"),
        ])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        let okState = Self.containerStatus(status, "ok")?.state?.terminated
        #expect(okState?.exitCode == 0)
        #expect(okState?.reason == "Completed")
        #expect(okState?.containerID == "containerd://c-ok")
        #expect(okState?.startedAt == Time(secondsSinceEpoch: 1_700_000_001))
        #expect(okState?.finishedAt == Time(secondsSinceEpoch: 1_700_000_009))
        #expect(Self.containerStatus(status, "bad")?.state?.terminated?.reason == "Error")
        #expect(Self.containerStatus(status, "bad")?.state?.terminated?.exitCode == 1)
        #expect(Self.containerStatus(status, "oom")?.state?.terminated?.reason == "OOMKilled")
        #expect(Self.containerStatus(status, "oom")?.state?.terminated?.exitCode == 137)
        #expect(status.phase == "Failed")
    }

    @Test("a termination message read from the container's file is the terminated state's message")
    func terminationMessage() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        var observed = PodStatusBuilder.Observations()
        observed.terminationMessages["main"] = "disk full"
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(main, code: 3)])
        let status = Self.builder.build(pod: pod, runtime: runtime, observed: observed)
        #expect(Self.containerStatus(status, "main")?.state?.terminated?.message == "disk full")
    }

    @Test("all containers exited 0 under Never or OnFailure: Succeeded", arguments: ["Never", "OnFailure"])
    func succeeded(policy: String) {
        let a = Fx.container("a"), b = Fx.container("b")
        let pod = Fx.pod(containers: [a, b], restartPolicy: policy)
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()],
                                       containers: [Fx.exited(a, code: 0, createdAt: 10), Fx.exited(b, code: 0, createdAt: 11)])
        #expect(Self.builder.build(pod: pod, runtime: runtime).phase == "Succeeded")
    }

    @Test("a failed container under OnFailure keeps the pod Running (it will be restarted); under Never it is Failed")
    func failedContainerPhase() {
        let main = Fx.container("main")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(main, code: 1)])
        #expect(Self.builder.build(pod: Fx.pod(containers: [main], restartPolicy: "OnFailure"), runtime: runtime).phase == "Running")
        #expect(Self.builder.build(pod: Fx.pod(containers: [main], restartPolicy: "Never"), runtime: runtime).phase == "Failed")
    }

    @Test("a crash-looping container under Always: waiting CrashLoopBackOff, lastState terminated, pod Running")
    func crashLoop() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Always")
        var observed = PodStatusBuilder.Observations()
        observed.waiting["main"] = ContainerWaitingReason("CrashLoopBackOff", "back-off 40s restarting failed container=main pod=web_default(uid-1)")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()],
                                       containers: [Fx.exited(main, code: 1, id: "c-3", restartCount: 3)])
        let status = Self.builder.build(pod: pod, runtime: runtime, observed: observed)
        let container = Self.containerStatus(status, "main")
        #expect(container?.state?.waiting?.reason == "CrashLoopBackOff")
        #expect(container?.state?.waiting?.message == "back-off 40s restarting failed container=main pod=web_default(uid-1)")
        #expect(container?.lastState?.terminated?.exitCode == 1)
        #expect(container?.lastState?.terminated?.containerID == "containerd://c-3")
        #expect(container?.restartCount == 3)
        #expect(container?.ready == false)
        #expect(status.phase == "Running")
    }

    @Test("a restarted container's previous run is its lastState")
    func lastStateFromPreviousRecord() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [
            Fx.exited(main, code: 2, id: "first", createdAt: 10, reason: "Error"),
            Fx.running(main, id: "second", createdAt: 20, restartCount: 1),
        ])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        let container = Self.containerStatus(status, "main")
        #expect(container?.state?.running != nil)
        #expect(container?.containerID == "containerd://second")
        #expect(container?.lastState?.terminated?.exitCode == 2)
        #expect(container?.lastState?.terminated?.containerID == "containerd://first")
        #expect(container?.restartCount == 1)
    }

    @Test("one container running and another not yet started: Pending")
    func runningAndWaitingIsPending() {
        let a = Fx.container("a"), b = Fx.container("b")
        let pod = Fx.pod(containers: [a, b])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(a)])
        #expect(Self.builder.build(pod: pod, runtime: runtime).phase == "Pending")
    }

    @Test("a failed init container under restartPolicy Never fails the pod")
    func failedInitUnderNever() {
        let setup = Fx.container("setup")
        let pod = Fx.pod(containers: [Fx.container("main")], initContainers: [setup], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(setup, code: 1)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Failed")
        #expect(Self.initStatus(status, "setup")?.state?.terminated?.exitCode == 1)
        let initialized = Self.condition(status, "Initialized")
        #expect(initialized?.status == "False")
        #expect(initialized?.message == "containers with incomplete status: [setup]")
    }

    @Test("a running sidecar keeps the pod Running after the main container finished")
    func sidecarKeepsPodRunning() {
        let proxy = Fx.sidecar("proxy"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [proxy], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()],
                                       containers: [Fx.running(proxy, createdAt: 10), Fx.exited(main, code: 0, createdAt: 11)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Running")
    }

    @Test("an init container that completed with exit 0 is reported ready")
    func completedInitContainerReady() {
        let setup = Fx.container("setup"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [setup])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()],
                                       containers: [Fx.exited(setup, code: 0, createdAt: 10), Fx.running(main, createdAt: 11)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(Self.initStatus(status, "setup")?.state?.terminated?.reason == "Completed")
        #expect(Self.initStatus(status, "setup")?.ready == true)
    }

    // MARK: Terminal

    @Test("terminal: once nothing runs, a pod whose containers all exited 0 is Succeeded, else Failed")
    func terminalPhase() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Always")
        let stopped = [Fx.deadSandboxForStatus()]
        let success = RuntimePodStatus(uid: "uid-1", sandboxes: stopped, containers: [Fx.exited(main, code: 0)])
        let failure = RuntimePodStatus(uid: "uid-1", sandboxes: stopped, containers: [Fx.exited(main, code: 137)])
        #expect(Self.builder.build(pod: pod, runtime: success).phase == "Running")
        #expect(Self.builder.build(pod: pod, runtime: success, terminal: true).phase == "Succeeded")
        #expect(Self.builder.build(pod: pod, runtime: failure, terminal: true).phase == "Failed")
    }

    @Test("terminal: a container that never ran makes the pod Failed")
    func terminalNeverRan() {
        let pod = Fx.pod(containers: [Fx.container("main")])
        let status = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1"), terminal: true)
        #expect(status.phase == "Failed")
    }

    @Test("the phase never leaves Succeeded or Failed", arguments: ["Succeeded", "Failed"])
    func phaseIsSticky(phase: String) {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        pod.status = CoreV1.PodStatus(phase: phase)
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])
        #expect(Self.builder.build(pod: pod, runtime: runtime).phase == phase)
    }

    @Test("a Succeeded pod: Ready and ContainersReady False with reason PodCompleted")
    func succeededConditions() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(main, code: 0)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Succeeded")
        for type in ["Ready", "ContainersReady"] {
            #expect(Self.condition(status, type)?.status == "False")
            #expect(Self.condition(status, type)?.reason == "PodCompleted")
        }
        #expect(Self.condition(status, "Initialized")?.status == "True")
    }

    @Test("a Failed pod: Ready and ContainersReady False with reason PodFailed")
    func failedConditions() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.exited(main, code: 1)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.phase == "Failed")
        #expect(Self.condition(status, "Ready")?.status == "False")
        #expect(Self.condition(status, "ContainersReady")?.status == "False")
        #expect(Self.condition(status, "Ready")?.reason == "PodFailed")
        #expect(Self.condition(status, "ContainersReady")?.reason == "PodFailed")
    }

    // MARK: Conditions

    @Test("a running, ready pod has every kubelet condition True, in upstream's order, PodScheduled kept last")
    func conditionsTrueAndOrdered() {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        pod.status = CoreV1.PodStatus(conditions: [CoreV1.PodCondition(lastTransitionTime: Time(secondsSinceEpoch: 5), status: "True", type: "PodScheduled")])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.conditions?.map(\.type) == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        #expect(status.conditions?.allSatisfy { $0.status == "True" } == true)
        #expect(Self.condition(status, "PodScheduled")?.lastTransitionTime == Time(secondsSinceEpoch: 5))
        #expect(Self.condition(status, "Ready")?.lastTransitionTime == Self.t1.time)
    }

    @Test("PodReadyToStartContainers is False without a ready sandbox")
    func readyToStartWithoutSandbox() {
        let pod = Fx.pod(containers: [Fx.container("main")])
        let status = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1"))
        #expect(Self.condition(status, "PodReadyToStartContainers")?.status == "False")
        #expect(status.podIP == nil)
    }

    @Test("a readiness probe gates readiness: unready until the probe succeeds")
    func readinessProbeGates() {
        var main = Fx.container("main")
        main.readinessProbe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["true"]))
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])

        let unready = Self.builder.build(pod: pod, runtime: runtime)
        #expect(Self.containerStatus(unready, "main")?.ready == false)
        for type in ["ContainersReady", "Ready"] {
            let condition = Self.condition(unready, type)
            #expect(condition?.status == "False")
            #expect(condition?.reason == "ContainersNotReady")
            #expect(condition?.message == "containers with unready status: [main]")
        }
        #expect(unready.phase == "Running")

        var observed = PodStatusBuilder.Observations()
        observed.ready["main"] = true
        let ready = Self.builder.build(pod: pod, runtime: runtime, observed: observed)
        #expect(Self.containerStatus(ready, "main")?.ready == true)
        #expect(Self.condition(ready, "Ready")?.status == "True")
    }

    @Test("a startup probe: not started and not ready until it succeeds")
    func startupProbeGates() {
        var main = Fx.container("main")
        main.startupProbe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["true"]))
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])
        let before = Self.builder.build(pod: pod, runtime: runtime)
        #expect(Self.containerStatus(before, "main")?.started == false)
        #expect(Self.containerStatus(before, "main")?.ready == false)
        var observed = PodStatusBuilder.Observations()
        observed.started["main"] = true
        let after = Self.builder.build(pod: pod, runtime: runtime, observed: observed)
        #expect(Self.containerStatus(after, "main")?.started == true)
        #expect(Self.containerStatus(after, "main")?.ready == true)
    }

    @Test("Initialized lists incomplete init containers and unstarted sidecars in spec order")
    func initializedMessageOrder() {
        let proxy = Fx.sidecar("proxy"), setup = Fx.container("setup")
        let pod = Fx.pod(containers: [Fx.container("main")], initContainers: [proxy, setup])
        let status = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()]))
        let initialized = Self.condition(status, "Initialized")
        #expect(initialized?.status == "False")
        #expect(initialized?.reason == "ContainersNotInitialized")
        #expect(initialized?.message == "containers with incomplete status: [proxy setup]")
    }

    @Test("ContainersReady lists unready sidecars before regular containers")
    func containersReadyMessageOrder() {
        var proxy = Fx.sidecar("proxy")
        proxy.readinessProbe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["true"]))
        var main = Fx.container("main")
        main.readinessProbe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["true"]))
        let pod = Fx.pod(containers: [main], initContainers: [proxy])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()],
                                       containers: [Fx.running(proxy, createdAt: 10), Fx.running(main, createdAt: 11)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        let containersReady = Self.condition(status, "ContainersReady")
        #expect(containersReady?.status == "False")
        #expect(containersReady?.reason == "ContainersNotReady")
        #expect(containersReady?.message == "containers with unready status: [proxy main]")
    }

    @Test("a readiness gate without its condition keeps Ready False; once the condition is True, Ready is True")
    func readinessGates() {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        pod.spec?.readinessGates = [CoreV1.PodReadinessGate(conditionType: "example.com/lb")]
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])

        let missing = Self.builder.build(pod: pod, runtime: runtime)
        #expect(Self.condition(missing, "ContainersReady")?.status == "True")
        let ready = Self.condition(missing, "Ready")
        #expect(ready?.status == "False")
        #expect(ready?.reason == "ReadinessGatesNotReady")
        #expect(ready?.message == "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.")

        pod.status = CoreV1.PodStatus(conditions: [CoreV1.PodCondition(status: "True", type: "example.com/lb")])
        let satisfied = Self.builder.build(pod: pod, runtime: runtime)
        #expect(Self.condition(satisfied, "Ready")?.status == "True")
        #expect(Self.condition(satisfied, "example.com/lb")?.status == "True")
    }

    @Test("a readiness gate whose condition is False says so")
    func readinessGateFalse() {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        pod.spec?.readinessGates = [CoreV1.PodReadinessGate(conditionType: "example.com/lb")]
        pod.status = CoreV1.PodStatus(conditions: [CoreV1.PodCondition(status: "False", type: "example.com/lb")])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])
        let ready = Self.condition(Self.builder.build(pod: pod, runtime: runtime), "Ready")
        #expect(ready?.status == "False")
        #expect(ready?.reason == "ReadinessGatesNotReady")
        #expect(ready?.message == "the status of pod readiness gate \"example.com/lb\" is not \"True\", but False")
    }

    @Test("a condition's transition time moves only when its status changes")
    func transitionTimes() {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [Fx.running(main)])
        let first = PodStatusBuilder(runtimeName: "containerd", hostIPs: ["192.168.1.10"], now: Self.t0).build(pod: pod, runtime: runtime)
        #expect(Self.condition(first, "Ready")?.lastTransitionTime == Self.t0.time)

        pod.status = first
        let same = Self.builder.build(pod: pod, runtime: runtime)
        for type in ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"] {
            #expect(Self.condition(same, type)?.lastTransitionTime == Self.t0.time, "\(type)")
        }
        #expect(same.startTime == Self.t0.time)

        // The container stops being ready: Ready and ContainersReady move, the others stay.
        var probed = main
        probed.readinessProbe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["true"]))
        pod.spec?.containers = [probed]
        let record = Fx.running(probed)
        let changed = Self.builder.build(pod: pod, runtime: RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox()], containers: [record]))
        #expect(Self.condition(changed, "Ready")?.lastTransitionTime == Self.t1.time)
        #expect(Self.condition(changed, "ContainersReady")?.lastTransitionTime == Self.t1.time)
        #expect(Self.condition(changed, "Initialized")?.lastTransitionTime == Self.t0.time)
    }

    // MARK: Addresses and QoS

    @Test("pod IPs come from the ready sandbox, host IPs from the node")
    func addresses() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox("10.88.0.5", additional: ["fd00::5"])], containers: [Fx.running(main)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.podIP == "10.88.0.5")
        #expect(status.podIPs == [CoreV1.PodIP(ip: "10.88.0.5"), CoreV1.PodIP(ip: "fd00::5")])
        #expect(status.hostIP == "192.168.1.10")
        #expect(status.hostIPs == [CoreV1.HostIP(ip: "192.168.1.10"), CoreV1.HostIP(ip: "fd00::10")])
        #expect(status.startTime == Self.t1.time)
    }

    @Test("a host-network pod reports the node's IPs as its own")
    func hostNetworkAddresses() {
        let main = Fx.container("main")
        var pod = Fx.pod(containers: [main])
        pod.spec?.hostNetwork = true
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Self.sandbox("")], containers: [Fx.running(main)])
        let status = Self.builder.build(pod: pod, runtime: runtime)
        #expect(status.podIP == "192.168.1.10")
        #expect(status.podIPs?.map(\.ip) == ["192.168.1.10", "fd00::10"])
        #expect(Self.condition(status, "PodReadyToStartContainers")?.status == "True")
    }

    @Test("the status carries the pod's QoS class")
    func qosClass() {
        var main = Fx.container("main")
        main.resources = Fx.resources(requests: ["cpu": "500m", "memory": "128Mi"], limits: ["cpu": "500m", "memory": "128Mi"])
        let guaranteed = Fx.pod(containers: [main])
        #expect(Self.builder.build(pod: guaranteed, runtime: RuntimePodStatus(uid: "uid-1")).qosClass == "Guaranteed")
        let bestEffort = Fx.pod(containers: [Fx.container("main")])
        #expect(Self.builder.build(pod: bestEffort, runtime: RuntimePodStatus(uid: "uid-1")).qosClass == "BestEffort")
    }
}

extension Fx {
    /// A stopped sandbox, as the status builder sees it after the pod was killed.
    static func deadSandboxForStatus() -> RuntimePodStatus.Sandbox {
        RuntimePodStatus.Sandbox(id: "sb-1", ready: false, ip: "10.88.0.5", createdAt: 1)
    }
}
