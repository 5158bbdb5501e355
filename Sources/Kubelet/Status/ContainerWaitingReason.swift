/// Why a container is not running, as the last sync found (upstream's reason cache):
/// ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError,
/// CreateContainerError, RunContainerError… with the message shown beside it.
public struct ContainerWaitingReason: Sendable, Equatable {
    public var reason: String
    public var message: String
    public init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
