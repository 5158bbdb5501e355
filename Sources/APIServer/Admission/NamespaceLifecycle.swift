import APIMachinery

/// kube-apiserver's `NamespaceLifecycle`: nothing is created in a namespace that does not exist
/// (404) or is being terminated (403, cause `NamespaceTerminating`), and the namespaces every
/// cluster needs (`default`, `kube-system`, `kube-public`) cannot be deleted (403).
struct NamespaceLifecycle: ValidatingAdmissionPlugin {
    let name = "NamespaceLifecycle"
    static let immortal: Set<String> = ["default", "kube-system", "kube-public"]

    let registry: ResourceRegistry
    let stores: StoreRegistry

    func validate(_ request: AdmissionRequest, object: JSONObject?, old: JSONObject?) async throws {
        let resource = request.resource
        if request.operation == .delete, resource.gvk.group.isEmpty, resource.plural == "namespaces",
           request.subresource == nil, Self.immortal.contains(request.name) {
            throw StatusError(.failure(.forbidden, message: "namespaces \"\(request.name)\" is forbidden: this namespace may not be deleted"))
        }
        guard request.operation == .create, resource.namespaced, let namespace = request.namespace,
              let nsInfo = registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "namespaces"))
        else { return }
        let namespaces = stores.store(for: nsInfo)
        guard let current = try await namespaces.read(namespaces.key(namespace: nil, name: namespace)) else {
            throw StatusError(.notFound(group: "", resource: "namespaces", name: namespace))
        }
        let tree = try current.tree()
        if tree["metadata"]?["deletionTimestamp"] != nil || tree["status"]?["phase"]?.stringValue == "Terminating" {
            throw StatusError(.failure(
                .forbidden, message: "\(resource.plural) \"\(request.name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                details: MetaV1.StatusDetails(causes: [MetaV1.StatusCause(field: "metadata.namespace", message: "namespace \(namespace) is being terminated", reason: "NamespaceTerminating")])))
        }
    }
}
