import APIMachinery
import Synchronization

/// Matching-pod counts per topology domain, remembered across scheduling cycles so that
/// PodTopologySpread does not walk every pod of the cluster each cycle (upstream does that
/// walk in parallel; here it is done once and then kept up to date).
///
/// An entry is keyed by what the count depends on (namespace, selector, topology key, and
/// the keys a node must carry to count) and remembers, per snapshot position, the node
/// generation it counted, the node's domain and its count. Against a newer snapshot of the
/// same cache and node order (`Snapshot.sourceIdentity`, `treeGeneration`) only nodes whose
/// generation changed are recounted, found by scanning the contiguous
/// `Snapshot.nodeGenerations`; anything else rebuilds the entry. Only valid for constraints
/// whose node inclusion does not depend on the incoming pod (see
/// `SpreadConstraint.includesEveryNode(for:)`).
///
/// Holds at most `capacity` entries (least recently used evicted). Thread-safe (a mutex), so
/// the plugin stays `Sendable`; it is the only state a plugin instance keeps.
final class SpreadCountMemo: Sendable {
    struct Key: Hashable, Sendable {
        var namespace: String
        var selector: LabelSelectorQuery
        var topologyKey: String
        /// Keys a node must carry to be counted; empty: every node counts.
        var requiredKeys: [String]
    }

    struct Entry: Sendable {
        var source: UInt64
        var treeGeneration: Int64
        var generations: [Int64]
        /// Per node position: its domain, nil when the node is not counted.
        var domains: [String?]
        var counts: [Int]
        /// Per domain: matching pods, and how many counted nodes it has.
        var totals: [String: Int]
        var nodes: [String: Int]
        var lastUse: UInt64
    }

    struct State: Sendable {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    static let capacity = 32
    private let state = Mutex(State())

    init() {}

    /// Domain → matching pods in `key.namespace`, over every node of `snapshot` that carries
    /// `key.requiredKeys`; every domain of such a node is present, possibly with 0.
    func totals(for key: Key, snapshot: Snapshot) -> [String: Int] {
        state.withLock { state in
            state.clock &+= 1
            var entry: Entry
            if var existing = state.entries.removeValue(forKey: key), snapshot.sourceIdentity != 0,
                existing.source == snapshot.sourceIdentity, existing.treeGeneration == snapshot.treeGeneration,
                existing.generations.count == snapshot.nodeGenerations.count
            {
                Self.refresh(&existing, key: key, snapshot: snapshot)
                entry = existing
            } else {
                entry = Self.build(key: key, snapshot: snapshot)
            }
            entry.lastUse = state.clock
            if state.entries.count >= Self.capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.entries[key] = entry
            return entry.totals
        }
    }

    /// How many entries are held (for tests).
    var count: Int { state.withLock { $0.entries.count } }

    private static func build(key: Key, snapshot: Snapshot) -> Entry {
        let size = snapshot.nodeInfos.count
        var entry = Entry(
            source: snapshot.sourceIdentity, treeGeneration: snapshot.treeGeneration, generations: snapshot.nodeGenerations,
            domains: [String?](repeating: nil, count: size), counts: [Int](repeating: 0, count: size), totals: [:],
            nodes: [:], lastUse: 0)
        for index in 0..<size { recount(&entry, at: index, key: key, nodeInfo: snapshot.nodeInfos[index]) }
        return entry
    }

    private static func refresh(_ entry: inout Entry, key: Key, snapshot: Snapshot) {
        let generations = snapshot.nodeGenerations
        for index in generations.indices where generations[index] != entry.generations[index] {
            if let domain = entry.domains[index] {
                let remaining = (entry.nodes[domain] ?? 1) - 1
                if remaining == 0 {
                    entry.nodes[domain] = nil
                    entry.totals[domain] = nil
                } else {
                    entry.nodes[domain] = remaining
                    entry.totals[domain, default: 0] -= entry.counts[index]
                }
            }
            recount(&entry, at: index, key: key, nodeInfo: snapshot.nodeInfos[index])
            entry.generations[index] = generations[index]
        }
    }

    private static func recount(_ entry: inout Entry, at index: Int, key: Key, nodeInfo: NodeInfo) {
        let labels = nodeInfo.labels
        guard key.requiredKeys.allSatisfy({ labels[$0] != nil }) else {
            entry.domains[index] = nil
            entry.counts[index] = 0
            return
        }
        let domain = labels[key.topologyKey] ?? ""
        var count = 0
        for pod in nodeInfo.pods
        where !pod.isTerminating && pod.namespace == key.namespace && key.selector.matches(pod.labels) {
            count += 1
        }
        entry.domains[index] = domain
        entry.counts[index] = count
        entry.nodes[domain, default: 0] += 1
        entry.totals[domain, default: 0] += count
    }
}
