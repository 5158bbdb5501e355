import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
@testable import HTTPServing

/// The upgrade hand-off of `HTTPServer` (exec, attach, port-forward): the backend's own
/// answer reaches the client unchanged, then bytes flow both ways; a backend that cannot be
/// reached gets the client a Status. Real loopback sockets, random ports.
@Suite("Upgrade proxy")
struct UpgradeProxyTests {
    /// Answers every request head with 101 and then echoes what it reads, upper-cased.
    final class Heads: Sendable {
        let seen = Mutex<[String]>([])
    }

    final class Backend: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let heads: Heads
        var upgraded = false
        var pending = ""
        init(heads: Heads) { self.heads = heads }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            if upgraded {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text.uppercased())), promise: nil)
                return
            }
            pending += text
            guard let end = pending.range(of: "\r\n\r\n") else { return }
            let head = String(pending[..<end.lowerBound])
            heads.seen.withLock { $0.append(head) }
            upgraded = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: SPDY/3.1\r\nConnection: Upgrade\r\n\r\n")), promise: nil)
        }
    }

    /// Collects what the client receives.
    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex("")
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.withLock { $0 += text }
        }
    }

    struct Handing: RequestHandler {
        let port: Int
        func handle(_ request: APIRequest) async -> APIResponse {
            .upgrade(UpgradeTarget(host: "127.0.0.1", port: port, method: .POST, uri: "/exec/token?x=1",
                                   headers: UpgradeTarget.upgradeHeaders(of: request.headers)))
        }
    }

    static func wait(for condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    func client(port: Int, collector: Collector) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
            .connect(host: "127.0.0.1", port: port).get()
    }

    @Test func theBackendsAnswerAndThenRawBytesFlowBothWays() async throws {
        let heads = Heads()
        let backend = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Backend(heads: heads)) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = try await HTTPServer.start(host: "127.0.0.1", port: 0, tls: nil, handler: Handing(port: backend.localAddress?.port ?? 0))
        let collector = Collector()
        let client = try await client(port: server.localAddress?.port ?? 0, collector: collector)
        let request = "POST /api/v1/namespaces/d/pods/p/exec?command=ls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret\r\n"
            + "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n"
        try await client.writeAndFlush(ByteBuffer(string: request))
        try await Self.wait { collector.received.withLock { $0.contains("\r\n\r\n") } }
        #expect(collector.received.withLock { $0 }.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        let head = heads.seen.withLock { $0.first } ?? ""
        #expect(head.hasPrefix("POST /exec/token?x=1 HTTP/1.1\r\n"))
        #expect(head.contains("X-Stream-Protocol-Version: v4.channel.k8s.io"))
        #expect(head.contains("Upgrade: SPDY/3.1"))
        #expect(!head.contains("secret"), "the client's credentials are for the apiserver, not the backend")
        try await client.writeAndFlush(ByteBuffer(string: "ping"))
        try await Self.wait { collector.received.withLock { $0.hasSuffix("PING") } }
        #expect(collector.received.withLock { $0 }.hasSuffix("\r\n\r\nPING"))
        // Closing the client closes the backend's side.
        try await client.close()
        try await server.close()
        try await backend.close()
    }

    @Test func anUnreachableBackendGetsAStatus() async throws {
        let unused = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = unused.localAddress?.port ?? 0
        try await unused.close()
        let server = try await HTTPServer.start(host: "127.0.0.1", port: 0, tls: nil, handler: Handing(port: port))
        let collector = Collector()
        let client = try await client(port: server.localAddress?.port ?? 0, collector: collector)
        try await client.writeAndFlush(ByteBuffer(string: "POST /exec HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n"))
        try await Self.wait { collector.received.withLock { $0.contains("}") } }
        let answer = collector.received.withLock { $0 }
        #expect(answer.hasPrefix("HTTP/1.1 500"))
        #expect(answer.contains("error dialing backend"))
        // The server closes the connection after the Status.
        try await client.closeFuture.get()
        try await server.close()
    }

    @Test func upgradeHeadersKeepOnlyTheUpgrade() {
        var headers = HTTPHeaders()
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Sec-WebSocket-Protocol", value: "v5.channel.k8s.io")
        headers.add(name: "Sec-WebSocket-Key", value: "abc")
        headers.add(name: "Authorization", value: "Bearer t")
        headers.add(name: "Cookie", value: "c")
        let kept = UpgradeTarget.upgradeHeaders(of: headers)
        #expect(kept.map(\.name) == ["Connection", "Upgrade", "Sec-WebSocket-Protocol", "Sec-WebSocket-Key"])
        #expect(UpgradeTarget.isUpgrade(headers))
        var plain = HTTPHeaders()
        plain.add(name: "Connection", value: "keep-alive")
        #expect(!UpgradeTarget.isUpgrade(plain))
    }
}
