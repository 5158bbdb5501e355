/// A top-level API type with exactly one group/version/kind (objects, lists, review kinds).
/// `apiVersion` and `kind` are ordinary optional fields, written only when set; use
/// `withTypeMeta()` to fill them from `groupVersionKind` before sending.
public protocol KubernetesResource: JSONCodable, Hashable, Sendable {
    static var groupVersionKind: GroupVersionKind { get }
    var apiVersion: String? { get set }
    var kind: String? { get set }
}

extension KubernetesResource {
    /// A copy with `apiVersion` and `kind` set from the type.
    public func withTypeMeta() -> Self {
        var copy = self
        copy.apiVersion = Self.groupVersionKind.apiVersion
        copy.kind = Self.groupVersionKind.kind
        return copy
    }
}

/// A persisted kind with `ObjectMeta` (Pod, Deployment, …).
public protocol KubernetesObject: KubernetesResource {
    var metadata: MetaV1.ObjectMeta? { get set }
}

extension KubernetesObject {
    /// `metadata.name`, or "" when unset.
    public var name: String { metadata?.name ?? "" }
    /// `metadata.namespace`, or "" when unset (cluster-scoped kinds).
    public var namespace: String { metadata?.namespace ?? "" }
}

/// A list kind (`PodList`, …): `ListMeta` plus `items`.
public protocol KubernetesList: KubernetesResource {
    associatedtype Item: KubernetesObject
    var metadata: MetaV1.ListMeta? { get set }
    var items: [Item] { get set }
}

/// `TypeMeta`: the `apiVersion` and `kind` every serialized object carries; read first to
/// learn which type to decode a document as. Other fields are ignored.
public struct TypeMeta: Sendable, Hashable, JSONCodable {
    public var apiVersion: String?
    public var kind: String?

    public init(apiVersion: String? = nil, kind: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
    }

    /// The GVK named, or nil when either field is missing or malformed.
    public var groupVersionKind: GroupVersionKind? {
        guard let apiVersion, let kind else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    public init(from reader: inout JSONReader) throws {
        try reader.beginObject(of: "TypeMeta")
        while let key = try reader.nextKey() {
            switch key {
            case "apiVersion": apiVersion = try reader.decode(String.self)
            case "kind": kind = try reader.decode(String.self)
            default: try reader.skipValue()
            }
        }
    }

    public func encode(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("kind", kind)
        writer.field("apiVersion", apiVersion)
        writer.endObject()
    }
}
