/// A Kubernetes protobuf body that cannot be translated: malformed wire data, a kind without a
/// protobuf schema, a value that does not fit its field. The apiserver answers it with
/// 400 Bad Request (`StatusReason.badRequest`) and `description` as the message.
public struct ProtobufError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, without the location.
    public var message: String
    /// The JSON path of the field where it went wrong (`spec.template.spec.containers[0].image`),
    /// empty at the top level.
    public var path: String

    public init(_ message: String, path: String = "") {
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isEmpty ? "protobuf: \(message)" : "protobuf: \(path): \(message)"
    }

    /// The same error located one level further out: `name` is a member name or `[index]`.
    func within(_ name: String) -> ProtobufError {
        var copy = self
        if path.isEmpty {
            copy.path = name
        } else if path.hasPrefix("[") || name.isEmpty {
            copy.path = name + path
        } else {
            copy.path = name + "." + path
        }
        return copy
    }
}
