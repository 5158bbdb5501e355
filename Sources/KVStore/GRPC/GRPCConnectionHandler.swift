import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Serves the gRPC calls of one HTTP/2 connection, sitting right after `NIOHTTP2Handler`.
///
/// There is no channel per stream: each call is a small record in a table keyed by stream ID,
/// which keeps a unary call down to one task (the method body) and one hop back to the event
/// loop to write its response.
///
/// Contract:
/// - A unary call runs once its request is complete (END_STREAM) and answers HEADERS, DATA,
///   trailers; a streaming call runs from its HEADERS, gets each request as it completes, and
///   ends with trailers when its body returns or throws. Errors before any response message
///   go out as a Trailers-Only response.
/// - A stream reset by the client, or the connection closing, cancels the call's task and
///   ends its request sequence; a response for a call that is gone is dropped.
/// - Flow control: every byte received is given back to the client (connection and stream
///   windows) once read; request size is bounded by `maximumMessageBytes` per message.
///   Responses on a stream wait (the writer suspends) while more than `responseHighWater`
///   bytes of that stream are not yet on the socket.
/// - Only this connection is affected by what its client sends.
final class GRPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// The stream window this server advertises, and the connection window it grants.
    static let streamWindow = 1 << 20
    static let connectionWindow = 16 << 20
    static let responseHighWater = 1 << 20

    private struct Call {
        let route: GRPCRoute
        var reader: GRPCMessageReader
        var unacknowledged = 0
        var request: ByteBuffer?
        var requests: AsyncStream<ByteBuffer>.Continuation?
        var task: Task<Void, Never>?
        var sentHeaders = false
        var pendingBytes = 0
        /// The call already answered (an early error); what the client still sends is dropped.
        var answered = false
    }

    private let routes: [String: GRPCRoute]
    private let maximumMessageBytes: Int
    private var calls: [HTTP2StreamID: Call] = [:]
    private var connectionUnacknowledged = 0
    private var grantedConnectionWindow = false
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var wroteInRead = false

    init(routes: [String: GRPCRoute], maximumMessageBytes: Int) {
        self.routes = routes
        self.maximumMessageBytes = maximumMessageBytes
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelAll()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers):
            if !grantedConnectionWindow {
                grantedConnectionWindow = true
                write(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: Self.connectionWindow - 65_535)))
            }
            if calls[frame.streamID] == nil {
                open(frame.streamID, headers: headers.headers, endStream: headers.endStream)
            } else if headers.endStream {
                // Trailers from the client: its requests are complete.
                endOfRequests(frame.streamID)
            }
        case .data(let payload):
            guard case .byteBuffer(let bytes) = payload.data else { return }
            let length = bytes.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0)
            received(bytes, length: length, on: frame.streamID, endStream: payload.endStream)
        default:
            // SETTINGS, PING, WINDOW_UPDATE, GOAWAY are NIOHTTP2Handler's; resets arrive as
            // StreamClosedEvent.
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if wroteInRead {
            wroteInRead = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent, let call = calls.removeValue(forKey: closed.streamID) {
            call.requests?.finish()
            call.task?.cancel()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Writes racing a client's reset fail on their own; anything else is the peer breaking
        // HTTP/2 (NIOHTTP2Handler has sent GOAWAY): drop this connection only.
        if error is NIOHTTP2Errors.NoSuchStream || error is NIOHTTP2Errors.StreamClosed { return }
        context.close(promise: nil)
    }

    // MARK: - Requests

    private func open(_ id: HTTP2StreamID, headers: HPACKHeaders, endStream: Bool) {
        guard headers.first(name: "content-type")?.hasPrefix("application/grpc") == true else {
            write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: [":status": "415"], endStream: true))))
            return
        }
        let path = headers.first(name: ":path") ?? ""
        guard let route = routes[path] else {
            let method = path.split(separator: "/", omittingEmptySubsequences: true)
            let message = method.count == 2 && routes.keys.contains(where: { $0.hasPrefix("/\(method[0])/") })
                ? "unknown method \(method[1]) for service \(method[0])"
                : "unknown service \(method.first.map(String.init) ?? path)"
            answerEarly(id, RPCError(code: .unimplemented, message: message), endStream: endStream)
            return
        }
        calls[id] = Call(route: route, reader: GRPCMessageReader(maximumBytes: maximumMessageBytes))
        if case .streaming(let body) = route { startStreaming(id, body) }
        if endStream { endOfRequests(id) }
    }

    private func received(_ bytes: ByteBuffer, length: Int, on id: HTTP2StreamID, endStream: Bool) {
        connectionUnacknowledged += length
        if connectionUnacknowledged >= Self.connectionWindow / 4 {
            write(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: connectionUnacknowledged)))
            connectionUnacknowledged = 0
        }
        guard var call = calls[id], !call.answered else { return }
        if !endStream {
            call.unacknowledged += length
            if call.unacknowledged >= Self.streamWindow / 4 {
                write(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: call.unacknowledged)))
                call.unacknowledged = 0
            }
        }
        call.reader.append(bytes)
        do {
            while let message = try call.reader.next() {
                if let requests = call.requests {
                    requests.yield(message)
                } else if call.request == nil {
                    call.request = message
                } else {
                    throw RPCError(code: .internalError, message: "grpc: too many request messages for a unary call")
                }
            }
        } catch {
            calls[id] = call
            answerEarly(id, Self.status(of: error), endStream: endStream)
            return
        }
        calls[id] = call
        if endStream { endOfRequests(id) }
    }

    private func endOfRequests(_ id: HTTP2StreamID) {
        guard let call = calls[id], !call.answered else { return }
        switch call.route {
        case .streaming:
            call.requests?.finish()
        case .unary(let body):
            guard let request = call.request else {
                answerEarly(id, RPCError(code: .internalError, message: "grpc: the client sent no request message"), endStream: true)
                return
            }
            calls[id]!.request = nil
            calls[id]!.task = Self.run(body, request, id, loopBound, executor)
        }
    }

    /// Answers a call that failed before its body ran; a client still sending is told to stop.
    private func answerEarly(_ id: HTTP2StreamID, _ error: RPCError, endStream: Bool) {
        let sentHeaders = calls[id]?.sentHeaders ?? false
        if calls[id] != nil {
            calls[id]!.answered = true
            calls[id]!.requests?.finish()
            calls[id]!.task?.cancel()
        }
        write(HTTP2Frame(streamID: id, payload: .headers(.init(
            headers: sentHeaders ? GRPCWire.trailers(error) : GRPCWire.trailersOnly(error), endStream: true))))
        if !endStream { write(HTTP2Frame(streamID: id, payload: .rstStream(.noError))) }
    }

    // MARK: - Responses

    private var loopBound: NIOLoopBound<GRPCConnectionHandler> {
        NIOLoopBound(self, eventLoop: context!.eventLoop)
    }

    /// Calls' tasks run on this connection's event loop.
    private(set) lazy var executor = EventLoopTaskExecutor(context!.eventLoop)

    private func finishUnary(_ id: HTTP2StreamID, _ result: Result<[UInt8], RPCError>) {
        guard let context, calls.removeValue(forKey: id) != nil else { return }
        switch result {
        case .success(let message):
            write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: GRPCWire.responseHeaders))))
            let data = GRPCWire.framed(message, allocator: context.channel.allocator)
            write(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(data)))))
            write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: GRPCWire.trailers(nil), endStream: true))))
        case .failure(let error):
            write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: GRPCWire.trailersOnly(error), endStream: true))))
        }
        scheduleFlush()
    }

    private func startStreaming(_ id: HTTP2StreamID, _ body: @escaping @Sendable (AsyncStream<ByteBuffer>, GRPCStreamWriter) async throws -> Void) {
        let (requests, continuation) = AsyncStream<ByteBuffer>.makeStream()
        calls[id]!.requests = continuation
        calls[id]!.task = Self.run(body, requests, id, loopBound)
    }

    /// The task of a unary call: runs the body, then writes the response on the event loop.
    private static func run(
        _ body: @escaping @Sendable (ByteBuffer) async throws -> [UInt8], _ request: ByteBuffer,
        _ id: HTTP2StreamID, _ handler: NIOLoopBound<GRPCConnectionHandler>, _ executor: EventLoopTaskExecutor
    ) -> Task<Void, Never> {
        Task(executorPreference: executor) {
            let result: Result<[UInt8], RPCError>
            do { result = .success(try await body(request)) } catch { result = .failure(status(of: error)) }
            if handler.eventLoop.inEventLoop {
                handler.value.finishUnary(id, result)
            } else {
                handler.eventLoop.execute { handler.value.finishUnary(id, result) }
            }
        }
    }

    /// The task of a streaming call: runs the body, then ends the call on the event loop.
    private static func run(
        _ body: @escaping @Sendable (AsyncStream<ByteBuffer>, GRPCStreamWriter) async throws -> Void,
        _ requests: AsyncStream<ByteBuffer>, _ id: HTTP2StreamID, _ handler: NIOLoopBound<GRPCConnectionHandler>
    ) -> Task<Void, Never> {
        Task {
            let outcome: RPCError?
            do {
                try await body(requests, GRPCStreamWriter(handler: handler, streamID: id))
                outcome = nil
            } catch {
                outcome = status(of: error)
            }
            handler.eventLoop.execute { handler.value.finishStreaming(id, outcome) }
        }
    }

    private func finishStreaming(_ id: HTTP2StreamID, _ status: RPCError?) {
        guard let call = calls.removeValue(forKey: id), !call.answered else { return }
        call.requests?.finish()
        let trailers = call.sentHeaders ? GRPCWire.trailers(status) : GRPCWire.trailersOnly(status)
        write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: trailers, endStream: true))))
        scheduleFlush()
    }

    /// Writes one response message of a streaming call. Returns a future to wait for when the
    /// stream has more than `responseHighWater` bytes not yet written; throws when the call is gone.
    func send(_ message: [UInt8], on id: HTTP2StreamID) throws -> EventLoopFuture<Void>? {
        guard let context, var call = calls[id], !call.answered else { throw RPCError(code: .cancelled, message: "the call ended") }
        if !call.sentHeaders {
            call.sentHeaders = true
            write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: GRPCWire.responseHeaders))))
        }
        let data = GRPCWire.framed(message, allocator: context.channel.allocator)
        let size = data.readableBytes
        call.pendingBytes += size
        let waitFor = call.pendingBytes > Self.responseHighWater
        calls[id] = call
        let promise = context.eventLoop.makePromise(of: Void.self)
        let handler = loopBound
        promise.futureResult.whenComplete { _ in handler.value.calls[id]?.pendingBytes -= size }
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(data))))), promise: promise)
        scheduleFlush()
        return waitFor ? promise.futureResult : nil
    }

    private func write(_ frame: HTTP2Frame) {
        guard let context else { return }
        context.write(wrapOutboundOut(frame), promise: nil)
        wroteInRead = true
    }

    /// One flush for everything written in this turn of the event loop.
    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        let handler = loopBound
        context.eventLoop.execute {
            let this = handler.value
            this.flushScheduled = false
            this.wroteInRead = false
            this.context?.flush()
        }
    }

    private func cancelAll() {
        for call in calls.values {
            call.requests?.finish()
            call.task?.cancel()
        }
        calls = [:]
    }

    static func status(of error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(code: .cancelled, message: "the call was cancelled") }
        return RPCError(code: .internalError, message: "\(error)")
    }
}

/// Writes the responses of one streaming call, from any task.
public struct GRPCStreamWriter: Sendable {
    let handler: NIOLoopBound<GRPCConnectionHandler>
    let streamID: HTTP2StreamID

    /// Sends one response message; suspends while the client is not reading fast enough.
    public func write(_ message: [UInt8]) async throws {
        let handler = handler, id = streamID
        if let written = try await handler.eventLoop.submit({ try handler.value.send(message, on: id) }).get() {
            try await written.get()
        }
    }
}
