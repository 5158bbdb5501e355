import RaftCore

/// A client with at most one request outstanding: a write (proposal) or a linearizable read,
/// sent to the node it believes leads; it gives up after a timeout and tries again elsewhere.
struct SimulatedClient {
    enum Request {
        case write(payload: [UInt8], node: Raft.NodeID, deadline: UInt64)
        /// `required`: the highest index acknowledged before the read was issued.
        case read(context: [UInt8], node: Raft.NodeID, deadline: UInt64, required: Raft.Index)
    }

    let id: Int
    var sequence = 0
    var outstanding: Request?
    var believedLeader: Raft.NodeID = Raft.none
}

extension RaftSimulation {
    static let requestTimeout: UInt64 = 400

    func driveClient(_ i: Int) {
        if let request = clients[i].outstanding {
            let deadline: UInt64
            switch request {
            case .write(_, _, let d), .read(_, _, let d, _): deadline = d
            }
            if now >= deadline {
                clients[i].outstanding = nil
                clients[i].believedLeader = Raft.none
            }
            return
        }
        // Idle clients start a request now and then (not once the liveness phase has begun,
        // so the cluster has a fixed point to converge to).
        guard !clientsStopped, rng.next(below: 100) < 10 else { return }
        let up = nodes.filter(\.isUp)
        guard !up.isEmpty else { return }
        var target = up.first { $0.id == clients[i].believedLeader }
        if target == nil {
            let guess = up[Int(rng.next(below: UInt64(up.count)))]
            // Ask the guessed node who leads, as etcd clients follow redirects.
            target = up.first { $0.id == guess.raft?.leader } ?? guess
        }
        guard let node = target, var raft = node.raft else { return }
        clients[i].sequence += 1
        let deadline = now + Self.requestTimeout
        if rng.next(below: 100) < 70 {
            let payload = Array("c\(clients[i].id)-\(clients[i].sequence)".utf8)
            do {
                try raft.propose(payload)
                clients[i].outstanding = .write(payload: payload, node: node.id, deadline: deadline)
                clients[i].believedLeader = node.id
                record("client \(clients[i].id) writes \(String(decoding: payload, as: UTF8.self)) via \(node.id)")
            } catch {
                clients[i].believedLeader = Raft.none
            }
        } else {
            let context = Array("r\(clients[i].id)-\(clients[i].sequence)".utf8)
            do {
                try raft.readIndex(context: context)
                clients[i].outstanding = .read(
                    context: context, node: node.id, deadline: deadline, required: checker.maxAcknowledgedIndex)
                clients[i].believedLeader = node.id
                record("client \(clients[i].id) reads via \(node.id)")
            } catch {
                clients[i].believedLeader = Raft.none
            }
        }
        node.raft = raft
        process(node)
    }

    /// A node applied `entry`: if it carries a write a client sent through this node, the
    /// client gets its acknowledgement.
    func acknowledgeIfOwned(node: SimNode, entry: Raft.Entry) {
        for i in clients.indices {
            guard case .write(let payload, let via, _) = clients[i].outstanding, via == node.id, payload == entry.data else {
                continue
            }
            checker.acknowledgeWrite(payload, index: entry.index)
            clients[i].outstanding = nil
            stats.acknowledged += 1
            record("ack \(String(decoding: payload, as: UTF8.self)) at \(entry.index)")
        }
    }

    /// Serves read states whose index the node has applied.
    func serveReads(_ node: SimNode) {
        guard !node.pendingReads.isEmpty else { return }
        var waiting: [Raft.ReadState] = []
        for state in node.pendingReads {
            guard node.appliedIndex >= state.index else {
                waiting.append(state)
                continue
            }
            for i in clients.indices {
                guard case .read(let context, let via, _, let required) = clients[i].outstanding, via == node.id,
                    context == state.context
                else { continue }
                checker.observeRead(node: node.id, servedIndex: node.appliedIndex, requiredIndex: required, now: now)
                clients[i].outstanding = nil
                stats.reads += 1
                record("read \(String(decoding: context, as: UTF8.self)) served at \(node.appliedIndex)")
            }
        }
        node.pendingReads = waiting
    }
}
