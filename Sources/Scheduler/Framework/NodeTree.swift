import APIMachinery

/// Node names grouped by zone, listed round-robin across zones (upstream `nodeTree`), so
/// that scheduling, which stops after enough feasible nodes, samples every zone.
///
/// Zones keep the order they were first seen in; nodes keep their insertion order within a
/// zone. Listing costs O(nodes); the cache lists only when the set of nodes changes.
struct NodeTree: Sendable {
    private var zones: [String] = []
    private var nodesByZone: [String: [String]] = [:]
    private var zoneOfNode: [String: String] = [:]

    var count: Int { zoneOfNode.count }

    func contains(_ name: String) -> Bool { zoneOfNode[name] != nil }

    /// The zone key of a node: region and zone (new labels first, then the beta ones),
    /// joined so that neither may fake the other; empty when both are missing.
    static func zoneKey(of labels: [String: String]) -> String {
        let zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? ""
        let region =
            labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? ""
        if zone.isEmpty && region.isEmpty { return "" }
        return region + ":\u{0}:" + zone
    }

    /// Adds (or moves, when its zone changed) a node; returns whether the tree changed.
    @discardableResult
    mutating func upsert(name: String, labels: [String: String]) -> Bool {
        let zone = Self.zoneKey(of: labels)
        if let current = zoneOfNode[name] {
            if current == zone { return false }
            remove(name: name)
        }
        if nodesByZone[zone] == nil {
            zones.append(zone)
            nodesByZone[zone] = []
        }
        nodesByZone[zone]?.append(name)
        zoneOfNode[name] = zone
        return true
    }

    /// Removes a node; returns whether it was present.
    @discardableResult
    mutating func remove(name: String) -> Bool {
        guard let zone = zoneOfNode.removeValue(forKey: name) else { return false }
        nodesByZone[zone]?.removeAll { $0 == name }
        if nodesByZone[zone]?.isEmpty ?? true {
            nodesByZone[zone] = nil
            zones.removeAll { $0 == zone }
        }
        return true
    }

    /// Every node name: the first node of each zone, then the second of each, and so on.
    func list() -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        let lists = zones.map { nodesByZone[$0] ?? [] }
        var index = 0
        while result.count < count {
            var any = false
            for list in lists where index < list.count {
                result.append(list[index])
                any = true
            }
            if !any { break }
            index += 1
        }
        return result
    }
}
