/// Keys waiting for their ready time: a binary min-heap on (ready time, arrival order) with an
/// index by key, so a key waits at most once and a later, earlier delay moves it forward.
///
/// Contract: `insert` keeps the earliest ready time for a key already waiting; `popReady`
/// returns keys whose time has come, earliest first, ties in arrival order. All operations are
/// O(log n).
struct DelayedKeys<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        let key: Key
        var readyAt: ContinuousClock.Instant
        var sequence: UInt64

        func isBefore(_ other: Entry) -> Bool {
            (readyAt, sequence) < (other.readyAt, other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var indexByKey: [Key: Int] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// The earliest ready time, if any key waits.
    var earliest: ContinuousClock.Instant? { heap.first?.readyAt }

    /// The ready time of `key`, if it waits.
    func readyAt(of key: Key) -> ContinuousClock.Instant? {
        indexByKey[key].map { heap[$0].readyAt }
    }

    /// Adds `key` to be ready at `readyAt`; if it already waits, keeps the earlier time.
    mutating func insert(_ key: Key, readyAt: ContinuousClock.Instant) {
        nextSequence += 1
        if let index = indexByKey[key] {
            guard readyAt < heap[index].readyAt else { return }
            heap[index].readyAt = readyAt
            heap[index].sequence = nextSequence
            siftUp(index)
            return
        }
        heap.append(Entry(key: key, readyAt: readyAt, sequence: nextSequence))
        indexByKey[key] = heap.count - 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest key if it is ready at `now`.
    mutating func popReady(now: ContinuousClock.Instant) -> Key? {
        guard let first = heap.first, first.readyAt <= now else { return nil }
        swapAt(0, heap.count - 1)
        heap.removeLast()
        indexByKey[first.key] = nil
        if !heap.isEmpty { siftDown(0) }
        return first.key
    }

    mutating func removeAll() {
        heap.removeAll()
        indexByKey.removeAll()
    }

    // MARK: Heap

    private mutating func swapAt(_ i: Int, _ j: Int) {
        guard i != j else { return }
        heap.swapAt(i, j)
        indexByKey[heap[i].key] = i
        indexByKey[heap[j].key] = j
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBefore(heap[parent]) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].isBefore(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].isBefore(heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }
}
