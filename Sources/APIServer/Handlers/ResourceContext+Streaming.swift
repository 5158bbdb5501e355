import APIMachinery
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// `pods/log`, `pods/exec`, `pods/attach` and `pods/portforward`: the pod's node is found from
/// `spec.nodeName`, its kubelet from the Node's address and `daemonEndpoints`, and the request
/// goes on to the kubelet's API (`/containerLogs`, `/exec`, `/attach`, `/portForward`). Logs
/// are read by this server and streamed back; exec, attach and port-forward hand the client's
/// upgraded connection to the kubelet, which hands it to the runtime's streaming server.
extension ResourceContext {
    /// `GET pods/<name>/log`.
    func podLog() async throws -> APIResponse {
        guard let name = info.name, let namespace else { throw StatusError(APIHandler.notFoundPath) }
        let options = try PodLogQuery(request: request, name: name)
        let pod = try await readPod(name)
        let container = try Self.container(in: pod, named: options.container, podName: name)
        guard let node = pod["spec"]?["nodeName"]?.stringValue, !node.isEmpty else {
            // Not yet scheduled: no log yet (upstream answers with an empty body).
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: [])
        }
        let kubelet = try await kubeletAddress(node)
        let path = "/containerLogs/\(Self.escape(namespace))/\(Self.escape(name))/\(Self.escape(container))"
        let url = Self.kubeletURL(kubelet, path: path + options.kubeletQuery)
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = .GET
        let response: HTTPClientResponse
        do {
            response = try await KubeletClient.http.execute(outgoing, timeout: .seconds(30))
        } catch {
            throw StatusError.internalError("error dialing backend: \(error)")
        }
        guard (200...206).contains(response.status.code) else {
            let body = try await response.body.collect(upTo: 64 * 1024)
            let text = String(buffer: body)
            switch response.status.code {
            case 400: throw StatusError.badRequest(text)
            case 500: throw StatusError.internalError(text)
            default: throw StatusError(code: Int(response.status.code), body: Array(text.utf8))
            }
        }
        return .push(status: 200, headers: [("Content-Type", "text/plain")], stream: KubeletClient.relay(response.body))
    }

    /// `pods/<name>/exec|attach|portforward`: an upgrade request handed on to the kubelet.
    func podConnect(_ kind: String) async throws -> APIResponse {
        guard let name = info.name, let namespace else { throw StatusError(APIHandler.notFoundPath) }
        guard UpgradeTarget.isUpgrade(request.headers) else { throw StatusError.badRequest("Upgrade request required") }
        let pod = try await readPod(name)
        guard let node = pod["spec"]?["nodeName"]?.stringValue, !node.isEmpty else {
            throw StatusError.badRequest("pod \(name) does not have a host assigned")
        }
        var query: [(String, String)] = []
        let path: String
        if kind == "portforward" {
            for port in request.query["ports"] ?? [] { query.append(("port", port)) }
            path = "/portForward/\(Self.escape(namespace))/\(Self.escape(name))"
        } else {
            let container = try Self.container(in: pod, named: request.parameter("container"), podName: name)
            for (from, to) in [("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty")] where request.flag(from) == true {
                query.append((to, "1"))
            }
            if kind == "exec" {
                for command in request.query["command"] ?? [] { query.append(("command", command)) }
            }
            path = "/\(kind)/\(Self.escape(namespace))/\(Self.escape(name))/\(Self.escape(container))"
        }
        let kubelet = try await kubeletAddress(node)
        let uri = path + Self.queryString(query)
        return .upgrade(UpgradeTarget(
            host: kubelet.host, port: kubelet.port, tls: try KubeletClient.tls(), method: HTTPMethod(rawValue: request.method),
            uri: uri, headers: UpgradeTarget.upgradeHeaders(of: request.headers)))
    }

    private func readPod(_ name: String) async throws -> JSONValue {
        guard let stored = try await store.read(key(name)) else { throw StatusError.notFound(resource, name) }
        return try stored.tree()
    }

    /// The container a log or exec request is for: the one named, or the pod's only one.
    static func container(in pod: JSONValue, named requested: String?, podName: String) throws -> String {
        func names(_ field: String) -> [String] {
            (pod["spec"]?[field]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
        let containers = names("containers"), initContainers = names("initContainers"), ephemeral = names("ephemeralContainers")
        guard let requested, !requested.isEmpty else {
            switch containers.count {
            case 1: return containers[0]
            case 0: throw StatusError.badRequest("a container name must be specified for pod \(podName)")
            default:
                // Every container, init containers first, as upstream's validateContainer lists them.
                let all = (initContainers + containers + ephemeral).joined(separator: " ")
                throw StatusError.badRequest("a container name must be specified for pod \(podName), choose one of: [\(all)]")
            }
        }
        guard (containers + initContainers + ephemeral).contains(requested) else {
            throw StatusError.badRequest("container \(requested) is not valid for pod \(podName)")
        }
        return requested
    }

    /// The node's kubelet address, read from the stored Node.
    func kubeletAddress(_ nodeName: String) async throws -> (host: String, port: Int) {
        guard let nodes = handler.registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "nodes")) else {
            throw StatusError.internalError("nodes are not served")
        }
        let store = handler.stores.store(for: nodes)
        guard let stored = try await store.read(store.key(namespace: nil, name: nodeName)) else {
            throw StatusError(.failure(.notFound, message: "nodes \"\(nodeName)\" not found",
                                       details: MetaV1.StatusDetails(kind: "nodes", name: nodeName)))
        }
        guard let address = Self.kubeletAddress(node: try stored.tree()) else {
            throw StatusError.badRequest("no preferred addresses found; known addresses: []")
        }
        return address
    }

    /// A Node's kubelet: its first InternalIP (then ExternalIP, then Hostname) and the port in
    /// `status.daemonEndpoints` (10250 when unset); nil without an address.
    static func kubeletAddress(node: JSONValue) -> (host: String, port: Int)? {
        let addresses = node["status"]?["addresses"]?.arrayValue ?? []
        var host: String?
        for type in ["InternalIP", "ExternalIP", "Hostname"] where host == nil {
            host = addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue
        }
        guard let host else { return nil }
        var port = 10250
        if case .int(let value)? = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"], value > 0 { port = Int(value) }
        return (host, port)
    }

    /// `https://host:port` of a kubelet, IPv6 hosts in brackets.
    static func kubeletURL(_ address: (host: String, port: Int), path: String) -> String {
        "https://\(address.host.contains(":") ? "[\(address.host)]" : address.host):\(address.port)\(path)"
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? segment
    }

    static func queryString(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        return "?" + pairs.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

/// `PodLogOptions` from a `pods/log` query, checked as upstream's validation does (422).
struct PodLogQuery {
    var container: String?
    var kubeletQuery: String

    init(request: APIRequest, name: String) throws {
        container = request.parameter("container")
        var causes: [MetaV1.StatusCause] = []
        var pairs: [(String, String)] = []
        for flag in ["follow", "previous", "timestamps"] where request.flag(flag) == true { pairs.append((flag, "true")) }
        func number(_ field: String, minimum: Int64) {
            guard let text = request.parameter(field), !text.isEmpty else { return }
            guard let value = Int64(text) else {
                causes.append(MetaV1.StatusCause(field: field, message: "Invalid value: \"\(text)\": must be an integer", reason: "FieldValueInvalid"))
                return
            }
            if value < minimum {
                let bound = minimum == 0 ? "must be greater than or equal to 0" : "must be greater than 0"
                causes.append(MetaV1.StatusCause(field: field, message: "Invalid value: \(value): \(bound)", reason: "FieldValueInvalid"))
                return
            }
            pairs.append((field, String(value)))
        }
        number("tailLines", minimum: 0)
        number("limitBytes", minimum: 1)
        number("sinceSeconds", minimum: 1)
        if let since = request.parameter("sinceTime"), !since.isEmpty {
            if request.parameter("sinceSeconds").map({ !$0.isEmpty }) ?? false {
                causes.append(MetaV1.StatusCause(field: "sinceSeconds", message: "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", reason: "FieldValueForbidden"))
            }
            do {
                _ = try RFC3339.parse(since)
                pairs.append(("sinceTime", since))
            } catch {
                causes.append(MetaV1.StatusCause(field: "sinceTime", message: "Invalid value: \"\(since)\": must be an RFC 3339 time", reason: "FieldValueInvalid"))
            }
        }
        if !causes.isEmpty {
            throw StatusError(.invalid(group: "", kind: "PodLogOptions", name: name, causes: causes))
        }
        kubeletQuery = ResourceContext.queryString(pairs)
    }
}

/// How the apiserver reaches kubelets: HTTPS without checking the kubelet's certificate, as
/// kube-apiserver does without `--kubelet-certificate-authority` (the security issue adds it).
enum KubeletClient {
    static func configuration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    /// A TLS context for upgraded connections (HTTP/1.1 only).
    static func tls() throws -> NIOSSLContext {
        var tls = configuration()
        tls.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: tls)
    }

    /// A backend's response body streamed to the client as it comes. A backend that goes away
    /// mid-body ends the client's body there, as upstream's proxy does.
    static func relay(_ body: HTTPClientResponse.Body) -> BufferedPushStream {
        BufferedPushStream { stream in
            do {
                for try await chunk in body where !(await stream.write(Array(buffer: chunk))) { return }
            } catch {
                return
            }
        }
    }

    /// The HTTP client for logs; it lives as long as the process.
    static let http: HTTPClient = {
        var config = HTTPClient.Configuration(tlsConfiguration: configuration())
        config.timeout.connect = .seconds(30)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()
}
