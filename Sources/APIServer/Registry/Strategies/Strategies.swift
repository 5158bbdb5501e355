import Component
import APIMachinery

/// The strategy of each resource: the core kinds with rules of their own, the default one for
/// every other.
public enum Strategies {
    /// `services` allocates cluster IPs and node ports (nil: only the pure rules); `clock`
    /// stamps a namespace's deletion.
    static func strategy(for info: ResourceInfo, services: ServiceAllocator?, clock: any ComponentClock) -> any ResourceStrategy {
        guard info.gvk.group.isEmpty else { return DefaultStrategy() }
        switch info.plural {
        case "pods": return PodStrategy()
        case "services": return ServiceStrategy(allocator: services)
        case "namespaces": return NamespaceStrategy(clock: clock)
        case "persistentvolumes", "persistentvolumeclaims": return VolumeStrategy()
        default: return DefaultStrategy()
        }
    }

    /// Server-set fields of a new object of `info` (for callers outside a request, as the
    /// bootstrap of the system namespaces).
    public static func prepareForCreate(_ object: inout JSONObject, info: ResourceInfo) {
        strategy(for: info, services: nil, clock: SystemClock()).prepareForCreate(&object)
    }

    /// Kubernetes' QoS class of a pod spec.
    public static func qosClass(_ spec: JSONValue?) -> String { PodStrategy.qosClass(spec) }
}

/// PersistentVolumes and PersistentVolumeClaims start `Pending`.
struct VolumeStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONObject) {
        object["status"] = ["phase": "Pending"]
    }
}
