import APIMachinery

/// The label selectors of the Services, ReplicationControllers, ReplicaSets and StatefulSets
/// the cache knows, by namespace: what PodTopologySpread's default constraints spread a pod
/// against (upstream `helper.DefaultSelector`).
///
/// A pod is matched as upstream matches it: every Service of its namespace whose
/// `spec.selector` (a non-nil map) selects the pod's labels, plus the ReplicationController,
/// ReplicaSet or StatefulSet named by its controller owner reference (`controller: true`,
/// `v1`/`ReplicationController`, `apps/v1`/`ReplicaSet` or `apps/v1`/`StatefulSet`). Objects
/// whose selector does not parse are kept as "no selector" and add nothing.
///
/// A value type; the cache keeps one and snapshots share it (copy-on-write).
public struct WorkloadSelectors: Sendable {
    /// Service selectors by namespace, then name; Services without a selector are not kept.
    private var services: [String: [String: [String: String]]] = [:]
    private var replicationControllers: [String: [String: [String: String]]] = [:]
    private var replicaSets: [String: [String: LabelSelectorQuery]] = [:]
    private var statefulSets: [String: [String: LabelSelectorQuery]] = [:]

    public init() {}

    /// Whether no object is known.
    public var isEmpty: Bool {
        services.isEmpty && replicationControllers.isEmpty && replicaSets.isEmpty && statefulSets.isEmpty
    }

    // MARK: - Changes

    /// Adds or replaces a Service. One without `spec.selector` selects no pod, so it is dropped.
    public mutating func setService(_ service: CoreV1.Service) {
        let (namespace, name) = Self.key(service.metadata)
        guard let selector = service.spec?.selector else {
            Self.remove(&services, namespace: namespace, name: name)
            return
        }
        services[namespace, default: [:]][name] = selector
    }

    public mutating func removeService(namespace: String, name: String) {
        Self.remove(&services, namespace: namespace, name: name)
    }

    public mutating func setReplicationController(_ controller: CoreV1.ReplicationController) {
        let (namespace, name) = Self.key(controller.metadata)
        replicationControllers[namespace, default: [:]][name] = controller.spec?.selector ?? [:]
    }

    public mutating func removeReplicationController(namespace: String, name: String) {
        Self.remove(&replicationControllers, namespace: namespace, name: name)
    }

    public mutating func setReplicaSet(_ replicaSet: AppsV1.ReplicaSet) {
        let (namespace, name) = Self.key(replicaSet.metadata)
        replicaSets[namespace, default: [:]][name] = Self.query(replicaSet.spec?.selector)
    }

    public mutating func removeReplicaSet(namespace: String, name: String) {
        Self.remove(&replicaSets, namespace: namespace, name: name)
    }

    public mutating func setStatefulSet(_ statefulSet: AppsV1.StatefulSet) {
        let (namespace, name) = Self.key(statefulSet.metadata)
        statefulSets[namespace, default: [:]][name] = Self.query(statefulSet.spec?.selector)
    }

    public mutating func removeStatefulSet(namespace: String, name: String) {
        Self.remove(&statefulSets, namespace: namespace, name: name)
    }

    // MARK: - Queries

    /// The selectors of the objects that select `pod` (see the type's contract), Services first
    /// in name order, then the owning controller's. Costs O(Services in the pod's namespace).
    public func selectors(for pod: PodInfo) -> [LabelSelectorQuery] {
        var result: [LabelSelectorQuery] = []
        if let byName = services[pod.namespace] {
            for name in byName.keys.sorted() {
                guard let selector = byName[name] else { continue }
                // A map selector selects the pods carrying every pair; an empty one selects all.
                if selector.allSatisfy({ pod.labels[$0.key] == $0.value }) {
                    result.append(LabelSelectorQuery(exactMatch: selector))
                }
            }
        }
        guard let owner = pod.pod.metadata?.ownerReferences?.first(where: { $0.controller == true }) else {
            return result
        }
        switch (owner.apiVersion, owner.kind) {
        case ("v1", "ReplicationController"):
            if let selector = replicationControllers[pod.namespace]?[owner.name] {
                result.append(LabelSelectorQuery(exactMatch: selector))
            }
        case ("apps/v1", "ReplicaSet"):
            if let selector = replicaSets[pod.namespace]?[owner.name] { result.append(selector) }
        case ("apps/v1", "StatefulSet"):
            if let selector = statefulSets[pod.namespace]?[owner.name] { result.append(selector) }
        default:
            break
        }
        return result
    }

    /// The conjunction of `selectors(for: pod)`; nil when it has no requirement (the pod is
    /// selected by nothing, or only by selectors that select everything).
    public func combinedSelector(for pod: PodInfo) -> LabelSelectorQuery? {
        let requirements = selectors(for: pod).flatMap(\.requirements)
        return requirements.isEmpty ? nil : LabelSelectorQuery(requirements: requirements)
    }

    // MARK: - Helpers

    private static func key(_ metadata: MetaV1.ObjectMeta?) -> (String, String) {
        (metadata?.namespace ?? "", metadata?.name ?? "")
    }

    /// A parsed selector; an absent or unparsable one adds no requirement (upstream skips
    /// selectors it cannot convert into requirements).
    private static func query(_ selector: MetaV1.LabelSelector?) -> LabelSelectorQuery {
        guard let selector else { return .everything }
        return (try? selector.query()) ?? .everything
    }

    private static func remove<Value>(_ table: inout [String: [String: Value]], namespace: String, name: String) {
        guard var byName = table[namespace] else { return }
        byName[name] = nil
        table[namespace] = byName.isEmpty ? nil : byName
    }
}
