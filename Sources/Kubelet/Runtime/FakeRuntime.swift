import CRIAPI
import Component
import Foundation
import Synchronization

/// An in-memory `ContainerRuntime` for hollow nodes and tests: sandboxes get an IP from the
/// pod CIDR at once, containers start at once and run until stopped, or until the time the
/// pod's `hollow.skiff.dev/exit` annotation scripts for them:
/// `"name=seconds:code,…"` (e.g. `"init=0:0,main=30:1"`) makes the container `name` exit with
/// `code` that many seconds after it starts. A container's state is derived from the clock
/// when read, so no timer runs per container.
public final class FakeRuntime: ContainerRuntime {
    /// The pod annotation that scripts container exits.
    public static let exitAnnotation = "hollow.skiff.dev/exit"

    struct Sandbox {
        var id: String
        var config: Runtime_V1_PodSandboxConfig
        var ready: Bool
        var createdAt: Int64
        var ip: String
    }

    struct Container {
        var id: String
        var sandboxID: String
        var config: Runtime_V1_ContainerConfig
        var createdAt: Int64
        var startedAt: Int64 = 0
        var stoppedAt: Int64 = 0
        var stoppedCode: Int32 = 0
        /// Scripted exit: nanoseconds after start, and the code.
        var exit: (after: Int64, code: Int32)?
    }

    struct State {
        var sandboxes: [String: Sandbox] = [:]
        var containers: [String: Container] = [:]
        var images: [String: Runtime_V1_Image] = [:]
        /// nil until a CIDR is handed over: the network is not ready and sandboxes fail, as
        /// containerd's CRI plugin does before it has a CNI configuration.
        var podCIDR: String?
        var nextIP: UInt32 = 2
        var nextID = 1
    }

    private let state = Mutex(State())
    private let clock: any ComponentClock
    /// Images whose pull fails, with the message the runtime gives.
    private let failingPulls: [String: String]

    /// - Parameter podCIDR: the range sandbox IPs come from before `updatePodCIDR`; nil makes
    ///   the network not ready until then (hollow nodes wait for the Node's podCIDR).
    public init(clock: any ComponentClock = SystemClock(), failingPulls: [String: String] = [:], podCIDR: String? = "10.88.0.0/16") {
        self.clock = clock
        self.failingPulls = failingPulls
        state.withLock { $0.podCIDR = podCIDR }
    }

    private func newID(_ state: inout State) -> String {
        defer { state.nextID += 1 }
        return String(format: "%064x", state.nextID)
    }

    public func version() async throws -> Runtime_V1_VersionResponse {
        var response = Runtime_V1_VersionResponse()
        response.version = "0.1.0"
        response.runtimeName = "fake"
        response.runtimeVersion = "0.1.0"
        response.runtimeApiVersion = "v1"
        return response
    }

    public func status() async throws -> Runtime_V1_RuntimeStatus {
        let networkReady = state.withLock { $0.podCIDR != nil }
        var status = Runtime_V1_RuntimeStatus()
        for type in ["RuntimeReady", "NetworkReady"] {
            var condition = Runtime_V1_RuntimeCondition()
            condition.type = type
            condition.status = type == "RuntimeReady" || networkReady
            if !condition.status {
                condition.reason = "NetworkPluginNotReady"
                condition.message = "Network plugin returns error: cni plugin not initialized"
            }
            status.conditions.append(condition)
        }
        return status
    }

    public func updatePodCIDR(_ cidr: String) async throws {
        state.withLock { $0.podCIDR = cidr }
    }

    public func runPodSandbox(_ config: Runtime_V1_PodSandboxConfig) async throws -> String {
        let now = clock.wallNow.nanosecondsSinceEpoch
        return try state.withLock { state in
            guard let cidr = state.podCIDR else {
                throw RuntimeError(.other, "failed to setup network for sandbox: cni plugin not initialized")
            }
            let id = newID(&state)
            let ip = Self.address(in: cidr, index: state.nextIP)
            state.nextIP += 1
            state.sandboxes[id] = Sandbox(id: id, config: config, ready: true, createdAt: now, ip: ip)
            return id
        }
    }

    static func address(in cidr: String, index: UInt32) -> String {
        let parts = cidr.split(separator: "/")
        let octets = parts.first.map { $0.split(separator: ".").compactMap { UInt32($0) } } ?? []
        guard octets.count == 4, let bits = parts.last.flatMap({ UInt32($0) }), bits <= 32 else { return "" }
        let base = octets.reduce(0) { $0 << 8 | $1 }
        let size: UInt32 = bits == 0 ? UInt32.max : (1 << (32 - bits)) - 1
        let value = base &+ (index % max(size, 1))
        return [24, 16, 8, 0].map { String((value >> $0) & 0xff) }.joined(separator: ".")
    }

    public func stopPodSandbox(_ id: String) async throws {
        let now = clock.wallNow.nanosecondsSinceEpoch
        state.withLock { state in
            state.sandboxes[id]?.ready = false
            for (cid, container) in state.containers where container.sandboxID == id {
                Self.stop(&state.containers[cid]!, now: now, code: 137)
                _ = container
            }
        }
    }

    public func removePodSandbox(_ id: String) async throws {
        state.withLock { state in
            state.sandboxes[id] = nil
            state.containers = state.containers.filter { $0.value.sandboxID != id }
        }
    }

    public func podSandboxStatus(_ id: String) async throws -> Runtime_V1_PodSandboxStatus {
        try state.withLock { state in
            guard let sandbox = state.sandboxes[id] else { throw RuntimeError(.notFound, "an error occurred when try to find sandbox: not found") }
            var status = Runtime_V1_PodSandboxStatus()
            status.id = sandbox.id
            status.metadata = sandbox.config.metadata
            status.state = sandbox.ready ? .sandboxReady : .sandboxNotready
            status.createdAt = sandbox.createdAt
            status.network.ip = sandbox.ip
            status.labels = sandbox.config.labels
            status.annotations = sandbox.config.annotations
            return status
        }
    }

    public func listPodSandboxes(podUID: String?) async throws -> [Runtime_V1_PodSandbox] {
        state.withLock { state in
            state.sandboxes.values.filter { podUID == nil || $0.config.labels[RuntimeLabels.podUID] == podUID }.map { sandbox in
                var item = Runtime_V1_PodSandbox()
                item.id = sandbox.id
                item.metadata = sandbox.config.metadata
                item.state = sandbox.ready ? .sandboxReady : .sandboxNotready
                item.createdAt = sandbox.createdAt
                item.labels = sandbox.config.labels
                item.annotations = sandbox.config.annotations
                return item
            }
        }
    }

    public func createContainer(in sandboxID: String, config: Runtime_V1_ContainerConfig, sandboxConfig: Runtime_V1_PodSandboxConfig) async throws -> String {
        let now = clock.wallNow.nanosecondsSinceEpoch
        return try state.withLock { state in
            guard state.sandboxes[sandboxID] != nil else { throw RuntimeError(.notFound, "sandbox \(sandboxID) not found") }
            let id = newID(&state)
            var container = Container(id: id, sandboxID: sandboxID, config: config, createdAt: now)
            container.exit = Self.scriptedExit(sandboxConfig.annotations[Self.exitAnnotation], container: config.metadata.name)
            state.containers[id] = container
            return id
        }
    }

    static func scriptedExit(_ script: String?, container: String) -> (after: Int64, code: Int32)? {
        guard let script else { return nil }
        for entry in script.split(separator: ",") {
            let pair = entry.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == container else { continue }
            let values = pair[1].split(separator: ":")
            guard values.count == 2, let seconds = Double(values[0]), let code = Int32(values[1]) else { return nil }
            return (Int64(seconds * 1e9), code)
        }
        return nil
    }

    public func startContainer(_ id: String) async throws {
        let now = clock.wallNow.nanosecondsSinceEpoch
        try state.withLock { state in
            guard state.containers[id] != nil else { throw RuntimeError(.notFound, "container \(id) not found") }
            state.containers[id]!.startedAt = now
        }
    }

    private static func stop(_ container: inout Container, now: Int64, code: Int32) {
        guard container.startedAt > 0, container.stoppedAt == 0 else { return }
        if let exit = container.exit, container.startedAt + exit.after <= now { return }
        container.stoppedAt = now
        container.stoppedCode = code
    }

    public func stopContainer(_ id: String, timeout: Int64) async throws {
        let now = clock.wallNow.nanosecondsSinceEpoch
        state.withLock { state in
            guard state.containers[id] != nil else { return }
            Self.stop(&state.containers[id]!, now: now, code: 137)
        }
    }

    public func removeContainer(_ id: String) async throws {
        _ = state.withLock { $0.containers.removeValue(forKey: id) }
    }

    /// The container's state at `now`: (state, finishedAt, exitCode).
    private static func observed(_ container: Container, now: Int64) -> (Runtime_V1_ContainerState, Int64, Int32) {
        if container.startedAt == 0 { return (.containerCreated, 0, 0) }
        if container.stoppedAt > 0 { return (.containerExited, container.stoppedAt, container.stoppedCode) }
        if let exit = container.exit, container.startedAt + exit.after <= now {
            return (.containerExited, container.startedAt + exit.after, exit.code)
        }
        return (.containerRunning, 0, 0)
    }

    public func listContainers(podUID: String?) async throws -> [Runtime_V1_Container] {
        let now = clock.wallNow.nanosecondsSinceEpoch
        return state.withLock { state in
            state.containers.values.filter { podUID == nil || $0.config.labels[RuntimeLabels.podUID] == podUID }.map { container in
                var item = Runtime_V1_Container()
                item.id = container.id
                item.podSandboxID = container.sandboxID
                item.metadata = container.config.metadata
                item.image = container.config.image
                item.imageRef = container.config.image.image
                item.state = Self.observed(container, now: now).0
                item.createdAt = container.createdAt
                item.labels = container.config.labels
                item.annotations = container.config.annotations
                return item
            }
        }
    }

    public func containerStatus(_ id: String) async throws -> Runtime_V1_ContainerStatus {
        let now = clock.wallNow.nanosecondsSinceEpoch
        return try state.withLock { state in
            guard let container = state.containers[id] else { throw RuntimeError(.notFound, "an error occurred when try to find container \"\(id)\": not found") }
            let (phase, finishedAt, code) = Self.observed(container, now: now)
            var status = Runtime_V1_ContainerStatus()
            status.id = container.id
            status.metadata = container.config.metadata
            status.state = phase
            status.createdAt = container.createdAt
            status.startedAt = container.startedAt
            status.finishedAt = finishedAt
            status.exitCode = code
            status.image = container.config.image
            status.imageRef = "sha256:" + String(repeating: "0", count: 64)
            if phase == .containerExited { status.reason = code == 0 ? "Completed" : "Error" }
            status.labels = container.config.labels
            status.annotations = container.config.annotations
            return status
        }
    }

    public func execSync(_ id: String, command: [String], timeout: Int64) async throws -> Runtime_V1_ExecSyncResponse {
        let now = clock.wallNow.nanosecondsSinceEpoch
        return try state.withLock { state in
            guard let container = state.containers[id], Self.observed(container, now: now).0 == .containerRunning else {
                throw RuntimeError(.notFound, "container \(id) is not running")
            }
            return Runtime_V1_ExecSyncResponse()
        }
    }

    /// Hollow containers use no CPU or memory.
    public func listContainerStats() async throws -> [Runtime_V1_ContainerStats] { [] }

    /// Hollow containers write no logs.
    public func reopenContainerLog(_ id: String) async throws {}

    /// Hollow containers have no streams: every session is refused as a runtime without a
    /// streaming server would.
    public func streamingURL(for request: StreamingRequest) async throws -> String {
        throw RuntimeError(.other, "the fake runtime has no streaming server")
    }

    public func pullImage(_ image: String, auth: Runtime_V1_AuthConfig?, sandboxConfig: Runtime_V1_PodSandboxConfig?) async throws -> String {
        if let message = failingPulls[image] { throw RuntimeError(.other, message) }
        return state.withLock { state in
            var item = Runtime_V1_Image()
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in image.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            item.id = "sha256:" + String(repeating: "0", count: 48) + String(format: "%016llx", hash)
            item.repoTags = [image]
            item.size = 4 << 20
            state.images[image] = item
            return item.id
        }
    }

    public func imageStatus(_ image: String) async throws -> Runtime_V1_Image? {
        state.withLock { $0.images[image] }
    }

    public func listImages() async throws -> [Runtime_V1_Image] {
        state.withLock { Array($0.images.values) }
    }

    public func removeImage(_ image: String) async throws {
        _ = state.withLock { $0.images.removeValue(forKey: image) }
    }

    public func imageFsInfo() async throws -> [Runtime_V1_FilesystemUsage] { [] }
}
