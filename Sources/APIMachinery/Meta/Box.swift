/// An immutable heap cell that lets a generated struct hold a field of its own type
/// (`JSONSchemaProps.not`). Value semantics are kept: setters replace the box.
public final class Box<Value: Sendable & Hashable>: Sendable, Hashable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
    public static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
