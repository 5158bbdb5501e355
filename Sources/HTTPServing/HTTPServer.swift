import APIMachinery
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS

/// The apiserver's listener: HTTP/1.1, and over TLS HTTP/2 as well (negotiated by ALPN).
/// Request bodies are read fully up to `maxBodyBytes` (413 beyond), then handed to the
/// `RequestHandler`; streaming responses are written as chunks with the client's pace as
/// back-pressure and are cancelled when the client goes away. Slow clients are dropped by the
/// `Limits` timeouts.
public enum HTTPServer {
    /// Kubernetes' limit on a request body (3 MiB).
    public static let maxBodyBytes = 3 * 1024 * 1024

    /// How long a client may take, as kube-apiserver's `http.Server` settings: a connection
    /// that has not sent what it owes in time is closed.
    public struct Limits: Sendable {
        /// The TLS handshake.
        public var handshake: TimeAmount = .seconds(32)
        /// The first request's head, from the connection's start (Go's `ReadHeaderTimeout`).
        public var header: TimeAmount = .seconds(32)
        /// A request's body, from its head (the apiserver's 60 s request timeout).
        public var body: TimeAmount = .seconds(60)
        /// The next request on a kept-alive HTTP/1.1 connection (Go's `IdleTimeout`).
        public var idle: TimeAmount = .seconds(90)
        public init() {}
    }

    public static func start(
        host: String, port: Int, tls: NIOSSLContext?, handler: any RequestHandler, limits: Limits = Limits()
    ) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard let tls else { return configureHTTP1(channel, handler: handler, limits: limits) }
                do {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.addHandler(HandshakeTimeoutHandler(timeout: limits.handshake))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return channel.configureHTTP2SecureUpgrade(
                    h2ChannelConfigurator: { channel in
                        channel.configureHTTP2Pipeline(mode: .server) { stream in
                            stream.pipeline.addHandlers([
                                HTTP2FramePayloadToHTTP1ServerCodec(),
                                HTTPRequestHandler(handler: handler, http2: true, limits: limits),
                            ])
                        }.map { _ in }
                    },
                    http1ChannelConfigurator: { channel in configureHTTP1(channel, handler: handler, limits: limits) })
            }
            .bind(host: host, port: port).get()
    }

    private static func configureHTTP1(_ channel: any Channel, handler: any RequestHandler, limits: Limits) -> EventLoopFuture<Void> {
        channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
            channel.pipeline.addHandler(HTTPRequestHandler(handler: handler, http2: false, limits: limits))
        }
    }
}

/// One connection's (or HTTP/2 stream's) request handling.
final class HTTPRequestHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: any RequestHandler
    private let http2: Bool
    private let limits: HTTPServer.Limits
    /// The deadline the client must meet next (head, body or next request); nil while the
    /// server is answering.
    private var deadline: Scheduled<Void>?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var task: Task<Void, Never>?
    private var push: (any PushStream)?

    init(handler: any RequestHandler, http2: Bool, limits: HTTPServer.Limits = HTTPServer.Limits()) {
        self.handler = handler
        self.http2 = http2
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // An HTTP/2 stream's head comes whole in one frame; an HTTP/1.1 one may trickle in.
        if !http2 { expect(within: limits.header, context: context) }
    }

    /// Closes the connection unless the client's next step comes within `time`.
    private func expect(within time: TimeAmount?, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        guard let time else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: time) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
            expect(within: limits.body, context: context)
        case .body(var buffer):
            if tooLarge { return }
            if body.count + buffer.readableBytes > HTTPServer.maxBodyBytes {
                tooLarge = true
                body = []
                return
            }
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            expect(within: nil, context: context)
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            if tooLarge {
                let status = MetaV1.Status.failure(
                    .requestEntityTooLarge, message: "Request entity too large: limit is 3145728")
                respond(context: context, response: status.response, keepAlive: false)
                return
            }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
            body = []
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let handler = handler
            task = Task {
                let response = await handler.handle(request)
                loop.execute {
                    let (me, context) = bound.value
                    me.respond(context: context, response: response, keepAlive: keepAlive)
                }
            }
        }
    }

    private func respond(context: ChannelHandlerContext, response: APIResponse, keepAlive: Bool) {
        guard context.channel.isActive else {
            if case .push(_, _, let stream) = response { stream.cancel() }
            return
        }
        switch response {
        case .full(let status, let headers, let body):
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "Content-Length", value: String(body.count))
            if !keepAlive && !http2 { fields.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(
                version: http2 ? .http2 : .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive && !http2 { done.whenComplete { _ in context.close(promise: nil) } }
            if keepAlive && !http2 { expect(within: limits.idle, context: context) }
        case .push(let status, let headers, let stream):
            var fields = HTTPHeaders(headers)
            if !http2 { fields.replaceOrAdd(name: "Transfer-Encoding", value: "chunked") }
            let head = HTTPResponseHead(
                version: http2 ? .http2 : .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            push = stream
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            stream.start {
                loop.execute {
                    let (me, context) = bound.value
                    me.pushReady(context: context)
                }
            }
        case .upgrade(let target):
            guard !http2 else {
                let status = MetaV1.Status.failure(.badRequest, message: "upgrade requests need HTTP/1.1")
                respond(context: context, response: status.response, keepAlive: keepAlive)
                return
            }
            takeOver(context: context, target: target)
        }
    }

    /// Hands the connection to `target`: reading pauses while the backend is dialled, then the
    /// HTTP handlers leave the pipeline and a byte pipe joins the two connections. A backend
    /// that cannot be reached gets the client a 500 Status, as upstream's "error dialing backend".
    private func takeOver(context: ChannelHandlerContext, target: UpgradeTarget) {
        let channel = context.channel
        Self.setAutoRead(channel, false)
        let tls = Self.handler(NIOSSLServerHandler.self, in: channel.pipeline)
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        target.connect(joining: channel, after: tls, on: loop).whenComplete { result in
            let (me, context) = bound.value
            switch result {
            case .success:
                me.leavePipeline(context: context)
                Self.setAutoRead(channel, true)
            case .failure(let error):
                Self.setAutoRead(channel, true)
                let status = MetaV1.Status.failure(.internalError, message: "error dialing backend: \(error)")
                me.respond(context: context, response: status.response, keepAlive: false)
            }
        }
    }

    /// Removes the HTTP/1.1 codec and this handler once the connection carries raw bytes.
    private func leavePipeline(context: ChannelHandlerContext) {
        let pipeline = context.pipeline
        let codec: [(any RemovableChannelHandler)?] = [
            Self.handler(HTTPServerPipelineHandler.self, in: pipeline),
            Self.handler(HTTPServerProtocolErrorHandler.self, in: pipeline),
            Self.handler(HTTPResponseEncoder.self, in: pipeline),
            Self.handler(ByteToMessageHandler<HTTPRequestDecoder>.self, in: pipeline),
        ]
        for handler in codec.compactMap({ $0 }) { pipeline.syncOperations.removeHandler(handler, promise: nil) }
        pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Turns automatic reading on or off; a channel that refuses is closed.
    private static func setAutoRead(_ channel: any Channel, _ on: Bool) {
        do { try channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on) } catch { channel.close(promise: nil) }
    }

    /// The pipeline's handler of type `type`, or nil when it has none.
    private static func handler<H: ChannelHandler>(_ type: H.Type, in pipeline: ChannelPipeline) -> H? {
        do { return try pipeline.syncOperations.handler(type: type) } catch { return nil }
    }

    /// Writes what the push stream has, while the client keeps up; called after each ready
    /// signal and when the channel becomes writable again.
    private func pushReady(context: ChannelHandlerContext) {
        guard let push, context.channel.isActive else { return }
        guard context.channel.isWritable else {
            // The client stopped reading; once the stream has ended there is nothing to wait for.
            if push.isEnded {
                self.push = nil
                context.close(promise: nil)
            }
            return
        }
        let (bytes, ended) = push.take()
        if !bytes.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        }
        if ended {
            self.push = nil
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            if !http2 { expect(within: limits.idle, context: context) }
        }
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pushReady(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        expect(within: nil, context: context)
        task?.cancel()
        task = nil
        push?.cancel()
        push = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        task?.cancel()
        push?.cancel()
        push = nil
        context.close(promise: nil)
    }
}

/// Closes a connection whose TLS handshake has not finished within `timeout`, then steps
/// out of the pipeline.
final class HandshakeTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if case .handshakeCompleted? = event as? TLSUserEvent {
            deadline?.cancel()
            deadline = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadline?.cancel() }
}
