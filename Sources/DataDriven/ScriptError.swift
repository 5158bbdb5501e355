/// A mistake in a script or in the harness (unknown command, bad argument, broken invariant).
/// Unlike Raft's own errors, which are part of a command's output, these always fail the
/// test, also when the expected outputs are being rewritten.
public struct ScriptError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
