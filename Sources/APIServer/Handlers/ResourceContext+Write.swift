import APIMachinery
import Foundation

extension ResourceContext {
    // MARK: body decoding

    /// The request body as an object tree (JSON, or YAML by Content-Type); 400/415 otherwise.
    func bodyObject() throws -> JSONObject {
        let type = (request.headers.first(name: "Content-Type") ?? "application/json").lowercased()
        let value: JSONValue
        do {
            if type.hasPrefix(KubernetesProtobuf.mediaType) {
                do { value = try KubernetesProtobuf.decode(request.body) } catch {
                    throw StatusError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): \(error)")
                }
            } else if type.contains("yaml") {
                value = try YAMLCodec.parse(String(decoding: request.body, as: UTF8.self))
            } else if type.contains("json") || type.isEmpty {
                value = try JSONCodec.parse(request.body)
            } else {
                throw StatusError(.failure(.unsupportedMediaType, message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"))
            }
        } catch let error as StatusError {
            throw error
        } catch {
            throw StatusError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): couldn't get version/kind; json parse error: \(error)")
        }
        guard case .object(let object) = value else {
            throw StatusError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): couldn't get version/kind; json parse error: expected an object")
        }
        return object
    }

    /// Checks kind/apiVersion against the resource (filling them when absent), the URL
    /// namespace against the body's, and decodes into the typed struct to reject ill-typed
    /// fields; unknown fields are rejected or warned about per `fieldValidation`.
    /// Returns the warnings to send.
    func checkBody(_ object: inout JSONObject, expectedKind: GroupVersionKind? = nil) throws -> [String] {
        let gvk = expectedKind ?? resource.gvk
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != gvk.kind {
            throw StatusError.badRequest("the object provided is unrecognized (must be of type \(gvk.kind)): \(kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind)")
        }
        if let version = object["apiVersion"]?.stringValue, !version.isEmpty, version != gvk.apiVersion {
            throw StatusError.badRequest("the API version in the data (\(version)) does not match the expected API version (\(gvk.apiVersion))")
        }
        object["kind"] = .string(gvk.kind)
        object["apiVersion"] = .string(gvk.apiVersion)
        var metadata = object.objectMember("metadata")
        if resource.namespaced && expectedKind == nil {
            let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, let namespace, bodyNamespace != namespace {
                throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            if let namespace { metadata["namespace"] = .string(namespace) }
        } else if expectedKind == nil {
            metadata["namespace"] = nil
        }
        object["metadata"] = .object(metadata)
        let validation = writeOptions.fieldValidation
        guard let type = GeneratedKinds.all[gvk] else { return [] }
        let issues: [StrictDecodingIssue]
        do {
            issues = try Self.decodeIssues(type, JSONCodec.encode(JSONValue.object(object)))
        } catch {
            throw StatusError.badRequest("\(gvk.kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind): \(error)")
        }
        if issues.isEmpty { return [] }
        if validation == "Strict" {
            throw StatusError.badRequest(StrictDecodingError(issues: issues).description)
        }
        // Unknown fields are dropped, as Go's decoder drops them: they are never stored.
        for issue in issues where issue.kind == .unknownField { object.removeField(at: issue.path) }
        return validation == "Ignore" ? [] : issues.map(\.description)
    }

    private static func decodeIssues<T: JSONCodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> [StrictDecodingIssue] {
        try JSONCodec.decodeReportingIssues(type, from: bytes, strict: true).issues
    }

    func withWarnings(_ response: APIResponse, _ warnings: [String]) -> APIResponse {
        guard !warnings.isEmpty, case .full(let status, var headers, let body) = response else { return response }
        for warning in warnings {
            headers.append(("Warning", "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
        }
        return .full(status: status, headers: headers, body: body)
    }

    /// 422 when validation finds errors.
    func validate(_ object: JSONObject, old: JSONObject?) throws {
        let errors = Validation.validate(.object(object), old: old.map { .object($0) }, gvk: resource.gvk, namespaced: resource.namespaced)
        guard !errors.isEmpty else { return }
        let name = object.objectMember("metadata")["name"]?.stringValue ?? ""
        throw StatusError(.invalid(group: resource.gvk.group, kind: resource.gvk.kind, name: name, causes: errors.map(\.statusCause)))
    }

    // MARK: create

    func create() async throws -> APIResponse {
        if resource.namespaced && namespace == nil {
            throw StatusError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
        var object = try bodyObject()
        let warnings = try checkBody(&object)
        if let rv = object.objectMember("metadata")["resourceVersion"]?.stringValue, !rv.isEmpty {
            throw StatusError(.failure(.badRequest, message: "resourceVersion should not be set on objects to be created"))
        }
        ObjectRules.prepareForCreate(&object, info: resource, now: handler.now(), uid: UUID().uuidString.lowercased())
        // After prepareForCreate: some defaults (a Job's selector) derive from the uid.
        if case .object(let defaulted) = Defaulting.apply(.object(object), gvk: resource.gvk) { object = defaulted }
        let strategy = self.strategy
        strategy.prepareForCreate(&object)
        let name = object.objectMember("metadata")["name"]?.stringValue ?? ""
        let admission = admissionRequest(.create, name: name)
        try await handler.admission.admit(admission, object: &object, old: nil)
        try validate(object, old: nil)
        try await handler.admission.validate(admission, object: object, old: nil)
        if dryRun || strategy.reservesOnCreate {
            // A dry run answers as the real create would, so a taken name is a 409 here too; and
            // nothing is reserved for a create that cannot succeed.
            if try await store.read(key(name)) != nil {
                throw StatusError(.alreadyExists(group: resource.gvk.group, resource: resource.plural, name: name))
            }
        }
        if dryRun { return withWarnings(objectResponse(201, CachedObject(key: key(name), object: object, revision: 0, resource: resource).json), warnings) }
        try await strategy.beginCreate(&object, owner: "\(namespace ?? "")/\(name)")
        let revision: Int64
        do {
            revision = try await store.kv.create(key(name), value: store.encode(object))
        } catch {
            await strategy.abortCreate(object)
            if case StoreError.keyExists = error {
                throw StatusError(.alreadyExists(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            throw error
        }
        let stored = CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource)
        return withWarnings(objectResponse(201, stored.json), warnings)
    }

    static func stamp(_ object: JSONObject, _ revision: Int64) -> JSONObject {
        var copy = object
        var metadata = copy.objectMember("metadata")
        metadata["resourceVersion"] = .string(String(revision))
        copy["metadata"] = .object(metadata)
        return copy
    }

    // MARK: update and patch

    func update() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        var object = try bodyObject()
        let warnings = try checkBody(&object)
        let bodyName = object.objectMember("metadata")["name"]?.stringValue ?? ""
        if bodyName != name {
            throw StatusError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let expected = object.objectMember("metadata")["resourceVersion"]?.stringValue.flatMap { Int64($0) }
        let response = try await guaranteedUpdate(name: name, precondition: expected) { _ in object }
        return withWarnings(response, warnings)
    }

    func patch() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        let type = (request.headers.first(name: "Content-Type") ?? "").lowercased()
        let patch: JSONValue
        do { patch = try JSONCodec.parse(request.body) } catch {
            throw StatusError.badRequest("error decoding patch: \(error)")
        }
        var warnings: [String] = []
        let response = try await guaranteedUpdate(name: name, precondition: nil) { current in
            let patched: JSONValue
            do {
                if type.hasPrefix("application/json-patch+json") {
                    patched = try JSONPatch.apply(patch, to: .object(current))
                } else if type.hasPrefix("application/merge-patch+json") {
                    patched = MergePatch.apply(patch, to: .object(current))
                } else if type.hasPrefix("application/strategic-merge-patch+json") {
                    guard let schemaType = APISchema.kubernetes.type(for: resource.gvk) else {
                        throw StatusError(.failure(.unsupportedMediaType, message: "strategic merge patch is not supported for \(resource.gvk)"))
                    }
                    patched = try StrategicMergePatch.apply(patch, to: .object(current), schema: .kubernetes, type: schemaType)
                } else if type.hasPrefix("application/apply-patch") {
                    throw StatusError(.failure(.unsupportedMediaType, message: "server-side apply is not supported yet: use client-side apply (kubectl apply without --server-side)"))
                } else {
                    throw StatusError(.failure(.unsupportedMediaType, message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"))
                }
            } catch let error as PatchError {
                throw StatusError(error.status)
            }
            guard case .object(var object) = patched else { throw StatusError.badRequest("the patch did not produce an object") }
            warnings = try checkBody(&object)
            return object
        }
        return withWarnings(response, warnings)
    }

    /// Read-modify-write with compare-and-swap: `mutate` gets the current object (with its
    /// resourceVersion); a conflict re-reads and retries unless the client pinned a
    /// resourceVersion (`precondition`, or one carried by the mutated object).
    func guaranteedUpdate(
        name: String, precondition: Int64?, mutate: (JSONObject) throws -> JSONObject
    ) async throws -> APIResponse {
        let strategy = self.strategy
        for _ in 0..<16 {
            guard let current = try await store.read(key(name)), case .object(let old) = try current.tree() else {
                throw StatusError.notFound(resource, name)
            }
            var object = try mutate(old)
            let pinned = precondition ?? object.objectMember("metadata")["resourceVersion"]?.stringValue.flatMap { Int64($0) }
            if let pinned, pinned != current.resourceVersion {
                throw StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            if object.objectMember("metadata")["name"]?.stringValue != name {
                throw StatusError.badRequest("metadata.name: Invalid value: the name of the object does not match the name on the URL")
            }
            ObjectRules.prepareForUpdate(new: &object, old: old, info: resource, subresource: info.subresource)
            strategy.prepareForUpdate(&object, old: old, subresource: info.subresource)
            if info.subresource == nil, case .object(let defaulted) = Defaulting.apply(.object(object), gvk: resource.gvk) {
                object = defaulted
            }
            let admission = admissionRequest(.update, name: name)
            try await handler.admission.admit(admission, object: &object, old: old)
            try validate(object, old: old)
            try await handler.admission.validate(admission, object: object, old: old)
            var metadata = object.objectMember("metadata")
            metadata["resourceVersion"] = nil
            object["metadata"] = .object(metadata)
            let finalizers = metadata["finalizers"].flatMap { if case .array(let a) = $0 { a } else { nil } } ?? []
            let finishing = metadata["deletionTimestamp"] != nil && finalizers.isEmpty && !strategy.deletionPending(object)
            if dryRun { return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, current.resourceVersion), revision: current.resourceVersion, resource: resource).json) }
            if object == JSONObject(members: old.members.map { $0.key == "metadata" ? .init(key: "metadata", value: .object(metadataWithoutRV(old))) : $0 }) && !finishing {
                // Nothing changed: no write, same resourceVersion (as Kubernetes).
                return objectResponse(200, current.json)
            }
            do {
                if finishing {
                    let revision = try await store.kv.delete(key(name), expected: current.resourceVersion)
                    await strategy.afterDelete(old)
                    return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource).json)
                }
                let subresource = info.subresource
                try await strategy.beginUpdate(&object, old: old, owner: "\(namespace ?? "")/\(name)", subresource: subresource)
                let revision: Int64
                do {
                    revision = try await store.kv.update(key(name), value: store.encode(object), expected: current.resourceVersion)
                } catch {
                    await strategy.abortUpdate(new: object, old: old, subresource: subresource)
                    throw error
                }
                await strategy.afterUpdate(new: object, old: old, subresource: subresource)
                return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource).json)
            } catch StoreError.conflict {
                if precondition != nil { throw StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name)) }
                continue
            }
        }
        throw StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
    }

    private func metadataWithoutRV(_ object: JSONObject) -> JSONObject {
        var metadata = object.objectMember("metadata")
        metadata["resourceVersion"] = nil
        return metadata
    }
}
