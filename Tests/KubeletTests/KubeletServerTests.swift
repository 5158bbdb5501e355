import APIMachinery
import CRIAPI
import Client
import Component
import Foundation
import HTTPServing
import Testing
@testable import Kubelet

/// The kubelet's HTTPS API (`KubeletServer`) driven in-process: a `Kubelet` over the
/// in-memory `FakeRuntime` (never run, so nothing talks to an apiserver), pods put straight
/// into its memory, and a node sampler with a fixed reading so nothing depends on `/proc`.
@Suite("Kubelet server")
struct KubeletServerTests {
    static let nodeName = "node-a"

    /// 2026-01-01T00:00:30Z, thirty seconds after the manual clock's wall time.
    static let readingTime: Int64 = 1_767_225_630_000_000_000

    static let reading = NodeUsage(
        time: readingTime, cpuCoreNanoSeconds: 5_000_000_000, memoryTotalBytes: 8_000_000_000, memoryAvailableBytes: 6_000_000_000)

    struct Harness: Sendable {
        let kubelet: Kubelet
        let runtime: FakeRuntime
        let server: KubeletServer

        func handle(_ method: String, _ uri: String, upgrade: Bool = false) async -> APIResponse {
            let request = upgrade
                ? APIRequest(method: method, uri: uri, headers: ["Connection": "Upgrade", "Upgrade": "SPDY/3.1"])
                : APIRequest(method: method, uri: uri)
            return await server.handle(request)
        }

        /// Puts a pod into the kubelet's memory, with the status it last wrote, if any.
        func serve(_ pod: CoreV1.Pod, written: CoreV1.PodStatus? = nil) {
            let uid = pod.metadata?.uid ?? ""
            kubelet.memory.withLock { memory in
                memory.pods[uid] = pod
                memory.written[uid] = written
            }
        }

        /// A ready sandbox for `pod` in the runtime, labelled as the kubelet labels its own.
        func sandbox(for pod: CoreV1.Pod) async throws -> (id: String, config: Runtime_V1_PodSandboxConfig) {
            let uid = pod.metadata?.uid ?? "", name = pod.metadata?.name ?? "", namespace = pod.metadata?.namespace ?? ""
            var config = Runtime_V1_PodSandboxConfig()
            config.metadata.name = name
            config.metadata.namespace = namespace
            config.metadata.uid = uid
            config.labels = [RuntimeLabels.podUID: uid, RuntimeLabels.podName: name, RuntimeLabels.podNamespace: namespace]
            return (try await runtime.runPodSandbox(config), config)
        }

        /// A container `name` of `pod` in the runtime, started unless `start` is false; its ID.
        func container(_ name: String, of pod: CoreV1.Pod, start: Bool = true) async throws -> String {
            let (sandboxID, sandboxConfig) = try await sandbox(for: pod)
            var config = Runtime_V1_ContainerConfig()
            config.metadata.name = name
            config.image.image = "busybox:1.36"
            config.labels = [RuntimeLabels.podUID: pod.metadata?.uid ?? "", RuntimeLabels.containerName: name]
            let id = try await runtime.createContainer(in: sandboxID, config: config, sandboxConfig: sandboxConfig)
            if start { try await runtime.startContainer(id) }
            return id
        }
    }

    /// Runs `body` against a fresh kubelet and server; shuts the (never used) REST client down.
    static func withServer(_ body: (Harness) async throws -> Void) async throws {
        let clock = ManualClock()
        let runtime = FakeRuntime(clock: clock)
        let rest = try RESTClient(config: RESTConfig(server: "http://127.0.0.1:1"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kubelet-server-tests-unused").path
        let options = Kubelet.Options(
            nodeName: nodeName, nodeIPs: ["10.0.0.5"], rootDir: root, podLogsDir: root + "/logs",
            config: KubeletConfiguration(), machine: MachineInfo(cpus: 2, memoryBytes: 4 << 30))
        let kubelet = Kubelet(
            options: options, rest: rest, runtime: runtime, clock: clock, logger: .init(label: "kubelet-server-tests"),
            hostDNS: (nameservers: [], searches: [], options: []))
        let server = KubeletServer(kubelet: kubelet, node: NodeUsageSampler { KubeletServerTests.reading })
        do {
            try await body(Harness(kubelet: kubelet, runtime: runtime, server: server))
        } catch {
            try? await rest.shutdown()
            throw error
        }
        try await rest.shutdown()
    }

    /// A complete response taken apart; nil for a pushed or upgraded one.
    struct Full {
        var status: Int
        var contentType: String?
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func full(_ response: APIResponse) -> Full? {
        guard case .full(let status, let headers, let body) = response else { return nil }
        return Full(status: status, contentType: headers.first { $0.0.lowercased() == "content-type" }?.1, body: body)
    }

    /// Expects a plain-text error (or success) with exactly this status and body.
    static func expectText(_ response: APIResponse, _ status: Int, _ body: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let full = try #require(Self.full(response), sourceLocation: sourceLocation)
        #expect(full.status == status, sourceLocation: sourceLocation)
        #expect(full.text == body, sourceLocation: sourceLocation)
        #expect(full.contentType == "text/plain; charset=utf-8", sourceLocation: sourceLocation)
    }

    static func pod(name: String = "web", uid: String = "uid-web") -> CoreV1.Pod {
        var pod = Fx.pod(name: name, namespace: "default", uid: uid, containers: [Fx.container("app")])
        pod.spec?.nodeName = nodeName
        return pod
    }

    static func status(_ container: CoreV1.ContainerStatus) -> CoreV1.PodStatus {
        CoreV1.PodStatus(containerStatuses: [container], phase: "Running")
    }

    static func running(_ name: String = "app", containerID: String) -> CoreV1.ContainerStatus {
        CoreV1.ContainerStatus(containerID: "containerd://" + containerID, image: "registry.example.com/app:1.0", name: name,
                               ready: true, started: true, state: CoreV1.ContainerState(running: CoreV1.ContainerStateRunning()))
    }

    // MARK: health, pods, unknown paths

    @Test("GET and HEAD /healthz answer 200 ok")
    func healthz() async throws {
        try await Self.withServer { harness in
            try Self.expectText(await harness.handle("GET", "/healthz"), 200, "ok")
            try Self.expectText(await harness.handle("HEAD", "/healthz"), 200, "ok")
        }
    }

    @Test("unknown paths, methods and segment counts are 404", arguments: [
        "GET /nope", "GET /", "POST /healthz", "GET /pods/extra", "DELETE /pods", "GET /stats/other", "GET /metrics",
        "GET /containerLogs/default/web", "GET /containerLogs/default/web/app/extra", "GET /exec/default/web",
        "GET /portForward/default", "POST /run/default/web", "GET /run/default/web/app",
    ])
    func unknownPaths(line: String) async throws {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        try await Self.withServer { harness in
            try Self.expectText(await harness.handle(parts[0], parts[1]), 404, "404 page not found\n")
        }
    }

    @Test("GET /pods lists the kubelet's pods, each with the status it last wrote")
    func pods() async throws {
        try await Self.withServer { harness in
            let written = Self.status(Self.running(containerID: "abc"))
            harness.serve(Self.pod(), written: written)
            var pending = Self.pod(name: "db", uid: "uid-db")
            pending.status = CoreV1.PodStatus(phase: "Pending")
            harness.serve(pending)

            let response = await harness.handle("GET", "/pods")
            let full = try #require(Self.full(response))
            #expect(full.status == 200)
            #expect(full.contentType == "application/json")
            let list = try JSONCodec.decode(CoreV1.PodList.self, from: full.body)
            #expect(list.kind == "PodList")
            #expect(list.apiVersion == "v1")
            let items = list.items.sorted { ($0.metadata?.name ?? "") < ($1.metadata?.name ?? "") }
            #expect(items.map { $0.metadata?.name } == ["db", "web"])
            #expect(items.map { $0.metadata?.uid } == ["uid-db", "uid-web"])
            // A pod without a written status keeps the one it came with.
            #expect(items[0].status == CoreV1.PodStatus(phase: "Pending"))
            #expect(items[1].status == written)
            #expect(items[1].spec?.nodeName == Self.nodeName)
        }
    }

    // MARK: containerLogs

    @Test("logs of an unknown pod are 404")
    func logsUnknownPod() async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod())
            try Self.expectText(await harness.handle("GET", "/containerLogs/ns/x/c"), 404, "pod \"x\" does not exist\n")
            // The pod's name is known, but in another namespace.
            try Self.expectText(await harness.handle("GET", "/containerLogs/other/web/app"), 404, "pod \"web\" does not exist\n")
            // A container the pod does not declare.
            try Self.expectText(await harness.handle("GET", "/containerLogs/default/web/nope"), 404,
                                "container \"nope\" not found in pod \"web\"\n")
        }
    }

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var label: String
        var container: String
        var status: CoreV1.ContainerStatus
        var query: String = ""
        var message: String
        var testDescription: String { label }
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(label: "waiting: ContainerCreating", container: "app",
                    status: CoreV1.ContainerStatus(name: "app", state: CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: "ContainerCreating"))),
                    message: "container \"app\" in pod \"web\" is waiting to start: ContainerCreating"),
        RefusalCase(label: "waiting: ErrImagePull", container: "app",
                    status: CoreV1.ContainerStatus(name: "app", state: CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: "ErrImagePull"))),
                    message: "container \"app\" in pod \"web\" is waiting to start: image can't be pulled"),
        RefusalCase(label: "waiting: ImagePullBackOff", container: "app",
                    status: CoreV1.ContainerStatus(name: "app", state: CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: "ImagePullBackOff"))),
                    message: "container \"app\" in pod \"web\" is waiting to start: trying and failing to pull image"),
        RefusalCase(label: "no state yet", container: "app", status: CoreV1.ContainerStatus(name: "app"),
                    message: "container \"app\" in pod \"web\" is waiting to start - no logs yet"),
        RefusalCase(label: "terminated without a container ID", container: "app",
                    status: CoreV1.ContainerStatus(name: "app", state: CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(exitCode: 1))),
                    message: "container \"app\" in pod \"web\" is terminated"),
        RefusalCase(label: "previous of a container that never terminated", container: "app",
                    status: KubeletServerTests.running(containerID: "abc"), query: "?previous=true",
                    message: "previous terminated container \"app\" in pod \"web\" not found"),
    ]

    @Test("containers with no log to show are refused with 400 and upstream's message", arguments: KubeletServerTests.refusals)
    func logRefusals(_ refusal: RefusalCase) async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod(), written: Self.status(refusal.status))
            try Self.expectText(await harness.handle("GET", "/containerLogs/default/web/\(refusal.container)\(refusal.query)"), 400,
                                refusal.message)
        }
    }

    @Test("a log query that cannot be read is 400, one out of range 422, before the pod is looked up", arguments: [
        ("tailLines=x", 400),
        ("sinceTime=yesterday", 400),
        ("tailLines=-1", 422),
        ("limitBytes=0", 422),
        ("sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z", 422),
    ])
    func logBadQuery(query: String, status: Int) async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod(), written: Self.status(Self.running(containerID: "abc")))
            let expected = status == 400 ? "{\"message\": \"Unable to decode query.\"}" : "{\"message\": \"Invalid request.\"}"
            try Self.expectText(await harness.handle("GET", "/containerLogs/default/web/app?\(query)"), status, expected)
            try Self.expectText(await harness.handle("GET", "/containerLogs/default/ghost/app?\(query)"), status, expected)
        }
    }

    @Test("a running container the runtime does not know is 400 with the runtime's error")
    func logUnknownContainerID() async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod(), written: Self.status(Self.running(containerID: "abc")))
            try Self.expectText(await harness.handle("GET", "/containerLogs/default/web/app"), 400,
                                "failed to get container status \"abc\": an error occurred when try to find container \"abc\": not found")
        }
    }

    /// FakeRuntime's `containerStatus` never sets `logPath` (hollow containers write no logs),
    /// so a log read over it always fails to open "": the streamed (`.push`) path cannot be
    /// reached with FakeRuntime and is not covered here.
    @Test("a FakeRuntime container has no log file, so its log is 400")
    func logWithoutLogPath() async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            let id = try await harness.container("app", of: pod)
            #expect(try await harness.runtime.containerStatus(id).logPath == "")
            harness.serve(pod, written: Self.status(Self.running(containerID: id)))
            let response = await harness.handle("GET", "/containerLogs/default/web/app?follow=true")
            let full = try #require(Self.full(response))
            #expect(full.status == 400)
            #expect(full.text.hasPrefix("failed to open log file \"\": "))
        }
    }

    // MARK: exec, attach, portForward

    struct StreamCase: Sendable, CustomTestStringConvertible {
        var method: String
        var uri: String
        var upgrade: Bool
        var message: String
        var testDescription: String { "\(method) \(uri)\(upgrade ? " (upgrade)" : "")" }
    }

    @Test("exec and attach check their streams, command and upgrade headers first (400)", arguments: [
        StreamCase(method: "GET", uri: "/exec/default/web/app?command=ls&output=1", upgrade: false, message: "Upgrade request required"),
        StreamCase(method: "POST", uri: "/exec/default/web/app?command=ls", upgrade: true,
                   message: "you must specify at least 1 of stdin, stdout, stderr"),
        // A terminal merges stderr into stdout, so tty with only stderr asks for nothing.
        StreamCase(method: "POST", uri: "/exec/default/web/app?command=ls&tty=1&error=1", upgrade: true,
                   message: "you must specify at least 1 of stdin, stdout, stderr"),
        StreamCase(method: "POST", uri: "/exec/default/web/app?output=1", upgrade: true, message: "you must specify a command"),
        StreamCase(method: "POST", uri: "/exec/default/web/app?command=ls", upgrade: false,
                   message: "you must specify at least 1 of stdin, stdout, stderr"),
        StreamCase(method: "GET", uri: "/attach/default/web/app?output=1", upgrade: false, message: "Upgrade request required"),
        StreamCase(method: "POST", uri: "/attach/default/web/app", upgrade: true, message: "you must specify at least 1 of stdin, stdout, stderr"),
        StreamCase(method: "POST", uri: "/portForward/default/web?ports=8080", upgrade: false, message: "Upgrade request required"),
    ])
    func streamRequestValidation(_ request: StreamCase) async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            harness.serve(pod, written: Self.status(Self.running(containerID: "abc")))
            _ = try await harness.container("app", of: pod)
            try Self.expectText(await harness.handle(request.method, request.uri, upgrade: request.upgrade), 400, request.message)
        }
    }

    @Test("sessions for an unknown pod, or a pod with another UID, are 404")
    func streamUnknownPod() async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod())
            for uri in [
                "/exec/default/ghost/app?command=ls&output=1", "/exec/other/web/app?command=ls&output=1",
                "/exec/default/web/uid-other/app?command=ls&output=1", "/attach/default/ghost/app?output=1",
                "/portForward/default/ghost", "/portForward/default/web/uid-other?ports=80",
            ] {
                try Self.expectText(await harness.handle("POST", uri, upgrade: true), 404, "pod does not exist")
            }
        }
    }

    @Test("exec and attach without a running container of that name are 500 container not found")
    func streamNoRunningContainer() async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            harness.serve(pod, written: Self.status(Self.running(containerID: "abc")))
            // Nothing in the runtime at all.
            try Self.expectText(await harness.handle("POST", "/exec/default/web/app?command=ls&output=1", upgrade: true), 500,
                                "container not found (\"app\")")
            // Created but not started.
            _ = try await harness.container("app", of: pod, start: false)
            try Self.expectText(await harness.handle("POST", "/attach/default/web/app?output=1", upgrade: true), 500,
                                "container not found (\"app\")")
            // Running, but under another name.
            _ = try await harness.container("sidecar", of: pod)
            try Self.expectText(await harness.handle("POST", "/exec/default/web/app?command=ls&output=1", upgrade: true), 500,
                                "container not found (\"app\")")
        }
    }

    @Test("a running container's session is refused by FakeRuntime, which has no streaming server (500)")
    func streamRefusedByRuntime() async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            harness.serve(pod, written: Self.status(Self.running(containerID: "abc")))
            _ = try await harness.container("app", of: pod)
            for uri in [
                "/exec/default/web/app?command=ls&command=-l&input=1&output=1&tty=1", "/exec/default/web/uid-web/app?command=ls&error=1",
                "/attach/default/web/app?output=1", "/attach/default/web/uid-web/app?input=1",
            ] {
                try Self.expectText(await harness.handle("GET", uri, upgrade: true), 500, "the fake runtime has no streaming server")
            }
        }
    }

    @Test("port forwarding needs a ready sandbox and valid ports before it asks the runtime")
    func portForward() async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            harness.serve(pod)
            try Self.expectText(await harness.handle("GET", "/portForward/default/web?ports=8080", upgrade: true), 500,
                                "pod not found (\"default/web\")")
            _ = try await harness.sandbox(for: pod)
            try Self.expectText(await harness.handle("GET", "/portForward/default/web?ports=0", upgrade: true), 400, "invalid port \"0\"")
            try Self.expectText(await harness.handle("GET", "/portForward/default/web?ports=80,http", upgrade: true), 400,
                                "invalid port \"http\"")
            try Self.expectText(await harness.handle("GET", "/portForward/default/web?ports=65536", upgrade: true), 400,
                                "invalid port \"65536\"")
            try Self.expectText(await harness.handle("GET", "/portForward/default/web/uid-web?ports=80,%208080", upgrade: true), 500,
                                "the fake runtime has no streaming server")
            try Self.expectText(await harness.handle("POST", "/portForward/default/web", upgrade: true), 500,
                                "the fake runtime has no streaming server")
        }
    }

    // MARK: run

    @Test("POST /run needs a command and a known pod; a running container answers with its output")
    func run() async throws {
        try await Self.withServer { harness in
            let pod = Self.pod()
            harness.serve(pod)
            try Self.expectText(await harness.handle("POST", "/run/default/web/app"), 400, "you must specify a command")
            try Self.expectText(await harness.handle("POST", "/run/default/web/app?cmd="), 400, "you must specify a command")
            try Self.expectText(await harness.handle("POST", "/run/default/ghost/app?cmd=ls"), 404, "pod does not exist")
            try Self.expectText(await harness.handle("POST", "/run/default/web/uid-other/app?cmd=ls"), 404, "pod does not exist")
            try Self.expectText(await harness.handle("POST", "/run/default/web/app?cmd=ls"), 500, "container not found (\"app\")")

            _ = try await harness.container("app", of: pod)
            // FakeRuntime's exec answers with no output.
            let response = await harness.handle("POST", "/run/default/web/uid-web/app?cmd=ls+-l")
            let full = try #require(Self.full(response))
            #expect(full.status == 200)
            #expect(full.contentType == "text/plain")
            #expect(full.body.isEmpty)
        }
    }

    // MARK: stats

    @Test("/stats/summary names the node, its start time and reading, and no pods for FakeRuntime")
    func statsSummary() async throws {
        try await Self.withServer { harness in
            harness.serve(Self.pod())
            let response = await harness.handle("GET", "/stats/summary")
            let full = try #require(Self.full(response))
            #expect(full.status == 200)
            #expect(full.contentType == "application/json")
            let summary = try JSONCodec.parse(full.body)
            #expect(summary["node"]?["nodeName"] == .string(Self.nodeName))
            #expect(summary["pods"] == .array([]))
            // The same reading twice gives no rate, so the CPU has no usageNanoCores.
            let node: JSONValue = [
                "nodeName": .string(Self.nodeName), "startTime": "2026-01-01T00:00:00Z",
                "cpu": ["time": "2026-01-01T00:00:30Z", "usageCoreNanoSeconds": 5_000_000_000],
                "memory": [
                    "time": "2026-01-01T00:00:30Z", "availableBytes": 6_000_000_000, "usageBytes": 2_000_000_000,
                    "workingSetBytes": 2_000_000_000,
                ],
            ]
            #expect(summary == ["node": node, "pods": []])
        }
    }

    @Test("/metrics/resource has the node's figures and no scrape error for FakeRuntime")
    func resourceMetrics() async throws {
        try await Self.withServer { harness in
            let response = await harness.handle("GET", "/metrics/resource")
            let full = try #require(Self.full(response))
            #expect(full.status == 200)
            #expect(full.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(full.text.contains("resource_scrape_error 0\n"))
            #expect(full.text == """
                # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
                # TYPE node_cpu_usage_seconds_total counter
                node_cpu_usage_seconds_total 5.0 1767225630000
                # HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
                # TYPE node_memory_working_set_bytes gauge
                node_memory_working_set_bytes 2000000000 1767225630000
                # HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
                # TYPE resource_scrape_error gauge
                resource_scrape_error 0

                """)
        }
    }
}
