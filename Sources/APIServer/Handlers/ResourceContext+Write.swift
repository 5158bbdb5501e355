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
                    throw APIError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): \(error)")
                }
            } else if type.contains("yaml") {
                value = try YAMLCodec.parse(String(decoding: request.body, as: UTF8.self))
            } else if type.contains("json") || type.isEmpty {
                value = try JSONCodec.parse(request.body)
            } else {
                throw APIError(.failure(.unsupportedMediaType, message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"))
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): couldn't get version/kind; json parse error: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(resource.gvk.kind)): couldn't get version/kind; json parse error: expected an object")
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
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(gvk.kind)): \(kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind)")
        }
        if let version = object["apiVersion"]?.stringValue, !version.isEmpty, version != gvk.apiVersion {
            throw APIError.badRequest("the API version in the data (\(version)) does not match the expected API version (\(gvk.apiVersion))")
        }
        object["kind"] = .string(gvk.kind)
        object["apiVersion"] = .string(gvk.apiVersion)
        var metadata = object.objectMember("metadata")
        if resource.namespaced && expectedKind == nil {
            let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, let namespace, bodyNamespace != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            if let namespace { metadata["namespace"] = .string(namespace) }
        } else if expectedKind == nil {
            metadata["namespace"] = nil
        }
        object["metadata"] = .object(metadata)
        let validation = request.parameter("fieldValidation") ?? "Warn"
        guard let type = GeneratedKinds.all[gvk] else { return [] }
        let issues: [StrictDecodingIssue]
        do {
            issues = try Self.decodeIssues(type, JSONCodec.encode(JSONValue.object(object)))
        } catch {
            throw APIError.badRequest("\(gvk.kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind): \(error)")
        }
        if issues.isEmpty || validation == "Ignore" { return [] }
        if validation == "Strict" {
            throw APIError.badRequest(StrictDecodingError(issues: issues).description)
        }
        return issues.map(\.description)
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
        throw APIError(.invalid(group: resource.gvk.group, kind: resource.gvk.kind, name: name, causes: errors.map(\.statusCause)))
    }

    // MARK: create

    func create() async throws -> APIResponse {
        if resource.namespaced && namespace == nil {
            throw APIError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
        var object = try bodyObject()
        let warnings = try checkBody(&object)
        if let rv = object.objectMember("metadata")["resourceVersion"]?.stringValue, !rv.isEmpty {
            throw APIError(.failure(.badRequest, message: "resourceVersion should not be set on objects to be created"))
        }
        ObjectRules.prepareForCreate(&object, info: resource, now: handler.now(), uid: UUID().uuidString.lowercased())
        // After prepareForCreate: some defaults (a Job's selector) derive from the uid.
        if case .object(let defaulted) = Defaulting.apply(.object(object), gvk: resource.gvk) { object = defaulted }
        KindStrategies.prepareForCreate(&object, info: resource)
        let name = object.objectMember("metadata")["name"]?.stringValue ?? ""
        if isPod { try await admitPriority(&object, name: name) }
        try validate(object, old: nil)
        try await checkNamespaceAcceptsCreates(name: name)
        if dryRun || isService {
            // A dry run answers as the real create would, so a taken name is a 409 here too.
            if try await store.read(key(name)) != nil {
                throw APIError(.alreadyExists(group: resource.gvk.group, resource: resource.plural, name: name))
            }
        }
        if dryRun { return withWarnings(objectResponse(201, JSONCodec.encode(JSONValue.object(object))), warnings) }
        if isService { try await handler.services.allocate(&object, owner: "\(namespace ?? "")/\(name)") }
        let revision: Int64
        do {
            revision = try await store.kv.create(key(name), value: store.encode(object))
        } catch {
            if isService { await handler.services.release(old: object, new: nil) }
            if case StoreError.keyExists = error {
                throw APIError(.alreadyExists(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            throw error
        }
        let stored = CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource)
        return withWarnings(objectResponse(201, stored.json), warnings)
    }

    var isService: Bool { resource.gvk.group.isEmpty && resource.plural == "services" }
    var isPod: Bool { resource.gvk.group.isEmpty && resource.plural == "pods" }

    /// The Priority admission step of a pod create: `spec.priorityClassName` names a
    /// PriorityClass whose value becomes `spec.priority` (and its preemption policy the pod's);
    /// an unknown class is refused with Kubernetes' 403. Without a class the priority is 0 (the
    /// `globalDefault` class is not looked up yet). A pod that sets a different `spec.priority`
    /// or `spec.preemptionPolicy` itself is refused, as upstream does.
    private func admitPriority(_ object: inout JSONObject, name: String) async throws {
        guard var spec = object["spec"] else { return }
        var value: Int64 = 0
        var policy: JSONValue = "PreemptLowerPriority"
        if let className = spec["priorityClassName"]?.stringValue, !className.isEmpty,
            let info = handler.registry.info(for: GroupVersionResource(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses"))
        {
            let classes = handler.stores.store(for: info)
            guard let stored = try await classes.read(classes.key(namespace: nil, name: className)), let priorityClass = try? stored.tree() else {
                throw APIError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: no PriorityClass with name \(className) was found"))
            }
            if case .int(let number)? = priorityClass["value"] { value = number }
            if let classPolicy = priorityClass["preemptionPolicy"], classPolicy != .null { policy = classPolicy }
        }
        if let given = spec["priority"], given != .null, given != .int(value) {
            throw APIError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: the integer value of priority (\(JSONCodec.encodeToString(given))) must not be provided in pod spec; priority admission controller computed \(value) from the given PriorityClass name"))
        }
        if let given = spec["preemptionPolicy"], given != .null, given != policy, spec["priorityClassName"]?.stringValue?.isEmpty == false {
            throw APIError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: the string value of PreemptionPolicy (\(given.stringValue ?? "")) must not be provided in pod spec; priority admission controller computed \(policy.stringValue ?? "") from the given PriorityClass name"))
        }
        guard case .object(var fields) = spec else { return }
        fields["priority"] = .int(value)
        if fields["preemptionPolicy"] == nil || fields["preemptionPolicy"] == .null { fields["preemptionPolicy"] = policy }
        spec = .object(fields)
        object["spec"] = spec
    }
    var isNamespace: Bool { resource.gvk.group.isEmpty && resource.plural == "namespaces" }

    /// No creates in a missing or terminating namespace.
    private func checkNamespaceAcceptsCreates(name: String) async throws {
        guard resource.namespaced, let namespace else { return }
        guard let nsInfo = handler.registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "namespaces"))
        else { return }
        let namespaces = handler.stores.store(for: nsInfo)
        guard let current = try await namespaces.read(namespaces.key(namespace: nil, name: namespace)) else {
            throw APIError(.notFound(group: "", resource: "namespaces", name: namespace))
        }
        if let tree = try? current.tree(), tree["metadata"]?["deletionTimestamp"] != nil || tree["status"]?["phase"]?.stringValue == "Terminating" {
            throw APIError(.failure(
                .forbidden, message: "\(resource.plural) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                details: MetaV1.StatusDetails(causes: [MetaV1.StatusCause(field: "metadata.namespace", message: "namespace \(namespace) is being terminated", reason: "NamespaceTerminating")])))
        }
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
        guard let name = info.name else { throw APIError(APIHandler.notFoundPath) }
        var object = try bodyObject()
        let warnings = try checkBody(&object)
        let bodyName = object.objectMember("metadata")["name"]?.stringValue ?? ""
        if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let expected = object.objectMember("metadata")["resourceVersion"]?.stringValue.flatMap { Int64($0) }
        let response = try await guaranteedUpdate(name: name, precondition: expected) { _ in object }
        return withWarnings(response, warnings)
    }

    func patch() async throws -> APIResponse {
        guard let name = info.name else { throw APIError(APIHandler.notFoundPath) }
        let type = (request.headers.first(name: "Content-Type") ?? "").lowercased()
        let patch: JSONValue
        do { patch = try JSONCodec.parse(request.body) } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
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
                        throw APIError(.failure(.unsupportedMediaType, message: "strategic merge patch is not supported for \(resource.gvk)"))
                    }
                    patched = try StrategicMergePatch.apply(patch, to: .object(current), schema: .kubernetes, type: schemaType)
                } else if type.hasPrefix("application/apply-patch") {
                    throw APIError(.failure(.unsupportedMediaType, message: "server-side apply is not supported yet: use client-side apply (kubectl apply without --server-side)"))
                } else {
                    throw APIError(.failure(.unsupportedMediaType, message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"))
                }
            } catch let error as PatchError {
                throw APIError(error.kind == .badRequest ? .failure(.badRequest, message: error.message) : .failure(.invalid, message: error.message))
            }
            guard case .object(var object) = patched else { throw APIError.badRequest("the patch did not produce an object") }
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
        for _ in 0..<16 {
            guard let current = try await store.read(key(name)), case .object(let old) = try current.tree() else {
                throw APIError.notFound(resource, name)
            }
            var object = try mutate(old)
            let pinned = precondition ?? object.objectMember("metadata")["resourceVersion"]?.stringValue.flatMap { Int64($0) }
            if let pinned, pinned != current.resourceVersion {
                throw APIError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            if object.objectMember("metadata")["name"]?.stringValue != name {
                throw APIError.badRequest("metadata.name: Invalid value: the name of the object does not match the name on the URL")
            }
            ObjectRules.prepareForUpdate(new: &object, old: old, info: resource, subresource: info.subresource)
            if isService && info.subresource == nil { ServiceAllocator.carryOver(into: &object, from: old) }
            if info.subresource == nil, case .object(let defaulted) = Defaulting.apply(.object(object), gvk: resource.gvk) {
                object = defaulted
            }
            try validate(object, old: old)
            var metadata = object.objectMember("metadata")
            metadata["resourceVersion"] = nil
            object["metadata"] = .object(metadata)
            let finalizers = metadata["finalizers"].flatMap { if case .array(let a) = $0 { a } else { nil } } ?? []
            // A namespace also waits for its spec.finalizers (the namespace controller's).
            let specFinalizersPending = isNamespace && { if case .array(let f)? = object["spec"]?["finalizers"] { !f.isEmpty } else { false } }()
            let finishing = metadata["deletionTimestamp"] != nil && finalizers.isEmpty && !specFinalizersPending
            if dryRun { return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, current.resourceVersion), revision: current.resourceVersion, resource: resource).json) }
            if object == JSONObject(members: old.members.map { $0.key == "metadata" ? .init(key: "metadata", value: .object(metadataWithoutRV(old))) : $0 }) && !finishing {
                // Nothing changed: no write, same resourceVersion (as Kubernetes).
                return objectResponse(200, current.json)
            }
            do {
                if finishing {
                    let revision = try await store.kv.delete(key(name), expected: current.resourceVersion)
                    if isService { await handler.services.release(old: old, new: nil) }
                    return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource).json)
                }
                if isService && info.subresource == nil {
                    try await handler.services.allocate(&object, owner: "\(namespace ?? "")/\(name)", old: old)
                }
                let revision: Int64
                do {
                    revision = try await store.kv.update(key(name), value: store.encode(object), expected: current.resourceVersion)
                } catch {
                    if isService && info.subresource == nil { await handler.services.release(old: object, new: old) }
                    throw error
                }
                if isService && info.subresource == nil { await handler.services.release(old: old, new: object) }
                return objectResponse(200, CachedObject(key: key(name), object: Self.stamp(object, revision), revision: revision, resource: resource).json)
            } catch StoreError.conflict {
                if precondition != nil { throw APIError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name)) }
                continue
            }
        }
        throw APIError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
    }

    private func metadataWithoutRV(_ object: JSONObject) -> JSONObject {
        var metadata = object.objectMember("metadata")
        metadata["resourceVersion"] = nil
        return metadata
    }
}
