import DataDriven
@testable import RaftCore

/// One command line of a script: a name, positional arguments and `key=value` options,
/// e.g. `deliver-msgs 2 3 drop=4,5` or `add-nodes 3 prevote=false`.
struct ScriptCommand {
    let name: String
    let positional: [String]
    let options: [String: [String]]
    /// 1-based line of the command in its script.
    let line: Int
    let text: String

    init(parsing text: String, line: Int) throws {
        self.text = text
        self.line = line
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = tokens.first else { throw ScriptError("empty command") }
        name = first
        var positional: [String] = []
        var options: [String: [String]] = [:]
        for token in tokens.dropFirst() {
            if let eq = token.firstIndex(of: "=") {
                let key = String(token[..<eq])
                var value = token[token.index(after: eq)...]
                if value.hasPrefix("("), value.hasSuffix(")") { value = value.dropFirst().dropLast() }
                guard options[key] == nil else { throw ScriptError("option \(key) given twice") }
                options[key] = value.split(separator: ",").map(String.init)
            } else {
                positional.append(token)
            }
        }
        self.positional = positional
        self.options = options
    }

    /// Rejects options other than `allowed` and a positional count outside `positionalCount`.
    func expect(positional count: ClosedRange<Int>, options allowed: Set<String> = []) throws {
        guard count.contains(positional.count) else {
            throw ScriptError("\(name) takes \(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound)…\(count.upperBound)") positional argument(s), got \(positional.count)")
        }
        for key in options.keys.sorted() where !allowed.contains(key) {
            throw ScriptError("\(name) has no option \(key)")
        }
    }

    static func nodeID(_ text: String) throws -> Raft.NodeID {
        guard let id = Raft.NodeID(text), id != Raft.none else { throw ScriptError("not a node ID: \(text)") }
        return id
    }

    func nodeID(at position: Int) throws -> Raft.NodeID { try Self.nodeID(positional[position]) }

    func int(at position: Int) throws -> Int {
        guard let n = Int(positional[position]), n >= 0 else { throw ScriptError("not a count: \(positional[position])") }
        return n
    }

    /// Every positional argument as a node ID.
    func nodeIDs() throws -> [Raft.NodeID] { try positional.map(Self.nodeID) }

    func nodeIDs(option key: String) throws -> [Raft.NodeID] { try (options[key] ?? []).map(Self.nodeID) }

    func nodeID(option key: String) throws -> Raft.NodeID {
        guard let values = options[key], values.count == 1 else { throw ScriptError("\(name) needs \(key)=ID") }
        return try Self.nodeID(values[0])
    }

    func bool(option key: String, default value: Bool) throws -> Bool {
        guard let values = options[key] else { return value }
        switch values {
        case ["true"]: return true
        case ["false"]: return false
        default: throw ScriptError("\(key) must be true or false")
        }
    }

    func uint(option key: String, default value: UInt64) throws -> UInt64 {
        guard let values = options[key] else { return value }
        guard values.count == 1, let n = UInt64(values[0]) else { throw ScriptError("\(key) must be a number") }
        return n
    }
}
