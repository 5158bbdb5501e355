import Simulation
import Testing

/// The linearizability checker on hand-written key-value histories with known verdicts, and on
/// large generated ones: histories cut from a real sequential execution must pass, and the same
/// with one read corrupted must fail.
struct LinearizabilityCheckerTests {
    typealias Op = HistoryOperation<KVModel.Input, KVModel.Output>

    // A nil `returned` makes the call pending (never returned, result unknown).
    static func put(_ client: Int, _ key: String, _ value: String, _ call: UInt64, _ returned: UInt64?) -> Op {
        Op(client: client, input: .put(key: key, value: value), call: call, output: returned == nil ? nil : .done, returned: returned)
    }

    static func get(_ client: Int, _ key: String, _ value: String?, _ call: UInt64, _ returned: UInt64) -> Op {
        Op(client: client, input: .get(key: key), call: call, output: .value(value), returned: returned)
    }

    static func delete(_ client: Int, _ key: String, _ call: UInt64, _ returned: UInt64) -> Op {
        Op(client: client, input: .delete(key: key), call: call, output: .done, returned: returned)
    }

    static func cas(_ client: Int, _ key: String, _ expected: String?, _ new: String, _ swapped: Bool?, _ call: UInt64, _ returned: UInt64?) -> Op {
        Op(client: client, input: .compareAndSwap(key: key, expected: expected, new: new), call: call, output: swapped.map { .swapped($0) }, returned: returned)
    }

    static func check(_ history: [Op], budget: Int = 1_000_000) -> LinearizabilityResult {
        checkLinearizability(KVModel.self, history, budget: budget)
    }

    static func isViolation(_ result: LinearizabilityResult) -> Bool {
        if case .notLinearizable = result { true } else { false }
    }

    @Test func sequentialHistoryIsLinearizable() {
        let history = [
            Self.get(1, "x", nil, 0, 1),
            Self.put(1, "x", "1", 2, 3),
            Self.get(2, "x", "1", 4, 5),
            Self.put(2, "x", "2", 6, 7),
            Self.get(1, "x", "2", 8, 9),
            Self.delete(1, "x", 10, 11),
            Self.get(2, "x", nil, 12, 13),
        ]
        #expect(Self.check(history) == .linearizable)
        #expect(Self.check([]) == .linearizable)
    }

    @Test func concurrentReadMaySeeEitherValue() {
        for seen in ["1", "2"] {
            let history = [
                Self.put(1, "x", "1", 0, 1),
                Self.put(2, "x", "2", 2, 10),
                Self.get(3, "x", seen, 3, 5),
            ]
            #expect(Self.check(history) == .linearizable)
        }
        // Two overlapping reads see the new value, then the old one: the write may take effect
        // between them only in the other order.
        let flipFlop = [
            Self.put(1, "x", "1", 0, 1),
            Self.put(2, "x", "2", 2, 20),
            Self.get(3, "x", "2", 3, 5),
            Self.get(4, "x", "1", 6, 8),
        ]
        #expect(Self.isViolation(Self.check(flipFlop)))
        // Touching intervals count as overlapping.
        #expect(Self.check([Self.put(1, "x", "1", 0, 5), Self.get(2, "x", nil, 5, 6)]) == .linearizable)
    }

    @Test func staleReadAfterCompletedWriteIsNotLinearizable() {
        let history = [
            Self.put(1, "x", "1", 0, 1),
            Self.put(1, "x", "2", 2, 3),
            Self.get(2, "x", "1", 4, 5),
        ]
        let result = Self.check(history)
        #expect(Self.isViolation(result))
        if case .notLinearizable(let why) = result {
            #expect(why.contains("partition \"x\""))
            #expect(why.contains("get(x) -> \"1\""))
        }
    }

    @Test func pendingWriteMayTakeEffectLate() {
        // Never returned, observed much later, after a read that did not see it yet.
        let history = [
            Self.put(1, "x", "1", 0, nil),
            Self.get(2, "x", nil, 5, 6),
            Self.get(2, "x", "1", 100, 101),
        ]
        #expect(Self.check(history) == .linearizable)
        // Once observed, it cannot be undone.
        let undone = history + [Self.get(3, "x", nil, 200, 201)]
        #expect(Self.isViolation(Self.check(undone)))
        // It cannot take effect before its call.
        let early = [Self.get(2, "x", "1", 0, 1), Self.put(1, "x", "1", 2, nil)]
        #expect(Self.isViolation(Self.check(early)))
    }

    @Test func pendingWriteMayNeverTakeEffect() {
        let history = [
            Self.put(1, "x", "1", 0, 1),
            Self.put(2, "x", "2", 2, nil),
            Self.get(3, "x", "1", 10, 11),
            Self.get(3, "x", "1", 12, 13),
            Self.get(1, "x", "1", 1_000, 1_001),
        ]
        #expect(Self.check(history) == .linearizable)
    }

    @Test func compareAndSwap() {
        let base = [Self.put(1, "x", "a", 0, 1)]
        #expect(Self.check(base + [Self.cas(2, "x", "a", "b", true, 2, 3), Self.get(1, "x", "b", 4, 5)]) == .linearizable)
        #expect(Self.check(base + [Self.cas(2, "x", "z", "b", false, 2, 3), Self.get(1, "x", "a", 4, 5)]) == .linearizable)
        #expect(Self.isViolation(Self.check(base + [Self.cas(2, "x", "z", "b", true, 2, 3)])))
        #expect(Self.isViolation(Self.check(base + [Self.cas(2, "x", "a", "b", false, 2, 3)])))
        // Expected nil means "absent".
        #expect(Self.check([Self.cas(1, "y", nil, "c", true, 0, 1), Self.get(1, "y", "c", 2, 3)]) == .linearizable)
        #expect(Self.isViolation(Self.check(base + [Self.cas(2, "x", nil, "c", true, 2, 3)])))
        // Two concurrent swaps from the same value: at most one succeeds.
        let both = base + [Self.cas(2, "x", "a", "b", true, 2, 10), Self.cas(3, "x", "a", "c", true, 3, 9)]
        #expect(Self.isViolation(Self.check(both)))
        let one = base + [Self.cas(2, "x", "a", "b", false, 2, 10), Self.cas(3, "x", "a", "c", true, 3, 9), Self.get(1, "x", "c", 11, 12)]
        #expect(Self.check(one) == .linearizable)
        // A swap that never returned may or may not have happened.
        for seen in ["a", "b"] {
            let pending = base + [Self.cas(2, "x", "a", "b", nil, 2, nil), Self.get(1, "x", seen, 10, 11)]
            #expect(Self.check(pending) == .linearizable)
        }
    }

    @Test func storeBufferingOverTwoRegistersIsNotLinearizable() {
        // Each client writes its register and then reads the other's as absent: sequentially
        // consistent, but not linearizable (one write finished before the other read began).
        let history = [
            Self.put(1, "x", "1", 0, 10),
            Self.put(2, "y", "1", 0, 10),
            Self.get(1, "y", nil, 11, 20),
            Self.get(2, "x", nil, 11, 20),
        ]
        #expect(Self.isViolation(Self.check(history)))
        // With the reads overlapping the writes, it is linearizable.
        let overlapping = [
            Self.put(1, "x", "1", 0, 10),
            Self.put(2, "y", "1", 0, 10),
            Self.get(1, "y", nil, 5, 20),
            Self.get(2, "x", nil, 5, 20),
        ]
        #expect(Self.check(overlapping) == .linearizable)
    }

    @Test func exhaustedBudgetIsUnknown() {
        let history = (0..<20).map { Self.put($0, "x", "\($0)", 0, 100) } + [Self.get(0, "x", "never", 101, 102)]
        #expect(Self.check(history, budget: 50) == .unknown)
    }

    @Test func generatedHistoriesFromSequentialRuns() {
        for seed: UInt64 in 1...5 {
            var history = Self.generatedHistory(seed: seed, operations: 2_000, keys: 10, clients: 6)
            #expect(Self.check(history) == .linearizable, "seed \(seed)")
            let reads = history.indices.filter { if case .value? = history[$0].output { true } else { false } }
            history[reads[reads.count / 2]].output = .value("corrupt")
            #expect(Self.isViolation(Self.check(history)), "seed \(seed)")
        }
        // One hot key: every operation contends.
        let hot = Self.generatedHistory(seed: 99, operations: 1_000, keys: 1, clients: 8)
        #expect(Self.check(hot) == .linearizable)
    }

    /// SplitMix64: a small, fixed pseudo-random generator, so generated histories are stable.
    struct SplitMix64 {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

        /// Uniform in `low...high`.
        mutating func between(_ low: UInt64, _ high: UInt64) -> UInt64 { low + next() % (high - low + 1) }
    }

    /// A history recorded from a real sequential execution: operation i takes effect at time
    /// 100·(i+1), inside a random interval; each client's intervals follow one another. About
    /// 3% of writes never return (half of those never take effect).
    static func generatedHistory(seed: UInt64, operations: Int, keys: Int, clients: Int) -> [Op] {
        var random = SplitMix64(state: seed)
        let clientOf = (0..<operations).map { _ in random.below(clients) }
        func point(_ i: Int) -> UInt64 { UInt64(100 * (i + 1)) }
        // The effect time of each client's next operation bounds when its current one returns.
        var nextPoint = Array(repeating: UInt64.max, count: operations)
        var upcoming = Array(repeating: UInt64.max, count: clients)
        for i in (0..<operations).reversed() {
            nextPoint[i] = upcoming[clientOf[i]]
            upcoming[clientOf[i]] = point(i)
        }
        var free = Array(repeating: UInt64(0), count: clients)
        var store: [String: String] = [:]
        var history: [Op] = []
        for i in 0..<operations {
            let client = clientOf[i]
            let call = random.between(free[client], point(i))
            let returned = random.between(point(i), min(point(i) + 1_500, nextPoint[i] == .max ? .max : nextPoint[i] - 2))
            free[client] = returned + 1
            let key = "k\(random.below(keys))"
            let current = store[key]
            let input: KVModel.Input
            let output: KVModel.Output
            switch random.below(100) {
            case 0..<40:
                input = .get(key: key)
                output = .value(current)
            case 40..<70:
                input = .put(key: key, value: "v\(i)")
                output = .done
                store[key] = "v\(i)"
            case 70..<80:
                input = .delete(key: key)
                output = .done
                store[key] = nil
            default:
                let expected = random.below(2) == 0 ? current : random.below(3) == 0 ? nil : "v\(random.below(i + 1))"
                input = .compareAndSwap(key: key, expected: expected, new: "v\(i)")
                output = .swapped(current == expected)
                if current == expected { store[key] = "v\(i)" }
            }
            if input != .get(key: key), random.below(100) < 3 {
                if random.below(2) == 0 { store[key] = current }
                history.append(Op(client: client, input: input, call: call, output: nil, returned: nil))
            } else {
                history.append(Op(client: client, input: input, call: call, output: output, returned: returned))
            }
        }
        return history
    }
}
