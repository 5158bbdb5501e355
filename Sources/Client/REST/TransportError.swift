/// A failure below HTTP: the apiserver could not be reached, or the answer could not be read.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
