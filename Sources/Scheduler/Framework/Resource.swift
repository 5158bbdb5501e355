import APIMachinery

/// An amount of every resource the scheduler accounts for, as plain integers: CPU in
/// millicores, memory and ephemeral storage in bytes, a pod count, and scalar resources
/// (extended resources such as `example.com/gpu`, `hugepages-*`, `attachable-volumes-*`,
/// prefixed native resources) by name.
///
/// Conversions follow upstream's `framework.Resource`: CPU via `milliValue()`, everything else
/// via `value()` (both round away from zero). Resource names the scheduler does not know
/// (an unprefixed name other than `cpu`, `memory`, `ephemeral-storage`, `pods`) are ignored.
public struct Resource: Sendable, Hashable {
    public var milliCPU: Int64
    public var memory: Int64
    public var ephemeralStorage: Int64
    /// The `pods` resource: how many pods a node admits (meaningful for allocatable only).
    public var allowedPodNumber: Int
    /// Scalar resources by name; a name is present only once a value was added or set.
    public var scalarResources: [String: Int64]

    public init(
        milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, allowedPodNumber: Int = 0,
        scalarResources: [String: Int64] = [:]
    ) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.allowedPodNumber = allowedPodNumber
        self.scalarResources = scalarResources
    }

    /// The sum of a resource list (upstream `NewResource`), e.g. a node's allocatable.
    public init(_ list: [String: Quantity]?) {
        self.init()
        add(list)
    }

    /// The zero amount.
    public static let zero = Resource()

    /// True when no CPU, memory, ephemeral storage or scalar resource is set (the pod count is
    /// not considered, as upstream's best-effort check).
    public var isEmptyRequest: Bool {
        milliCPU == 0 && memory == 0 && ephemeralStorage == 0 && scalarResources.isEmpty
    }

    /// Adds every known resource of `list`.
    public mutating func add(_ list: [String: Quantity]?) {
        guard let list else { return }
        for (name, quantity) in list {
            switch name {
            case ResourceNames.cpu: milliCPU &+= quantity.milliValue()
            case ResourceNames.memory: memory &+= quantity.value()
            case ResourceNames.ephemeralStorage: ephemeralStorage &+= quantity.value()
            case ResourceNames.pods: allowedPodNumber &+= Int(quantity.value())
            default:
                if ResourceNames.isScalar(name) { scalarResources[name, default: 0] &+= quantity.value() }
            }
        }
    }

    /// Raises each known resource to at least its amount in `list` (upstream `SetMaxResource`;
    /// the pod count is not touched).
    public mutating func setMax(_ list: [String: Quantity]?) {
        guard let list else { return }
        for (name, quantity) in list {
            switch name {
            case ResourceNames.cpu: milliCPU = max(milliCPU, quantity.milliValue())
            case ResourceNames.memory: memory = max(memory, quantity.value())
            case ResourceNames.ephemeralStorage: ephemeralStorage = max(ephemeralStorage, quantity.value())
            case ResourceNames.pods: break
            default:
                if ResourceNames.isScalar(name) {
                    scalarResources[name] = max(scalarResources[name] ?? 0, quantity.value())
                }
            }
        }
    }

    /// Adds `other` field by field (scalars by name).
    public mutating func add(_ other: Resource) {
        milliCPU &+= other.milliCPU
        memory &+= other.memory
        ephemeralStorage &+= other.ephemeralStorage
        allowedPodNumber &+= other.allowedPodNumber
        for (name, value) in other.scalarResources { scalarResources[name, default: 0] &+= value }
    }

    /// Subtracts `other` field by field; scalar entries stay present (possibly at zero).
    public mutating func subtract(_ other: Resource) {
        milliCPU &-= other.milliCPU
        memory &-= other.memory
        ephemeralStorage &-= other.ephemeralStorage
        allowedPodNumber &-= other.allowedPodNumber
        for (name, value) in other.scalarResources { scalarResources[name, default: 0] &-= value }
    }

    /// The amount of one resource by name, in the unit the scheduler uses for it (millicores for
    /// `cpu`, the integer value otherwise); 0 for an unknown or absent resource.
    public func amount(of name: String) -> Int64 {
        switch name {
        case ResourceNames.cpu: milliCPU
        case ResourceNames.memory: memory
        case ResourceNames.ephemeralStorage: ephemeralStorage
        case ResourceNames.pods: Int64(allowedPodNumber)
        default: scalarResources[name] ?? 0
        }
    }
}

/// Names of the resources the scheduler treats specially, and upstream's classification of
/// the others.
public enum ResourceNames {
    public static let cpu = "cpu"
    public static let memory = "memory"
    public static let ephemeralStorage = "ephemeral-storage"
    public static let pods = "pods"

    /// CPU the scoring plugins assume for a container that requests none: 100 millicores.
    public static let defaultMilliCPURequest: Int64 = 100
    /// Memory the scoring plugins assume for a container that requests none: 200 MiB.
    public static let defaultMemoryRequest: Int64 = 200 * 1024 * 1024

    /// Whether `name` is accounted as a scalar resource (upstream `IsScalarResourceName`):
    /// an extended resource (a domain-qualified name outside `kubernetes.io/`, not starting
    /// with `requests.`), a `hugepages-` or `attachable-volumes-` resource, or a native
    /// resource with the `kubernetes.io/` prefix.
    public static func isScalar(_ name: String) -> Bool {
        if name.hasPrefix("hugepages-") || name.hasPrefix("attachable-volumes-") { return true }
        guard name.contains("/") else { return false }
        if name.contains("kubernetes.io/") { return true }
        return isExtended(name)
    }

    /// Whether `name` is an extended resource (upstream `IsExtendedResourceName`): not native
    /// (has a `/` and no `kubernetes.io/`), not prefixed `requests.`, and a qualified name once
    /// prefixed with `requests.`.
    public static func isExtended(_ name: String) -> Bool {
        guard name.contains("/"), !name.contains("kubernetes.io/"), !name.hasPrefix("requests.") else {
            return false
        }
        return NameValidation.isQualifiedName("requests." + name).isEmpty
    }
}
