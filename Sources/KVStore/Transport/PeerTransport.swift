import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Carries `PeerFrame`s between members over TCP: one outbound connection to each peer
/// (dialled as soon as the peer is known, re-dialled at most every 100 ms after a failure),
/// and a listener for the peers' connections to us.
///
/// Contract:
/// - `send` never blocks and never buffers without bound: while a connection is being dialled
///   up to `pendingLimit` frames wait for it (the first answer to a new peer — a vote — must
///   not be lost); otherwise frames for a peer with no open, writable connection are dropped
///   and the peer is reported unreachable (Raft retries).
///   Everything sent in one call to one peer goes out in a single flush (batching).
/// - Frames received are delivered in order per connection on `events`; so are the outcomes
///   of snapshot sends.
/// - Bytes that are not a well-formed frame, or a connection that does not open with this
///   cluster's `hello`, close that connection only.
public final class PeerTransport: Sendable {
    public enum Event: Sendable {
        case frame(from: UInt64, PeerFrameBox)
        case snapshotSent(to: UInt64, succeeded: Bool)
    }

    let clusterID: UInt64
    let localID: UInt64
    let group: MultiThreadedEventLoopGroup
    public let events: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation
    private let state = NIOLockedValueBox(State())
    static let pendingLimit = 256

    private struct State {
        var addresses: [UInt64: (host: String, port: Int)] = [:]
        var channels: [UInt64: any Channel] = [:]
        var connecting: Set<UInt64> = []
        /// Frames waiting for a connection being dialled.
        var pending: [UInt64: [PeerFrame]] = [:]
        var lastAttempt: [UInt64: NIODeadline] = [:]
        var listener: (any Channel)?
    }

    public init(clusterID: UInt64, localID: UInt64, group: MultiThreadedEventLoopGroup = .singleton) {
        self.clusterID = clusterID
        self.localID = localID
        self.group = group
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Starts accepting peers' connections on host:port.
    public func listen(host: String, port: Int) async throws {
        let clusterID = clusterID
        let continuation = continuation
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PeerFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(PeerInboundHandler(clusterID: clusterID, continuation: continuation))
                }
            }
            .bind(host: host, port: port).get()
        state.withLockedValue { $0.listener = channel }
    }

    /// The peers' addresses (from the membership); connections to removed members close.
    public func setPeers(_ peers: [UInt64: (host: String, port: Int)]) {
        let stale: [any Channel] = state.withLockedValue { s in
            s.addresses = peers.filter { $0.key != localID }
            let gone = s.channels.filter { s.addresses[$0.key] == nil }
            for id in gone.keys { s.channels[id] = nil }
            return Array(gone.values)
        }
        for c in stale { c.close(promise: nil) }
        for peer in peers.keys where peer != localID { _ = channel(for: peer) }
    }

    /// Sends frames (grouped per peer, one flush each). Returns the peers that could not be
    /// reached now.
    func send(_ frames: [(to: UInt64, frame: PeerFrame)]) -> Set<UInt64> {
        var byPeer: [UInt64: [PeerFrame]] = [:]
        for (to, frame) in frames { byPeer[to, default: []].append(frame) }
        var unreachable: Set<UInt64> = []
        for (peer, list) in byPeer {
            // A forwarded proposal is never retried by Raft, so it is written even to a slow
            // peer (the client's own concurrency bounds it); other frames are shed instead.
            let onlyProposals = list.allSatisfy { if case .raft(let m) = $0 { m.type == .propose } else { false } }
            guard let channel = channel(for: peer), channel.isWritable || onlyProposals else {
                let hasSnapshot = list.contains { if case .raft(let m) = $0 { m.snapshot != nil } else { false } }
                let queued = !hasSnapshot && state.withLockedValue { s -> Bool in
                    guard s.connecting.contains(peer), (s.pending[peer]?.count ?? 0) + list.count <= Self.pendingLimit else { return false }
                    s.pending[peer, default: []] += list
                    return true
                }
                if queued { continue }
                unreachable.insert(peer)
                for case .raft(let m) in list where m.snapshot != nil {
                    continuation.yield(.snapshotSent(to: peer, succeeded: false))
                }
                continue
            }
            for frame in list {
                let buffer = channel.allocator.buffer(bytes: frame.encoded())
                if case .raft(let m) = frame, m.snapshot != nil {
                    let promise = channel.eventLoop.makePromise(of: Void.self)
                    let continuation = continuation
                    promise.futureResult.whenComplete { result in
                        if case .success = result {
                            continuation.yield(.snapshotSent(to: peer, succeeded: true))
                        } else {
                            continuation.yield(.snapshotSent(to: peer, succeeded: false))
                        }
                    }
                    channel.write(buffer, promise: promise)
                } else {
                    channel.write(buffer, promise: nil)
                }
            }
            channel.flush()
        }
        return unreachable
    }

    public func shutdown() {
        let channels = state.withLockedValue { s in Array(s.channels.values) + (s.listener.map { [$0] } ?? []) }
        for c in channels { c.close(promise: nil) }
        continuation.finish()
    }

    /// The open connection to `peer`, or nil after starting to dial it.
    private func channel(for peer: UInt64) -> (any Channel)? {
        let now = NIODeadline.now()
        let (existing, dial) = state.withLockedValue { s -> ((any Channel)?, (host: String, port: Int)?) in
            if let c = s.channels[peer], c.isActive { return (c, nil) }
            guard let address = s.addresses[peer], !s.connecting.contains(peer) else { return (nil, nil) }
            if let last = s.lastAttempt[peer], now - last < .milliseconds(100) { return (nil, nil) }
            s.connecting.insert(peer)
            s.lastAttempt[peer] = now
            return (nil, address)
        }
        if let dial { connect(peer, dial) }
        return existing
    }

    private func connect(_ peer: UInt64, _ address: (host: String, port: Int)) {
        let hello = PeerFrame.hello(clusterID: clusterID, from: localID).encoded()
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // Room for bursts of appends and forwarded proposals before a peer counts as slow.
            .channelOption(.writeBufferWaterMark, value: .init(low: 4 << 20, high: 32 << 20))
            .connectTimeout(.milliseconds(500))
            .connect(host: address.host, port: address.port)
            .whenComplete { [state] result in
                switch result {
                case .success(let channel):
                    let (stale, queued) = state.withLockedValue { s -> (Bool, [PeerFrame]) in
                        s.connecting.remove(peer)
                        let queued = s.pending.removeValue(forKey: peer) ?? []
                        guard s.addresses[peer] != nil else { return (true, []) }
                        s.channels[peer] = channel
                        return (false, queued)
                    }
                    if stale { channel.close(promise: nil); return }
                    channel.write(channel.allocator.buffer(bytes: hello), promise: nil)
                    for frame in queued { channel.write(channel.allocator.buffer(bytes: frame.encoded()), promise: nil) }
                    channel.flush()
                    channel.closeFuture.whenComplete { _ in
                        state.withLockedValue { s in
                            if s.channels[peer] === channel { s.channels[peer] = nil }
                        }
                    }
                case .failure:
                    state.withLockedValue { s in
                        s.connecting.remove(peer)
                        s.pending[peer] = nil
                    }
                }
            }
    }
}

/// A decoded frame, boxed so the public event type does not expose the frame enum.
public struct PeerFrameBox: Sendable {
    let frame: PeerFrame
}

/// Splits the byte stream into length-prefixed frame payloads; an impossible length closes
/// the connection.
struct PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length > 0, Int(length) <= PeerFrame.maximumLength else { throw ByteReader.Malformed(description: "frame length \(length)") }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let payload = buffer.readBytes(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(payload))
        return .continue
    }
}

/// Checks the `hello`, then hands every frame to the member.
final class PeerInboundHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = [UInt8]
    let clusterID: UInt64
    let continuation: AsyncStream<PeerTransport.Event>.Continuation
    private var peer: UInt64?

    init(clusterID: UInt64, continuation: AsyncStream<PeerTransport.Event>.Continuation) {
        self.clusterID = clusterID
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        guard let frame = try? PeerFrame.decode(payload) else {
            context.close(promise: nil)
            return
        }
        guard let peer else {
            if case .hello(let cluster, let from) = frame, cluster == clusterID, from != 0 {
                self.peer = from
            } else {
                context.close(promise: nil)
            }
            return
        }
        if case .hello = frame { return }
        continuation.yield(.frame(from: peer, PeerFrameBox(frame: frame)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
