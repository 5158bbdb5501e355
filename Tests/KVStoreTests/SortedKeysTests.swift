@testable import KVStore
import Testing

@Suite struct SortedKeysTests {
    /// Random inserts, lookups, ranges and removals agree with a plain sorted array.
    @Test(arguments: [1, 2, 3]) func agreesWithASortedArray(seed: UInt64) {
        var rng = SplitMix(seed)
        var keys = SortedKeys()
        var model: [[UInt8]] = []
        func randomKey() -> [UInt8] { (0..<Int(rng.next() % 4)).map { _ in UInt8(rng.next() % 6) } }
        for _ in 0..<3000 {
            let key = randomKey()
            keys.insert(key)
            if !model.contains(key) { model.append(key); model.sort { compareKeys($0, $1) < 0 } }
        }
        #expect(keys.count == model.count)
        #expect(Array(keys) == model)
        for _ in 0..<500 {
            let a = randomKey(), b = randomKey()
            let span = Array(keys.span(keys.lowerBound(a), max(keys.lowerBound(a), keys.lowerBound(b))))
            #expect(span == model.filter { compareKeys($0, a) >= 0 && compareKeys($0, b) < 0 })
            #expect(keys.contains(a) == model.contains(a))
        }
        keys.removeAll { $0.count == 2 }
        model.removeAll { $0.count == 2 }
        #expect(Array(keys) == model && keys.count == model.count)
        var loaded = SortedKeys()
        for key in model { loaded.appendSorted(key) }
        #expect(Array(loaded) == model)
        loaded.insert([9, 9, 9])
        #expect(Array(loaded).last == [9, 9, 9])
    }
}

private struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
