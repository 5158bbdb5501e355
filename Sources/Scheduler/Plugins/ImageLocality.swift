/// Prefers nodes that already have the pod's images (upstream `imagelocality`).
///
/// For each image of the pod (init containers and containers) present on the node, the
/// image's size is scaled by its spread, `nodes having it / all nodes`, so an image found
/// everywhere counts fully and one found on a single node barely counts (this avoids piling
/// pods onto the few nodes that happen to have an image). The sum is clamped to
/// `[23 MiB, 1000 MiB × number of containers]` and mapped linearly onto 0…100:
///
///     score = 100 × (clamp(sum) − 23 MiB) / (1000 MiB × containers − 23 MiB)
public struct ImageLocality: PreScorePlugin, ScorePlugin {
    static let mebibyte: Int64 = 1024 * 1024
    /// Sums below this score 0.
    public static let minThreshold: Int64 = 23 * mebibyte
    /// Per container, sums above this score 100.
    public static let maxContainerThreshold: Int64 = 1000 * mebibyte

    public var name: String { PluginNames.imageLocality }

    public init() {}

    /// Per image of the pod, how many nodes have it.
    struct PreScoreState: StateData {
        var images: [(name: String, nodeCount: Int)]
        var totalNodes: Int
    }

    /// Skips scoring when no node has any of the pod's images (every score would be 0).
    public func preScore(state: CycleState, pod: PodInfo, nodes: [NodeInfo]) -> Status {
        let snapshot = state.snapshot
        var images: [(name: String, nodeCount: Int)] = []
        for image in pod.images {
            let count = snapshot.nodeCount(ofImage: image)
            if count > 0 { images.append((image, count)) }
        }
        if images.isEmpty { return .skip }
        state.write(PreScoreState(images: images, totalNodes: snapshot.count))
        return .success
    }

    public func score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo) -> (Int64, Status) {
        let images: [(name: String, nodeCount: Int)]
        let totalNodes: Int
        if let prepared = state.read(PreScoreState.self) {
            images = prepared.images
            totalNodes = prepared.totalNodes
        } else {
            images = pod.images.map { ($0, state.snapshot.nodeCount(ofImage: $0)) }
            totalNodes = state.snapshot.count
        }
        var sum: Int64 = 0
        for image in images {
            guard let size = nodeInfo.imageSizes[image.name] else { continue }
            sum += Self.scaledImageScore(size: size, nodesHavingImage: image.nodeCount, totalNodes: totalNodes)
        }
        return (Self.calculatePriority(sumScores: sum, containers: pod.images.count), .success)
    }

    /// `size × nodesHavingImage / totalNodes`, computed in floating point and truncated, as
    /// upstream does.
    public static func scaledImageScore(size: Int64, nodesHavingImage: Int, totalNodes: Int) -> Int64 {
        guard totalNodes > 0 else { return 0 }
        let spread = Double(nodesHavingImage) / Double(totalNodes)
        return Int64(Double(size) * spread)
    }

    /// Maps a summed image score onto 0…100 (see the type's documentation).
    public static func calculatePriority(sumScores: Int64, containers: Int) -> Int64 {
        let maxThreshold = maxContainerThreshold * Int64(max(containers, 1))
        let clamped = min(max(sumScores, minThreshold), maxThreshold)
        return maxNodeScore * (clamped - minThreshold) / (maxThreshold - minThreshold)
    }
}
