/// What a delete handler receives: the object's final state from a watch `deleted` event, or
/// a tombstone when the deletion was only inferred from a relist.
public enum DeletedObject<Object> {
    /// Seen in a watch: the state at deletion (with the deletion's resourceVersion).
    case final(Object)
    /// Inferred by a relist: the last cached state, possibly stale.
    case finalStateUnknown(DeletedFinalStateUnknown<Object>)

    /// The best state known: the final one, or the tombstone's last known one.
    public var object: Object {
        switch self {
        case .final(let object): object
        case .finalStateUnknown(let tombstone): tombstone.lastKnown
        }
    }

    /// Whether this is a tombstone.
    public var isTombstone: Bool {
        if case .finalStateUnknown = self { return true }
        return false
    }
}

extension DeletedObject: Sendable where Object: Sendable {}
extension DeletedObject: Equatable where Object: Equatable {}
extension DeletedObject: Hashable where Object: Hashable {}

extension DeletedObject where Object: InformerObject {
    /// The cache key of the deleted object.
    public var key: String {
        switch self {
        case .final(let object): object.objectKey
        case .finalStateUnknown(let tombstone): tombstone.key
        }
    }
}
