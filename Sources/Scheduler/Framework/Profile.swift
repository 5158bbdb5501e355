/// The extension points a plugin can take part in.
public enum ExtensionPoint: String, Sendable, Hashable, CaseIterable {
    case queueSort
    case preFilter
    case filter
    case postFilter
    case preScore
    case score
}

/// A scheduling profile (upstream `KubeSchedulerProfile`): the scheduler name pods select it
/// by, its plugins in run order with their score weights, and its sampling percentage.
///
/// A plugin runs at every extension point whose protocol it adopts, except those listed in
/// its entry's `disabledPoints` (upstream's `multiPoint` plus per-point `disabled`).
public struct Profile: Sendable {
    public struct Entry: Sendable {
        public var plugin: any SchedulerPlugin
        /// The score weight (ignored unless the plugin scores); must be positive.
        public var weight: Int64
        public var disabledPoints: Set<ExtensionPoint>

        public init(_ plugin: any SchedulerPlugin, weight: Int64 = 1, disabledPoints: Set<ExtensionPoint> = []) {
            self.plugin = plugin
            self.weight = weight
            self.disabledPoints = disabledPoints
        }
    }

    public var schedulerName: String
    public var plugins: [Entry]
    /// The percentage of nodes to find feasible before scoring (1…100); nil or 0 uses the
    /// scheduler-wide setting, whose 0 means adaptive.
    public var percentageOfNodesToScore: Int32?

    public init(schedulerName: String, plugins: [Entry], percentageOfNodesToScore: Int32? = nil) {
        self.schedulerName = schedulerName
        self.plugins = plugins
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }
}
