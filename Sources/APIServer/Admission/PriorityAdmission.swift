import APIMachinery

/// kube-apiserver's `Priority` admission on a pod create: `spec.priorityClassName` names a
/// PriorityClass whose value becomes `spec.priority` (and its preemption policy the pod's);
/// an unknown class is refused with Kubernetes' 403. Without a class the priority is 0 (the
/// `globalDefault` class is not looked up yet). A pod that sets a different `spec.priority`
/// or `spec.preemptionPolicy` itself is refused, as upstream does.
struct PriorityAdmission: MutatingAdmissionPlugin {
    let name = "Priority"
    let registry: ResourceRegistry
    let stores: StoreRegistry

    func admit(_ request: AdmissionRequest, object: inout JSONObject, old: JSONObject?) async throws {
        guard request.operation == .create, request.subresource == nil, request.resource.gvk.group.isEmpty,
              request.resource.plural == "pods" else { return }
        let name = request.name
        guard var spec = object["spec"] else { return }
        var value: Int64 = 0
        var policy: JSONValue = "PreemptLowerPriority"
        if let className = spec["priorityClassName"]?.stringValue, !className.isEmpty,
            let info = registry.info(for: GroupVersionResource(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses"))
        {
            let classes = stores.store(for: info)
            guard let stored = try await classes.read(classes.key(namespace: nil, name: className)) else {
                throw StatusError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: no PriorityClass with name \(className) was found"))
            }
            let priorityClass = try stored.tree()
            if case .int(let number)? = priorityClass["value"] { value = number }
            if let classPolicy = priorityClass["preemptionPolicy"], classPolicy != .null { policy = classPolicy }
        }
        if let given = spec["priority"], given != .null, given != .int(value) {
            throw StatusError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: the integer value of priority (\(JSONCodec.encodeToString(given))) must not be provided in pod spec; priority admission controller computed \(value) from the given PriorityClass name"))
        }
        if let given = spec["preemptionPolicy"], given != .null, given != policy, spec["priorityClassName"]?.stringValue?.isEmpty == false {
            throw StatusError(.failure(.forbidden, message: "pods \"\(name)\" is forbidden: the string value of PreemptionPolicy (\(given.stringValue ?? "")) must not be provided in pod spec; priority admission controller computed \(policy.stringValue ?? "") from the given PriorityClass name"))
        }
        guard case .object(var fields) = spec else { return }
        fields["priority"] = .int(value)
        if fields["preemptionPolicy"] == nil || fields["preemptionPolicy"] == .null { fields["preemptionPolicy"] = policy }
        spec = .object(fields)
        object["spec"] = spec
    }
}
