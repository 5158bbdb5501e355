import APIMachinery
import Foundation

extension ResourceContext {
    func delete() async throws -> APIResponse {
        guard let name = info.name else { throw APIError(APIHandler.notFoundPath) }
        let options = try DeleteOptions(request: request)
        let (response, _) = try await deleteOne(name: name, options: options)
        return response
    }

    /// Deletes one object: graceful (pods on a node), pending on finalizers, or at once.
    /// Returns the response and whether the object is gone from the store.
    func deleteOne(name: String, options: DeleteOptions) async throws -> (APIResponse, Bool) {
        for _ in 0..<16 {
            guard let current = try await store.read(key(name)), case .object(var object) = try current.tree() else {
                throw APIError.notFound(resource, name)
            }
            var metadata = object.objectMember("metadata")
            if let uid = options.uid, uid != metadata["uid"]?.stringValue ?? "" {
                throw APIError(.failure(.conflict, message: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(metadata["uid"]?.stringValue ?? "")"))
            }
            if let rv = options.resourceVersion, rv != String(current.resourceVersion) {
                throw APIError(.failure(.conflict, message: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)"))
            }
            var finalizers: [JSONValue] = if case .array(let list)? = metadata["finalizers"] { list } else { [] }
            switch options.effectivePolicy {
            case "Foreground" where !finalizers.contains("foregroundDeletion"): finalizers.append("foregroundDeletion")
            case "Orphan" where !finalizers.contains("orphan"): finalizers.append("orphan")
            default: break
            }
            if resource.gvk.group.isEmpty && resource.plural == "namespaces",
               case .array(let specFinalizers)? = object["spec"]?["finalizers"], !specFinalizers.isEmpty {
                var status = object.objectMember("status")
                status["phase"] = "Terminating"
                object["status"] = .object(status)
                if metadata["deletionTimestamp"] == nil { metadata["deletionTimestamp"] = .string(ObjectRules.timestamp(handler.now())) }
                metadata["deletionGracePeriodSeconds"] = 0
                metadata["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers)
                object["metadata"] = .object(metadata)
                do { return (try await writeDeletionState(object, current, dryRun: options.isDryRun), false) } catch StoreError.conflict { continue }
            }
            let grace = gracePeriod(object, options)
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
                if isService { await handler.services.release(old: object, new: nil) }
                return (deletedResponse(object, revision), true)
            } catch StoreError.conflict {
                continue
            }
        }
        throw APIError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
    }

    /// Seconds of graceful deletion: only pods bound to a node and still running get one.
    private func gracePeriod(_ object: JSONObject, _ options: DeleteOptions) -> Int64 {
        guard resource.gvk.group.isEmpty && resource.plural == "pods" else { return 0 }
        let requested: Int64
        if let grace = options.gracePeriodSeconds {
            requested = grace
        } else if case .int(let spec)? = object["spec"]?["terminationGracePeriodSeconds"] {
            requested = spec
        } else {
            requested = 30
        }
        let phase = object["status"]?["phase"]?.stringValue ?? ""
        let node = object["spec"]?["nodeName"]?.stringValue ?? ""
        if node.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        return max(requested, 0)
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
        if resource.gvk.group.isEmpty && ["pods", "services"].contains(resource.plural) {
            return objectResponse(200, JSONCodec.encode(JSONValue.object(Self.stamp(object, revision))))
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
            } catch let error as APIError where error.status.code == 404 {
                continue
            }
        }
        let body = Responses.list(kind: listKind, apiVersion: apiVersion, resourceVersion: await store.cache.revision,
                                  continueToken: nil, remaining: nil, items: items.map(\.json))
        return Responses.json(200, body)
    }
}
