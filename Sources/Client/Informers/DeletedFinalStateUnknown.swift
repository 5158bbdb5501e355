/// A tombstone: the informer learned from a relist that the object under `key` is gone, but
/// missed its deletion event, so it cannot tell the object's final state. `lastKnown` is the
/// last state the cache held, which may be stale.
public struct DeletedFinalStateUnknown<Object>: CustomStringConvertible {
    public var key: String
    public var lastKnown: Object

    public init(key: String, lastKnown: Object) {
        self.key = key
        self.lastKnown = lastKnown
    }

    public var description: String { "DeletedFinalStateUnknown(\(key))" }
}

extension DeletedFinalStateUnknown: Sendable where Object: Sendable {}
extension DeletedFinalStateUnknown: Equatable where Object: Equatable {}
extension DeletedFinalStateUnknown: Hashable where Object: Hashable {}
