import APIMachinery

/// Claims objects for a controller (upstream's `ControllerRefManager`): the candidates it
/// already controls and still selects are its own; matching orphans are adopted (a merge patch
/// adding a controller reference, guarded by the object's uid); owned objects that stopped
/// matching are released (unless `releases` is false: a StatefulSet keeps its revisions). An
/// owner being deleted adopts and releases nothing; before its first adoption the owner is
/// read live, and a deleted or replaced owner adopts nothing (upstream's
/// `RecheckDeletionTimestamp`).
struct ControllerRefManager<Owner: ControlledObject, Object: ControlledObject>: Sendable {
    let owner: Owner
    let selector: LabelSelectorQuery
    let client: any ControllerClient
    /// A further condition for owning an object besides the selector (a StatefulSet owns only
    /// pods named after it).
    var isMember: @Sendable (Object) -> Bool = { _ in true }
    var releases = true

    /// The candidates `owner` controls after adoption and release.
    func claim(_ candidates: [Object]) async throws -> [Object] {
        var owned: [Object] = []
        var checked = false
        for object in candidates {
            let matches = selector != .everything && selector.matches(object.metadata?.labels ?? [:]) && isMember(object)
            if let ref = object.controllerRef {
                guard owner.isReferenced(by: ref) else { continue }
                if matches {
                    owned.append(object)
                } else if releases && !owner.isBeingDeleted {
                    try await release(object)
                }
                continue
            }
            guard matches, !owner.isBeingDeleted, !object.isBeingDeleted else { continue }
            if !checked {
                try await recheckOwner()
                checked = true
            }
            if let adopted = try await adopt(object) { owned.append(adopted) }
        }
        return owned
    }

    /// Throws when `owner` is gone from the apiserver, replaced, or being deleted, though the
    /// cache still shows it: adopting for it then would orphan the objects again.
    func recheckOwner() async throws {
        let kind = Owner.groupVersionKind.kind
        guard let fresh = try await client.get(Owner.self, namespace: owner.namespace, name: owner.name), fresh.uid == owner.uid else {
            throw StatusError.internalError("original \(kind) \(owner.queueKey) is gone: cannot adopt")
        }
        if let deleted = fresh.metadata?.deletionTimestamp {
            throw StatusError.internalError("\(kind) \(owner.queueKey) has just been deleted at \(deleted)")
        }
    }

    /// Makes `owner` the controller of the orphan `object`; nil if the object went away.
    func adopt(_ object: Object) async throws -> Object? {
        var refs = object.metadata?.ownerReferences ?? []
        refs.append(owner.asControllerRef)
        do {
            return try await client.patch(Object.self, namespace: object.namespace, name: object.name, merge: patch(object, refs))
        } catch let error as StatusError where error.isNotFound {
            return nil
        }
    }

    /// Removes `owner`'s controller reference from `object` (its labels stopped matching).
    func release(_ object: Object) async throws {
        let refs = (object.metadata?.ownerReferences ?? []).filter { $0.uid != owner.uid }
        do {
            _ = try await client.patch(Object.self, namespace: object.namespace, name: object.name, merge: patch(object, refs))
        } catch let error as StatusError where error.isNotFound || error.isInvalid {
            return  // gone, or replaced under the same name: nothing to release
        }
    }

    /// A merge patch setting `ownerReferences`, refused if the object's uid changed.
    func patch(_ object: Object, _ refs: [MetaV1.OwnerReference]) -> JSONValue {
        .object(["metadata": .object([
            "ownerReferences": refs.isEmpty ? .null : JSONCodec.tree(of: refs), "uid": .string(object.uid),
        ])])
    }
}
