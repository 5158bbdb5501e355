/// A profile made runnable (upstream `frameworkImpl`): its plugins sorted by extension
/// point, and the rules for running each point. Immutable and shared by every cycle of the
/// profile; all per-cycle data lives in the `CycleState`.
public final class SchedulingFramework: Sendable {
    struct ScoreEntry: Sendable {
        var plugin: any ScorePlugin
        var normalizer: (any ScoreNormalizing)?
        var weight: Int64
    }

    public let profileName: String
    public let percentageOfNodesToScore: Int32?
    public let queueSortPlugin: (any QueueSortPlugin)?
    let preFilterPlugins: [any PreFilterPlugin]
    let filterPlugins: [any FilterPlugin]
    let postFilterPlugins: [any PostFilterPlugin]
    let preScorePlugins: [any PreScorePlugin]
    let scorePlugins: [ScoreEntry]

    /// Builds the runtime for `profile`. Throws for duplicate plugin names, a non-positive
    /// score weight, or more than one queue-sort plugin.
    public init(profile: Profile) throws(FrameworkError) {
        profileName = profile.schedulerName
        percentageOfNodesToScore = profile.percentageOfNodesToScore
        var names = Set<String>()
        var queueSort: [any QueueSortPlugin] = []
        var preFilters: [any PreFilterPlugin] = []
        var filters: [any FilterPlugin] = []
        var postFilters: [any PostFilterPlugin] = []
        var preScores: [any PreScorePlugin] = []
        var scores: [ScoreEntry] = []
        for entry in profile.plugins {
            let plugin = entry.plugin
            guard names.insert(plugin.name).inserted else {
                throw FrameworkError("plugin \"\(plugin.name)\" already registered in profile \(profile.schedulerName)")
            }
            func enabled(_ point: ExtensionPoint) -> Bool { !entry.disabledPoints.contains(point) }
            if let p = plugin as? any QueueSortPlugin, enabled(.queueSort) { queueSort.append(p) }
            if let p = plugin as? any PreFilterPlugin, enabled(.preFilter) { preFilters.append(p) }
            if let p = plugin as? any FilterPlugin, enabled(.filter) { filters.append(p) }
            if let p = plugin as? any PostFilterPlugin, enabled(.postFilter) { postFilters.append(p) }
            if let p = plugin as? any PreScorePlugin, enabled(.preScore) { preScores.append(p) }
            if let p = plugin as? any ScorePlugin, enabled(.score) {
                guard entry.weight > 0 else {
                    throw FrameworkError("score plugin \"\(plugin.name)\" has a non-positive weight \(entry.weight)")
                }
                scores.append(ScoreEntry(plugin: p, normalizer: p as? any ScoreNormalizing, weight: entry.weight))
            }
        }
        guard queueSort.count <= 1 else {
            throw FrameworkError("only one queue sort plugin can be enabled, got \(queueSort.map(\.name))")
        }
        queueSortPlugin = queueSort.first
        preFilterPlugins = preFilters
        filterPlugins = filters
        postFilterPlugins = postFilters
        preScorePlugins = preScores
        scorePlugins = scores
    }

    public var hasFilterPlugins: Bool { !filterPlugins.isEmpty }
    public var hasScorePlugins: Bool { !scorePlugins.isEmpty }
    public var hasPostFilterPlugins: Bool { !postFilterPlugins.isEmpty }

    /// Names of the plugins at an extension point, in run order.
    public func pluginNames(at point: ExtensionPoint) -> [String] {
        switch point {
        case .queueSort: queueSortPlugin.map { [$0.name] } ?? []
        case .preFilter: preFilterPlugins.map(\.name)
        case .filter: filterPlugins.map(\.name)
        case .postFilter: postFilterPlugins.map(\.name)
        case .preScore: preScorePlugins.map(\.name)
        case .score: scorePlugins.map(\.plugin.name)
        }
    }

    /// The weight of a score plugin, if enabled.
    public func scoreWeight(of name: String) -> Int64? {
        scorePlugins.first { $0.plugin.name == name }?.weight
    }

    /// Queue order: the queue-sort plugin's, or earlier timestamp first without one.
    public func less<T: Comparable & Sendable>(_ lhs: QueueSortEntry<T>, _ rhs: QueueSortEntry<T>) -> Bool {
        if let queueSortPlugin { return queueSortPlugin.less(lhs, rhs) }
        return lhs.timestamp < rhs.timestamp
    }

    // MARK: - PreFilter

    /// The outcome of the PreFilter point.
    public struct PreFilterOutcome: Sendable {
        /// The nodes allowed by every plugin that narrowed them.
        public var result: PreFilterResult
        /// Success, or the rejection (or error) that ends the cycle.
        public var status: Status
        /// The plugins that narrowed the nodes or rejected the pod.
        public var rejectingPlugins: [String]
    }

    /// Runs every PreFilter plugin (upstream `RunPreFilterPlugins`): a plugin returning `.skip`
    /// has its Filter skipped; unschedulable-and-unresolvable or an error stops at once; an
    /// unschedulable status is returned after the remaining plugins ran; results are
    /// intersected, and an empty intersection rejects the pod as
    /// `node(s) didn't satisfy plugin(s) [A B] simultaneously`.
    public func runPreFilterPlugins(state: CycleState, pod: PodInfo) -> PreFilterOutcome {
        var result = PreFilterResult.allNodes
        var narrowing: [String] = []
        var skip = Set<String>()
        var pending: Status?
        for plugin in preFilterPlugins {
            let (pluginResult, status) = plugin.preFilter(state: state, pod: pod)
            if status.isSkip {
                skip.insert(plugin.name)
                continue
            }
            if !status.isSuccess {
                let attributed = status.with(plugin: plugin.name)
                switch status.code {
                case .unschedulableAndUnresolvable:
                    return PreFilterOutcome(result: result, status: attributed, rejectingPlugins: [plugin.name])
                case .unschedulable:
                    pending = attributed
                    continue
                default:
                    let error = Status.error("running PreFilter plugin \"\(plugin.name)\": \(status.message)")
                    return PreFilterOutcome(result: result, status: error.with(plugin: plugin.name), rejectingPlugins: [])
                }
            }
            if !pluginResult.isAllNodes { narrowing.append(plugin.name) }
            result = result.merged(with: pluginResult)
            if let names = result.nodeNames, names.isEmpty {
                let message =
                    narrowing.count == 1
                    ? "node(s) didn't satisfy plugin \(narrowing[0])"
                    : "node(s) didn't satisfy plugin(s) [\(narrowing.joined(separator: " "))] simultaneously"
                return PreFilterOutcome(
                    result: result, status: Status(.unschedulableAndUnresolvable, message), rejectingPlugins: narrowing)
            }
        }
        state.skipFilterPlugins = skip
        state.filterSkipMask = filterPlugins.map { skip.contains($0.name) }
        if let pending {
            return PreFilterOutcome(result: result, status: pending, rejectingPlugins: narrowing)
        }
        return PreFilterOutcome(result: result, status: .success, rejectingPlugins: narrowing)
    }

    /// Runs every PreFilter plugin's `addPod` (nominated pods, preemption simulations).
    public func runPreFilterExtensionAddPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo)
        -> Status
    {
        for plugin in preFilterPlugins where !state.skipFilterPlugins.contains(plugin.name) {
            let status = plugin.addPod(state: state, podToSchedule: podToSchedule, podToAdd: podToAdd, nodeInfo: nodeInfo)
            if !status.isSuccess {
                return Status.error("running AddPod on PreFilter plugin \"\(plugin.name)\": \(status.message)")
                    .with(plugin: plugin.name)
            }
        }
        return .success
    }

    /// Runs every PreFilter plugin's `removePod` (preemption simulations).
    public func runPreFilterExtensionRemovePod(
        state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo
    ) -> Status {
        for plugin in preFilterPlugins where !state.skipFilterPlugins.contains(plugin.name) {
            let status = plugin.removePod(
                state: state, podToSchedule: podToSchedule, podToRemove: podToRemove, nodeInfo: nodeInfo)
            if !status.isSuccess {
                return Status.error("running RemovePod on PreFilter plugin \"\(plugin.name)\": \(status.message)")
                    .with(plugin: plugin.name)
            }
        }
        return .success
    }

    // MARK: - Filter

    /// Runs the Filter plugins not skipped this cycle, in order, stopping at the first that
    /// does not succeed (upstream `RunFilterPlugins`). The status names that plugin; a status
    /// other than success or a rejection becomes an error.
    public func runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> Status {
        let plugins = filterPlugins
        if let mask = state.filterSkipMask, mask.count == plugins.count {
            for index in plugins.indices where !mask[index] {
                let status = plugins[index].filter(state: state, pod: pod, nodeInfo: nodeInfo)
                if !status.isSuccess { return attributeFilterStatus(status, plugin: plugins[index].name) }
            }
            return .success
        }
        for index in plugins.indices where !state.skipFilterPlugins.contains(plugins[index].name) {
            let status = plugins[index].filter(state: state, pod: pod, nodeInfo: nodeInfo)
            if !status.isSuccess { return attributeFilterStatus(status, plugin: plugins[index].name) }
        }
        return .success
    }

    private func attributeFilterStatus(_ status: Status, plugin: String) -> Status {
        if status.isRejected { return status.with(plugin: plugin) }
        return Status.error("running \"\(plugin)\" filter plugin: \(status.message)").with(plugin: plugin)
    }

    /// Filters with the node's nominated pods taken into account (upstream
    /// `RunFilterPluginsWithNominatedPods`): when pods of at least the incoming pod's priority
    /// are nominated to the node, the filters must pass both with them added (to a derived
    /// node and a cloned state) and without them.
    public func runFilterPluginsWithNominatedPods(
        state: CycleState, pod: PodInfo, nodeInfo: NodeInfo, nominatedPods: (any NominatedPodLister)?
    ) -> Status {
        guard let nominatedPods, nodeInfo.hasNode else {
            return runFilterPlugins(state: state, pod: pod, nodeInfo: nodeInfo)
        }
        let nominated = nominatedPods.nominatedPods(forNode: nodeInfo.name)
        var added: (state: CycleState, nodeInfo: NodeInfo)?
        for other in nominated where other.priority >= pod.priority && other.key != pod.key {
            let stateOut = added?.state ?? state.clone()
            let nodeOut = (added?.nodeInfo ?? nodeInfo).adding(other)
            let status = runPreFilterExtensionAddPod(state: stateOut, podToSchedule: pod, podToAdd: other, nodeInfo: nodeOut)
            if !status.isSuccess { return status }
            added = (stateOut, nodeOut)
        }
        guard let (stateOut, nodeOut) = added else {
            return runFilterPlugins(state: state, pod: pod, nodeInfo: nodeInfo)
        }
        let withNominated = runFilterPlugins(state: stateOut, pod: pod, nodeInfo: nodeOut)
        if !withNominated.isSuccess { return withNominated }
        return runFilterPlugins(state: state, pod: pod, nodeInfo: nodeInfo)
    }

    // MARK: - PostFilter

    /// Runs the PostFilter plugins (upstream `RunPostFilterPlugins`): the first success or
    /// unschedulable-and-unresolvable answer wins; otherwise the unschedulable reasons of all
    /// are combined, attributed to the first plugin, with the last nomination any made.
    public func runPostFilterPlugins(state: CycleState, pod: PodInfo, context: PostFilterContext) -> (
        PostFilterResult?, Status
    ) {
        var result: PostFilterResult?
        var reasons: [String] = []
        var rejector: String?
        for plugin in postFilterPlugins {
            let (pluginResult, status) = plugin.postFilter(state: state, pod: pod, context: context)
            if status.isSuccess { return (pluginResult, status) }
            if status.code == .unschedulableAndUnresolvable { return (pluginResult, status.with(plugin: plugin.name)) }
            if !status.isRejected {
                return (nil, Status.error(status.message).with(plugin: plugin.name))
            }
            if let pluginResult, pluginResult.nominatedNodeName != nil { result = pluginResult }
            reasons.append(contentsOf: status.reasons)
            if rejector == nil { rejector = plugin.name }
        }
        return (result, Status(.unschedulable, reasons, plugin: rejector))
    }

    // MARK: - Scoring

    /// Runs the PreScore plugins (upstream `RunPreScorePlugins`); `.skip` excludes the
    /// plugin's Score this cycle, any other non-success is an error.
    public func runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        var skip = Set<String>()
        for plugin in preScorePlugins {
            let status = plugin.preScore(state: state, pod: pod, nodes: nodes)
            if status.isSkip {
                skip.insert(plugin.name)
                continue
            }
            if !status.isSuccess {
                return Status.error("running PreScore plugin \"\(plugin.name)\": \(status.message)").with(plugin: plugin.name)
            }
        }
        state.skipScorePlugins = skip
        return .success
    }

    /// Scores of the nodes of one cycle: per plugin (normalised and weighted) and in total,
    /// each array aligned with the nodes passed in.
    public struct NodeScores: Sendable {
        public var totals: [Int64]
        public var byPlugin: [(plugin: String, scores: [Int64])]
    }

    /// Runs the Score plugins not skipped (upstream `RunScorePlugins`): raw scores per node,
    /// then each plugin's normalisation, a range check (0…100), and the weight.
    public func runScorePlugins(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Result<NodeScores, FrameworkError> {
        var totals = [Int64](repeating: 0, count: nodes.count)
        var byPlugin: [(plugin: String, scores: [Int64])] = []
        for entry in scorePlugins where !state.skipScorePlugins.contains(entry.plugin.name) {
            let name = entry.plugin.name
            var scores = [Int64](repeating: 0, count: nodes.count)
            for (index, node) in nodes.enumerated() {
                let (score, status) = entry.plugin.score(state: state, pod: pod, nodeInfo: node)
                if !status.isSuccess {
                    return .failure(FrameworkError("running Score plugin \"\(name)\": \(status.message)"))
                }
                scores[index] = score
            }
            if let normalizer = entry.normalizer {
                let status = normalizer.normalizeScores(state: state, pod: pod, nodes: nodes, scores: &scores)
                if !status.isSuccess {
                    return .failure(FrameworkError("running Normalize on Score plugin \"\(name)\": \(status.message)"))
                }
            }
            for index in scores.indices {
                let score = scores[index]
                guard score >= minNodeScore && score <= maxNodeScore else {
                    return .failure(
                        FrameworkError(
                            "plugin \"\(name)\" returns an invalid score \(score), it should in the range of "
                                + "[\(minNodeScore), \(maxNodeScore)] after normalizing"))
                }
                scores[index] = score * entry.weight
                totals[index] += scores[index]
            }
            byPlugin.append((name, scores))
        }
        return .success(NodeScores(totals: totals, byPlugin: byPlugin))
    }
}

/// A framework misconfiguration or an internal plugin failure.
public struct FrameworkError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
