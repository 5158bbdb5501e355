import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Where an upgrade request (exec, attach, port-forward: SPDY or WebSocket) is handed on: the
/// server connects to `host:port` (over TLS when `tls` is set), sends it the request head, and
/// from then on copies bytes both ways, so the backend's own answer — `101 Switching
/// Protocols` or an error — reaches the client unchanged (upstream's upgrade-aware proxy).
public struct UpgradeTarget: Sendable {
    public var host: String
    public var port: Int
    /// A client context for the backend; nil for plain TCP.
    public var tls: NIOSSLContext?
    /// The request line's method and target (path and query) on the backend.
    public var method: HTTPMethod
    public var uri: String
    /// The headers to send: the client's upgrade headers (`Connection`, `Upgrade`,
    /// `Sec-WebSocket-*`, `X-Stream-Protocol-Version`); `Host` is set to the backend's.
    public var headers: HTTPHeaders

    public init(host: String, port: Int, tls: NIOSSLContext? = nil, method: HTTPMethod, uri: String, headers: HTTPHeaders) {
        self.host = host
        self.port = port
        self.tls = tls
        self.method = method
        self.uri = uri
        self.headers = headers
    }

    /// The headers of `request` that belong to the upgrade, for passing on.
    public static func upgradeHeaders(of request: HTTPHeaders) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in request {
            let lower = name.lowercased()
            if lower == "connection" || lower == "upgrade" || lower.hasPrefix("sec-websocket-") || lower == "x-stream-protocol-version" || lower == "origin" {
                headers.add(name: name, value: value)
            }
        }
        return headers
    }

    /// Whether a request asks to switch protocols.
    public static func isUpgrade(_ headers: HTTPHeaders) -> Bool {
        headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" } && !headers["upgrade"].isEmpty
    }

    /// The request head as bytes on the wire.
    func requestBytes() -> String {
        var text = "\(method.rawValue) \(uri) HTTP/1.1\r\n"
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        text += "Host: \(hostHeader)\r\n"
        for (name, value) in headers where name.lowercased() != "host" && name.lowercased() != "content-length" {
            text += "\(name): \(value)\r\n"
        }
        return text + "\r\n"
    }

    /// Connects to the backend on `eventLoop` and joins it to `client` (whose raw bytes enter the
    /// pipeline after `position`); fails when the backend cannot be reached.
    func connect(joining client: any Channel, after position: (any ChannelHandler)?, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let tls = self.tls
        let host = self.host
        let request = requestBytes()
        return ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                guard let tls else { return channel.eventLoop.makeSucceededVoidFuture() }
                do {
                    let name = HostName.isIPAddress(host) ? nil : host
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { backend in
                let (front, back) = ConnectionGlue.pair()
                try backend.pipeline.syncOperations.addHandler(back)
                if let position {
                    try client.pipeline.syncOperations.addHandler(front, position: .after(position))
                } else {
                    try client.pipeline.syncOperations.addHandler(front, position: .first)
                }
                backend.writeAndFlush(ByteBuffer(string: request), promise: nil)
                client.read()
                backend.read()
            }
    }
}

enum HostName {
    static func isIPAddress(_ text: String) -> Bool { TLSSetup.addressBytes(text) != nil }
}
