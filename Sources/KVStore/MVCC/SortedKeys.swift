/// A sorted set of byte-string keys kept in chunks of at most `chunkLimit` keys, so that
/// inserting a key moves at most one chunk's worth of references (a single sorted array
/// moved half the store on every new key), and a copy shares every chunk it does not change.
///
/// Contract: iteration is in `compareKeys` order; `insert` of a present key is a no-op;
/// `appendSorted` requires each key to be greater than every key already held.
struct SortedKeys: Sequence, Sendable {
    static let chunkLimit = 256
    private var chunks: [[[UInt8]]] = []
    private(set) var count = 0

    /// A position: chunk and offset in it; `end` is `(chunks.count, 0)`.
    struct Position: Comparable {
        var chunk: Int
        var offset: Int
        static func < (a: Position, b: Position) -> Bool { (a.chunk, a.offset) < (b.chunk, b.offset) }
    }

    var end: Position { Position(chunk: chunks.count, offset: 0) }

    /// The first position whose key is not less than `key`.
    func lowerBound(_ key: [UInt8]) -> Position {
        var low = 0, high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if compareKeys(chunks[mid][chunks[mid].count - 1], key) < 0 { low = mid + 1 } else { high = mid }
        }
        guard low < chunks.count else { return end }
        let chunk = chunks[low]
        var l = 0, h = chunk.count
        while l < h {
            let mid = (l + h) / 2
            if compareKeys(chunk[mid], key) < 0 { l = mid + 1 } else { h = mid }
        }
        return Position(chunk: low, offset: l)
    }

    subscript(position: Position) -> [UInt8] { chunks[position.chunk][position.offset] }

    func contains(_ key: [UInt8]) -> Bool {
        let p = lowerBound(key)
        return p < end && self[p] == key
    }

    mutating func insert(_ key: [UInt8]) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            count = 1
            return
        }
        var p = lowerBound(key)
        if p < end, self[p] == key { return }
        if p == end { p = Position(chunk: chunks.count - 1, offset: chunks[chunks.count - 1].count) }
        chunks[p.chunk].insert(key, at: p.offset)
        count += 1
        if chunks[p.chunk].count > Self.chunkLimit {
            let half = chunks[p.chunk].count / 2
            let upper = Array(chunks[p.chunk][half...])
            chunks[p.chunk].removeLast(chunks[p.chunk].count - half)
            chunks.insert(upper, at: p.chunk + 1)
        }
    }

    /// Adds a key greater than every key held (loading keys already in order).
    mutating func appendSorted(_ key: [UInt8]) {
        if chunks.isEmpty || chunks[chunks.count - 1].count >= Self.chunkLimit { chunks.append([]) }
        chunks[chunks.count - 1].append(key)
        count += 1
    }

    mutating func removeAll(where remove: ([UInt8]) -> Bool) {
        var kept: [[[UInt8]]] = []
        var total = 0
        for chunk in chunks {
            let rest = chunk.filter { !remove($0) }
            if !rest.isEmpty { kept.append(rest) }
            total += rest.count
        }
        chunks = kept
        count = total
    }

    /// The keys from `start` up to (not including) `end`.
    func span(_ start: Position, _ end: Position) -> Span { Span(chunks: chunks, start: start, end: end) }

    func makeIterator() -> Span.Iterator { span(Position(chunk: 0, offset: 0), end).makeIterator() }

    /// Keys between two positions, in order.
    struct Span: Sequence {
        let chunks: [[[UInt8]]]
        let start: Position
        let end: Position

        struct Iterator: IteratorProtocol {
            let chunks: [[[UInt8]]]
            var at: Position
            let end: Position
            mutating func next() -> [UInt8]? {
                guard at < end else { return nil }
                let key = chunks[at.chunk][at.offset]
                at.offset += 1
                if at.offset == chunks[at.chunk].count { at = Position(chunk: at.chunk + 1, offset: 0) }
                return key
            }
        }

        func makeIterator() -> Iterator { Iterator(chunks: chunks, at: start, end: end) }
    }
}
