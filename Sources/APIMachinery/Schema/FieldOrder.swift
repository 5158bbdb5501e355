/// One definition of the schema reduced to what ordering members needs, with references
/// resolved to nodes, so that `APISchema.canonicalize` walks a tree without looking names up.
/// Built once with the schema; the graph has cycles (JSONSchemaProps) and is never changed
/// after `APISchema.init` returns.
public final class FieldOrder: @unchecked Sendable {
    /// Position (Go's declaration order) and value shape of each property.
    public internal(set) var slots: [String: Slot] = [:]
    /// True for definitions with properties (objects whose members get ordered).
    public var ordersMembers: Bool { !slots.isEmpty }

    public struct Slot {
        public let position: Int
        public let value: Shape
    }

    /// What lies below a property: something to order, or nothing (scalars, free-form values).
    public indirect enum Shape {
        case leaf
        case object(FieldOrder)
        case array(Shape)
        case map(Shape)
    }

    /// Nodes for every definition of `types`, their references resolved.
    static func build(_ types: [String: TypeSchema]) -> [String: FieldOrder] {
        var nodes: [String: FieldOrder] = [:]
        for name in types.keys { nodes[name] = FieldOrder() }
        func shape(_ type: FieldType) -> Shape {
            switch type {
            case .reference(let name):
                guard let node = nodes[name], types[name]?.propertyOrder.isEmpty == false else { return .leaf }
                return .object(node)
            case .array(let inner):
                if case .leaf = shape(inner) { return .leaf }
                return .array(shape(inner))
            case .map(let inner):
                return .map(shape(inner))
            default:
                return .leaf
            }
        }
        for (name, type) in types {
            guard let node = nodes[name] else { continue }
            for (position, property) in type.propertyOrder.enumerated() {
                guard let field = type.properties[property] else { continue }
                node.slots[property] = Slot(position: position, value: shape(field.type))
            }
        }
        return nodes
    }
}
