import APIMachinery
import AsyncHTTPClient
import CRIAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix

/// Runs one probe or lifecycle hook action against a container (upstream `prober` and
/// `lifecycle.handlerRunner`): exec through the runtime (exit 0 succeeds), HTTP GET to the pod
/// IP (a 2xx or 3xx answer succeeds; redirects are not followed), a TCP connect, or a sleep.
/// The kubelet runs in the node's network, so pod IPs are reachable as upstream's are.
public struct ProbeRunner: Sendable {
    let runtime: any ContainerRuntime

    public init(runtime: any ContainerRuntime) { self.runtime = runtime }

    /// nil on success, else the failure message (upstream's wording where it has one).
    public func exec(_ command: [String], containerID: String, timeout: Int64) async -> String? {
        do {
            let response = try await runtime.execSync(containerID, command: command, timeout: timeout)
            if response.exitCode == 0 { return nil }
            let output = String(decoding: response.stdout + response.stderr, as: UTF8.self)
            return "command \(Self.quote(command)) exited with \(response.exitCode): \(output)"
        } catch {
            return "command \(Self.quote(command)) failed: \(error)"
        }
    }

    static func quote(_ command: [String]) -> String {
        "[" + command.map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }

    /// Resolves a named port against the container's ports.
    static func port(_ value: IntOrString, container: CoreV1.Container) -> Int? {
        switch value {
        case .int(let number): return Int(number)
        case .string(let name):
            if let number = Int(name) { return number }
            return (container.ports ?? []).first { $0.name == name }.map { Int($0.containerPort) }
        }
    }

    public func httpGet(_ action: CoreV1.HTTPGetAction, podIP: String, container: CoreV1.Container, timeout: Int64) async -> String? {
        guard let port = Self.port(action.port, container: container) else { return "unknown port \(action.port)" }
        let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? podIP
        var path = action.path ?? "/"
        if !path.hasPrefix("/") { path = "/" + path }
        let scheme = (action.scheme ?? "HTTP").lowercased()
        let hostText = host.contains(":") ? "[\(host)]" : host
        var request = HTTPClientRequest(url: "\(scheme)://\(hostText):\(port)\(path)")
        request.headers.add(name: "User-Agent", value: "kube-probe/1.32")
        request.headers.add(name: "Accept", value: "*/*")
        for header in action.httpHeaders ?? [] { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        do {
            let response = try await ProbeHTTP.client.execute(request, timeout: .seconds(max(timeout, 1)))
            let code = Int(response.status.code)
            var body = try await response.body.collect(upTo: 10 * 1024)
            let text = body.readString(length: body.readableBytes) ?? ""
            if (200..<400).contains(code) { return nil }
            return "HTTP probe failed with statuscode: \(code)" + (text.isEmpty ? "" : " body: \(text)")
        } catch {
            return "Get \"\(scheme)://\(hostText):\(port)\(path)\": \(error)"
        }
    }

    public func tcp(_ action: CoreV1.TCPSocketAction, podIP: String, container: CoreV1.Container, timeout: Int64) async -> String? {
        guard let port = Self.port(action.port, container: container) else { return "unknown port \(action.port)" }
        let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? podIP
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(max(timeout, 1)))
                .connect(host: host, port: port).get()
            try await channel.close()
            return nil
        } catch {
            return "dial tcp \(host):\(port): \(error)"
        }
    }
}

extension ProbeRunner {
    /// A gRPC probe, as upstream's: `grpc.health.v1.Health/Check` on the pod's IP and the probe's
    /// port, plaintext, with the probe's service name; healthy only when the answer is SERVING.
    public func grpc(_ action: CoreV1.GRPCAction, podIP: String, timeout: Int64) async -> String? {
        let port = Int(action.port)
        let seconds = max(timeout, 1)
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = action.service ?? ""
        var options = CallOptions.defaults
        options.timeout = .seconds(seconds)
        do {
            let transport = try HTTP2ClientTransport.Posix(target: .dns(host: podIP, port: port), transportSecurity: .plaintext)
            let status = try await withGRPCClient(transport: transport) { client in
                try await Grpc_Health_V1_Health.Client(wrapping: client).check(request, options: options).status
            }
            guard status == .serving else { return "service unhealthy (responded with \"\(Self.name(status))\")" }
            return nil
        } catch let error as RPCError {
            switch error.code {
            case .unimplemented:
                return "this server doesn't implement the grpc health protocol (grpc.health.v1.Health): \(error.message)"
            case .deadlineExceeded:
                return "timeout: health rpc did not complete within \(seconds)s"
            case .unavailable:
                return "timeout: failed to connect service \"\(podIP):\(port)\" within \(seconds)s: \(error.message)"
            default:
                return "error: health rpc probe failed: \(error)"
            }
        } catch {
            return "error: health rpc probe failed: \(error)"
        }
    }

    /// The status as the protocol names it.
    static func name(_ status: Grpc_Health_V1_HealthCheckResponse.ServingStatus) -> String {
        switch status {
        case .unknown: "UNKNOWN"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        case .UNRECOGNIZED(let value): "\(value)"
        }
    }
}

/// The HTTP client of probes and hooks: TLS certificates are not verified, as upstream's
/// probes do not verify them.
enum ProbeHTTP {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = .makeClientConfiguration()
        configuration.tlsConfiguration?.certificateVerification = .none
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
