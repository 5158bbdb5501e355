import APIMachinery
import Testing

@testable import Scheduler

/// ImageLocality: spread-scaled image sizes mapped onto 0…100.
@Suite struct ImageLocalityPluginTests {
    static let mib: Int64 = 1024 * 1024

    /// Four nodes: `big:1` (600 MiB) on a and b, `small:1` (10 MiB) on a and c, `nginx:latest`
    /// (100 MiB) on d only.
    static let snapshot = Snapshot(nodes: [
        Fx.node("a", images: [(["big:1"], 600 * mib), (["small:1"], 10 * mib)]),
        Fx.node("b", images: [(["big:1"], 600 * mib)]),
        Fx.node("c", images: [(["small:1"], 10 * mib)]),
        Fx.node("d", images: [(["nginx:latest", "docker.io/library/nginx:latest"], 100 * mib)]),
    ])

    static func pod(_ images: [String], initImages: [String] = []) -> PodInfo {
        PodInfo(
            Fx.pod(
                "p", containers: images.enumerated().map { Fx.container("c\($0.offset)", image: $0.element) },
                initContainers: initImages.isEmpty
                    ? nil : initImages.enumerated().map { Fx.container("i\($0.offset)", image: $0.element) }))
    }

    @Test func oneContainer() {
        // big:1 is on 2 of 4 nodes: 600 MiB × 2/4 = 300 MiB on a and b.
        // score = 100 × (300 − 23) / (1000 − 23) = 27700 / 977 = 28.
        // c and d lack it: the sum stays below 23 MiB → 0.
        #expect(Fx.scores(ImageLocality(), pod: Self.pod(["big:1"]), snapshot: Self.snapshot) == ["a": 28, "b": 28, "c": 0, "d": 0])
    }

    @Test func twoContainersRaiseTheCeiling() {
        // On a: 300 MiB (big) + 10 MiB × 2/4 = 5 MiB (small) = 305 MiB; the ceiling is
        // 2 × 1000 MiB: 100 × (305 − 23) / (2000 − 23) = 28200 / 1977 = 14. On b: 300 MiB →
        // 100 × 277 / 1977 = 14. On c: 5 MiB → 0.
        #expect(
            Fx.scores(ImageLocality(), pod: Self.pod(["big:1", "small:1"]), snapshot: Self.snapshot) == [
                "a": 14, "b": 14, "c": 0, "d": 0,
            ])
    }

    @Test func initContainersCountAndNamesAreNormalised() {
        // "nginx" means "nginx:latest"; d has it alone: 100 MiB × 1/4 = 25 MiB. With one init
        // and one container the ceiling is 2000 MiB: 100 × (25 − 23) / (2000 − 23) = 0.1 → 0;
        // as a single container: 100 × 2 / 977 = 0.2 → 0. Small images on few nodes barely
        // count: that is the point of the spread factor.
        let scores = Fx.scores(ImageLocality(), pod: Self.pod(["big:1"], initImages: ["nginx"]), snapshot: Self.snapshot)
        #expect(scores == ["a": 14, "b": 14, "c": 0, "d": 0])
        #expect(ImageLocality.calculatePriority(sumScores: 25 * Self.mib, containers: 1) == 0)
        #expect(ImageLocality.calculatePriority(sumScores: 500 * Self.mib, containers: 1) == 48)  // 47700/977
        #expect(ImageLocality.calculatePriority(sumScores: 5000 * Self.mib, containers: 1) == 100)
        #expect(ImageLocality.scaledImageScore(size: 1000, nodesHavingImage: 1, totalNodes: 3) == 333)
    }

    @Test func imagesNowhereSkipScoring() {
        let state = CycleState(snapshot: Self.snapshot)
        #expect(ImageLocality().preScore(state: state, pod: Self.pod(["unknown:2"]), nodes: Self.snapshot.nodeInfos).isSkip)
        #expect(ImageLocality().preScore(state: state, pod: Self.pod(["nginx"]), nodes: Self.snapshot.nodeInfos).isSuccess)
    }
}
