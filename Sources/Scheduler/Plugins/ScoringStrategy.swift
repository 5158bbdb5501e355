/// How NodeResourcesFit scores nodes (upstream `ScoringStrategy`).
public enum ScoringStrategy: Sendable, Hashable {
    /// Prefer the emptiest node: per resource `(allocatable − requested) × 100 / allocatable`,
    /// 0 when over-committed; the weighted mean, truncated. The default.
    case leastAllocated(resources: [ResourceSpec])
    /// Prefer the fullest node (bin packing): per resource `requested × 100 / allocatable`,
    /// with requested capped at allocatable; the weighted mean, truncated.
    case mostAllocated(resources: [ResourceSpec])
    /// A piecewise-linear function of utilisation (percent) given by `shape`, per resource;
    /// the weighted mean (over resources scoring above 0), rounded.
    case requestedToCapacityRatio(resources: [ResourceSpec], shape: [UtilizationShapePoint])

    /// `leastAllocated` on CPU and memory, weight 1 each.
    public static let `default` = ScoringStrategy.leastAllocated(resources: ResourceSpec.defaults)

    public var resources: [ResourceSpec] {
        switch self {
        case .leastAllocated(let resources), .mostAllocated(let resources),
            .requestedToCapacityRatio(let resources, _):
            resources
        }
    }
}

/// A point of the requested-to-capacity-ratio function: at `utilization` percent (0…100) the
/// score is `score` (0…10, scaled ×10 onto the node score range).
public struct UtilizationShapePoint: Sendable, Hashable {
    public var utilization: Int32
    public var score: Int32

    public init(utilization: Int32, score: Int32) {
        self.utilization = utilization
        self.score = score
    }
}

extension ScoringStrategy {
    /// Upstream `leastRequestedScore`.
    static func leastRequestedScore(requested: Int64, capacity: Int64) -> Int64 {
        if capacity == 0 || requested > capacity { return 0 }
        return (capacity - requested) * maxNodeScore / capacity
    }

    /// Upstream `mostRequestedScore`.
    static func mostRequestedScore(requested: Int64, capacity: Int64) -> Int64 {
        if capacity == 0 { return 0 }
        return min(requested, capacity) * maxNodeScore / capacity
    }

    /// The broken-line function through `shape` (scores already scaled), evaluated at `p`.
    static func brokenLinear(_ shape: [(utilization: Int64, score: Int64)], at p: Int64) -> Int64 {
        for index in shape.indices where p <= shape[index].utilization {
            if index == 0 { return shape[0].score }
            let (u0, s0) = shape[index - 1]
            let (u1, s1) = shape[index]
            return s0 + (s1 - s0) * (p - u0) / (u1 - u0)
        }
        return shape.last?.score ?? 0
    }
}
