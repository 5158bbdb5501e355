import APIMachinery

/// How one resource is written, in the shape of kube-apiserver's `RESTCreateStrategy`,
/// `RESTUpdateStrategy` and `RESTDeleteStrategy` plus the store's begin/after hooks: the
/// generic write paths (`ResourceContext`) call these and name no resource themselves.
///
/// Contract: `prepareForCreate` and `prepareForUpdate` are pure (server-set fields only);
/// `beginCreate`/`beginUpdate` may reserve something outside the object (a cluster IP) and are
/// undone by `abortCreate`/`abortUpdate` when the store refuses the write; `afterUpdate` and
/// `afterDelete` release what the old object held once the store has the new state. None of
/// them runs for a dry run except the pure ones.
protocol ResourceStrategy: Sendable {
    /// Server-set fields of a new object (initial status, server-owned labels), after defaulting.
    func prepareForCreate(_ object: inout JSONObject)
    /// Before the create is stored.
    func beginCreate(_ object: inout JSONObject, owner: String) async throws
    /// The store refused the create.
    func abortCreate(_ object: JSONObject) async
    /// The update as the client sent it, made what is stored (fields the client may not change).
    func prepareForUpdate(_ new: inout JSONObject, old: JSONObject, subresource: String?)
    /// Before the update is stored.
    func beginUpdate(_ new: inout JSONObject, old: JSONObject, owner: String, subresource: String?) async throws
    /// The store refused the update.
    func abortUpdate(new: JSONObject, old: JSONObject, subresource: String?) async
    /// The store took the update.
    func afterUpdate(new: JSONObject, old: JSONObject, subresource: String?) async
    /// The object left the store.
    func afterDelete(_ object: JSONObject) async
    /// Seconds a delete waits for the object's owner to stop it (0: delete at once).
    func gracePeriod(_ object: JSONObject, requested: Int64?) -> Int64
    /// Conditions that keep a deleted object in the store besides `metadata.finalizers`
    /// (a namespace's `spec.finalizers`).
    func deletionPending(_ object: JSONObject) -> Bool
    /// A delete under those conditions: the state to store (a namespace turns Terminating).
    func prepareForPendingDeletion(_ object: inout JSONObject)
    /// A finished delete answers with the object (pods, services) rather than a Status.
    var returnsDeletedObject: Bool { get }
    /// `beginCreate` reserves something, so a create first checks the name is free.
    var reservesOnCreate: Bool { get }
}

extension ResourceStrategy {
    func prepareForCreate(_ object: inout JSONObject) {}
    func beginCreate(_ object: inout JSONObject, owner: String) async throws {}
    func abortCreate(_ object: JSONObject) async {}
    func prepareForUpdate(_ new: inout JSONObject, old: JSONObject, subresource: String?) {}
    func beginUpdate(_ new: inout JSONObject, old: JSONObject, owner: String, subresource: String?) async throws {}
    func abortUpdate(new: JSONObject, old: JSONObject, subresource: String?) async {}
    func afterUpdate(new: JSONObject, old: JSONObject, subresource: String?) async {}
    func afterDelete(_ object: JSONObject) async {}
    func gracePeriod(_ object: JSONObject, requested: Int64?) -> Int64 { 0 }
    func deletionPending(_ object: JSONObject) -> Bool { false }
    func prepareForPendingDeletion(_ object: inout JSONObject) {}
    var returnsDeletedObject: Bool { false }
    var reservesOnCreate: Bool { false }
}

/// The strategy of every other resource: the generic rules only.
struct DefaultStrategy: ResourceStrategy {}
