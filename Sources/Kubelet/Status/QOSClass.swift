import APIMachinery

/// A pod's quality-of-service class (upstream `qos.GetPodQOS`): Guaranteed when every
/// container limits cpu and memory and requests (defaulted to the limits) equal them,
/// BestEffort when no container requests or limits cpu or memory, else Burstable.
public enum QOSClass {
    public static func of(_ spec: CoreV1.PodSpec) -> String {
        let all = spec.containers + (spec.initContainers ?? [])
        var anySet = false
        var guaranteed = true
        for container in all {
            let requests = container.resources?.requests ?? [:]
            let limits = container.resources?.limits ?? [:]
            for name in ["cpu", "memory"] {
                let request = requests[name] ?? limits[name]
                let limit = limits[name]
                if (request.map { !$0.isZero } ?? false) || (limit.map { !$0.isZero } ?? false) { anySet = true }
                guard let limit, !limit.isZero, let request, request == limit else {
                    guaranteed = false
                    continue
                }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
