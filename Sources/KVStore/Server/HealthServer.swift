import NIOCore
import NIOHTTP1
import NIOPosix

/// `/health` and `/metrics` over plain HTTP/1.1 on `--listen-metrics-urls`, as etcd serves
/// them (etcd also multiplexes them onto the client port; here they have their own port).
public enum HealthServer {
    public static func start(host: String, port: Int, backend: KVBackend) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HealthHandler(backend: backend))
                }
            }
            .bind(host: host, port: port).get()
    }
}

final class HealthHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let backend: KVBackend
    private var path = ""

    init(backend: KVBackend) { self.backend = backend }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix { $0 != "?" })
        case .body:
            break
        case .end:
            let path = path
            let backend = backend
            let loop = context.eventLoop
            let ctx = NIOLoopBound(context, eventLoop: loop)
            let handler = NIOLoopBound(self, eventLoop: loop)
            loop.makeFutureWithTask { () -> (HTTPResponseStatus, String, String) in
                switch path {
                case "/health":
                    let (ok, body) = await backend.healthJSON()
                    return (ok ? .ok : .serviceUnavailable, "application/json", body)
                case "/metrics":
                    return (.ok, "text/plain; version=0.0.4", await backend.prometheusText())
                default:
                    return (.notFound, "text/plain", "404 page not found\n")
                }
            }.whenSuccess { status, type, body in
                handler.value.respond(context: ctx.value, status: status, type: type, body: body)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, body: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
