/// The backtracking search over one partition. Call and return events sit in a doubly linked
/// list in time order; the search repeatedly picks a call before the first remaining return,
/// applies it to the model ("lifts" it and its return out of the list) and backtracks
/// ("unlifts") when the first remaining return belongs to an operation it cannot apply. A set
/// of visited (linearized operations, state) pairs prunes repeated work. Operations that never
/// returned have no return event: the search succeeds once every completed operation is
/// linearized, so they may take effect at any point after their call, or never.
struct LinearizabilitySearch<M: LinearizabilityModel> {
    typealias Operation = HistoryOperation<M.Input, M.Output>

    enum Outcome { case linearizable, stuck, exhausted }

    /// A set of operation indices, hashed in O(1) through a fingerprint kept up to date on
    /// each change: the XOR of a scrambled value per member.
    struct Bitset: Hashable {
        private var words: [UInt64]
        private var fingerprint: UInt64 = 0

        init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

        private static func scramble(_ i: Int) -> UInt64 {
            var z = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Adds `i`, which must not be a member.
        mutating func insert(_ i: Int) {
            words[i >> 6] |= 1 << UInt64(i & 63)
            fingerprint ^= Self.scramble(i)
        }

        /// Removes `i`, which must be a member.
        mutating func remove(_ i: Int) {
            words[i >> 6] &= ~(1 << UInt64(i & 63))
            fingerprint ^= Self.scramble(i)
        }

        static func == (a: Bitset, b: Bitset) -> Bool { a.fingerprint == b.fingerprint && a.words == b.words }

        func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
    }

    struct Configuration: Hashable {
        var linearized: Bitset
        var state: M.State
    }

    let operations: [Operation]
    /// The operations' fields the search reads, unpacked (cheaper than generic struct copies).
    private let inputs: [M.Input]
    private let outputs: [M.Output?]
    private let completed: [Bool]
    /// List nodes; node 0 is the head sentinel, -1 is "none".
    private var next: [Int]
    private var prev: [Int]
    /// Per node: its operation, and whether it is the call (else the return).
    private var nodeOperation: [Int]
    private var nodeIsCall: [Bool]
    /// Per operation: its return node, or -1 when it never returned.
    private var returnNode: [Int]

    /// The deepest dead end seen: how many operations were linearized and the last few of them
    /// (in order), the state they leave, the operation whose return was reached without a way
    /// to place it, and the operations open there.
    private var bestDepth = 0
    private var bestTail: [Int] = []
    private var bestState: M.State = M.initial
    private var bestBlocked = -1
    private var bestCandidates: [Int] = []

    init(_ operations: [Operation]) {
        self.operations = operations
        inputs = operations.map(\.input)
        outputs = operations.map(\.output)
        completed = operations.map { $0.returned != nil }
        var events: [(time: UInt64, isCall: Bool, operation: Int)] = []
        events.reserveCapacity(2 * operations.count)
        for (i, operation) in operations.enumerated() {
            events.append((operation.call, true, i))
            if let returned = operation.returned { events.append((returned, false, i)) }
        }
        // Calls before returns at equal times: touching intervals overlap.
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.isCall != b.isCall { return a.isCall }
            return a.operation < b.operation
        }
        let count = events.count + 1
        next = Array(1...count)
        next[count - 1] = -1
        prev = Array(-1..<(count - 1))
        nodeOperation = [-1] + events.map(\.operation)
        nodeIsCall = [false] + events.map(\.isCall)
        returnNode = Array(repeating: -1, count: operations.count)
        for node in 1..<count where !nodeIsCall[node] { returnNode[nodeOperation[node]] = node }
    }

    private mutating func unlink(_ node: Int) {
        next[prev[node]] = next[node]
        if next[node] >= 0 { prev[next[node]] = prev[node] }
    }

    /// Reinserts `node` where it was; valid only in reverse order of `unlink`s.
    private mutating func relink(_ node: Int) {
        next[prev[node]] = node
        if next[node] >= 0 { prev[next[node]] = node }
    }

    private mutating func lift(_ callNode: Int) {
        unlink(callNode)
        let ret = returnNode[nodeOperation[callNode]]
        if ret >= 0 { unlink(ret) }
    }

    private mutating func unlift(_ callNode: Int) {
        let ret = returnNode[nodeOperation[callNode]]
        if ret >= 0 { relink(ret) }
        relink(callNode)
    }

    mutating func run(budget: Int) -> Outcome {
        var remaining = completed.reduce(0) { $0 + ($1 ? 1 : 0) }
        var state = M.initial
        var linearized = Bitset(count: operations.count)
        var cache: Set<Configuration> = []
        // The backtracking stack: lifted call nodes and the states before them.
        var stackNodes: [Int] = []
        var stackStates: [M.State] = []
        var steps = 0
        var node = next[0]
        while remaining > 0 {
            guard node >= 0 else { preconditionFailure("a completed operation's return is always listed") }
            if nodeIsCall[node] {
                steps += 1
                if steps > budget { return .exhausted }
                let i = nodeOperation[node]
                let (ok, after) = M.step(state, inputs[i], outputs[i])
                if ok {
                    linearized.insert(i)
                    if cache.insert(Configuration(linearized: linearized, state: after)).inserted {
                        stackNodes.append(node)
                        stackStates.append(state)
                        state = after
                        lift(node)
                        if completed[i] { remaining -= 1 }
                        node = next[0]
                        continue
                    }
                    linearized.remove(i)
                }
                node = next[node]
            } else {
                // The first remaining return: its operation must already have taken effect.
                if bestBlocked < 0 || stackNodes.count > bestDepth { recordDeadEnd(node, stackNodes, state) }
                guard let top = stackNodes.popLast() else { return .stuck }
                let i = nodeOperation[top]
                state = stackStates.removeLast()
                linearized.remove(i)
                unlift(top)
                if completed[i] { remaining += 1 }
                node = next[top]
            }
        }
        return .linearizable
    }

    private static var shown: Int { 3 }

    private mutating func recordDeadEnd(_ returnNode: Int, _ path: [Int], _ state: M.State) {
        bestDepth = path.count
        bestTail = path.suffix(Self.shown).map { nodeOperation[$0] }
        bestState = state
        bestBlocked = nodeOperation[returnNode]
        bestCandidates = []
        var node = next[0]
        while node >= 0 && node != returnNode && bestCandidates.count <= Self.shown {
            if nodeIsCall[node] && nodeOperation[node] != bestBlocked { bestCandidates.append(nodeOperation[node]) }
            node = next[node]
        }
    }

    private static func count(_ n: Int) -> String { n == 1 ? "1 operation" : "\(n) operations" }

    private func render(_ i: Int) -> String {
        let operation = operations[i]
        let end = operation.returned.map { "\($0)" } ?? "never"
        return "[client \(operation.client) @\(operation.call)-\(end)] \(M.describe(operation.input, operation.output))"
    }

    /// Why the search failed: the longest linearizable prefix found, and the operation whose
    /// return it reached without being able to place it. Meaningful after `run` returned `.stuck`.
    func explanation() -> String {
        var text = "no linearization of \(Self.count(operations.count)); "
        if bestDepth == 0 {
            text += "from the initial state \(M.describe(state: M.initial))"
        } else {
            let tail = bestTail.map(render).joined(separator: "; ")
            let elided = bestDepth > bestTail.count ? "...; " : ""
            text += "the longest linearizable prefix has \(Self.count(bestDepth)) (\(elided)\(tail)) and leaves \(M.describe(state: bestState))"
        }
        text += ", where no order of the operations open so far lets \(render(bestBlocked)) take effect"
        if !bestCandidates.isEmpty {
            text += "; also open: " + bestCandidates.prefix(Self.shown).map(render).joined(separator: "; ")
            if bestCandidates.count > Self.shown { text += "; ..." }
        }
        return text
    }
}
