import NIOCore

extension Channel {
    /// Closes a listening socket: no new connections; those open finish their exchanges. A socket
    /// that is already closed is what was asked for; any other failure is thrown.
    public func closeListener() async throws {
        do {
            try await close()
        } catch ChannelError.alreadyClosed {
            return
        }
    }
}
