import APIMachinery

/// Services: cluster IPs and node ports are allocated before the Service is stored, carried
/// over on updates that do not change them, and released once no stored Service holds them
/// (after an update, a delete, or a refused write). A finished delete answers with the Service.
struct ServiceStrategy: ResourceStrategy {
    /// nil: only the pure rules (no allocation).
    let allocator: ServiceAllocator?

    func prepareForCreate(_ object: inout JSONObject) {
        object["status"] = ["loadBalancer": [:]]
    }

    func beginCreate(_ object: inout JSONObject, owner: String) async throws {
        try await allocator?.allocate(&object, owner: owner)
    }

    func abortCreate(_ object: JSONObject) async {
        await allocator?.release(old: object, new: nil)
    }

    func prepareForUpdate(_ new: inout JSONObject, old: JSONObject, subresource: String?) {
        if subresource == nil { ServiceAllocator.carryOver(into: &new, from: old) }
    }

    func beginUpdate(_ new: inout JSONObject, old: JSONObject, owner: String, subresource: String?) async throws {
        if subresource == nil { try await allocator?.allocate(&new, owner: owner, old: old) }
    }

    func abortUpdate(new: JSONObject, old: JSONObject, subresource: String?) async {
        if subresource == nil { await allocator?.release(old: new, new: old) }
    }

    func afterUpdate(new: JSONObject, old: JSONObject, subresource: String?) async {
        if subresource == nil { await allocator?.release(old: old, new: new) }
    }

    func afterDelete(_ object: JSONObject) async {
        await allocator?.release(old: object, new: nil)
    }

    var returnsDeletedObject: Bool { true }
    var reservesOnCreate: Bool { allocator != nil }
}
