import APIMachinery
import Foundation

extension ResourceContext {
    // MARK: scale

    /// `autoscaling/v1 Scale` for deployments, replicasets, statefulsets, replicationcontrollers.
    func scale() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        guard let current = try await store.read(key(name)), case .object(let object) = try current.tree() else {
            throw StatusError.notFound(resource, name)
        }
        if info.verb == "get" { return Responses.json(200, Self.scaleObject(object)) }
        let scaleGVK = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        var desired: JSONObject
        var pinned: Int64?
        if info.verb == "update" {
            desired = try bodyObject()
            _ = try checkBody(&desired, expectedKind: scaleGVK)
            pinned = desired.objectMember("metadata")["resourceVersion"]?.stringValue.flatMap { Int64($0) }
        } else {
            let patch: JSONValue
            do { patch = try JSONCodec.parse(request.body) } catch { throw StatusError.badRequest("error decoding patch: \(error)") }
            let type = (request.headers.first(name: "Content-Type") ?? "").lowercased()
            // Only a resourceVersion the patch itself sets is a precondition.
            pinned = patch["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int64($0) }
            let base = Self.scaleObject(object)
            let patched: JSONValue
            do {
                patched = type.hasPrefix("application/json-patch+json") ? try JSONPatch.apply(patch, to: base) : MergePatch.apply(patch, to: base)
            } catch let error as PatchError {
                throw StatusError(error.status)
            }
            guard case .object(let result) = patched else { throw StatusError.badRequest("the patch did not produce an object") }
            desired = result
        }
        guard case .int(let replicas)? = desired["spec"]?["replicas"] else {
            throw StatusError(.invalid(group: "autoscaling", kind: "Scale", name: name, causes: [MetaV1.StatusCause(field: "spec.replicas", message: "Required value", reason: "FieldValueRequired")]))
        }
        if replicas < 0 {
            throw StatusError(.invalid(group: "autoscaling", kind: "Scale", name: name, causes: [MetaV1.StatusCause(field: "spec.replicas", message: "Invalid value: \(replicas): must be greater than or equal to 0", reason: "FieldValueInvalid")]))
        }
        let response = try await guaranteedUpdate(name: name, precondition: pinned) { old in
            var updated = old
            var spec = updated.objectMember("spec")
            spec["replicas"] = .int(replicas)
            updated["spec"] = .object(spec)
            var metadata = updated.objectMember("metadata")
            metadata["resourceVersion"] = nil
            updated["metadata"] = .object(metadata)
            return updated
        }
        guard case .full(let status, _, let body) = response, let tree = try? JSONCodec.parse(body), case .object(let stored) = tree
        else { return response }
        return Responses.json(status, Self.scaleObject(stored))
    }

    static func scaleObject(_ object: JSONObject) -> JSONValue {
        let metadata = object.objectMember("metadata")
        var scaleMeta = JSONObject()
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = metadata[field] { scaleMeta[field] = value }
        }
        let specReplicas = object["spec"]?["replicas"] ?? .int(1)
        let statusReplicas = object["status"]?["replicas"] ?? .int(0)
        var status: JSONObject = ["replicas": statusReplicas]
        if let selector = object["spec"]?["selector"] {
            let text = selectorString(selector)
            if !text.isEmpty { status["selector"] = .string(text) }
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(scaleMeta),
            "spec": ["replicas": specReplicas], "status": .object(status),
        ]
    }

    /// A label selector (`matchLabels` + `matchExpressions`, or a plain map) as selector text.
    static func selectorString(_ selector: JSONValue) -> String {
        var parts: [String] = []
        let labels: JSONValue? = selector["matchLabels"] ?? (selector["matchExpressions"] == nil ? selector : nil)
        if case .object(let map)? = labels {
            for member in map.members.sorted(by: { $0.key < $1.key }) { parts.append("\(member.key)=\(member.value.stringValue ?? "")") }
        }
        if case .array(let expressions)? = selector["matchExpressions"] {
            for expression in expressions {
                let key = expression["key"]?.stringValue ?? ""
                let values: [String] = if case .array(let v)? = expression["values"] { v.compactMap(\.stringValue) } else { [] }
                switch expression["operator"]?.stringValue ?? "" {
                case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
                case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
                case "Exists": parts.append(key)
                case "DoesNotExist": parts.append("!\(key)")
                default: break
                }
            }
        }
        return parts.joined(separator: ",")
    }

    // MARK: binding

    /// `pods/binding`: assigns a pod to a node once.
    func bind() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        var binding = try bodyObject()
        _ = try checkBody(&binding, expectedKind: GroupVersionKind(group: "", version: "v1", kind: "Binding"))
        guard let node = binding["target"]?["name"]?.stringValue, !node.isEmpty else {
            throw StatusError(.invalid(group: "", kind: "Binding", name: name, causes: [MetaV1.StatusCause(field: "target.name", message: "Required value", reason: "FieldValueRequired")]))
        }
        for _ in 0..<16 {
            guard let current = try await store.read(key(name)), case .object(var pod) = try current.tree() else {
                throw StatusError.notFound(resource, name)
            }
            if pod.objectMember("metadata")["deletionTimestamp"] != nil {
                throw StatusError(.failure(.conflict, message: "pod \(name) is being deleted, cannot be assigned to a host"))
            }
            if let uid = binding.objectMember("metadata")["uid"]?.stringValue, !uid.isEmpty,
               uid != pod.objectMember("metadata")["uid"]?.stringValue {
                throw StatusError(.failure(.conflict, message: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(pod.objectMember("metadata")["uid"]?.stringValue ?? "")"))
            }
            var spec = pod.objectMember("spec")
            if let assigned = spec["nodeName"]?.stringValue, !assigned.isEmpty {
                throw StatusError(.failure(.conflict, message: "pod \(name) is already assigned to node \"\(assigned)\""))
            }
            spec["nodeName"] = .string(node)
            pod["spec"] = .object(spec)
            var status = pod.objectMember("status")
            var conditions: [JSONValue] = if case .array(let list)? = status["conditions"] { list } else { [] }
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append([
                "type": "PodScheduled", "status": "True", "lastProbeTime": nil,
                "lastTransitionTime": .string(ObjectRules.timestamp(handler.now())),
            ])
            status["conditions"] = .array(conditions)
            pod["status"] = .object(status)
            var metadata = pod.objectMember("metadata")
            metadata["resourceVersion"] = nil
            if case .object(let annotations)? = binding.objectMember("metadata")["annotations"] {
                var merged = metadata.objectMember("annotations")
                for member in annotations.members { merged[member.key] = member.value }
                metadata["annotations"] = .object(merged)
            }
            pod["metadata"] = .object(metadata)
            if dryRun { return Self.bindingSuccess }
            do {
                _ = try await store.kv.update(current.key, value: store.encode(pod), expected: current.resourceVersion)
                return Self.bindingSuccess
            } catch StoreError.conflict {
                continue
            }
        }
        throw StatusError(.conflict(group: "", resource: "pods", name: name))
    }

    static let bindingSuccess = Responses.json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
}
