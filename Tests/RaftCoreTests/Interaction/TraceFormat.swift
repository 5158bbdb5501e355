@testable import RaftCore

/// How the harness prints Raft values in traces. Messages use `Raft.Message.description`.
enum TraceFormat {
    static func role(_ role: Raft.Role) -> String {
        switch role {
        case .follower: "follower"
        case .preCandidate: "pre-candidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }

    static func ids<S: Sequence<Raft.NodeID>>(_ ids: S) -> String {
        "(" + ids.sorted().map(String.init).joined(separator: " ") + ")"
    }

    static func change(_ change: Raft.ConfigurationChange) -> String {
        "\(change.kind == .addNode ? "add" : "remove") \(change.nodeID)"
    }

    static func entry(_ entry: Raft.Entry) -> String {
        let position = "\(entry.term)/\(entry.index)"
        switch entry.kind {
        case .normal:
            return entry.data.isEmpty ? "\(position) empty" : "\(position) \"\(String(decoding: entry.data, as: UTF8.self))\""
        case .configurationChange:
            guard let c = Raft.ConfigurationChange(encoded: entry.data) else { return "\(position) conf-change(invalid)" }
            return "\(position) conf-change(\(change(c)))"
        }
    }

    static func entries(_ entries: [Raft.Entry]) -> String { entries.map(entry).joined(separator: ", ") }

    static func snapshot(_ s: Raft.Snapshot) -> String {
        "\(s.metadata.term)/\(s.metadata.index) voters=\(ids(s.metadata.configuration.voters)) data=\"\(String(decoding: s.data, as: UTF8.self))\""
    }

    static func readState(_ r: Raft.ReadState) -> String {
        "index=\(r.index) ctx=\(String(decoding: r.context, as: UTF8.self))"
    }

    static func hardState(_ hs: Raft.HardState) -> String { "term=\(hs.term) vote=\(hs.vote) commit=\(hs.commit)" }

    /// A state change of node `id`, or nil if there is none.
    static func transition(_ id: Raft.NodeID, from old: InteractionNode.Summary, to new: InteractionNode.Summary) -> String? {
        if old.role != new.role || old.term != new.term {
            var s = "\(id) became \(role(new.role)) at term \(new.term)"
            if new.leader != Raft.none, new.role != .leader { s += ", leader \(new.leader)" }
            return s
        }
        if old.leader != new.leader {
            return new.leader == Raft.none ? "\(id) forgot leader \(old.leader)" : "\(id) follows leader \(new.leader)"
        }
        return nil
    }
}
