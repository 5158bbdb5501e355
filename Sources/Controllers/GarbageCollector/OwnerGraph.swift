import APIMachinery

/// The garbage collector's view of the cluster: every object of every watched resource with
/// its owner references, and the reverse index from an owner's uid to its dependents'
/// (upstream's `GraphBuilder.uidToNode`). Pure data; the collector feeds it informer events.
public struct OwnerGraph: Sendable {
    public struct Node: Sendable, Hashable {
        public var resource: ResourceInfo
        public var namespace: String
        public var name: String
        public var uid: String
        public var resourceVersion: String
        public var owners: [MetaV1.OwnerReference]
        public var finalizers: [String]
        public var deleting: Bool

        public init(resource: ResourceInfo, object: ObjectMetadata) {
            self.resource = resource
            namespace = object.metadata.namespace ?? ""
            name = object.metadata.name ?? ""
            uid = object.metadata.uid ?? ""
            resourceVersion = object.metadata.resourceVersion ?? ""
            owners = object.metadata.ownerReferences ?? []
            finalizers = object.metadata.finalizers ?? []
            deleting = object.metadata.deletionTimestamp != nil
        }

        /// Deleting, waiting for its blocking dependents to go first (foreground).
        public var deletingDependents: Bool { deleting && finalizers.contains(GarbageCollector.foregroundFinalizer) }
        /// Deleting, waiting for its dependents to be orphaned.
        public var orphaningDependents: Bool { deleting && finalizers.contains(GarbageCollector.orphanFinalizer) }
    }

    public private(set) var nodes: [String: Node] = [:]
    private var dependents: [String: Set<String>] = [:]

    public init() {}

    /// Records `node` (replacing its previous state); returns the previous state.
    @discardableResult
    public mutating func upsert(_ node: Node) -> Node? {
        let previous = nodes.updateValue(node, forKey: node.uid)
        for ref in previous?.owners ?? [] where !node.owners.contains(where: { $0.uid == ref.uid }) {
            dependents[ref.uid]?.remove(node.uid)
            if dependents[ref.uid]?.isEmpty == true { dependents[ref.uid] = nil }
        }
        for ref in node.owners { dependents[ref.uid, default: []].insert(node.uid) }
        return previous
    }

    /// Forgets `uid`; returns its last state.
    @discardableResult
    public mutating func remove(_ uid: String) -> Node? {
        guard let node = nodes.removeValue(forKey: uid) else { return nil }
        for ref in node.owners {
            dependents[ref.uid]?.remove(uid)
            if dependents[ref.uid]?.isEmpty == true { dependents[ref.uid] = nil }
        }
        return node
    }

    /// The uids of the objects naming `uid` as an owner (whether or not `uid` is known).
    public func dependents(of uid: String) -> Set<String> { dependents[uid] ?? [] }

    /// Dependents of `owner` that block its foreground deletion (`blockOwnerDeletion: true`).
    public func blockingDependents(of owner: String) -> [Node] {
        dependents(of: owner).compactMap { nodes[$0] }.filter { node in
            node.owners.contains { $0.uid == owner && $0.blockOwnerDeletion == true }
        }
    }
}
