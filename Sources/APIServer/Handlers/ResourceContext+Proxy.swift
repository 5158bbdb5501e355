import APIMachinery
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// `nodes/<name>/proxy/<path>` (to the node's kubelet API, HTTPS) and
/// `pods/<name>/proxy/<path>` (to the pod's IP, HTTP), the name optionally
/// `[<scheme>:]<name>[:<port>]` as upstream. Upgrade requests are handed on; others are sent
/// with their method, query, body and content headers, and the answer is streamed back as is.
extension ResourceContext {
    func proxy() async throws -> APIResponse {
        guard let raw = info.name else { throw StatusError(APIHandler.notFoundPath) }
        let (scheme, name, port) = try Self.proxyName(raw)
        let host: String, targetPort: Int, tls: Bool
        if resource.gvk.kind == "Node" {
            let kubelet = try await kubeletAddress(name)
            (host, targetPort, tls) = (kubelet.host, port ?? kubelet.port, scheme != "http")
        } else {
            guard let stored = try await store.read(key(name)) else { throw StatusError.notFound(resource, name) }
            let pod = try stored.tree()
            guard let ip = pod["status"]?["podIP"]?.stringValue, !ip.isEmpty else {
                throw StatusError(.failure(.serviceUnavailable, message: "pod \(name) has no IP address yet"))
            }
            (host, targetPort, tls) = (ip, port ?? 80, scheme == "https")
        }
        var pairs: [(String, String)] = []
        for (key, values) in request.query.sorted(by: { $0.key < $1.key }) { for value in values { pairs.append((key, value)) } }
        let path = "/" + (info.subpath ?? "") + Self.queryString(pairs)
        if UpgradeTarget.isUpgrade(request.headers) {
            return .upgrade(UpgradeTarget(
                host: host, port: targetPort, tls: tls ? try KubeletClient.tls() : nil, method: HTTPMethod(rawValue: request.method),
                uri: path, headers: UpgradeTarget.upgradeHeaders(of: request.headers)))
        }
        let authority = host.contains(":") ? "[\(host)]:\(targetPort)" : "\(host):\(targetPort)"
        var outgoing = HTTPClientRequest(url: "\(tls ? "https" : "http")://\(authority)\(path)")
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in ["Accept", "Content-Type", "Accept-Encoding"] {
            if let value = request.headers.first(name: header) { outgoing.headers.add(name: header, value: value) }
        }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response: HTTPClientResponse
        do {
            response = try await KubeletClient.http.execute(outgoing, timeout: .seconds(30))
        } catch {
            throw StatusError(.failure(.serviceUnavailable, message: "error trying to reach service: \(error)"))
        }
        var headers: [(String, String)] = []
        for header in ["Content-Type", "Content-Encoding", "Location"] {
            if let value = response.headers.first(name: header) { headers.append((header, value)) }
        }
        return .push(status: Int(response.status.code), headers: headers, stream: KubeletClient.relay(response.body))
    }

    /// `[<scheme>:]<name>[:<port>]`.
    static func proxyName(_ text: String) throws -> (scheme: String?, name: String, port: Int?) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func port(_ text: String) throws -> Int? {
            if text.isEmpty { return nil }
            guard let value = Int(text), (1...65535).contains(value) else { throw StatusError.badRequest("invalid port \"\(text)\"") }
            return value
        }
        switch parts.count {
        case 1: return (nil, parts[0], nil)
        case 2: return (nil, parts[0], try port(parts[1]))
        case 3:
            guard parts[0] == "http" || parts[0] == "https" else { throw StatusError.badRequest("invalid scheme \"\(parts[0])\"") }
            return (parts[0], parts[1], try port(parts[2]))
        default: throw StatusError.badRequest("invalid name \"\(text)\"")
        }
    }
}
