import CRIAPI

/// What the runtime holds for one pod, read back through CRI (upstream `kubecontainer.PodStatus`):
/// its sandboxes, newest first, and every container record, newest first. The pure decisions
/// (`PodSyncPlan`, `PodStatusBuilder`) read only this and the pod spec.
public struct RuntimePodStatus: Sendable, Equatable {
    public struct Sandbox: Sendable, Equatable {
        public var id: String
        public var attempt: UInt32
        public var ready: Bool
        public var ip: String
        public var additionalIPs: [String]
        public var createdAt: Int64
        public init(id: String, attempt: UInt32 = 0, ready: Bool, ip: String = "", additionalIPs: [String] = [], createdAt: Int64 = 0) {
            self.id = id
            self.attempt = attempt
            self.ready = ready
            self.ip = ip
            self.additionalIPs = additionalIPs
            self.createdAt = createdAt
        }
    }

    public struct Container: Sendable, Equatable {
        public enum State: Sendable, Equatable { case created, running, exited, unknown }
        public var id: String
        public var name: String
        public var sandboxID: String
        public var state: State
        public var restartCount: Int
        public var hash: String
        public var createdAt: Int64
        public var startedAt: Int64
        public var finishedAt: Int64
        public var exitCode: Int32
        public var reason: String
        public var message: String
        public var image: String
        public var imageRef: String
        /// The host file the container writes its termination message to, if any.
        public var messageFile: String = ""
        public var messagePolicy: String = "File"
        public init(
            id: String, name: String, sandboxID: String = "", state: State, restartCount: Int = 0, hash: String = "",
            createdAt: Int64 = 0, startedAt: Int64 = 0, finishedAt: Int64 = 0, exitCode: Int32 = 0,
            reason: String = "", message: String = "", image: String = "", imageRef: String = ""
        ) {
            self.id = id
            self.name = name
            self.sandboxID = sandboxID
            self.state = state
            self.restartCount = restartCount
            self.hash = hash
            self.createdAt = createdAt
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.exitCode = exitCode
            self.reason = reason
            self.message = message
            self.image = image
            self.imageRef = imageRef
        }
    }

    public var uid: String
    public var name: String
    public var namespace: String
    public var sandboxes: [Sandbox]
    public var containers: [Container]

    public init(uid: String, name: String = "", namespace: String = "", sandboxes: [Sandbox] = [], containers: [Container] = []) {
        self.uid = uid
        self.name = name
        self.namespace = namespace
        self.sandboxes = sandboxes.sorted { $0.createdAt > $1.createdAt }
        self.containers = containers.sorted { $0.createdAt > $1.createdAt }
    }

    /// The newest record of the container `name`, if it ever existed.
    public func latest(_ name: String) -> Container? { containers.first { $0.name == name } }

    /// Every record of `name`, newest first.
    public func records(_ name: String) -> [Container] { containers.filter { $0.name == name } }

    public var runningContainers: [Container] { containers.filter { $0.state == .running } }
}

extension RuntimePodStatus.Container.State {
    init(_ state: Runtime_V1_ContainerState) {
        switch state {
        case .containerCreated: self = .created
        case .containerRunning: self = .running
        case .containerExited: self = .exited
        default: self = .unknown
        }
    }
}

extension RuntimePodStatus.Container {
    /// A record from a CRI container status.
    public init(_ status: Runtime_V1_ContainerStatus, sandboxID: String) {
        self.init(
            id: status.id, name: status.labels[RuntimeLabels.containerName] ?? status.metadata.name, sandboxID: sandboxID,
            state: State(status.state),
            restartCount: Int(status.annotations[RuntimeLabels.restartCount] ?? "") ?? Int(status.metadata.attempt),
            hash: status.annotations[RuntimeLabels.containerHash] ?? "",
            createdAt: status.createdAt, startedAt: status.startedAt, finishedAt: status.finishedAt,
            exitCode: status.exitCode, reason: status.reason, message: status.message,
            image: status.image.image, imageRef: status.imageRef)
        messageFile = status.annotations["io.skiff.container.terminationMessageHostPath"] ?? ""
        messagePolicy = status.annotations[RuntimeLabels.terminationMessagePolicy] ?? "File"
    }
}
