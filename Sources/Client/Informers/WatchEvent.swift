/// One event of a watch stream. `added`, `modified` and `deleted` carry the object's state
/// after the change (for `deleted`, its last state with the deletion's resourceVersion);
/// `bookmark` carries no object, only a resourceVersion the stream has reached.
public enum WatchEvent<Object> {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    case bookmark(resourceVersion: String)
}

extension WatchEvent: Sendable where Object: Sendable {}
extension WatchEvent: Equatable where Object: Equatable {}
extension WatchEvent: Hashable where Object: Hashable {}

extension WatchEvent where Object: InformerObject {
    /// The resourceVersion this event brings the watch to ("" if the object carries none).
    public var resourceVersion: String {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.objectResourceVersion
        case .bookmark(let resourceVersion): resourceVersion
        }
    }
}
