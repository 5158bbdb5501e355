/// An object an informer can cache: it has an identity (namespace and name), and a
/// `resourceVersion` that changes with every write.
///
/// The cache key is `namespace/name`, or `name` alone when the namespace is empty
/// (cluster-scoped kinds), as `MetaNamespaceKey.key(namespace:name:)` builds it. The UID is no
/// part of the identity: an object deleted and re-created under the same name while the
/// informer was not watching is seen as an update.
///
/// Generated `KubernetesObject` kinds that can be listed conform (see
/// `KubernetesObject+InformerObject.swift`); any other `KubernetesObject` conforms with an empty
/// `extension MyKind: LabeledInformerObject {}`. `JSONValue` conforms for dynamic objects.
public protocol InformerObject: Sendable {
    /// `metadata.namespace`, or "" for cluster-scoped objects.
    var objectNamespace: String { get }
    /// `metadata.name`.
    var objectName: String { get }
    /// `metadata.resourceVersion`, or "" when unset. Opaque: compare for equality only.
    var objectResourceVersion: String { get }
    /// The cache key; by default `MetaNamespaceKey.key(namespace: objectNamespace, name: objectName)`.
    var objectKey: String { get }
}

extension InformerObject {
    public var objectKey: String { MetaNamespaceKey.key(namespace: objectNamespace, name: objectName) }
}

/// An `InformerObject` with labels, which listers can filter with a `LabelSelectorQuery`.
public protocol LabeledInformerObject: InformerObject {
    /// `metadata.labels`, or an empty dictionary.
    var objectLabels: [String: String] { get }
}
