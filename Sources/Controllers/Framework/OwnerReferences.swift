import APIMachinery

extension KubernetesObject {
    /// The owner reference with `controller: true`, if any.
    public var controllerRef: MetaV1.OwnerReference? {
        metadata?.ownerReferences?.first { $0.controller == true }
    }

    /// `metadata.uid`, or "".
    public var uid: String { metadata?.uid ?? "" }

    /// `metadata.deletionTimestamp` is set.
    public var isBeingDeleted: Bool { metadata?.deletionTimestamp != nil }

    /// A reference naming this object as the controller of its dependents, blocking the
    /// owner's foreground deletion until they are gone (as upstream's `NewControllerRef`).
    public var asControllerRef: MetaV1.OwnerReference {
        MetaV1.OwnerReference(
            kind: Self.groupVersionKind.kind, apiVersion: Self.groupVersionKind.apiVersion,
            blockOwnerDeletion: true, controller: true, name: name, uid: uid)
    }

    /// Whether `ref` names this object (same uid, kind and group).
    public func isReferenced(by ref: MetaV1.OwnerReference) -> Bool {
        ref.uid == uid && ref.kind == Self.groupVersionKind.kind
            && GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind)?.group == Self.groupVersionKind.group
    }

    /// "namespace/name" (or "name" when cluster-scoped): the workqueue key.
    public var queueKey: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}
