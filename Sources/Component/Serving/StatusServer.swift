import NIOCore
import NIOHTTP1
import NIOPosix

/// A component's plain-HTTP/1.1 status server: `/healthz`, `/livez`, `/readyz` (from
/// `HealthChecks`), `/metrics` (from `MetricsRegistry`) and any extra routes (the kvstore's
/// etcd-style `/health`). Handlers are async and run off the event loop; responses on one
/// connection keep the order of their requests. Unknown paths get 404, methods other than GET
/// and HEAD 405.
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

    /// The path without its query, and the query's parameters.
    public struct Request: Sendable {
        public var path: String
        public var query: [String: [String]]
    }

    public typealias Handler = @Sendable (Request) async -> Response

    let channel: any Channel

    /// The port actually bound (useful when asked for port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Binds `host:port` and serves health, metrics and `routes` until `close()`.
    public init(
        host: String, port: Int, health: HealthChecks, metrics: MetricsRegistry?, routes: [String: Handler] = [:]
    ) async throws {
        var table = routes
        if let metrics {
            table["/metrics"] = { _ in
                Response(contentType: "text/plain; version=0.0.4; charset=utf-8", body: String(decoding: await metrics.render(), as: UTF8.self))
            }
        }
        let fixed = table
        let route: Handler = { request in
            if let handler = fixed[request.path] { return await handler(request) }
            if let answer = await health.answer(path: request.path, query: request.query) { return answer }
            return Response(status: 404, body: "404 page not found\n")
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(StatusHandler(route: route))
                }
            }
        channel = try await bootstrap.bind(host: host, port: port).get()
    }

    /// The server as a lifecycle service: serves until graceful shutdown, then stops listening.
    public var service: ServerService {
        ServerService(finished: { [channel] in try await channel.closeFuture.get() }, stop: { [self] in try await close() })
    }

    /// Stops listening; connections in flight finish their response.
    public func close() async throws {
        try await channel.closeListener()
    }

    static func request(uri: String) -> Request {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: [String]] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(kv[0]), default: []].append(kv.count > 1 ? String(kv[1]) : "")
            }
        }
        return Request(path: String(parts.first ?? ""), query: query)
    }
}

/// Answers each request through the async route; a response waits for the previous one on the
/// same connection, so pipelined requests are answered in order.
private final class StatusHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let route: StatusServer.Handler
    var head: HTTPRequestHead?
    var previous: EventLoopFuture<Void>?

    init(route: @escaping StatusServer.Handler) {
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let loop = context.eventLoop
            let answer: EventLoopFuture<StatusServer.Response>
            if request.method != .GET && request.method != .HEAD {
                answer = loop.makeSucceededFuture(.init(status: 405, body: "method not allowed\n"))
            } else {
                let route = self.route
                let parsed = StatusServer.request(uri: request.uri)
                answer = loop.makeFutureWithTask { await route(parsed) }
            }
            let ready = (previous ?? loop.makeSucceededVoidFuture()).flatMap { answer }
            let context = NIOLoopBound(context, eventLoop: loop)
            let handler = NIOLoopBound(self, eventLoop: loop)
            previous = ready.map { response in handler.value.write(response, for: request, context: context.value) }
        }
    }

    private func write(_ response: StatusServer.Response, for request: HTTPRequestHead, context: ChannelHandlerContext) {
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
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}
