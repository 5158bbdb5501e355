import APIMachinery

/// The effective resource request of a pod, computed as Kubernetes does
/// (`resourcehelper.PodRequests`):
///
/// - regular containers and restartable (sidecar) init containers run together, so their
///   requests add up;
/// - an ordinary init container runs alone, alongside only the sidecars declared before it,
///   so the pod needs at least that much while it runs: the result is the per-resource
///   maximum of the sum above and every `init container + earlier sidecars`;
/// - `spec.overhead` is added last.
///
/// Sums are taken on exact quantities; conversion to integers happens once, at the end.
/// `defaults` fills in a request a container leaves out (not one it sets to zero): the
/// scoring plugins use 100m CPU and 200Mi memory so pods without requests still count.
public enum PodRequests {
    /// The effective request of `spec`, by resource name.
    public static func of(_ spec: CoreV1.PodSpec, defaults: [String: Quantity] = [:]) -> [String: Quantity] {
        var total: [String: Quantity] = [:]
        for container in spec.containers {
            add(requests(of: container, defaults: defaults), to: &total)
        }
        var sidecars: [String: Quantity] = [:]
        var initPeak: [String: Quantity] = [:]
        for container in spec.initContainers ?? [] {
            let own = requests(of: container, defaults: defaults)
            let whileRunning: [String: Quantity]
            if container.restartPolicy == "Always" {
                add(own, to: &total)
                add(own, to: &sidecars)
                whileRunning = sidecars
            } else {
                var combined = own
                add(sidecars, to: &combined)
                whileRunning = combined
            }
            raise(&initPeak, to: whileRunning)
        }
        raise(&total, to: initPeak)
        if let overhead = spec.overhead { add(overhead, to: &total) }
        return total
    }

    /// The pod's request as a `Resource` (upstream computes it with `SetMaxResource`, so the
    /// pod count stays zero).
    public static func resource(of spec: CoreV1.PodSpec?) -> Resource {
        var result = Resource()
        if let spec { result.setMax(of(spec)) }
        return result
    }

    /// The defaults the scoring plugins assume for containers without CPU or memory requests.
    public static let scoringDefaults: [String: Quantity] = [
        ResourceNames.cpu: Quantity(milli: ResourceNames.defaultMilliCPURequest),
        ResourceNames.memory: Quantity(integer: ResourceNames.defaultMemoryRequest),
    ]

    private static func requests(of container: CoreV1.Container, defaults: [String: Quantity]) -> [String: Quantity] {
        var requests = container.resources?.requests ?? [:]
        for (name, value) in defaults where requests[name] == nil { requests[name] = value }
        return requests
    }

    private static func add(_ list: [String: Quantity], to total: inout [String: Quantity]) {
        for (name, value) in list {
            if let existing = total[name] { total[name] = existing + value } else { total[name] = value }
        }
    }

    private static func raise(_ total: inout [String: Quantity], to list: [String: Quantity]) {
        for (name, value) in list {
            if let existing = total[name], !(existing < value) { continue }
            total[name] = value
        }
    }
}
