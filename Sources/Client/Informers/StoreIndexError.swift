/// Misuse of a store's named indices.
public enum StoreIndexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No index function is registered under this name.
    case indexNotFound(String)
    /// `addIndexers` was given a name that is already registered.
    case indexExists(String)

    public var description: String {
        switch self {
        case .indexNotFound(let name): "index with name \(name) does not exist"
        case .indexExists(let name): "indexer conflict: \(name)"
        }
    }
}
