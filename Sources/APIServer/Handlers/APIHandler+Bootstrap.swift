import APIMachinery
import Foundation

extension APIHandler {
    /// The namespaces every cluster has.
    public static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Creates the system namespaces that do not exist yet; retries while the store is unreachable.
    public func bootstrap() async throws {
        guard let info = registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "namespaces")) else { return }
        let store = stores.store(for: info)
        var attempt = 0
        while true {
            do {
                for name in Self.systemNamespaces {
                    var object: JSONObject = ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": .string(name)]]
                    ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
                    Strategies.prepareForCreate(&object, info: info)
                    do {
                        _ = try await store.kv.create(store.key(namespace: nil, name: name), value: store.encode(object))
                    } catch StoreError.keyExists {}
                }
                try await ensureKubernetesService()
                try await ensureSystemPriorityClasses()
                if bootstrapRBAC { try await ensureBootstrapPolicy(.kubernetes) }
                return
            } catch StoreError.unavailable(let message) {
                logger.warning("bootstrap: the store is unavailable; retrying", metadata: ["attempt": "\(attempt + 1)", "error": "\(message)"])
                attempt += 1
                if attempt >= 60 { throw StoreError.unavailable(message) }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Kubernetes' two built-in PriorityClasses, which system pods name.
    public static let systemPriorityClasses: [(name: String, value: Int64, description: String)] = [
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ]

    private func ensureSystemPriorityClasses() async throws {
        guard let info = registry.info(for: GroupVersionResource(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses")) else { return }
        let store = stores.store(for: info)
        for (name, value, description) in Self.systemPriorityClasses {
            var object: JSONObject = [
                "kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1", "metadata": ["name": .string(name)],
                "value": .int(value), "description": .string(description), "preemptionPolicy": "PreemptLowerPriority",
            ]
            ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
            do {
                _ = try await store.kv.create(store.key(namespace: nil, name: name), value: store.encode(object))
            } catch StoreError.keyExists {}
        }
    }

    /// The `default/kubernetes` Service on the first address of the service range.
    private func ensureKubernetesService() async throws {
        guard let info = registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "services")) else { return }
        let store = stores.store(for: info)
        let key = store.key(namespace: "default", name: "kubernetes")
        if try await store.kv.get(key).0 != nil { return }
        var object: JSONObject = [
            "kind": "Service", "apiVersion": "v1",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": [
                "type": "ClusterIP", "clusterIP": .string(services.apiServiceIP), "sessionAffinity": "None",
                "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
                "internalTrafficPolicy": "Cluster",
            ],
        ]
        ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
        Strategies.prepareForCreate(&object, info: info)
        do {
            try await services.allocate(&object, owner: "default/kubernetes")
        } catch is StatusError {
            // Already allocated by an earlier start that stopped before creating the Service.
        }
        do {
            _ = try await store.kv.create(key, value: store.encode(object))
        } catch StoreError.keyExists {}
    }

    /// Creates or reconciles Kubernetes' bootstrap RBAC objects (`BootstrapPolicy`), as
    /// kube-apiserver does at every start, so that manifests and tools that bind to
    /// cluster-admin, view, system:* roles find them.
    func ensureBootstrapPolicy(_ policy: BootstrapPolicy) async throws {
        let rbac = { (resource: String) in GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: resource) }
        let sets: [(GroupVersionResource, [JSONObject], Bool)] = [
            (rbac("clusterroles"), policy.clusterRoles, false), (rbac("clusterrolebindings"), policy.clusterRoleBindings, true),
            (rbac("roles"), policy.roles, false), (rbac("rolebindings"), policy.roleBindings, true),
        ]
        var created = 0, updated = 0
        for (gvr, objects, binding) in sets {
            guard let info = registry.info(for: gvr) else { continue }
            let store = stores.store(for: info)
            for expected in objects {
                let metadata = expected.objectMember("metadata")
                let key = store.key(namespace: metadata["namespace"]?.stringValue, name: metadata["name"]?.stringValue ?? "")
                // A concurrent writer (another apiserver starting) makes a step conflict: read again.
                for attempt in 1...5 {
                    let current = try await store.read(key)
                    var existing: JSONObject?
                    if let current, var object = try current.tree().objectValue {
                        var metadata = object.objectMember("metadata")
                        metadata["resourceVersion"] = nil
                        object["metadata"] = .object(metadata)
                        existing = object
                    }
                    let action = binding
                        ? BootstrapPolicy.reconcileBinding(expected: expected, existing: existing)
                        : BootstrapPolicy.reconcileRole(expected: expected, existing: existing)
                    do {
                        switch action {
                        case .none:
                            break
                        case .create(var object):
                            ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
                            _ = try await store.kv.create(key, value: store.encode(object))
                            created += 1
                        case .update(let object):
                            _ = try await store.kv.update(key, value: store.encode(object), expected: current?.resourceVersion ?? 0)
                            updated += 1
                        case .replace(var object):
                            _ = try await store.kv.delete(key, expected: current?.resourceVersion ?? 0)
                            ObjectRules.prepareForCreate(&object, info: info, now: now(), uid: UUID().uuidString.lowercased())
                            _ = try await store.kv.create(key, value: store.encode(object))
                            updated += 1
                        }
                        break
                    } catch StoreError.conflict where attempt < 5 {
                        continue
                    } catch StoreError.keyExists where attempt < 5 {
                        continue
                    }
                }
            }
        }
        if created + updated > 0 {
            logger.info("bootstrap RBAC objects reconciled", metadata: ["created": "\(created)", "updated": "\(updated)"])
        }
    }
}
