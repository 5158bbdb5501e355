import NIOCore
import NIOHTTP1
import NIOPosix

/// A small plain-HTTP/1.1 server for a component's `/healthz`, `/readyz`, `/livez` and
/// `/metrics`: each path maps to a handler that returns status, content type and body.
/// Requests are answered on the event loop, so handlers must be quick and non-blocking
/// (read a lock-protected snapshot). Unknown paths get 404; methods other than GET and HEAD 405.
public final class StatusServer: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public typealias Handler = @Sendable () -> Response

    let channel: any Channel

    /// The port actually bound (useful when asked for port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Binds `host:port` and serves `routes` until `close()`.
    public init(host: String, port: Int, routes: [String: Handler]) async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(StatusHandler(routes: routes))
                }
            }
        channel = try await bootstrap.bind(host: host, port: port).get()
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Answers one request per `end` from the route table.
private final class StatusHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: [String: StatusServer.Handler]
    var head: HTTPRequestHead?

    init(routes: [String: StatusServer.Handler]) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = String(request.uri.split(separator: "?", maxSplits: 1).first ?? "")
            let response: StatusServer.Response
            if request.method != .GET && request.method != .HEAD {
                response = .init(status: 405, body: "method not allowed\n")
            } else if let handler = routes[path] {
                response = handler()
            } else {
                response = .init(status: 404, body: "404 page not found\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.utf8.count))
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: response.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
            if request.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
            }
            let keepAlive = request.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
