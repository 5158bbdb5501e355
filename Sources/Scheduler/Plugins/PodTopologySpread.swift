import APIMachinery

/// Spreading pods across topology domains (upstream `podtopologyspread`).
///
/// Constraints: the pod's `topologySpreadConstraints`; when it has none, the profile's default
/// constraints, which apply only to pods selected by a Service, ReplicationController,
/// ReplicaSet or StatefulSet (see `WorkloadSelectors`) and select with the conjunction of
/// those selectors. With `defaultingType: System` (the default) they are `hostname` maxSkew 3
/// and `topology.kubernetes.io/zone` maxSkew 5, both ScheduleAnyway, and nodes lacking a
/// zone label still get hostname spreading when scoring.
///
/// Filter (DoNotSchedule constraints): counted over the nodes that carry every constraint's
/// topology key and pass its inclusion policies (`nodeAffinityPolicy` Honor and
/// `nodeTaintsPolicy` Ignore by default), a domain's count is its non-terminating pods in the
/// pod's namespace matched by the selector. A node is rejected when
/// `count(node's domain) + (1 if the pod matches its own selector) − global minimum > maxSkew`,
/// where the global minimum is 0 while fewer than `minDomains` domains exist:
/// `node(s) didn't match pod topology spread constraints`, or, for a node missing a topology
/// key, `… (missing required label)` (unresolvable).
///
/// Score (ScheduleAnyway constraints): for each constraint a node present in it gets
/// `count × log(domains + 2) + (maxSkew − 1)` (hostname constraints count the node's own pods
/// and use the number of scored nodes as domains), summed and rounded; then
/// `100 × (max + min − score) / max`, so the emptiest domain scores 100. Nodes missing a key
/// (when all keys are required) score 0.
///
/// Cost: a pod with no constraint of a kind skips that phase in O(1); default constraints
/// cost a look-up of the Services of the pod's namespace first.
public struct PodTopologySpread: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScoreNormalizing {
    /// How default constraints are chosen (`defaultingType`).
    public enum Defaulting: String, Sendable {
        /// Kubernetes' built-in defaults (`systemDefaultConstraints`).
        case system = "System"
        /// The configured `defaultConstraints` (possibly none).
        case list = "List"
    }

    public static let constraintsReason = "node(s) didn't match pod topology spread constraints"
    public static let missingLabelReason = constraintsReason + " (missing required label)"

    /// Upstream's system defaults.
    public static let systemDefaultConstraints: [CoreV1.TopologySpreadConstraint] = [
        CoreV1.TopologySpreadConstraint(
            maxSkew: 3, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway"),
        CoreV1.TopologySpreadConstraint(
            maxSkew: 5, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway"),
    ]

    /// The constraints for pods that have none.
    public let defaultConstraints: [CoreV1.TopologySpreadConstraint]
    /// Whether the defaults are the system ones (scoring then spreads by hostname even on
    /// nodes without a zone label).
    public let systemDefaulted: Bool
    private let hasHardDefaults: Bool
    private let hasSoftDefaults: Bool
    /// Domain counts kept across cycles (see `SpreadCountMemo`).
    let memo = SpreadCountMemo()

    public var name: String { PluginNames.podTopologySpread }

    /// A plugin with the system defaults, or with `defaultConstraints` for `.list`.
    public init(defaulting: Defaulting = .system, defaultConstraints: [CoreV1.TopologySpreadConstraint] = []) {
        systemDefaulted = defaulting == .system
        self.defaultConstraints = systemDefaulted ? Self.systemDefaultConstraints : defaultConstraints
        hasHardDefaults = self.defaultConstraints.contains { $0.whenUnsatisfiable == Self.doNotSchedule }
        hasSoftDefaults = self.defaultConstraints.contains { $0.whenUnsatisfiable == Self.scheduleAnyway }
    }

    static let doNotSchedule = "DoNotSchedule"
    static let scheduleAnyway = "ScheduleAnyway"

    /// The pod's constraints of kind `action` (DoNotSchedule or ScheduleAnyway), or the
    /// defaults of that kind with the pod's workload selector; empty when none apply.
    func constraints(for pod: PodInfo, action: String, snapshot: Snapshot) throws(SelectorParseError)
        -> [SpreadConstraint]
    {
        let own = pod.pod.spec?.topologySpreadConstraints ?? []
        if !own.isEmpty {
            var result: [SpreadConstraint] = []
            for constraint in own where constraint.whenUnsatisfiable == action {
                result.append(try SpreadConstraint(constraint, podLabels: pod.labels))
            }
            return result
        }
        guard action == Self.doNotSchedule ? hasHardDefaults : hasSoftDefaults else { return [] }
        guard let selector = snapshot.workloadSelectors.combinedSelector(for: pod) else { return [] }
        var result: [SpreadConstraint] = []
        for constraint in defaultConstraints where constraint.whenUnsatisfiable == action {
            result.append(try SpreadConstraint(constraint, podLabels: pod.labels).with(selector: selector))
        }
        return result
    }

    // MARK: - PreFilter

    struct PreFilterState: StateData {
        var constraints: [SpreadConstraint]
        /// Per constraint: matching pods per topology value (every eligible domain present).
        var matchCounts: [[String: Int]]
        /// Per constraint: the smallest count, `Int.max` when there is no domain.
        var minimums: [Int]

        mutating func add(_ delta: Int, constraint index: Int, value: String) {
            let old = matchCounts[index][value] ?? 0
            let new = old + delta
            matchCounts[index][value] = new
            if new < minimums[index] {
                minimums[index] = new
            } else if old == minimums[index] && new > old {
                minimums[index] = matchCounts[index].values.min() ?? Int.max
            }
        }
    }

    public func preFilter(state: CycleState, pod: PodInfo) -> (PreFilterResult, Status) {
        if (pod.pod.spec?.topologySpreadConstraints ?? []).isEmpty && !hasHardDefaults { return (.allNodes, .skip) }
        let snapshot = state.snapshot
        let constraints: [SpreadConstraint]
        do {
            constraints = try self.constraints(for: pod, action: Self.doNotSchedule, snapshot: snapshot)
        } catch {
            return (.allNodes, .error("get constraints from pod: \(error.message)"))
        }
        if constraints.isEmpty { return (.allNodes, .skip) }

        var counts = [[String: Int]](repeating: [:], count: constraints.count)
        let allKeys = constraints.map(\.topologyKey)
        var direct: [Int] = []
        for (index, constraint) in constraints.enumerated() {
            if let selector = constraint.selector, !selector.isEmpty, constraint.includesEveryNode(for: pod) {
                let key = SpreadCountMemo.Key(
                    namespace: pod.namespace, selector: selector, topologyKey: constraint.topologyKey, requiredKeys: allKeys)
                counts[index] = memo.totals(for: key, snapshot: snapshot)
            } else {
                direct.append(index)
            }
        }
        if !direct.isEmpty {
            for nodeInfo in snapshot.nodeInfos where constraints.allKeysPresent(in: nodeInfo.labels) {
                for index in direct where constraints[index].includes(nodeInfo, for: pod) {
                    let constraint = constraints[index]
                    let value = nodeInfo.labels[constraint.topologyKey] ?? ""
                    counts[index][value, default: 0] += constraint.count(nodeInfo.pods, namespace: pod.namespace)
                }
            }
        }
        state.write(
            PreFilterState(
                constraints: constraints, matchCounts: counts, minimums: counts.map { $0.values.min() ?? Int.max }))
        return (.allNodes, .success)
    }

    public func addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo) -> Status {
        update(state: state, pod: podToSchedule, other: podToAdd, nodeInfo: nodeInfo, delta: 1)
    }

    public func removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo)
        -> Status
    {
        update(state: state, pod: podToSchedule, other: podToRemove, nodeInfo: nodeInfo, delta: -1)
    }

    private func update(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo, delta: Int) -> Status {
        guard var data = state.read(PreFilterState.self) else {
            return .error("reading \"PreFilter\(name)\" from cycleState: not found")
        }
        guard other.namespace == pod.namespace, nodeInfo.hasNode,
            data.constraints.allKeysPresent(in: nodeInfo.labels)
        else { return .success }
        for (index, constraint) in data.constraints.enumerated()
        where constraint.selects(other.labels) && constraint.includes(nodeInfo, for: pod) {
            data.add(delta, constraint: index, value: nodeInfo.labels[constraint.topologyKey] ?? "")
        }
        state.write(data)
        return .success
    }

    // MARK: - Filter

    public func filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        guard let data = state.read(PreFilterState.self) else {
            return .error("reading \"PreFilter\(name)\" from cycleState: not found")
        }
        for (index, constraint) in data.constraints.enumerated() {
            guard let value = nodeInfo.labels[constraint.topologyKey] else {
                return Status(.unschedulableAndUnresolvable, Self.missingLabelReason)
            }
            var minimum = data.minimums[index]
            if data.matchCounts[index].count < Int(constraint.minDomains) { minimum = 0 }
            let selfMatch = constraint.selects(pod.labels) ? 1 : 0
            let matching = data.matchCounts[index][value] ?? 0
            if matching + selfMatch - minimum > Int(constraint.maxSkew) {
                return Status(.unschedulable, Self.constraintsReason)
            }
        }
        return .success
    }
}
