import EtcdAPI
import GRPCCore
import RaftCore

/// What every member builds by applying the log in order: the MVCC store, the leases and
/// the membership. Pure and deterministic (the only input besides the entries is the clock
/// the leader's lease deadlines are kept on), so the simulator can run it as the real
/// member does, and a snapshot of it is all a restarted or lagging member needs.
public struct KVStateMachine: Sendable {
    public internal(set) var store = MVCCStore()
    public internal(set) var lessor: Lessor
    public internal(set) var members: [UInt64: Member] = [:]
    public internal(set) var appliedIndex: UInt64 = 0
    /// Raised alarms, by member and type, in that order. While NOSPACE is raised the store is
    /// capped, as etcd's is: puts, writing transactions and lease grants fail; reads, deletes,
    /// compaction and revocation go on, so space can be freed before the alarm is cleared.
    public internal(set) var alarms: [Etcdserverpb_AlarmMember] = []
    /// `--quota-backend-bytes`: puts fail once the store holds more (0 = no limit).
    public var quotaBytes: Int

    public init(minimumLeaseTTL: Int64 = 2, quotaBytes: Int = 0) {
        lessor = Lessor(minimumTTL: minimumLeaseTTL)
        self.quotaBytes = quotaBytes
    }

    /// What applying one entry produced.
    public struct Applied: Sendable {
        /// The proposer's request ID (0 for configuration changes and empty entries).
        public var requestID: UInt64 = 0
        var result: LoggedResult?
        public var events: [WatchEvent] = []
        public var configurationChange: Raft.ConfigurationChange?
    }

    /// Applies one committed entry. `header` is stamped (with the new revision) on responses.
    public mutating func apply(_ entry: Raft.Entry, header: Etcdserverpb_ResponseHeader, now: Int64) -> Applied {
        appliedIndex = entry.index
        var applied = Applied()
        switch entry.kind {
        case .configurationChange:
            guard let change = Raft.ConfigurationChange(encoded: entry.data) else { return applied }
            switch change.kind {
            case .addNode:
                if let member = Member(encoded: change.context) {
                    members[change.nodeID] = member
                } else if members[change.nodeID] == nil {
                    members[change.nodeID] = Member(id: change.nodeID, name: "", peerURLs: [])
                }
            case .removeNode:
                members[change.nodeID] = nil
            }
            applied.configurationChange = change
        case .normal:
            guard !entry.data.isEmpty, let (id, request) = LoggedRequest.decode(entry.data) else { return applied }
            applied.requestID = id
            do {
                applied.result = try apply(request, header: header, now: now, events: &applied.events)
            } catch {
                applied.result = .failure(RPCError(error))
            }
        }
        return applied
    }

    private mutating func apply(
        _ request: LoggedRequest, header: Etcdserverpb_ResponseHeader, now: Int64, events: inout [WatchEvent]
    ) throws -> LoggedResult {
        func stamped() -> Etcdserverpb_ResponseHeader {
            var h = header
            h.revision = store.currentRevision
            return h
        }
        switch request {
        case .put(let r):
            if r.lease != 0, !lessor.exists(r.lease) { throw Lessor.LeaseError.notFound }
            try checkSpace()
            let (response, e) = try store.put(PutRequest(r))
            committed(e, into: &events)
            return .put(Etcdserverpb_PutResponse(response, header: stamped()))
        case .deleteRange(let r):
            let (response, e) = try store.deleteRange(DeleteRangeRequest(r))
            committed(e, into: &events)
            return .deleteRange(Etcdserverpb_DeleteRangeResponse(response, header: stamped()))
        case .txn(let r):
            let request = TxnRequest(r)
            if request.writesKeys { try checkSpace() }
            for case .put(let p) in request.success + request.failure where p.lease != 0 && !lessor.exists(p.lease) {
                throw Lessor.LeaseError.notFound
            }
            let (response, e) = try store.txn(request)
            committed(e, into: &events)
            return .txn(Etcdserverpb_TxnResponse(response, header: stamped()))
        case .compaction(let r):
            try store.compact(r.revision)
            var response = Etcdserverpb_CompactionResponse()
            response.header = stamped()
            return .compaction(response)
        case .leaseGrant(let r):
            if isCapped { throw RPCError.noSpace }
            let lease = try lessor.grant(id: r.id, ttl: r.ttl, now: now)
            var response = Etcdserverpb_LeaseGrantResponse()
            response.header = stamped()
            response.id = lease.id
            response.ttl = lease.ttl
            return .leaseGrant(response)
        case .leaseRevoke(let r):
            let keys = try lessor.revoke(id: r.id)
            if !keys.isEmpty {
                let deletes = keys.map { RequestOp.deleteRange(DeleteRangeRequest(range: KeyRange(key: $0))) }
                let (_, e) = try store.txn(TxnRequest(success: deletes))
                committed(e, into: &events)
            }
            var response = Etcdserverpb_LeaseRevokeResponse()
            response.header = stamped()
            return .leaseRevoke(response)
        case .publish(let m):
            // A running member announces its name and client URLs (ignored once removed).
            if var member = members[m.id] {
                member.name = m.name
                member.clientURLs = m.clientUrls
                members[m.id] = member
            }
            return .published
        case .alarm(let r):
            return .alarm(applyAlarm(r, header: stamped()))
        }
    }

    var isCapped: Bool { alarms.contains { $0.alarm == .nospace } }

    /// etcd's alarm store: activate (answers the alarm, new or already raised), deactivate
    /// (answers it if it was raised), get (the raised ones of that type; NONE: all).
    private mutating func applyAlarm(_ r: Etcdserverpb_AlarmRequest, header: Etcdserverpb_ResponseHeader) -> Etcdserverpb_AlarmResponse {
        var response = Etcdserverpb_AlarmResponse()
        response.header = header
        var member = Etcdserverpb_AlarmMember()
        member.memberID = r.memberID
        member.alarm = r.alarm
        switch r.action {
        case .activate where r.alarm != .none:
            if !alarms.contains(member) {
                alarms.append(member)
                alarms.sort { ($0.memberID, $0.alarm.rawValue) < ($1.memberID, $1.alarm.rawValue) }
            }
            response.alarms = [member]
        case .deactivate:
            if let index = alarms.firstIndex(of: member) {
                alarms.remove(at: index)
                response.alarms = [member]
            }
        default:
            response.alarms = r.alarm == .none ? alarms : alarms.filter { $0.alarm == r.alarm }
        }
        return response
    }

    /// A write that adds data fails while NOSPACE is raised or once the quota is used up.
    private func checkSpace() throws(RPCError) {
        if isCapped || (quotaBytes > 0 && store.approximateBytes > quotaBytes) { throw RPCError.noSpace }
    }

    /// Keeps leases in step with an applied write.
    private mutating func committed(_ e: [WatchEvent], into events: inout [WatchEvent]) {
        lessor.apply(e)
        events += e
    }

    // MARK: - Leader-only lease clock (not replicated)

    mutating func promote(now: Int64) { lessor.promote(now: now) }
    mutating func demote() { lessor.demote() }
    mutating func renew(lease: Int64, now: Int64) throws(Lessor.LeaseError) -> Int64 { try lessor.renew(id: lease, now: now) }
}

extension TxnRequest {
    /// True when either branch (or a nested one) writes a key.
    var writesKeys: Bool {
        func writes(_ ops: [RequestOp]) -> Bool {
            ops.contains { op in
                switch op {
                case .put: true
                case .txn(let t): writes(t.success) || writes(t.failure)
                default: false
                }
            }
        }
        return writes(success) || writes(failure)
    }
}
