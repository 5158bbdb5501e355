import Synchronization

/// Node readings kept for CPU rates: each reading is compared with the latest earlier one at
/// least a second old, so a scraper asking every 15 s gets the rate over its own interval.
public final class NodeUsageSampler: Sendable {
    private let samples = Mutex<[NodeUsage]>([])
    private let read: @Sendable () -> NodeUsage?

    /// Takes a first reading at once, so the first request already has a rate.
    public init(read: @escaping @Sendable () -> NodeUsage?) {
        self.read = read
        if let first = read() { samples.withLock { $0 = [first] } }
    }

    /// A fresh reading and the cores in use since an earlier one (nil without one).
    public func sample() -> (usage: NodeUsage?, nanoCores: UInt64?) {
        guard let now = read() else { return (nil, nil) }
        return samples.withLock { list in
            let earlier = list.last { now.time - $0.time >= 1_000_000_000 } ?? list.first
            let rate = earlier.flatMap { now.nanoCores(since: $0) }
            if list.last.map({ now.time - $0.time >= 5_000_000_000 }) ?? true {
                list.append(now)
                if list.count > 3 { list.removeFirst() }
            }
            return (now, rate)
        }
    }
}
