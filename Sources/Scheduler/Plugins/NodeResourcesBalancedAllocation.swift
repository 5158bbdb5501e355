/// Prefers nodes whose resources would be used evenly (upstream
/// `noderesources.BalancedAllocation`).
///
/// For each configured resource (CPU and memory by default) the node's utilisation with
/// the pod is `fraction = requested / allocatable` (exact requests, capped at 1; resources
/// the node does not offer are left out). The score is `(1 − std) × 100`, truncated, where
/// `std` is the standard deviation of the fractions: `|f1 − f2| / 2` for two resources,
/// 0 for fewer than two.
///
/// Best-effort pods (requesting none of the resources) are not scored, as upstream does
/// since kubernetes#129138: every node would look equally balanced to them.
public struct NodeResourcesBalancedAllocation: PreScorePlugin, ScorePlugin {
    let scorer: ResourceAllocationScorer

    public var name: String { PluginNames.nodeResourcesBalancedAllocation }

    public var resources: [ResourceSpec] { scorer.resources }

    public init(resources: [ResourceSpec] = ResourceSpec.defaults) {
        scorer = ResourceAllocationScorer(resources: resources, useRequested: true)
    }

    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        for index in scorer.resources.indices where scorer.podRequest(index, pod: pod) != 0 { return .success }
        return .skip
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        var count = 0
        var total = 0.0
        var first = 0.0
        var second = 0.0
        for index in scorer.resources.indices {
            let (allocatable, requested) = scorer.allocatableAndRequested(index, pod: pod, nodeInfo: nodeInfo)
            if allocatable == 0 { continue }
            let fraction = min(Double(requested) / Double(allocatable), 1)
            if count == 0 { first = fraction } else if count == 1 { second = fraction }
            total += fraction
            count += 1
        }
        var std = 0.0
        if count == 2 {
            std = abs((first - second) / 2)
        } else if count > 2 {
            let mean = total / Double(count)
            var sum = 0.0
            for index in scorer.resources.indices {
                let (allocatable, requested) = scorer.allocatableAndRequested(index, pod: pod, nodeInfo: nodeInfo)
                if allocatable == 0 { continue }
                let fraction = min(Double(requested) / Double(allocatable), 1)
                sum += (fraction - mean) * (fraction - mean)
            }
            std = (sum / Double(count)).squareRoot()
        }
        return (Int64((1 - std) * Double(maxNodeScore)), .success)
    }
}
