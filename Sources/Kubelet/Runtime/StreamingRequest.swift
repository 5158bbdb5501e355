/// Which standard streams an exec or attach session carries.
public struct StreamSelection: Sendable, Equatable {
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(stdin: Bool = false, stdout: Bool = false, stderr: Bool = false, tty: Bool = false) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }
}

/// An interactive session asked of the runtime's streaming server.
public enum StreamingRequest: Sendable, Equatable {
    case exec(containerID: String, command: [String], streams: StreamSelection)
    case attach(containerID: String, streams: StreamSelection)
    /// Ports may be empty: the client then names them per stream.
    case portForward(sandboxID: String, ports: [Int32])
}
