import RaftCore
import Testing

@testable import KVStore

@Suite struct SortedKeysTests {
    /// Random inserts, lookups, ranges and removals agree with a plain sorted array.
    @Test(arguments: [1, 2, 3]) func agreesWithASortedArray(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
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
