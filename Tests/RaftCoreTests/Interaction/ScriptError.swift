/// A mistake in a script or in the harness (unknown command, bad argument, broken invariant).
/// Unlike Raft's own errors, which are part of a command's output, these always fail the
/// test, also when the expected outputs are being rewritten.
struct ScriptError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
