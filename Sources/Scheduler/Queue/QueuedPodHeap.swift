/// A binary heap of queued pods addressable by key: O(log n) insert, pop, update and remove.
/// Ordered by `less`; pods that `less` cannot tell apart come out in the order they were
/// inserted, so the queue is deterministic.
struct QueuedPodHeap: Sendable {
    typealias Less = @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool

    private struct Entry: Sendable {
        var info: QueuedPodInfo
        var sequence: UInt64
    }

    private var entries: [Entry] = []
    private var positions: [String: Int] = [:]
    private var nextSequence: UInt64 = 0
    private let less: Less

    init(less: @escaping Less) { self.less = less }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var peek: QueuedPodInfo? { entries.first?.info }
    /// Every pod, in no particular order.
    var all: [QueuedPodInfo] { entries.map(\.info) }

    func contains(_ key: String) -> Bool { positions[key] != nil }

    func get(_ key: String) -> QueuedPodInfo? { positions[key].map { entries[$0].info } }

    /// Inserts `info`, or replaces the pod with the same key (keeping its arrival order).
    mutating func upsert(_ info: QueuedPodInfo) {
        if let index = positions[info.key] {
            entries[index].info = info
            if !siftUp(index) { siftDown(index) }
            return
        }
        nextSequence += 1
        entries.append(Entry(info: info, sequence: nextSequence))
        positions[info.key] = entries.count - 1
        siftUp(entries.count - 1)
    }

    mutating func pop() -> QueuedPodInfo? {
        guard !entries.isEmpty else { return nil }
        return remove(at: 0)
    }

    @discardableResult
    mutating func remove(_ key: String) -> QueuedPodInfo? {
        guard let index = positions[key] else { return nil }
        return remove(at: index)
    }

    // MARK: Heap mechanics

    private func ordered(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (entries[a], entries[b])
        if less(x.info, y.info) { return true }
        if less(y.info, x.info) { return false }
        return x.sequence < y.sequence
    }

    private mutating func remove(at index: Int) -> QueuedPodInfo {
        let last = entries.count - 1
        if index != last { swapAt(index, last) }
        let removed = entries.removeLast()
        positions[removed.info.key] = nil
        if index < entries.count, !siftUp(index) { siftDown(index) }
        return removed.info
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        entries.swapAt(i, j)
        positions[entries[i].info.key] = i
        positions[entries[j].info.key] = j
    }

    /// Returns whether the entry moved.
    @discardableResult
    private mutating func siftUp(_ start: Int) -> Bool {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard ordered(child, parent) else { break }
            swapAt(child, parent)
            child = parent
        }
        return child != start
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < entries.count, ordered(left, first) { first = left }
            if right < entries.count, ordered(right, first) { first = right }
            if first == parent { return }
            swapAt(parent, first)
            parent = first
        }
    }
}
