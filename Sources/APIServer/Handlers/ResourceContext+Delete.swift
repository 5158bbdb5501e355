import APIMachinery
import Foundation

extension ResourceContext {
    func delete() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        let options = try DeleteOptions(request: request)
        let (response, _) = try await deleteOne(name: name, options: options)
        return response
    }

    /// Deletes one object: graceful (pods on a node), pending on finalizers, or at once.
    /// Returns the response and whether the object is gone from the store.
    func deleteOne(name: String, options: DeleteOptions) async throws -> (APIResponse, Bool) {
        let strategy = self.strategy
        try await handler.admission.validate(admissionRequest(.delete, name: name, dryRun: options.isDryRun), object: nil, old: nil)
        for _ in 0..<16 {
            guard let current = try await store.read(key(name)), case .object(var object) = try current.tree() else {
                throw StatusError.notFound(resource, name)
            }
            var metadata = object.objectMember("metadata")
            if let uid = options.uid, uid != metadata["uid"]?.stringValue ?? "" {
                throw StatusError(.failure(.conflict, message: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(metadata["uid"]?.stringValue ?? "")"))
            }
            if let rv = options.resourceVersion, rv != String(current.resourceVersion) {
                throw StatusError(.failure(.conflict, message: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)"))
            }
            var finalizers: [JSONValue] = if case .array(let list)? = metadata["finalizers"] { list } else { [] }
            switch options.effectivePolicy {
            case "Foreground" where !finalizers.contains("foregroundDeletion"): finalizers.append("foregroundDeletion")
            case "Orphan" where !finalizers.contains("orphan"): finalizers.append("orphan")
            default: break
            }
            if strategy.deletionPending(object) {
                // Kept until its owner is done (a namespace's controller empties it first).
                object["metadata"] = .object(metadata)
                strategy.prepareForPendingDeletion(&object)
                var pending = object.objectMember("metadata")
                pending["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers)
                object["metadata"] = .object(pending)
                do { return (try await writeDeletionState(object, current, dryRun: options.isDryRun), false) } catch StoreError.conflict { continue }
            }
            let grace = strategy.gracePeriod(object, requested: options.gracePeriodSeconds)
            if !finalizers.isEmpty || grace > 0 {
                let deadline = handler.now().addingTimeInterval(TimeInterval(grace))
                if metadata["deletionTimestamp"] == nil || grace == 0 {
                    metadata["deletionTimestamp"] = .string(ObjectRules.timestamp(deadline))
                } else if case .int(let existing)? = metadata["deletionGracePeriodSeconds"], grace < existing {
                    metadata["deletionTimestamp"] = .string(ObjectRules.timestamp(deadline))
                }
                if case .int(let existing)? = metadata["deletionGracePeriodSeconds"] {
                    metadata["deletionGracePeriodSeconds"] = .int(min(existing, grace))
                } else {
                    metadata["deletionGracePeriodSeconds"] = .int(grace)
                }
                metadata["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers)
                object["metadata"] = .object(metadata)
                let response: APIResponse
                do { response = try await writeDeletionState(object, current, dryRun: options.isDryRun) } catch StoreError.conflict { continue }
                if case .full(_, let headers, let body) = response, !finalizers.isEmpty, options.cascadeRequested {
                    return (.full(status: 202, headers: headers, body: body), false)
                }
                return (response, false)
            }
            if options.isDryRun { return (deletedResponse(object, current.resourceVersion), true) }
            do {
                let revision = try await store.kv.delete(key(name), expected: current.resourceVersion)
                await strategy.afterDelete(object)
                return (deletedResponse(object, revision), true)
            } catch StoreError.conflict {
                continue
            }
        }
        throw StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
    }

    private func writeDeletionState(_ object: JSONObject, _ current: CachedObject, dryRun: Bool) async throws -> APIResponse {
        if dryRun { return objectResponse(200, CachedObject(key: current.key, object: Self.stamp(object, current.resourceVersion), revision: current.resourceVersion, resource: resource).json) }
        var stored = object
        var metadata = stored.objectMember("metadata")
        metadata["resourceVersion"] = nil
        stored["metadata"] = .object(metadata)
        let revision = try await store.kv.update(current.key, value: store.encode(stored), expected: current.resourceVersion)
        return objectResponse(200, CachedObject(key: current.key, object: Self.stamp(stored, revision), revision: revision, resource: resource).json)
    }

    /// Kubernetes answers a completed delete with the object for pods and services and with a
    /// Success Status naming it for everything else.
    private func deletedResponse(_ object: JSONObject, _ revision: Int64) -> APIResponse {
        if strategy.returnsDeletedObject {
            return objectResponse(200, CachedObject(key: key(object.objectMember("metadata")["name"]?.stringValue ?? ""), object: Self.stamp(object, revision), revision: revision, resource: resource).json)
        }
        let metadata = object.objectMember("metadata")
        let status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
            "details": [
                "name": metadata["name"] ?? "", "group": .string(resource.gvk.group), "kind": .string(resource.plural),
                "uid": metadata["uid"] ?? "",
            ],
        ]
        return Responses.json(200, status)
    }

    func deleteCollection() async throws -> APIResponse {
        let options = try DeleteOptions(request: request)
        let filter = try filter()
        try await waitForCache(store.kv.currentRevision())
        let (items, _) = await store.cache.list(filter)
        for item in items {
            do {
                _ = try await deleteOne(name: item.name, options: options)
            } catch let error as StatusError where error.status.code == 404 {
                continue
            }
        }
        let body = Responses.list(kind: listKind, apiVersion: apiVersion, resourceVersion: await store.cache.revision,
                                  continueToken: nil, remaining: nil, items: items.map(\.json))
        return Responses.json(200, body)
    }
}
