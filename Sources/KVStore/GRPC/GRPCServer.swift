import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// A plaintext gRPC server (HTTP/2 with prior knowledge) for a fixed table of routes.
public enum GRPCServer {
    /// Listens on host:port and serves `routes` (keyed by `/package.Service/Method`) until the
    /// returned channel is closed. Request messages longer than `maximumMessageBytes` are
    /// refused with RESOURCE_EXHAUSTED.
    public static func start(
        host: String, port: Int, routes: [String: GRPCRoute], maximumMessageBytes: Int,
        group: MultiThreadedEventLoopGroup = .singleton
    ) async throws -> any Channel {
        let settings: HTTP2Settings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 10_000),
            HTTP2Setting(parameter: .initialWindowSize, value: GRPCConnectionHandler.streamWindow),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
        ]
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server, initialSettings: settings))
                    try channel.pipeline.syncOperations.addHandler(
                        GRPCConnectionHandler(routes: routes, maximumMessageBytes: maximumMessageBytes))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}
