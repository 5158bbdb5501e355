import CRIAPI
import Component
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// `ContainerRuntime` over CRI v1 gRPC on a unix socket (containerd, CRI-O).
public final class RemoteRuntime: ContainerRuntime {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let runtime: Runtime_V1_RuntimeService.Client<HTTP2ClientTransport.Posix>
    private let images: Runtime_V1_ImageService.Client<HTTP2ClientTransport.Posix>
    private let runner: Task<Void, Never>
    private let timeout: Swift.Duration
    private let pullTimeout: Swift.Duration
    private let logger: Logger
    private let metrics: MetricsRegistry?
    static let durationMetric = "kubelet_runtime_operations_duration_seconds"
    static let totalMetric = "kubelet_runtime_operations_total"
    static let errorsMetric = "kubelet_runtime_operations_errors_total"

    /// - Parameters:
    ///   - endpoint: `unix:///path/to.sock` or a bare socket path (kubelet's `--container-runtime-endpoint`).
    ///   - timeout: deadline of every call but image pulls (kubelet's `--runtime-request-timeout`, 2 min).
    ///   - metrics: where upstream's `kubelet_runtime_operations_*` figures go (per operation type).
    public init(endpoint: String, timeout: Swift.Duration = .seconds(120), pullTimeout: Swift.Duration = .seconds(600), logger: Logger,
                metrics: MetricsRegistry? = nil) throws {
        self.metrics = metrics
        if let metrics {
            metrics.register(Self.durationMetric, help: "Duration in seconds of runtime operations. Broken down by operation type.",
                             .histogram(buckets: MetricsRegistry.exponentialBuckets(start: 0.005, factor: 2.5, count: 14)), labels: ["operation_type"])
            metrics.register(Self.totalMetric, help: "Cumulative number of runtime operations by operation type.", .counter, labels: ["operation_type"])
            metrics.register(Self.errorsMetric, help: "Cumulative number of runtime operation errors by operation type.", .counter, labels: ["operation_type"])
        }
        var path = endpoint
        if path.hasPrefix("unix://") { path.removeFirst("unix://".count) }
        guard path.hasPrefix("/") else {
            throw RuntimeError(.other, "--container-runtime-endpoint \"\(endpoint)\": want unix:///path/to/socket")
        }
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.http2.maxFrameSize = 1 << 20
        let transport = try HTTP2ClientTransport.Posix(
            target: .unixDomainSocket(path: path), transportSecurity: .plaintext, config: config)
        let client = GRPCClient(transport: transport)
        self.client = client
        self.runtime = Runtime_V1_RuntimeService.Client(wrapping: client)
        self.images = Runtime_V1_ImageService.Client(wrapping: client)
        self.timeout = timeout
        self.pullTimeout = pullTimeout
        self.logger = logger
        self.runner = Task {
            do {
                try await client.runConnections()
            } catch {
                logger.error("CRI client stopped", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            }
        }
    }

    deinit { client.beginGracefulShutdown() }

    /// Closes the connection once calls in flight finish.
    public func close() { client.beginGracefulShutdown() }

    private func options(_ limit: Swift.Duration? = nil) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = limit ?? timeout
        // A call made while the connection is being re-established waits for it (within its
        // deadline) instead of failing at once.
        options.waitForReady = true
        return options
    }

    /// Waits before each retry of an idempotent call whose connection dropped.
    static let retryDelays: [Swift.Duration] = [.milliseconds(50), .milliseconds(250), .seconds(1)]

    /// Runs one call, turning gRPC errors into `RuntimeError`. An idempotent call whose
    /// connection dropped under it (`unavailable`) is tried again, up to three times after
    /// short waits (`retryDelays`), for the new connection: with containerd 1.6 the connection
    /// was seen to close under calls in flight (cause not found yet), and a call made at once
    /// after that finds no connection ready.
    private func call<T: Sendable>(_ operation: String, idempotent: Bool = true, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer {
            if let metrics {
                let elapsed = ContinuousClock.now - start
                metrics.observe(Self.durationMetric, labels: [operation], Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                metrics.increment(Self.totalMetric, labels: [operation])
            }
        }
        do {
            var attempt = 0
            while true {
                do {
                    return try await body()
                } catch let error as RPCError where idempotent && error.code == .unavailable && attempt < Self.retryDelays.count {
                    // The connection dropped under the call, or is being re-established: wait a
                    // little for the new one and try again.
                    logger.debug("CRI connection dropped; retrying the call", metadata: [
                        "operation": "\(operation)", "attempt": "\(attempt + 1)", "error": "\(error.message)",
                    ])
                    try await Task.sleep(for: Self.retryDelays[attempt])
                    attempt += 1
                }
            }
        } catch let error as RPCError {
            metrics?.increment(Self.errorsMetric, labels: [operation])
            switch error.code {
            case .notFound: throw RuntimeError(.notFound, error.message)
            case .unavailable: throw RuntimeError(.unavailable, error.message)
            case .deadlineExceeded: throw RuntimeError(.deadlineExceeded, error.message)
            default: throw RuntimeError(.other, error.message)
            }
        }
    }

    public func version() async throws -> Runtime_V1_VersionResponse {
        var request = Runtime_V1_VersionRequest()
        request.version = "v1"
        return try await call("version") { try await runtime.version(request, options: options()) }
    }

    public func status() async throws -> Runtime_V1_RuntimeStatus {
        try await call("status") { try await runtime.status(Runtime_V1_StatusRequest(), options: options()).status }
    }

    public func updatePodCIDR(_ cidr: String) async throws {
        var request = Runtime_V1_UpdateRuntimeConfigRequest()
        request.runtimeConfig.networkConfig.podCidr = cidr
        _ = try await call("update_runtime_config") { try await runtime.updateRuntimeConfig(request, options: options()) }
    }

    public func runPodSandbox(_ config: Runtime_V1_PodSandboxConfig) async throws -> String {
        var request = Runtime_V1_RunPodSandboxRequest()
        request.config = config
        return try await call("run_podsandbox", idempotent: false) { try await runtime.runPodSandbox(request, options: options()).podSandboxID }
    }

    public func stopPodSandbox(_ id: String) async throws {
        var request = Runtime_V1_StopPodSandboxRequest()
        request.podSandboxID = id
        _ = try await call("stop_podsandbox") { try await runtime.stopPodSandbox(request, options: options()) }
    }

    public func removePodSandbox(_ id: String) async throws {
        var request = Runtime_V1_RemovePodSandboxRequest()
        request.podSandboxID = id
        _ = try await call("remove_podsandbox") { try await runtime.removePodSandbox(request, options: options()) }
    }

    public func podSandboxStatus(_ id: String) async throws -> Runtime_V1_PodSandboxStatus {
        var request = Runtime_V1_PodSandboxStatusRequest()
        request.podSandboxID = id
        return try await call("podsandbox_status") { try await runtime.podSandboxStatus(request, options: options()).status }
    }

    public func listPodSandboxes(podUID: String?) async throws -> [Runtime_V1_PodSandbox] {
        var request = Runtime_V1_ListPodSandboxRequest()
        if let podUID { request.filter.labelSelector = [RuntimeLabels.podUID: podUID] }
        return try await call("list_podsandbox") { try await runtime.listPodSandbox(request, options: options()).items }
    }

    public func createContainer(in sandboxID: String, config: Runtime_V1_ContainerConfig, sandboxConfig: Runtime_V1_PodSandboxConfig) async throws -> String {
        var request = Runtime_V1_CreateContainerRequest()
        request.podSandboxID = sandboxID
        request.config = config
        request.sandboxConfig = sandboxConfig
        return try await call("create_container", idempotent: false) { try await runtime.createContainer(request, options: options()).containerID }
    }

    public func startContainer(_ id: String) async throws {
        var request = Runtime_V1_StartContainerRequest()
        request.containerID = id
        _ = try await call("start_container") { try await runtime.startContainer(request, options: options()) }
    }

    public func stopContainer(_ id: String, timeout seconds: Int64) async throws {
        var request = Runtime_V1_StopContainerRequest()
        request.containerID = id
        request.timeout = seconds
        // The call itself may take the whole grace period.
        _ = try await call("stop_container") { try await runtime.stopContainer(request, options: options(timeout + .seconds(seconds))) }
    }

    public func removeContainer(_ id: String) async throws {
        var request = Runtime_V1_RemoveContainerRequest()
        request.containerID = id
        _ = try await call("remove_container") { try await runtime.removeContainer(request, options: options()) }
    }

    public func listContainers(podUID: String?) async throws -> [Runtime_V1_Container] {
        var request = Runtime_V1_ListContainersRequest()
        if let podUID { request.filter.labelSelector = [RuntimeLabels.podUID: podUID] }
        return try await call("list_containers") { try await runtime.listContainers(request, options: options()).containers }
    }

    public func containerStatus(_ id: String) async throws -> Runtime_V1_ContainerStatus {
        var request = Runtime_V1_ContainerStatusRequest()
        request.containerID = id
        return try await call("container_status") { try await runtime.containerStatus(request, options: options()).status }
    }

    public func execSync(_ id: String, command: [String], timeout seconds: Int64) async throws -> Runtime_V1_ExecSyncResponse {
        var request = Runtime_V1_ExecSyncRequest()
        request.containerID = id
        request.cmd = command
        request.timeout = seconds
        // The exec's own timeout plus a margin: a probe must not wait out the whole request timeout
        // behind a dropped connection.
        let limit = seconds > 0 ? Swift.Duration.seconds(seconds + 5) : nil
        return try await call("exec_sync") { try await runtime.execSync(request, options: options(limit)) }
    }

    public func listContainerStats() async throws -> [Runtime_V1_ContainerStats] {
        try await call("list_container_stats") { try await runtime.listContainerStats(Runtime_V1_ListContainerStatsRequest(), options: options()).stats }
    }

    public func reopenContainerLog(_ id: String) async throws {
        var request = Runtime_V1_ReopenContainerLogRequest()
        request.containerID = id
        _ = try await call("reopen_container_log") { try await runtime.reopenContainerLog(request, options: options()) }
    }

    public func streamingURL(for request: StreamingRequest) async throws -> String {
        switch request {
        case .exec(let container, let command, let streams):
            var message = Runtime_V1_ExecRequest()
            message.containerID = container
            message.cmd = command
            (message.stdin, message.stdout, message.stderr, message.tty) = (streams.stdin, streams.stdout, streams.stderr, streams.tty)
            return try await call("exec") { try await runtime.exec(message, options: options()).url }
        case .attach(let container, let streams):
            var message = Runtime_V1_AttachRequest()
            message.containerID = container
            (message.stdin, message.stdout, message.stderr, message.tty) = (streams.stdin, streams.stdout, streams.stderr, streams.tty)
            return try await call("attach") { try await runtime.attach(message, options: options()).url }
        case .portForward(let sandbox, let ports):
            var message = Runtime_V1_PortForwardRequest()
            message.podSandboxID = sandbox
            message.port = ports
            return try await call("port_forward") { try await runtime.portForward(message, options: options()).url }
        }
    }

    public func pullImage(_ image: String, auth: Runtime_V1_AuthConfig?, sandboxConfig: Runtime_V1_PodSandboxConfig?) async throws -> String {
        var request = Runtime_V1_PullImageRequest()
        request.image.image = image
        if let auth { request.auth = auth }
        if let sandboxConfig { request.sandboxConfig = sandboxConfig }
        return try await call("pull_image") { try await images.pullImage(request, options: options(pullTimeout)).imageRef }
    }

    public func imageStatus(_ image: String) async throws -> Runtime_V1_Image? {
        var request = Runtime_V1_ImageStatusRequest()
        request.image.image = image
        let response = try await call("image_status") { try await images.imageStatus(request, options: options()) }
        return response.hasImage ? response.image : nil
    }

    public func listImages() async throws -> [Runtime_V1_Image] {
        try await call("list_images") { try await images.listImages(Runtime_V1_ListImagesRequest(), options: options()).images }
    }

    public func removeImage(_ image: String) async throws {
        var request = Runtime_V1_RemoveImageRequest()
        request.image.image = image
        _ = try await call("remove_image") { try await images.removeImage(request, options: options()) }
    }

    public func imageFsInfo() async throws -> [Runtime_V1_FilesystemUsage] {
        try await call("image_fs_info") { try await images.imageFsInfo(Runtime_V1_ImageFsInfoRequest(), options: options()).imageFilesystems }
    }
}
