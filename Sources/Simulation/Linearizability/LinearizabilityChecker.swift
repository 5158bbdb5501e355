/// Linearizability checking of recorded histories: the Wing–Gong search with Lowe's cache of
/// visited configurations and Horn & Kroening's partitioning (P-compositionality).

/// A sequential specification. The checker decides whether a concurrent history could have
/// come from some sequential run of it, each operation taking effect at one instant between
/// its call and its return.
public protocol LinearizabilityModel {
    associatedtype State: Hashable
    associatedtype Input
    associatedtype Output

    /// The state before any operation of a partition.
    static var initial: State { get }

    /// Whether applying `input` in `state` may produce `output` and, if so, the next state
    /// (`next` is ignored when `ok` is false). `output` is nil when the result is unknown (the
    /// call never returned, or its result was not recorded): then the step must succeed.
    static func step(_ state: State, _ input: Input, _ output: Output?) -> (ok: Bool, next: State)

    /// The part of the history `input` belongs to; parts are checked independently, which is
    /// sound only when operations of different parts never interact (e.g. one key each). Return
    /// nil to not partition: if any operation has no key, the whole history is checked as one.
    static func partitionKey(_ input: Input) -> AnyHashable?

    /// Whether `input` never changes the state. Calls of read-only operations that never
    /// returned are dropped before the search. Default: false.
    static func isReadOnly(_ input: Input) -> Bool

    /// A short rendering of an operation, for explanations. Default: "input -> output".
    static func describe(_ input: Input, _ output: Output?) -> String

    /// A short rendering of a state, for explanations. Default: `String(describing:)`.
    static func describe(state: State) -> String
}

extension LinearizabilityModel {
    public static func isReadOnly(_ input: Input) -> Bool { false }

    public static func describe(_ input: Input, _ output: Output?) -> String {
        "\(input) -> \(output.map { "\($0)" } ?? "?")"
    }

    public static func describe(state: State) -> String { "\(state)" }
}

/// One operation of a concurrent history: `client` called it at `call` and got `output` back at
/// `returned` (not before `call`). Times are in any unit; an operation is ordered before another
/// only if it returned strictly before the other's call (equal times count as overlapping).
public struct HistoryOperation<Input, Output> {
    public var client: Int
    public var input: Input
    public var call: UInt64
    /// The result; nil when unknown (the call never returned, or the result was not recorded).
    public var output: Output?
    /// When the result came back; nil when it never did: the operation may have taken effect at
    /// any time after `call`, or never.
    public var returned: UInt64?

    public init(client: Int, input: Input, call: UInt64, output: Output?, returned: UInt64?) {
        precondition(returned.map { $0 >= call } ?? true, "an operation returns after its call")
        self.client = client
        self.input = input
        self.call = call
        self.output = output
        self.returned = returned
    }
}

extension HistoryOperation: Sendable where Input: Sendable, Output: Sendable {}

/// The verdict on a history.
public enum LinearizabilityResult: Equatable, Sendable {
    case linearizable
    /// No linearization exists; the text names the partition and the operations involved.
    case notLinearizable(String)
    /// The search budget ran out before a verdict.
    case unknown

    public var isLinearizable: Bool { self == .linearizable }
}

/// Checks whether `history` is linearizable with respect to `model`. Each partition (see
/// `LinearizabilityModel.partitionKey`) may take up to `budget` search steps (calls of
/// `M.step`); a partition that is not linearizable decides the result even when another ran out
/// of budget.
public func checkLinearizability<M: LinearizabilityModel>(
    _ model: M.Type,
    _ history: [HistoryOperation<M.Input, M.Output>],
    budget: Int = 1_000_000
) -> LinearizabilityResult {
    let relevant = history.filter { $0.returned != nil || !M.isReadOnly($0.input) }

    // Partitions in order of first appearance, so that explanations are reproducible.
    var partitions: [[HistoryOperation<M.Input, M.Output>]] = []
    var keys: [AnyHashable?] = []
    var slot: [AnyHashable: Int] = [:]
    for operation in relevant {
        guard let key = M.partitionKey(operation.input) else {
            partitions = [relevant]
            keys = [nil]
            break
        }
        if let index = slot[key] {
            partitions[index].append(operation)
        } else {
            slot[key] = partitions.count
            partitions.append([operation])
            keys.append(key)
        }
    }

    var exhausted = false
    for (operations, key) in zip(partitions, keys) {
        var search = LinearizabilitySearch<M>(operations)
        switch search.run(budget: budget) {
        case .linearizable: continue
        case .exhausted: exhausted = true
        case .stuck:
            let name = key.map { "partition \(String(reflecting: $0.base))" } ?? "history"
            return .notLinearizable("\(name): " + search.explanation())
        }
    }
    return exhausted ? .unknown : .linearizable
}
