import NIOCore

/// One end of a byte pipe between two channels on the same event loop: what one channel reads
/// the other writes, a channel reads only while its partner can take more (back-pressure), and
/// when either side closes, so does the other. Used once a request has been upgraded (exec,
/// attach, port-forward) and the connection is handed to a backend.
final class ConnectionGlue: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: ConnectionGlue?
    private var context: ChannelHandlerContext?
    private var readPending = false

    private init() {}

    /// Two ends joined to each other; add one to each channel's pipeline.
    static func pair() -> (ConnectionGlue, ConnectionGlue) {
        let first = ConnectionGlue(), second = ConnectionGlue()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func partnerFlush() { context?.flush() }
    private func partnerClosed() { context?.close(promise: nil) }
    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        guard readPending else { return }
        readPending = false
        context?.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.partnerWrite(data) }
    func channelReadComplete(context: ChannelHandlerContext) { partner?.partnerFlush() }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerClosed()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }
}
