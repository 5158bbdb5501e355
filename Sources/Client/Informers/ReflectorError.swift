/// Errors a `ListWatchSource` throws that the reflector treats specially; any other error is
/// retried with back-off.
public enum ReflectorError: Error, Sendable, Hashable {
    /// 410 Gone (reason `Expired`): the resourceVersion asked for is older than the server
    /// still remembers. The reflector lists again instead of watching.
    case expired
}
