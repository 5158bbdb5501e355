/// An index function: the values under which an object is filed in one named index
/// (client-go's `IndexFunc`). It must be pure and cheap: it runs under the store's lock on
/// every write. An object may be filed under several values, or none.
public typealias IndexFunction<Object> = @Sendable (Object) -> [String]

/// Names of the indices every `ThreadSafeStore` has.
public enum IndexNames {
    /// Objects by `objectNamespace` ("" for cluster-scoped objects).
    public static let namespace = "namespace"

    /// The built-in namespace index function.
    public static func namespaceIndex<Object: InformerObject>(_ object: Object) -> [String] {
        [object.objectNamespace]
    }
}
