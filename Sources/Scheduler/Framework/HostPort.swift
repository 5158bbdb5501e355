import APIMachinery

/// A host port a container asks for: address, protocol and port, defaulted as upstream
/// (`0.0.0.0` for an empty address, `TCP` for an empty protocol).
public struct HostPort: Sendable, Hashable {
    /// The wildcard address: a port bound on it conflicts with the same port on any address.
    public static let anyAddress = "0.0.0.0"

    public var ip: String
    public var `protocol`: String
    public var port: Int32

    public init(ip: String = "", protocol: String = "", port: Int32) {
        self.ip = ip.isEmpty ? Self.anyAddress : ip
        self.protocol = `protocol`.isEmpty ? "TCP" : `protocol`
        self.port = port
    }

    /// The host ports a pod binds (upstream `GetHostPorts`): ports with `hostPort > 0` of its
    /// restartable (sidecar) init containers and of its containers. Ordinary init containers do
    /// not count: they have finished before the pod runs.
    public static func ports(of pod: CoreV1.Pod) -> [HostPort] {
        guard let spec = pod.spec else { return [] }
        var result: [HostPort] = []
        for container in spec.initContainers ?? [] where container.restartPolicy == "Always" {
            append(container.ports, to: &result)
        }
        for container in spec.containers { append(container.ports, to: &result) }
        return result
    }

    private static func append(_ ports: [CoreV1.ContainerPort]?, to result: inout [HostPort]) {
        for port in ports ?? [] {
            guard let hostPort = port.hostPort, hostPort > 0 else { continue }
            result.append(HostPort(ip: port.hostIP ?? "", protocol: port.protocol ?? "", port: hostPort))
        }
    }
}

/// The host ports in use on a node, with upstream's conflict rule (`HostPortInfo`): a wanted
/// port conflicts with a used one of the same protocol and number when either address is the
/// wildcard `0.0.0.0` or both addresses are equal.
///
/// Uses are counted, so two pods recorded on the same port (possible only through assumed
/// pods racing a real binding) release it one at a time.
public struct HostPortUsage: Sendable, Hashable {
    private struct ProtocolPort: Hashable, Sendable {
        var `protocol`: String
        var port: Int32
    }

    /// Per protocol and port, the addresses bound and how many uses each has.
    private var uses: [ProtocolPort: [String: Int]] = [:]

    public init() {}

    /// True when no port is in use.
    public var isEmpty: Bool { uses.isEmpty }

    /// Records one use of `port`.
    public mutating func add(_ port: HostPort) {
        uses[ProtocolPort(protocol: port.protocol, port: port.port), default: [:]][port.ip, default: 0] += 1
    }

    /// Releases one use of `port`; releasing an unused port does nothing.
    public mutating func remove(_ port: HostPort) {
        let key = ProtocolPort(protocol: port.protocol, port: port.port)
        guard var addresses = uses[key], let count = addresses[port.ip] else { return }
        if count > 1 { addresses[port.ip] = count - 1 } else { addresses[port.ip] = nil }
        uses[key] = addresses.isEmpty ? nil : addresses
    }

    /// Whether binding `port` would conflict with a port in use. Ports ≤ 0 never conflict.
    public func conflicts(with port: HostPort) -> Bool {
        guard port.port > 0, let addresses = uses[ProtocolPort(protocol: port.protocol, port: port.port)] else {
            return false
        }
        if port.ip == HostPort.anyAddress { return !addresses.isEmpty }
        return addresses[HostPort.anyAddress] != nil || addresses[port.ip] != nil
    }
}
