import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `nodeipam` controller (kube-controller-manager's range allocator, with
/// `--allocate-node-cidrs`): every Node gets a pod range — `spec.podCIDR` and `spec.podCIDRs` — of
/// `--node-cidr-mask-size` cut from `--cluster-cidr`, never one overlapping
/// `--service-cluster-ip-range` or another Node's; a deleted Node's range is free again. IPv4.
///
/// The ranges in use are read from the Node cache on every allocation (plus those assigned but
/// not seen back yet, while their Node is cached without one), so nothing is leaked by a
/// restart or a missed delete; one worker
/// allocates, so two Nodes never get the same range. The search starts after the last range
/// given, as upstream's CIDR set does, so a released range is not reused at once.
public final class NodeIPAMController: Sendable {
    let nodes: Lister<CoreV1.Node>
    let client: any ControllerClient
    let events: any EventEmitter
    let logger: Logger
    let clusterCIDR: IPv4Network
    let maskSize: Int
    /// Subnet indexes the service range covers.
    let reserved: Set<Int>
    public let queue: WorkQueue<String>
    private let state = Mutex(State())

    struct State {
        /// Node name → range assigned and not yet seen in the cache.
        var pending: [String: IPv4Network] = [:]
        var nextCandidate = 0
    }

    /// Why the controller cannot start with these flags.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(
        nodes: Lister<CoreV1.Node>, client: any ControllerClient, events: any EventEmitter, clusterCIDR: String,
        maskSize: Int, serviceCIDR: String?, clock: any ComponentClock, logger: Logger
    ) throws {
        guard let cluster = IPv4Network(cidr: clusterCIDR) else {
            throw ConfigurationError(description: "--cluster-cidr \(clusterCIDR) is not an IPv4 CIDR")
        }
        guard maskSize >= cluster.prefixLength, maskSize <= 32 else {
            throw ConfigurationError(description: "--node-cidr-mask-size \(maskSize) must be between the cluster CIDR's prefix length \(cluster.prefixLength) and 32")
        }
        var reserved = Set<Int>()
        if let serviceCIDR, !serviceCIDR.isEmpty {
            guard let service = IPv4Network(cidr: serviceCIDR) else {
                throw ConfigurationError(description: "--service-cluster-ip-range \(serviceCIDR) is not an IPv4 CIDR")
            }
            reserved = Self.overlapping(service, in: cluster, maskSize: maskSize)
        }
        self.nodes = nodes
        self.client = client
        self.events = events
        self.logger = logger
        self.clusterCIDR = cluster
        self.maskSize = maskSize
        self.reserved = reserved
        self.queue = WorkQueue(clock: clock)
    }

    /// Indexes of the `maskSize` subnets of `cluster` that `range` overlaps.
    static func overlapping(_ range: IPv4Network, in cluster: IPv4Network, maskSize: Int) -> Set<Int> {
        let first = max(range.base, cluster.base)
        let lastRange = UInt64(range.base) + UInt64(range.size) - 1
        let lastCluster = UInt64(cluster.base) + UInt64(cluster.size) - 1
        let last = min(lastRange, lastCluster)
        guard UInt64(first) <= last else { return [] }
        let shift = UInt64(32 - maskSize)
        let from = Int((UInt64(first) - UInt64(cluster.base)) >> shift)
        let to = Int((last - UInt64(cluster.base)) >> shift)
        return Set(from...to)
    }

    public func register(nodes informer: SharedInformer<CoreV1.Node>) {
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.name) },
            onUpdate: { [queue] _, new in queue.add(new.name) },
            onDelete: { _ in }))
    }

    public func run(metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "node_ipam", metrics: metrics, logger: logger, failure: "node CIDR allocation failed; retrying", label: "node") { [self] in try await sync($0) }
        await runner.run(workers: 1)
    }

    /// Gives Node `name` a pod range when it has none.
    public func sync(_ name: String) async throws {
        guard let node = nodes.get(namespace: "", name: name), !node.isBeingDeleted else { return }
        if let existing = node.spec?.podCIDR, !existing.isEmpty {
            state.withLock { _ = $0.pending.removeValue(forKey: name) }
            return
        }
        guard let range = allocate(for: name) else {
            events.event(regarding: node, type: .normal, reason: "CIDRNotAvailable", message: "Node \(name) status is now: CIDRNotAvailable")
            throw ConfigurationError(description: "no pod range left in \(clusterCIDR.cidr) for node \(name)")
        }
        do {
            let patch: JSONValue = ["spec": ["podCIDR": .string(range.cidr), "podCIDRs": [.string(range.cidr)]]]
            _ = try await client.patch(CoreV1.Node.self, namespace: "", name: name, merge: patch)
            logger.info("allocated a pod range", metadata: ["node": "\(name)", "podCIDR": "\(range.cidr)"])
        } catch {
            state.withLock { _ = $0.pending.removeValue(forKey: name) }
            if let status = error as? StatusError, status.isNotFound { return }
            events.event(regarding: node, type: .warning, reason: "CIDRAssignmentFailed", message: "Node \(name) status is now: CIDRAssignmentFailed")
            throw error
        }
    }

    /// The next free range after the last one given, recorded as pending for `name`.
    func allocate(for name: String) -> IPv4Network? {
        var used = reserved
        // Pending ranges stay reserved while their node is cached without one; a node deleted,
        // or seen back with its range, no longer needs the entry.
        var waiting = Set<String>()
        for node in nodes.list() {
            if (node.spec?.podCIDR ?? "").isEmpty { waiting.insert(node.name) }
            for text in (node.spec?.podCIDRs ?? []) + [node.spec?.podCIDR].compactMap({ $0 }) {
                if let range = IPv4Network(cidr: text), range.prefixLength == maskSize, let index = clusterCIDR.index(of: range) {
                    used.insert(index)
                }
            }
        }
        return state.withLock { state -> IPv4Network? in
            state.pending = state.pending.filter { waiting.contains($0.key) }
            if let pending = state.pending[name] { return pending }
            for range in state.pending.values { if let index = clusterCIDR.index(of: range) { used.insert(index) } }
            let count = clusterCIDR.subnetCount(length: maskSize)
            for step in 0..<count {
                let index = (state.nextCandidate + step) % count
                guard !used.contains(index), let range = clusterCIDR.subnet(index, length: maskSize) else { continue }
                state.nextCandidate = (index + 1) % count
                state.pending[name] = range
                return range
            }
            return nil
        }
    }
}
