/// The cache keys of informers and workqueues: `namespace/name` for namespaced objects, `name`
/// for cluster-scoped ones (client-go's `MetaNamespaceKeyFunc` / `SplitMetaNamespaceKey`).
public enum MetaNamespaceKey {
    /// `namespace/name`, or `name` when `namespace` is empty.
    public static func key(namespace: String, name: String) -> String {
        namespace.isEmpty ? name : namespace + "/" + name
    }

    /// The key of `object`.
    public static func key(of object: some InformerObject) -> String { object.objectKey }

    /// Splits a key into namespace ("" when absent) and name; nil when the key has more than
    /// one `/` or an empty part around it.
    public static func split(_ key: String) -> (namespace: String, name: String)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return ("", String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            return (String(parts[0]), String(parts[1]))
        default:
            return nil
        }
    }
}
