/// The sequential specification of an etcd-like key-value store in which every operation
/// touches one key. Histories are partitioned by key, so a state is the value of one key
/// (nil: absent).
public enum KVModel: LinearizabilityModel {
    public enum Input: Hashable, Sendable {
        case put(key: String, value: String)
        case get(key: String)
        case delete(key: String)
        /// A transaction: if the key's value equals `expected` (nil: the key is absent), set it
        /// to `new`.
        case compareAndSwap(key: String, expected: String?, new: String)

        public var key: String {
            switch self {
            case .put(let key, _), .get(let key), .delete(let key), .compareAndSwap(let key, _, _): key
            }
        }
    }

    public enum Output: Hashable, Sendable {
        /// A put or delete completed.
        case done
        /// What a get observed (nil: absent).
        case value(String?)
        /// Whether a compare-and-swap succeeded.
        case swapped(Bool)
    }

    public typealias State = String?

    public static var initial: String? { nil }

    public static func step(_ state: String?, _ input: Input, _ output: Output?) -> (ok: Bool, next: String?) {
        switch input {
        case .put(_, let value):
            return (output == nil || output == .done, value)
        case .get:
            return (output == nil || output == .value(state), state)
        case .delete:
            return (output == nil || output == .done, nil)
        case .compareAndSwap(_, let expected, let new):
            let succeeds = state == expected
            return (output == nil || output == .swapped(succeeds), succeeds ? new : state)
        }
    }

    public static func partitionKey(_ input: Input) -> AnyHashable? { AnyHashable(input.key) }

    public static func isReadOnly(_ input: Input) -> Bool {
        if case .get = input { true } else { false }
    }

    public static func describe(_ input: Input, _ output: Output?) -> String {
        func show(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "absent" }
        let result: String
        switch output {
        case nil: result = " -> ?"
        case .done?: result = ""
        case .value(let value)?: result = " -> " + show(value)
        case .swapped(let swapped)?: result = " -> " + (swapped ? "swapped" : "not swapped")
        }
        switch input {
        case .put(let key, let value): return "put(\(key), \(show(value)))" + result
        case .get(let key): return "get(\(key))" + result
        case .delete(let key): return "delete(\(key))" + result
        case .compareAndSwap(let key, let expected, let new): return "cas(\(key), \(show(expected)), \(show(new)))" + result
        }
    }

    public static func describe(state: String?) -> String { state.map { "\"\($0)\"" } ?? "absent" }
}
