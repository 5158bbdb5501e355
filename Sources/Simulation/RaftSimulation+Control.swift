import RaftCore

/// Direct control of a simulated cluster, for scripted scenarios (e.g. Figure 8 of the Raft
/// paper): no random faults, crashes and links under the script's command, checkers on.
extension RaftSimulation {
    /// Violations found so far.
    public var violations: [String] { checker.violations }

    public func role(of id: Raft.NodeID) -> Raft.Role? { node(id)?.raft?.role }
    public func term(of id: Raft.NodeID) -> Raft.Term? { node(id)?.raft?.term }
    public func appliedIndex(of id: Raft.NodeID) -> Raft.Index? { node(id)?.appliedIndex }
    public func lastIndex(of id: Raft.NodeID) -> Raft.Index? { node(id)?.raft?.lastIndex }

    /// Runs `milliseconds` steps without random faults or client traffic.
    public func advance(milliseconds: UInt64) {
        clientsStopped = true
        for _ in 0..<milliseconds { step(faults: false) }
    }

    /// Crashes a node; it stays down until `restart`.
    public func crash(_ id: Raft.NodeID) {
        guard let n = node(id), n.isUp else { return }
        crash(n)
        n.restartAt = nil
    }

    public func restart(_ id: Raft.NodeID) {
        guard let n = node(id), !n.isUp else { return }
        restart(n)
    }

    /// Only the listed pairs may talk (both ways); every other link drops everything.
    public func allowOnly(_ pairs: [(Raft.NodeID, Raft.NodeID)]) {
        network.heal()
        let ids = nodes.map(\.id)
        let allowed = Set(pairs.flatMap { [SimulatedNetwork.Link(from: $0.0, to: $0.1), SimulatedNetwork.Link(from: $0.1, to: $0.0)] })
        for a in ids {
            for b in ids where a != b && !allowed.contains(SimulatedNetwork.Link(from: a, to: b)) {
                network.block(SimulatedNetwork.Link(from: a, to: b))
            }
        }
    }

    public func healAll() { network.heal() }

    /// Passes every message sent through `interceptor`, which may rewrite it or drop it
    /// (answer nil); nil removes the interceptor.
    public func intercept(_ interceptor: (@Sendable (Raft.Message) -> Raft.Message?)?) { network.interceptor = interceptor }

    /// Proposes at a node; false if it refused.
    @discardableResult
    public func propose(at id: Raft.NodeID, _ payload: [UInt8]) -> Bool {
        guard let n = node(id), var raft = n.raft else { return false }
        guard (try? raft.propose(payload)) != nil else { return false }
        n.raft = raft
        process(n)
        return true
    }

    func node(_ id: Raft.NodeID) -> SimNode? { nodes.first { $0.id == id } }
}
