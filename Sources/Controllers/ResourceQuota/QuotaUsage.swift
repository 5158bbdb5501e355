import APIMachinery
import Component

/// What objects use of a quota, as kube-apiserver's quota evaluators count it (pure).
enum QuotaUsage {
    /// Counted while it may still run: not Succeeded or Failed, and not past its deletion
    /// grace period (upstream's `QuotaV1Pod`).
    static func podCounts(_ pod: CoreV1.Pod, now: Int64) -> Bool {
        if pod.status?.phase == "Succeeded" || pod.status?.phase == "Failed" { return false }
        if let deleted = pod.metadata?.deletionTimestamp, let grace = pod.metadata?.deletionGracePeriodSeconds,
            now > deleted.secondsSinceEpoch + grace
        {
            return false
        }
        return true
    }

    /// A pod's effective requests or limits (`field` "requests" or "limits"): the larger of
    /// its containers' sum and any one init container, plus the pod overhead.
    static func podResources(_ pod: CoreV1.Pod, _ field: String) -> [String: Quantity] {
        func of(_ container: CoreV1.Container) -> [String: Quantity] {
            (field == "requests" ? container.resources?.requests : container.resources?.limits) ?? [:]
        }
        var total: [String: Quantity] = [:]
        for container in pod.spec?.containers ?? [] {
            for (name, value) in of(container) { total[name] = (total[name] ?? Quantity(integer: 0)) + value }
        }
        for container in pod.spec?.initContainers ?? [] {
            for (name, value) in of(container) where total[name].map({ $0 < value }) ?? true { total[name] = value }
        }
        for (name, value) in pod.spec?.overhead ?? [:] { total[name] = (total[name] ?? Quantity(integer: 0)) + value }
        return total
    }

    /// No container requests or limits anything.
    static func isBestEffort(_ pod: CoreV1.Pod) -> Bool {
        ((pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])).allSatisfy { container in
            (container.resources?.requests ?? [:]).isEmpty && (container.resources?.limits ?? [:]).isEmpty
        }
    }

    /// Whether `pod` is in the quota's scopes (all must match).
    static func podMatches(_ pod: CoreV1.Pod, scopes: [String], selector: CoreV1.ScopeSelector?) -> Bool {
        for scope in scopes where !podMatches(pod, scope: scope, operator: "Exists", values: []) { return false }
        for requirement in selector?.matchExpressions ?? [] {
            if !podMatches(pod, scope: requirement.scopeName, operator: requirement.operator, values: requirement.values ?? []) { return false }
        }
        return true
    }

    private static func podMatches(_ pod: CoreV1.Pod, scope: String, operator: String, values: [String]) -> Bool {
        switch scope {
        case "Terminating": return pod.spec?.activeDeadlineSeconds != nil
        case "NotTerminating": return pod.spec?.activeDeadlineSeconds == nil
        case "BestEffort": return isBestEffort(pod)
        case "NotBestEffort": return !isBestEffort(pod)
        case "PriorityClass":
            let name = pod.spec?.priorityClassName ?? ""
            switch `operator` {
            case "In": return values.contains(name)
            case "NotIn": return !values.contains(name)
            case "Exists": return !name.isEmpty
            case "DoesNotExist": return name.isEmpty
            default: return false
            }
        case "CrossNamespacePodAffinity":
            let terms = (pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
                + (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
            return terms.contains { $0.namespaceSelector != nil || !($0.namespaces ?? []).isEmpty }
        default: return false
        }
    }

    /// Quota resource names a pod's usage is reported under.
    static func podUsage(_ pods: [CoreV1.Pod]) -> [String: Quantity] {
        var usage: [String: Quantity] = ["pods": Quantity(integer: Int64(pods.count)), "count/pods": Quantity(integer: Int64(pods.count))]
        for pod in pods {
            for (name, value) in podResources(pod, "requests") {
                add(&usage, "requests.\(name)", value)
                if name == "cpu" || name == "memory" || name == "ephemeral-storage" { add(&usage, name, value) }
            }
            for (name, value) in podResources(pod, "limits") { add(&usage, "limits.\(name)", value) }
        }
        return usage
    }

    /// Services, with their load balancers and node ports.
    static func serviceUsage(_ services: [CoreV1.Service]) -> [String: Quantity] {
        var loadBalancers: Int64 = 0, nodePorts: Int64 = 0
        for service in services {
            let type = service.spec?.type ?? "ClusterIP"
            if type == "LoadBalancer" { loadBalancers += 1 }
            if type == "LoadBalancer" || type == "NodePort" { nodePorts += Int64(service.spec?.ports?.count ?? 0) }
        }
        let count = Quantity(integer: Int64(services.count))
        return [
            "services": count, "count/services": count,
            "services.loadbalancers": Quantity(integer: loadBalancers), "services.nodeports": Quantity(integer: nodePorts),
        ]
    }

    /// Claims, their requested storage, and both per storage class.
    static func claimUsage(_ claims: [CoreV1.PersistentVolumeClaim]) -> [String: Quantity] {
        let count = Quantity(integer: Int64(claims.count))
        var usage: [String: Quantity] = ["persistentvolumeclaims": count, "count/persistentvolumeclaims": count, "requests.storage": Quantity(integer: 0)]
        for claim in claims {
            let storage = claim.spec?.resources?.requests?["storage"] ?? Quantity(integer: 0)
            add(&usage, "requests.storage", storage)
            if let storageClass = claim.spec?.storageClassName, !storageClass.isEmpty {
                add(&usage, "\(storageClass).storageclass.storage.k8s.io/requests.storage", storage)
                add(&usage, "\(storageClass).storageclass.storage.k8s.io/persistentvolumeclaims", Quantity(integer: 1))
            }
        }
        return usage
    }

    static func add(_ usage: inout [String: Quantity], _ name: String, _ value: Quantity) {
        usage[name] = (usage[name] ?? Quantity(integer: 0)) + value
    }

    /// `count/<resource>[.<group>]` → (group, resource); nil for other names.
    static func countedResource(_ name: String) -> (group: String, resource: String)? {
        guard name.hasPrefix("count/") else { return nil }
        let rest = name.dropFirst("count/".count)
        guard let dot = rest.firstIndex(of: ".") else { return ("", String(rest)) }
        return (String(rest[rest.index(after: dot)...]), String(rest[..<dot]))
    }
}
