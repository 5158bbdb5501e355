import APIMachinery

/// Per-kind changes made on create that are not defaulting: initial status and server-set
/// labels (kube-apiserver's strategies' PrepareForCreate).
public enum KindStrategies {
    public static func prepareForCreate(_ object: inout JSONObject, info: ResourceInfo) {
        guard info.gvk.group.isEmpty else { return }
        switch info.plural {
        case "pods":
            object["status"] = ["phase": "Pending", "qosClass": .string(qosClass(object["spec"]))]
        case "namespaces":
            var metadata = object.objectMember("metadata")
            var labels = metadata.objectMember("labels")
            labels["kubernetes.io/metadata.name"] = metadata["name"] ?? ""
            metadata["labels"] = .object(labels)
            object["metadata"] = .object(metadata)
            var spec = object.objectMember("spec")
            // Every new namespace carries the `kubernetes` finalizer (the namespace controller's).
            var finalizers: [JSONValue] = if case .array(let list)? = spec["finalizers"] { list } else { [] }
            if !finalizers.contains("kubernetes") { finalizers.append("kubernetes") }
            spec["finalizers"] = .array(finalizers)
            object["spec"] = .object(spec)
            object["status"] = ["phase": "Active"]
        case "persistentvolumes", "persistentvolumeclaims":
            object["status"] = ["phase": "Pending"]
        case "services":
            object["status"] = ["loadBalancer": [:]]
        default:
            break
        }
    }

    /// Kubernetes' QoS class of a pod spec: Guaranteed when every container limits cpu and
    /// memory with requests equal to limits, BestEffort when nothing is requested or limited.
    public static func qosClass(_ spec: JSONValue?) -> String {
        var containers: [JSONValue] = []
        for field in ["initContainers", "containers"] {
            if case .array(let list)? = spec?[field] { containers += list }
        }
        var anySet = false
        var guaranteed = true
        for container in containers {
            let requests = container["resources"]?["requests"]
            let limits = container["resources"]?["limits"]
            for resource in ["cpu", "memory"] {
                let request = requests?[resource]
                let limit = limits?[resource]
                if request != nil || limit != nil { anySet = true }
                guard let limit else {
                    guaranteed = false
                    continue
                }
                if let request, !sameQuantity(request, limit) { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    private static func sameQuantity(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func text(_ v: JSONValue) -> String {
            switch v {
            case .string(let s): s
            case .int(let i): String(i)
            case .double(let d): String(d)
            default: ""
            }
        }
        if let qa = try? Quantity(text(a)), let qb = try? Quantity(text(b)) { return qa == qb }
        return text(a) == text(b)
    }
}
