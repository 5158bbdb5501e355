import CRIAPI

/// The kubelet's one seam to a container runtime: the CRI v1 `RuntimeService` and
/// `ImageService` calls the kubelet makes, in CRI's own message types.
///
/// Contract (as CRI's): every call is idempotent on the runtime's side except `create…`;
/// stopping or removing something already gone succeeds; `listContainers` and
/// `listPodSandbox` return everything the runtime knows, whoever created it, so a restarted
/// kubelet adopts what its predecessor left running from the labels it put on them.
/// Failures are thrown as `RuntimeError` with the runtime's message, which the kubelet shows
/// to users in container statuses (ErrImagePull, RunContainerError, …).
public protocol ContainerRuntime: Sendable {
    func version() async throws -> Runtime_V1_VersionResponse
    func status() async throws -> Runtime_V1_RuntimeStatus
    /// Hands the node's pod CIDR to the runtime's network plugin.
    func updatePodCIDR(_ cidr: String) async throws

    func runPodSandbox(_ config: Runtime_V1_PodSandboxConfig) async throws -> String
    func stopPodSandbox(_ id: String) async throws
    func removePodSandbox(_ id: String) async throws
    func podSandboxStatus(_ id: String) async throws -> Runtime_V1_PodSandboxStatus
    /// Sandboxes of the pod with that UID label, or all when nil.
    func listPodSandboxes(podUID: String?) async throws -> [Runtime_V1_PodSandbox]

    func createContainer(in sandboxID: String, config: Runtime_V1_ContainerConfig, sandboxConfig: Runtime_V1_PodSandboxConfig) async throws -> String
    func startContainer(_ id: String) async throws
    /// Stops a container: SIGTERM (or the image's stop signal), then SIGKILL after `timeout` seconds.
    func stopContainer(_ id: String, timeout: Int64) async throws
    func removeContainer(_ id: String) async throws
    /// Containers of the pod with that UID label, or all when nil.
    func listContainers(podUID: String?) async throws -> [Runtime_V1_Container]
    func containerStatus(_ id: String) async throws -> Runtime_V1_ContainerStatus
    /// Runs a command in a running container and waits for it, at most `timeout` seconds (0: no limit).
    func execSync(_ id: String, command: [String], timeout: Int64) async throws -> Runtime_V1_ExecSyncResponse
    /// A one-time URL on the runtime's streaming server for an interactive exec, attach or
    /// port-forward session (CRI `Exec`, `Attach`, `PortForward`); the client connects to it with
    /// an upgrade request.
    func streamingURL(for request: StreamingRequest) async throws -> String
    /// Makes the runtime write the container's log to a new file at its log path (after the
    /// kubelet renamed the old one aside).
    func reopenContainerLog(_ id: String) async throws
    /// CPU and memory of every container the runtime runs (CRI `ListContainerStats`).
    func listContainerStats() async throws -> [Runtime_V1_ContainerStats]

    /// Pulls an image and returns its reference (an image ID or digest).
    func pullImage(_ image: String, auth: Runtime_V1_AuthConfig?, sandboxConfig: Runtime_V1_PodSandboxConfig?) async throws -> String
    /// The image if present on the node, else nil.
    func imageStatus(_ image: String) async throws -> Runtime_V1_Image?
    func listImages() async throws -> [Runtime_V1_Image]
    func removeImage(_ image: String) async throws
    func imageFsInfo() async throws -> [Runtime_V1_FilesystemUsage]
}

/// A failed runtime call, with the runtime's own message.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case notFound, unavailable, deadlineExceeded, other }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
