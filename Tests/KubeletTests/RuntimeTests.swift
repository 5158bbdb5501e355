import APIMachinery
import CRIAPI
import Component
import Testing
@testable import Kubelet

/// The in-memory `FakeRuntime`, the image manager, back-off and the PLEG's relist diff.
@Suite("Fake container runtime")
struct FakeRuntimeTests {
    static func sandboxConfig(uid: String, exit script: String? = nil) -> Runtime_V1_PodSandboxConfig {
        var config = Runtime_V1_PodSandboxConfig()
        config.metadata.name = "web-\(uid)"
        config.metadata.namespace = "default"
        config.metadata.uid = uid
        config.labels = [RuntimeLabels.podUID: uid, RuntimeLabels.podName: "web-\(uid)", RuntimeLabels.podNamespace: "default"]
        if let script { config.annotations = [FakeRuntime.exitAnnotation: script] }
        return config
    }

    static func containerConfig(_ name: String, uid: String) -> Runtime_V1_ContainerConfig {
        var config = Runtime_V1_ContainerConfig()
        config.metadata.name = name
        config.image.image = "busybox:1.36"
        config.labels = [RuntimeLabels.podUID: uid, RuntimeLabels.containerName: name]
        return config
    }

    /// Creates and starts a container; returns its ID.
    static func start(_ runtime: FakeRuntime, _ name: String, in sandbox: String, config: Runtime_V1_PodSandboxConfig) async throws -> String {
        let id = try await runtime.createContainer(in: sandbox, config: containerConfig(name, uid: config.metadata.uid), sandboxConfig: config)
        try await runtime.startContainer(id)
        return id
    }

    @Test("sandboxes get consecutive IPs from the default pod CIDR")
    func defaultCIDR() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let a = try await runtime.runPodSandbox(Self.sandboxConfig(uid: "a"))
        let b = try await runtime.runPodSandbox(Self.sandboxConfig(uid: "b"))
        #expect(try await runtime.podSandboxStatus(a).network.ip == "10.88.0.2")
        #expect(try await runtime.podSandboxStatus(b).network.ip == "10.88.0.3")
        #expect(a != b)
    }

    @Test("without a pod CIDR the network is not ready and sandboxes fail, until one is handed over")
    func networkNotReadyWithoutCIDR() async throws {
        let runtime = FakeRuntime(clock: ManualClock(), podCIDR: nil)
        let network = try await runtime.status().conditions.first { $0.type == "NetworkReady" }
        #expect(network?.status == false)
        #expect(network?.reason == "NetworkPluginNotReady")
        await #expect(throws: RuntimeError.self) { try await runtime.runPodSandbox(Self.sandboxConfig(uid: "a")) }
        try await runtime.updatePodCIDR("10.244.7.0/24")
        #expect(try await runtime.status().conditions.allSatisfy(\.status))
        let id = try await runtime.runPodSandbox(Self.sandboxConfig(uid: "a"))
        #expect(try await runtime.podSandboxStatus(id).network.ip == "10.244.7.2")
    }

    @Test("sandboxes get IPs from the CIDR handed over by updatePodCIDR")
    func updatedCIDR() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        try await runtime.updatePodCIDR("10.244.1.0/24")
        let id = try await runtime.runPodSandbox(Self.sandboxConfig(uid: "a"))
        let status = try await runtime.podSandboxStatus(id)
        #expect(status.network.ip == "10.244.1.2")
        #expect(status.state == .sandboxReady)
        #expect(status.metadata.uid == "a")
        #expect(status.labels[RuntimeLabels.podUID] == "a")
    }

    @Test("a started container runs until its scripted exit, then reads as exited with the scripted code")
    func scriptedExit() async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let config = Self.sandboxConfig(uid: "a", exit: "setup=0:0, main=30:3")
        let sandbox = try await runtime.runPodSandbox(config)
        let setup = try await Self.start(runtime, "setup", in: sandbox, config: config)
        let main = try await Self.start(runtime, "main", in: sandbox, config: config)

        let setupStatus = try await runtime.containerStatus(setup)
        #expect(setupStatus.state == .containerExited)
        #expect(setupStatus.exitCode == 0)
        #expect(setupStatus.reason == "Completed")

        let started = try await runtime.containerStatus(main)
        #expect(started.state == .containerRunning)
        #expect(started.startedAt == clock.wallNow.nanosecondsSinceEpoch)

        clock.advance(by: .seconds(29))
        #expect(try await runtime.containerStatus(main).state == .containerRunning)

        clock.advance(by: .seconds(1))
        let exited = try await runtime.containerStatus(main)
        #expect(exited.state == .containerExited)
        #expect(exited.exitCode == 3)
        #expect(exited.reason == "Error")
        #expect(exited.finishedAt == started.startedAt + 30_000_000_000)
    }

    @Test("a created but not started container reads as created")
    func createdContainer() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let config = Self.sandboxConfig(uid: "a")
        let sandbox = try await runtime.runPodSandbox(config)
        let id = try await runtime.createContainer(in: sandbox, config: Self.containerConfig("main", uid: "a"), sandboxConfig: config)
        #expect(try await runtime.containerStatus(id).state == .containerCreated)
    }

    @Test("stopping a running container makes it exit with 137")
    func stopGives137() async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let config = Self.sandboxConfig(uid: "a")
        let sandbox = try await runtime.runPodSandbox(config)
        let id = try await Self.start(runtime, "main", in: sandbox, config: config)
        clock.advance(by: .seconds(5))
        try await runtime.stopContainer(id, timeout: 30)
        let status = try await runtime.containerStatus(id)
        #expect(status.state == .containerExited)
        #expect(status.exitCode == 137)
        #expect(status.reason == "Error")
        #expect(status.finishedAt == clock.wallNow.nanosecondsSinceEpoch)
    }

    @Test("stopping a container after its scripted exit keeps the scripted code")
    func stopAfterScriptedExit() async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let config = Self.sandboxConfig(uid: "a", exit: "main=1:0")
        let sandbox = try await runtime.runPodSandbox(config)
        let id = try await Self.start(runtime, "main", in: sandbox, config: config)
        clock.advance(by: .seconds(2))
        try await runtime.stopContainer(id, timeout: 30)
        #expect(try await runtime.containerStatus(id).exitCode == 0)
    }

    @Test("stopping a sandbox makes it not ready and stops its containers with 137")
    func stopSandbox() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let config = Self.sandboxConfig(uid: "a")
        let sandbox = try await runtime.runPodSandbox(config)
        let id = try await Self.start(runtime, "main", in: sandbox, config: config)
        try await runtime.stopPodSandbox(sandbox)
        #expect(try await runtime.podSandboxStatus(sandbox).state == .sandboxNotready)
        let status = try await runtime.containerStatus(id)
        #expect(status.state == .containerExited)
        #expect(status.exitCode == 137)
        // Stopping again is harmless.
        try await runtime.stopPodSandbox(sandbox)
    }

    @Test("removing a sandbox removes its containers")
    func removeSandbox() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let config = Self.sandboxConfig(uid: "a")
        let sandbox = try await runtime.runPodSandbox(config)
        let id = try await Self.start(runtime, "main", in: sandbox, config: config)
        try await runtime.removePodSandbox(sandbox)
        #expect(try await runtime.listPodSandboxes(podUID: nil).isEmpty)
        #expect(try await runtime.listContainers(podUID: nil).isEmpty)
        await #expect(throws: RuntimeError.self) { _ = try await runtime.containerStatus(id) }
        await #expect(throws: RuntimeError.self) { _ = try await runtime.podSandboxStatus(sandbox) }
    }

    @Test("lists filter by the pod UID label; nil lists everything")
    func listFiltering() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let configA = Self.sandboxConfig(uid: "a"), configB = Self.sandboxConfig(uid: "b")
        let sandboxA = try await runtime.runPodSandbox(configA)
        let sandboxB = try await runtime.runPodSandbox(configB)
        let mainA = try await Self.start(runtime, "main", in: sandboxA, config: configA)
        _ = try await Self.start(runtime, "main", in: sandboxB, config: configB)
        _ = try await Self.start(runtime, "side", in: sandboxB, config: configB)

        #expect(try await runtime.listPodSandboxes(podUID: "a").map(\.id) == [sandboxA])
        #expect(try await runtime.listPodSandboxes(podUID: nil).count == 2)
        let containersA = try await runtime.listContainers(podUID: "a")
        #expect(containersA.map(\.id) == [mainA])
        #expect(containersA.first?.podSandboxID == sandboxA)
        #expect(containersA.first?.state == .containerRunning)
        #expect(try await runtime.listContainers(podUID: "b").count == 2)
        #expect(try await runtime.listContainers(podUID: "c").isEmpty)
        #expect(try await runtime.listContainers(podUID: nil).count == 3)
    }

    @Test("a container cannot be created in an unknown sandbox")
    func createInUnknownSandbox() async {
        let runtime = FakeRuntime(clock: ManualClock())
        let config = Self.sandboxConfig(uid: "a")
        let error = await #expect(throws: RuntimeError.self) {
            _ = try await runtime.createContainer(in: "nope", config: Self.containerConfig("main", uid: "a"), sandboxConfig: config)
        }
        #expect(error?.code == .notFound)
    }

    @Test("pulls of listed images fail with the configured message; others land in the image store")
    func pulls() async throws {
        let runtime = FakeRuntime(clock: ManualClock(), failingPulls: ["registry.example.com/missing:1": "not found: manifest unknown"])
        let error = await #expect(throws: RuntimeError.self) {
            _ = try await runtime.pullImage("registry.example.com/missing:1", auth: nil, sandboxConfig: nil)
        }
        #expect(error?.message == "not found: manifest unknown")
        #expect(try await runtime.imageStatus("registry.example.com/missing:1") == nil)

        let reference = try await runtime.pullImage("busybox:1.36", auth: nil, sandboxConfig: nil)
        let image = try await runtime.imageStatus("busybox:1.36")
        #expect(image?.id == reference)
        #expect(image?.repoTags == ["busybox:1.36"])
        #expect(try await runtime.listImages().count == 1)
        try await runtime.removeImage("busybox:1.36")
        #expect(try await runtime.imageStatus("busybox:1.36") == nil)
    }

    @Test("the fake runtime reports itself ready")
    func statusReady() async throws {
        let runtime = FakeRuntime(clock: ManualClock())
        let status = try await runtime.status()
        #expect(Set(status.conditions.filter(\.status).map(\.type)) == ["RuntimeReady", "NetworkReady"])
        #expect(try await runtime.version().runtimeName == "fake")
    }
}

@Suite("Image manager (EnsureImageExists)")
struct ImageManagerTests {
    static func manager(_ runtime: FakeRuntime, clock: ManualClock) -> ImageManager {
        ImageManager(runtime: runtime, backoff: Backoff(initial: .seconds(10), max: .seconds(300), clock: clock))
    }

    static func container(_ image: String, policy: String? = nil) -> CoreV1.Container {
        var container = CoreV1.Container(image: image, name: "main")
        container.imagePullPolicy = policy
        return container
    }

    static func waiting(_ outcome: ImageManager.Outcome) -> ContainerWaitingReason? {
        if case .waiting(let reason) = outcome { return reason }
        return nil
    }

    static func ready(_ outcome: ImageManager.Outcome) -> (reference: String, pulled: Swift.Duration?)? {
        if case .ready(let reference, let pulled) = outcome { return (reference, pulled) }
        return nil
    }

    @Test("the default pull policy: Always for :latest or untagged images, IfNotPresent for a tag or a digest")
    func defaultPolicy() {
        #expect(ImageManager.defaultPolicy("nginx") == "Always")
        #expect(ImageManager.defaultPolicy("nginx:latest") == "Always")
        #expect(ImageManager.defaultPolicy("library/nginx") == "Always")
        #expect(ImageManager.defaultPolicy("localhost:5000/nginx") == "Always")
        #expect(ImageManager.defaultPolicy("nginx:1.27") == "IfNotPresent")
        #expect(ImageManager.defaultPolicy("localhost:5000/team/nginx:1.27") == "IfNotPresent")
        #expect(ImageManager.defaultPolicy("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == "IfNotPresent")
    }

    @Test("an image tagged latest and pinned by digest is pulled Always, as its tag says")
    func latestWithDigest() {
        #expect(ImageManager.defaultPolicy("nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == "Always")
    }

    @Test("pull policy Never with the image missing: ErrImageNeverPull")
    func neverMissing() async {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let outcome = await Self.manager(runtime, clock: clock).ensure(
            container: Self.container("busybox:1.36", policy: "Never"), podKey: "default/web", auth: [],
            sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil)
        let reason = Self.waiting(outcome)
        #expect(reason?.reason == "ErrImageNeverPull")
        #expect(reason?.message == "Container image \"busybox:1.36\" is not present with pull policy of Never")
    }

    @Test("IfNotPresent uses an image already there without pulling; Never too")
    func presentImageNotPulled() async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let id = try await runtime.pullImage("busybox:1.36", auth: nil, sandboxConfig: nil)
        let manager = Self.manager(runtime, clock: clock)
        for policy in ["IfNotPresent", "Never"] {
            let outcome = await manager.ensure(container: Self.container("busybox:1.36", policy: policy), podKey: "default/web", auth: [],
                                               sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil)
            let ready = Self.ready(outcome)
            #expect(ready?.reference == id, "\(policy)")
            #expect(ready != nil && ready?.pulled == nil, "\(policy)")
        }
    }

    @Test("Always pulls even when the image is present; a missing IfNotPresent image is pulled")
    func pullsWhenNeeded() async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        _ = try await runtime.pullImage("busybox:1.36", auth: nil, sandboxConfig: nil)
        let manager = Self.manager(runtime, clock: clock)
        let always = Self.ready(await manager.ensure(container: Self.container("busybox:1.36", policy: "Always"), podKey: "default/web",
                                                     auth: [], sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil))
        #expect(always?.pulled != nil)
        let missing = Self.ready(await manager.ensure(container: Self.container("alpine:3.20"), podKey: "default/web",
                                                      auth: [], sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil))
        #expect(missing?.pulled != nil)
        #expect(try await runtime.imageStatus("alpine:3.20") != nil)
    }

    @Test("a failed pull is ErrImagePull; a retry inside the back-off window is ImagePullBackOff; after it, a new pull")
    func pullFailureBacksOff() async {
        let clock = ManualClock()
        let image = "registry.example.com/missing:1"
        let runtime = FakeRuntime(clock: clock, failingPulls: [image: "failed to resolve reference: not found"])
        let manager = Self.manager(runtime, clock: clock)
        let container = Self.container(image)

        let first = Self.waiting(await manager.ensure(container: container, podKey: "default/web", auth: [],
                                                      sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil))
        #expect(first?.reason == "ErrImagePull")
        #expect(first?.message == "failed to resolve reference: not found")

        let second = Self.waiting(await manager.ensure(container: container, podKey: "default/web", auth: [],
                                                       sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: .seconds(3)))
        #expect(second?.reason == "ImagePullBackOff")
        #expect(second?.message == "Back-off pulling image \"\(image)\"")

        let third = Self.waiting(await manager.ensure(container: container, podKey: "default/web", auth: [],
                                                      sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: .seconds(11)))
        #expect(third?.reason == "ErrImagePull")
        // The second failure doubled the back-off of this pod's image.
        #expect(manager.backoff.current("default/web/\(image)") == .seconds(20))
        // Another pod's pull of the same image has its own back-off.
        #expect(manager.backoff.current("default/other/\(image)") == nil)
    }

    @Test("a container without an image is InvalidImageName")
    func emptyImage() async {
        let clock = ManualClock()
        let outcome = await Self.manager(FakeRuntime(clock: clock), clock: clock).ensure(
            container: CoreV1.Container(name: "main"), podKey: "default/web", auth: [], sandbox: Runtime_V1_PodSandboxConfig(), lastFailure: nil)
        #expect(Self.waiting(outcome)?.reason == "InvalidImageName")
    }

    @Test("the registry of an image reference")
    func registryOfImage() {
        #expect(ImageManager.registry(of: "nginx") == "docker.io")
        #expect(ImageManager.registry(of: "library/nginx:1.27") == "docker.io")
        #expect(ImageManager.registry(of: "index.docker.io/library/nginx") == "docker.io")
        #expect(ImageManager.registry(of: "registry.example.com/team/app:1") == "registry.example.com")
        #expect(ImageManager.registry(of: "localhost:5000/app") == "localhost:5000")
        #expect(ImageManager.registry(of: "localhost/app") == "localhost")
    }

    static func pullSecret(_ json: String, key: String = ".dockerconfigjson") -> CoreV1.Secret {
        CoreV1.Secret(metadata: MetaV1.ObjectMeta(name: "pull", namespace: "default"), data: [key: Base64Bytes(json)],
                      type: key == ".dockerconfigjson" ? "kubernetes.io/dockerconfigjson" : "kubernetes.io/dockercfg")
    }

    @Test("credentials come from pull secrets whose registry host matches the image's")
    func credentialsMatchHost() {
        let secret = Self.pullSecret("""
            {"auths": {
              "registry.example.com": {"username": "alice", "password": "s3cret", "auth": "YWxpY2U6czNjcmV0"},
              "other.example.org": {"username": "bob", "password": "hunter2"}
            }}
            """)
        let credentials = ImageManager.credentials(for: "registry.example.com/team/app:1", secrets: [secret])
        #expect(credentials.count == 1)
        #expect(credentials.first?.username == "alice")
        #expect(credentials.first?.password == "s3cret")
        #expect(credentials.first?.auth == "YWxpY2U6czNjcmV0")
        #expect(credentials.first?.serverAddress == "registry.example.com")
        #expect(ImageManager.credentials(for: "quay.io/app:1", secrets: [secret]).isEmpty)
    }

    @Test("Docker Hub credentials (https://index.docker.io/v1/) apply to images without a registry")
    func dockerHubCredentials() {
        let secret = Self.pullSecret(#"{"auths": {"https://index.docker.io/v1/": {"username": "carol", "password": "pw"}}}"#)
        let credentials = ImageManager.credentials(for: "nginx:1.27", secrets: [secret])
        #expect(credentials.map(\.username) == ["carol"])
        #expect(credentials.first?.serverAddress == "https://index.docker.io/v1/")
    }

    @Test("legacy .dockercfg secrets are read too; a malformed secret is ignored")
    func legacyAndMalformedSecrets() {
        let legacy = Self.pullSecret(#"{"registry.example.com": {"username": "dave", "password": "pw"}}"#, key: ".dockercfg")
        let broken = Self.pullSecret("{not json")
        let credentials = ImageManager.credentials(for: "registry.example.com/app:1", secrets: [broken, legacy])
        #expect(credentials.map(\.username) == ["dave"])
    }

    @Test("a credential scoped to a registry path does not apply to images outside that path")
    func pathScopedCredentials() {
        let secret = Self.pullSecret(#"{"auths": {"registry.example.com/other-team": {"username": "erin", "password": "pw"}}}"#)
        let credentials = ImageManager.credentials(for: "registry.example.com/team/app:1", secrets: [secret])
        #expect(credentials.isEmpty)
    }
}

@Suite("Back-off (flowcontrol.Backoff)")
struct BackoffTests {
    @Test("each failure doubles the wait, up to the maximum")
    func doubling() {
        let backoff = Backoff(initial: .seconds(10), max: .seconds(300), clock: ManualClock())
        let waits = (0..<7).map { _ in backoff.next("pod/main") }
        #expect(waits == [.seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(300), .seconds(300)])
        #expect(backoff.current("pod/main") == .seconds(300))
    }

    @Test("remaining is the wait left since the last failure, nil once it passed or for unknown keys")
    func remaining() {
        let backoff = Backoff(initial: .seconds(10), max: .seconds(300), clock: ManualClock())
        #expect(backoff.remaining("pod/main", elapsed: .zero) == nil)
        backoff.next("pod/main")
        #expect(backoff.remaining("pod/main", elapsed: .seconds(3)) == .seconds(7))
        #expect(backoff.remaining("pod/main", elapsed: .seconds(10)) == nil)
        #expect(backoff.remaining("pod/main", elapsed: .seconds(12)) == nil)
    }

    @Test("a key untouched for more than twice the maximum starts over at the initial wait")
    func resetsAfterIdle() {
        let clock = ManualClock()
        let backoff = Backoff(initial: .seconds(10), max: .seconds(300), clock: clock)
        for _ in 0..<4 { backoff.next("pod/main") }
        #expect(backoff.current("pod/main") == .seconds(80))
        clock.advance(by: .seconds(599))
        #expect(backoff.next("pod/main") == .seconds(160))
        clock.advance(by: .seconds(601))
        #expect(backoff.remaining("pod/main", elapsed: .zero) == nil)
        #expect(backoff.next("pod/main") == .seconds(10))
    }

    @Test("reset drops one key; reset(prefix:) drops a pod's keys")
    func resets() {
        let backoff = Backoff(initial: .seconds(1), max: .seconds(60), clock: ManualClock())
        backoff.next("default/web/main")
        backoff.next("default/web/side")
        backoff.next("default/api/main")
        backoff.reset("default/web/main")
        #expect(backoff.current("default/web/main") == nil)
        #expect(backoff.current("default/web/side") == .seconds(1))
        backoff.reset(prefix: "default/web/")
        #expect(backoff.current("default/web/side") == nil)
        #expect(backoff.current("default/api/main") == .seconds(1))
        #expect(backoff.next("default/web/main") == .seconds(1))
    }
}

@Suite("PLEG relist diff")
struct PLEGDiffTests {
    @Test("pods whose sandboxes or containers changed state, appeared or vanished are reported")
    func diff() {
        let old: PLEG.Snapshot = [
            "steady": ["sb": 0, "c1": 1],
            "changed": ["sb": 0, "c1": 1],
            "gone": ["sb": 0],
            "grew": ["sb": 0],
        ]
        let new: PLEG.Snapshot = [
            "steady": ["sb": 0, "c1": 1],
            "changed": ["sb": 0, "c1": 2],
            "grew": ["sb": 0, "c2": 0],
            "new": ["sb": 0],
        ]
        #expect(PLEG.diff(old, new) == ["changed", "gone", "grew", "new"])
        #expect(PLEG.diff(new, new).isEmpty)
        #expect(PLEG.diff([:], [:]).isEmpty)
    }
}
