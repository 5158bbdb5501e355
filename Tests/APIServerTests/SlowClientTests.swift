import APIMachinery
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOTLS
import Synchronization
import Testing
@testable import APIServer
@testable import HTTPServing

/// Slow and greedy clients: the connection timeouts of `HTTPRequestHandler` (on a testing
/// event loop whose time the test moves) and the in-flight limits of `InFlightLimitHandler`.
@Suite("Slow and greedy clients")
struct SlowClientTests {
    struct Answer: RequestHandler {
        func handle(_ request: APIRequest) async -> APIResponse { .full(status: 200, headers: [], body: Array("ok".utf8)) }
    }

    static var limits: HTTPServer.Limits {
        var limits = HTTPServer.Limits()
        limits.header = .seconds(32)
        limits.body = .seconds(60)
        limits.idle = .seconds(90)
        return limits
    }

    func connection() async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(HTTPRequestHandler(handler: Answer(), http2: false, limits: Self.limits))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    static let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api"))

    @Test func aClientThatNeverSendsARequestHeadIsDroppedAfterTheHeaderTimeout() async throws {
        let channel = try await connection()
        await channel.testingEventLoop.advanceTime(by: .seconds(31))
        #expect(channel.isActive)
        await channel.testingEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aBodyThatTricklesPastTheBodyTimeoutDropsTheConnection() async throws {
        let channel = try await connection()
        try await channel.writeInbound(Self.head)
        // The head came in time: the header deadline no longer applies, the body's does.
        for _ in 0..<59 {
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "x")))
            await channel.testingEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(channel.isActive)
        await channel.testingEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func anAnsweredKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let channel = try await connection()
        try await channel.writeInbound(Self.head)
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        // The answer arrives: head, body, end.
        let first = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        guard case .head(let response) = first else {
            Issue.record("expected a response head, got \(first)")
            return
        }
        #expect(response.status == .ok)
        _ = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        _ = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        await channel.testingEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive)
        await channel.testingEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    // MARK: In-flight limits

    /// Holds every request until `release()`.
    final class Held: RequestHandler {
        let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        let arrived = Atomic<Int>(0)
        func handle(_ request: APIRequest) async -> APIResponse {
            await withCheckedContinuation { continuation in
                waiting.withLock { $0.append(continuation) }
                arrived.add(1, ordering: .sequentiallyConsistent)
            }
            return .full(status: 200, headers: [], body: [])
        }
        func release() { for c in waiting.withLock({ w in defer { w.removeAll() }; return w }) { c.resume() } }
        /// Suspends (yielding) until `count` requests are held.
        func wait(for count: Int) async {
            while arrived.load(ordering: .sequentiallyConsistent) < count { await Task.yield() }
        }
    }

    static func request(_ method: String, _ uri: String) -> APIRequest { APIRequest(method: method, uri: uri, headers: HTTPHeaders(), body: []) }

    @Test func aReadOverTheLimitIsAnswered429WithRetryAfterWhileWritesAndWatchesGoOn() async throws {
        let held = Held()
        let limited = InFlightLimitHandler(held, readOnly: 2, mutating: 1)
        let reads = (0..<2).map { _ in Task { await limited.handle(Self.request("GET", "/api/v1/namespaces/default/pods")) } }
        await held.wait(for: 2)
        let refused = await limited.handle(Self.request("GET", "/api/v1/namespaces/default/pods"))
        guard case .full(let status, let headers, let body) = refused else {
            Issue.record("expected a full response")
            return
        }
        #expect(status == 429)
        #expect(headers.contains { $0.0 == "Retry-After" && $0.1 == "1" })
        let parsed = try JSONCodec.parse(body)
        #expect(parsed["reason"] == "TooManyRequests")
        #expect(parsed["message"] == "Too many requests, please try again later.")
        #expect(parsed["details"]?["retryAfterSeconds"] == 1)
        // A write and a watch are not held back by the reads.
        let write = Task { await limited.handle(Self.request("POST", "/api/v1/namespaces/default/configmaps")) }
        let watch = Task { await limited.handle(Self.request("GET", "/api/v1/namespaces/default/pods?watch=true")) }
        await held.wait(for: 4)
        // A second write is over its own limit.
        guard case .full(let writeStatus, _, _) = await limited.handle(Self.request("DELETE", "/api/v1/namespaces/default/configmaps/x")) else {
            Issue.record("expected a full response")
            return
        }
        #expect(writeStatus == 429)
        #expect(limited.rejectedCount == 2)
        held.release()
        for task in reads { _ = await task.value }
        _ = await write.value
        _ = await watch.value
        // Once the held requests end, new ones are admitted again.
        let again = Task { await limited.handle(Self.request("GET", "/api")) }
        await held.wait(for: 5)
        held.release()
        guard case .full(let againStatus, _, _) = await again.value else { return }
        #expect(againStatus == 200)
    }

    @Test(arguments: [
        ("GET", "/api/v1/namespaces/default/pods?watch=true", true), ("GET", "/api/v1/watch/pods", true),
        ("GET", "/api/v1/namespaces/default/pods/web/log", true), ("POST", "/api/v1/namespaces/default/pods/web/exec", true),
        ("GET", "/api/v1/nodes/n1/proxy/metrics", true), ("GET", "/api/v1/namespaces/default/configmaps/log", false),
        ("GET", "/api/v1/namespaces/default/pods", false), ("GET", "/api/v1/namespaces/default/pods?watch=false", false),
    ])
    func longRunningRequestsAreNotCounted(method: String, uri: String, longRunning: Bool) {
        #expect(InFlightLimitHandler.isLongRunning(Self.request(method, uri)) == longRunning)
    }
}

/// The TLS handshake deadline steps aside once the handshake is done, passing the event on
/// (ALPN picks HTTP/2 or HTTP/1.1 from it), and closes a connection that never finishes it.
@Suite("TLS handshake deadline")
struct HandshakeTimeoutTests {
    final class Recorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = NIOAny
        var events: [String] = []
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) { events.append("\(event)") }
    }

    @Test func aCompletedHandshakeIsPassedOnAndTheDeadlineRemoved() async throws {
        let recorder = Recorder()
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandlers([HandshakeTimeoutHandler(timeout: .seconds(32)), recorder])
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "h2"))
        await channel.testingEventLoop.run()
        #expect(recorder.events.count == 1)
        await #expect(throws: ChannelPipelineError.self) { try await channel.pipeline.handler(type: HandshakeTimeoutHandler.self).get() }
        await channel.testingEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
    }

    @Test func aHandshakeThatNeverEndsClosesTheConnection() async throws {
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(HandshakeTimeoutHandler(timeout: .seconds(32)))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        await channel.testingEventLoop.advanceTime(by: .seconds(31))
        #expect(channel.isActive)
        await channel.testingEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}
