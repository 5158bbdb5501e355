import APIMachinery
import Testing
@testable import Kubelet

/// `PodSyncPlan.compute` against upstream's `computePodActions` (kuberuntime_manager.go, 1.32,
/// SidecarContainers on).
@Suite("Pod sync plan (computePodActions)")
struct PodSyncPlanTests {
    typealias Start = PodSyncPlan.Start

    static func regular(_ name: String) -> Start { Start(name: name, isInit: false) }
    static func initial(_ name: String) -> Start { Start(name: name, isInit: true) }

    // MARK: Sandbox

    @Test("a pod without a sandbox gets a new one (attempt 0) and starts every regular container")
    func noSandboxStartsEverything() {
        let pod = Fx.pod(containers: [Fx.container("a"), Fx.container("b")])
        let plan = PodSyncPlan.compute(pod: pod, runtime: RuntimePodStatus(uid: "uid-1"))
        #expect(plan.createSandbox)
        #expect(plan.attempt == 0)
        #expect(plan.sandboxID == nil)
        #expect(plan.containersToStart == [Self.regular("a"), Self.regular("b")])
        #expect(plan.containersToKill.isEmpty)
        #expect(!plan.initFailed)
    }

    @Test("a new sandbox for a pod with init containers starts only the first init container")
    func noSandboxStartsFirstInitContainer() {
        let pod = Fx.pod(containers: [Fx.container("main")], initContainers: [Fx.container("setup"), Fx.container("migrate")])
        let plan = PodSyncPlan.compute(pod: pod, runtime: RuntimePodStatus(uid: "uid-1"))
        #expect(plan.createSandbox)
        #expect(plan.containersToStart == [Self.initial("setup")])
    }

    @Test("a ready sandbox is reused and a running, unchanged container is kept")
    func readySandboxReused() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox(attempt: 2)], containers: [Fx.running(main)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(!plan.createSandbox)
        #expect(!plan.killPod)
        #expect(plan.sandboxID == "sb-1")
        #expect(plan.containersToStart.isEmpty)
        #expect(plan.containersToKill.isEmpty)
    }

    @Test("a sandbox that is not ready is replaced: the pod is killed and a sandbox with attempt+1 is created")
    func notReadySandboxReplaced() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.deadSandbox(attempt: 2)],
                                       containers: [Fx.exited(main, code: 137)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.createSandbox)
        #expect(plan.killPod)
        #expect(plan.attempt == 3)
        #expect(plan.containersToStart == [Self.regular("main")])
    }

    @Test("the newest sandbox decides: an older ready sandbox does not save a newer dead one")
    func newestSandboxDecides() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [
            Fx.readySandbox(id: "old", attempt: 0, createdAt: 1),
            Fx.deadSandbox(id: "new", attempt: 1, createdAt: 5),
        ], containers: [Fx.exited(main, code: 137)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.createSandbox)
        #expect(plan.attempt == 2)
        #expect(plan.killPod)
    }

    @Test("more than one ready sandbox is reconciled by creating a fresh one")
    func twoReadySandboxes() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [
            Fx.readySandbox(id: "a", attempt: 0, createdAt: 1),
            Fx.readySandbox(id: "b", attempt: 4, createdAt: 2),
        ], containers: [Fx.running(main)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.createSandbox)
        #expect(plan.killPod)
        #expect(plan.attempt == 5)
    }

    @Test("restartPolicy Never: a pod whose sandbox died after its containers ran gets no new sandbox")
    func neverPolicyDeadSandboxIsFinished() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.deadSandbox(attempt: 0)],
                                       containers: [Fx.exited(main, code: 137)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(!plan.createSandbox)
        #expect(plan.killPod)
        #expect(plan.containersToStart.isEmpty)
    }

    @Test("restartPolicy Never: a dead sandbox before any container was created is retried")
    func neverPolicyRetriesSandboxWithoutContainers() {
        let pod = Fx.pod(containers: [Fx.container("main")], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.deadSandbox(attempt: 0)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.createSandbox)
        #expect(plan.attempt == 1)
        #expect(plan.containersToStart == [Self.regular("main")])
    }

    @Test("restartPolicy OnFailure: a dead sandbox whose containers all succeeded is not re-created")
    func onFailureAllSucceededNoNewSandbox() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "OnFailure")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.deadSandbox(attempt: 0)],
                                       containers: [Fx.exited(main, code: 0)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.killPod)
        #expect(plan.containersToStart.isEmpty)
        #expect(!plan.createSandbox)
    }

    @Test("a ready sandbox without an IP (pod network) is replaced by a new one")
    func readySandboxWithoutIPReplaced() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox(attempt: 0, ip: "")], containers: [Fx.running(main)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.createSandbox)
        #expect(plan.attempt == 1)
    }

    // MARK: Init containers

    @Test("init containers run in order, one at a time: the next starts once the previous exited 0")
    func initContainersInOrder() {
        let first = Fx.container("first"), second = Fx.container("second"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [first, second])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.exited(first, code: 0)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(!plan.createSandbox)
        #expect(plan.containersToStart == [Self.initial("second")])
    }

    @Test("while an init container runs nothing else starts and nothing is killed")
    func runningInitContainerBlocks() {
        let first = Fx.container("first"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [first])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.running(first)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart.isEmpty)
        #expect(plan.containersToKill.isEmpty)
        #expect(!plan.killPod)
        #expect(!plan.initFailed)
    }

    @Test("once every init container exited 0 the regular containers start")
    func regularContainersAfterInit() {
        let first = Fx.container("first"), main = Fx.container("main"), side = Fx.container("side")
        let pod = Fx.pod(containers: [main, side], initContainers: [first])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.exited(first, code: 0)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.regular("main"), Self.regular("side")])
    }

    @Test("a failed init container under restartPolicy Never fails the pod: killPod, nothing started")
    func failedInitUnderNever() {
        let first = Fx.container("first"), second = Fx.container("second")
        let pod = Fx.pod(containers: [Fx.container("main")], initContainers: [first, second], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.exited(first, code: 2)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.initFailed)
        #expect(plan.killPod)
        #expect(plan.containersToStart.isEmpty)
        #expect(!plan.createSandbox)
    }

    @Test("a failed init container under OnFailure or Always is started again", arguments: ["OnFailure", "Always"])
    func failedInitRestarted(policy: String) {
        let first = Fx.container("first"), second = Fx.container("second")
        let pod = Fx.pod(containers: [Fx.container("main")], initContainers: [first, second], restartPolicy: policy)
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.exited(first, code: 1)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(!plan.initFailed)
        #expect(!plan.killPod)
        #expect(plan.containersToStart == [Self.initial("first")])
    }

    @Test("init containers do not run again once a regular container has started")
    func initNotRerunAfterRegularStarted() {
        let first = Fx.container("first"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [first])
        // The init container's record was garbage-collected; main is running.
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.running(main)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart.isEmpty)
        #expect(!plan.killPod)
    }

    // MARK: Sidecars

    @Test("a sidecar starts first; the next init container starts once the sidecar runs")
    func sidecarThenInit() {
        let proxy = Fx.sidecar("proxy"), setup = Fx.container("setup"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [proxy, setup])
        let fresh = PodSyncPlan.compute(pod: pod, runtime: RuntimePodStatus(uid: "uid-1"))
        #expect(fresh.containersToStart == [Self.initial("proxy")])

        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.running(proxy)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.initial("setup")])
        #expect(plan.containersToKill.isEmpty)
    }

    @Test("with the sidecar running and init done, the regular containers start; the sidecar is kept")
    func sidecarKeptWhileMainStarts() {
        let proxy = Fx.sidecar("proxy"), setup = Fx.container("setup"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [proxy, setup])
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()],
                                       containers: [Fx.running(proxy, createdAt: 10), Fx.exited(setup, code: 0, createdAt: 11)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.regular("main")])
        #expect(plan.containersToKill.isEmpty)

        let steady = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [
            Fx.running(proxy, createdAt: 10), Fx.exited(setup, code: 0, createdAt: 11), Fx.running(main, createdAt: 12),
        ])
        let steadyPlan = PodSyncPlan.compute(pod: pod, runtime: steady)
        #expect(steadyPlan.containersToStart.isEmpty)
        #expect(steadyPlan.containersToKill.isEmpty)
        #expect(!steadyPlan.killPod)
    }

    @Test("a sidecar that exited while the pod runs is restarted, whatever the pod's restart policy")
    func exitedSidecarRestarted() {
        let proxy = Fx.sidecar("proxy"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [proxy], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()],
                                       containers: [Fx.exited(proxy, code: 1, createdAt: 10), Fx.running(main, createdAt: 11)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.initial("proxy")])
        #expect(!plan.killPod)
    }

    @Test("a sidecar does not keep a finished pod alive: main done under Never kills the pod, sidecar not restarted")
    func sidecarDoesNotKeepPodAlive() {
        let proxy = Fx.sidecar("proxy"), main = Fx.container("main")
        let pod = Fx.pod(containers: [main], initContainers: [proxy], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()],
                                       containers: [Fx.exited(proxy, code: 137, createdAt: 10), Fx.exited(main, code: 0, createdAt: 11)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.killPod)
        #expect(plan.containersToStart.isEmpty)
    }

    // MARK: Regular containers

    @Test("an exited regular container is restarted as the restart policy says")
    func restartPolicyTable() {
        let cases: [(policy: String, code: Int32, restarted: Bool)] = [
            ("Always", 0, true), ("Always", 1, true),
            ("OnFailure", 1, true), ("OnFailure", 0, false),
            ("Never", 0, false), ("Never", 1, false),
        ]
        for item in cases {
            let main = Fx.container("main")
            let pod = Fx.pod(containers: [main], restartPolicy: item.policy)
            let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.exited(main, code: item.code)])
            let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
            #expect(plan.containersToStart == (item.restarted ? [Self.regular("main")] : []),
                    "policy \(item.policy), exit \(item.code)")
            // Nothing runs and nothing restarts: the sandbox is stopped.
            #expect(plan.killPod == !item.restarted, "policy \(item.policy), exit \(item.code)")
            #expect(PodSyncPlan.shouldRestart(policy: item.policy, exitCode: item.code) == item.restarted)
        }
    }

    @Test("a container left in the created state is started")
    func createdContainerStarted() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        var record = Fx.running(main)
        record.state = .created
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [record])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.regular("main")])
    }

    @Test("a container in unknown state is killed and started again, even under restartPolicy Never")
    func unknownStateContainerRestarted() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        var record = Fx.running(main, id: "c-unknown")
        record.state = .unknown
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [record])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart == [Self.regular("main")])
        #expect(plan.containersToKill.map(\.id) == ["c-unknown"])
    }

    @Test("a running container whose spec hash changed is killed and started again, even under Never")
    func hashChangeRestarts() {
        let main = Fx.container("main", image: "registry.example.com/app:1.0")
        var updated = main
        updated.image = "registry.example.com/app:2.0"
        let pod = Fx.pod(containers: [updated], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.running(main, id: "c-old")])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToKill == [PodSyncPlan.Kill(id: "c-old", name: "main", message: "Container main definition changed")])
        #expect(plan.containersToStart == [Self.regular("main")])
        #expect(!plan.killPod)
    }

    @Test("a running record without a hash (adopted) is kept")
    func emptyHashKept() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main])
        var record = Fx.running(main)
        record.hash = ""
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [record])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToKill.isEmpty)
        #expect(plan.containersToStart.isEmpty)
    }

    @Test("a failed liveness probe kills the container and restarts it unless the policy is Never",
          arguments: ["Always", "OnFailure", "Never"])
    func livenessFailure(policy: String) {
        let main = Fx.container("main"), other = Fx.container("other")
        let pod = Fx.pod(containers: [main, other], restartPolicy: policy)
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()],
                                       containers: [Fx.running(main, id: "c-main", createdAt: 10), Fx.running(other, createdAt: 11)])
        let message = "Container main failed liveness probe"
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime, probeFailures: ["main": message])
        #expect(plan.containersToKill == [PodSyncPlan.Kill(id: "c-main", name: "main", message: message)])
        #expect(plan.containersToStart == (policy == "Never" ? [] : [Self.regular("main")]))
        // `other` still runs: the pod is not killed.
        #expect(!plan.killPod)
    }

    @Test("the only container failing liveness under Never leaves nothing running: the pod is killed")
    func livenessFailureLastContainerNever() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "Never")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [Fx.running(main, id: "c-main")])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime, probeFailures: ["main": "Container main failed liveness probe"])
        #expect(plan.killPod)
        #expect(plan.containersToStart.isEmpty)
        #expect(plan.containersToKill.map(\.id) == ["c-main"])
    }

    @Test("when every container exited and none restarts, the sandbox is stopped and nothing starts")
    func allExitedKillsPod() {
        let a = Fx.container("a"), b = Fx.container("b")
        let pod = Fx.pod(containers: [a, b], restartPolicy: "OnFailure")
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()],
                                       containers: [Fx.exited(a, code: 0, createdAt: 10), Fx.exited(b, code: 0, createdAt: 11)])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.killPod)
        #expect(!plan.createSandbox)
        #expect(plan.containersToStart.isEmpty)
        #expect(plan.containersToKill.isEmpty)
    }

    @Test("only the newest record of a container counts")
    func newestRecordCounts() {
        let main = Fx.container("main")
        let pod = Fx.pod(containers: [main], restartPolicy: "OnFailure")
        // An old failed run and a newer successful one: OnFailure does not restart.
        let runtime = RuntimePodStatus(uid: "uid-1", sandboxes: [Fx.readySandbox()], containers: [
            Fx.exited(main, code: 1, id: "old", createdAt: 10), Fx.exited(main, code: 0, id: "new", createdAt: 20),
        ])
        #expect(runtime.latest("main")?.id == "new")
        #expect(runtime.records("main").map(\.id) == ["new", "old"])
        let plan = PodSyncPlan.compute(pod: pod, runtime: runtime)
        #expect(plan.containersToStart.isEmpty)
        #expect(plan.killPod)
    }
}
