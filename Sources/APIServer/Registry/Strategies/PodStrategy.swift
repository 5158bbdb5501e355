import APIMachinery

/// Pods: `Pending` with their QoS class on create; graceful deletion while bound and running;
/// a finished delete answers with the pod.
struct PodStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONObject) {
        object["status"] = ["phase": "Pending", "qosClass": .string(Self.qosClass(object["spec"]))]
    }

    /// Only pods bound to a node and still running get a grace period: the requested one, else
    /// the spec's `terminationGracePeriodSeconds`, else 30 s.
    func gracePeriod(_ object: JSONObject, requested: Int64?) -> Int64 {
        let phase = object["status"]?["phase"]?.stringValue ?? ""
        let node = object["spec"]?["nodeName"]?.stringValue ?? ""
        if node.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        if let requested { return max(requested, 0) }
        if case .int(let spec)? = object["spec"]?["terminationGracePeriodSeconds"] { return max(spec, 0) }
        return 30
    }

    var returnsDeletedObject: Bool { true }

    /// Kubernetes' QoS class of a pod spec: Guaranteed when every container limits cpu and
    /// memory with requests equal to limits, BestEffort when nothing is requested or limited.
    static func qosClass(_ spec: JSONValue?) -> String {
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
