import APIMachinery

extension CoreV1.ObjectReference {
    /// A reference to `object` as client-go's `GetReference` makes it: kind and apiVersion from
    /// the type, name, namespace (nil for cluster-scoped objects), uid and resourceVersion from
    /// its metadata.
    public init(referencing object: some KubernetesObject, fieldPath: String? = nil) {
        let gvk = type(of: object).groupVersionKind
        let namespace = object.namespace
        self.init(
            kind: gvk.kind,
            apiVersion: gvk.apiVersion,
            fieldPath: fieldPath,
            name: object.name,
            namespace: namespace.isEmpty ? nil : namespace,
            resourceVersion: object.metadata?.resourceVersion,
            uid: object.metadata?.uid
        )
    }
}
