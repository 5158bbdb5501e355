import RaftCore

/// What members send each other on the peer port, after the connection's `hello`.
///
/// Wire format: every frame is a 4-byte big-endian payload length, then the payload: a type
/// byte and its fields (`ByteWriter` varints). A connection starts with `hello` naming the
/// cluster and the sender; a peer that gets anything else first closes the connection.
enum PeerFrame: Sendable, Equatable {
    /// Opens a connection: protocol magic, cluster ID, sender member ID.
    case hello(clusterID: UInt64, from: UInt64)
    case raft(Raft.Message)
    /// A follower forwards a lease request (keep-alive or time-to-live) to the leader.
    case leaseRequest(LeaseForward.Request)
    case leaseResponse(LeaseForward.Response)

    static let magic: [UInt8] = Array("skiff-peer/1".utf8)
    /// The largest frame accepted (a snapshot of a big store travels in one frame).
    static let maximumLength = 1 << 30

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes = [0, 0, 0, 0]
        switch self {
        case .hello(let clusterID, let from):
            w.byte(0)
            w.data(Self.magic)
            w.varint(clusterID)
            w.varint(from)
        case .raft(let m):
            w.byte(1)
            Self.encode(m, into: &w)
        case .leaseRequest(let r):
            w.byte(2)
            w.varint(r.requestID)
            w.byte(r.kind.rawValue)
            w.signed(r.leaseID)
        case .leaseResponse(let r):
            w.byte(3)
            w.varint(r.requestID)
            w.byte(r.status.rawValue)
            w.signed(r.ttl)
            w.signed(r.grantedTTL)
        }
        let n = UInt32(w.bytes.count - 4)
        for i in 0..<4 { w.bytes[i] = UInt8(truncatingIfNeeded: n >> (24 - 8 * UInt32(i))) }
        return w.bytes
    }

    /// Decodes one frame's payload (without the length prefix).
    static func decode(_ payload: [UInt8]) throws(ByteReader.Malformed) -> PeerFrame {
        var r = ByteReader(payload)
        let frame: PeerFrame
        switch try r.byte() {
        case 0:
            guard try r.data() == magic else { throw ByteReader.Malformed(description: "not a skiff peer") }
            frame = .hello(clusterID: try r.varint(), from: try r.varint())
        case 1:
            frame = .raft(try decodeMessage(&r))
        case 2:
            let id = try r.varint()
            guard let kind = LeaseForward.Kind(rawValue: try r.byte()) else { throw ByteReader.Malformed(description: "bad lease request") }
            frame = .leaseRequest(.init(requestID: id, kind: kind, leaseID: try r.signed()))
        case 3:
            let id = try r.varint()
            guard let status = LeaseForward.Status(rawValue: try r.byte()) else { throw ByteReader.Malformed(description: "bad lease response") }
            frame = .leaseResponse(.init(requestID: id, status: status, ttl: try r.signed(), grantedTTL: try r.signed()))
        case let t:
            throw ByteReader.Malformed(description: "unknown frame type \(t)")
        }
        guard r.isAtEnd else { throw ByteReader.Malformed(description: "trailing bytes") }
        return frame
    }

    // MARK: - Raft messages

    static func encode(_ m: Raft.Message, into w: inout ByteWriter) {
        w.byte(m.type.rawValue)
        w.varint(m.to)
        w.varint(m.from)
        w.varint(m.term)
        w.varint(m.logTerm)
        w.varint(m.index)
        w.varint(m.commit)
        w.bool(m.reject)
        w.varint(m.rejectHint)
        w.data(m.context)
        w.varint(UInt64(m.entries.count))
        for e in m.entries { encode(e, into: &w) }
        if let s = m.snapshot {
            w.bool(true)
            encode(s.metadata, into: &w)
            w.data(s.data)
        } else {
            w.bool(false)
        }
    }

    static func decodeMessage(_ r: inout ByteReader) throws(ByteReader.Malformed) -> Raft.Message {
        guard let type = Raft.MessageType(rawValue: try r.byte()) else { throw ByteReader.Malformed(description: "bad message type") }
        var m = Raft.Message(type: type)
        m.to = try r.varint()
        m.from = try r.varint()
        m.term = try r.varint()
        m.logTerm = try r.varint()
        m.index = try r.varint()
        m.commit = try r.varint()
        m.reject = try r.bool()
        m.rejectHint = try r.varint()
        m.context = try r.data()
        let n = try r.count()
        m.entries.reserveCapacity(n)
        for _ in 0..<n { m.entries.append(try decodeEntry(&r)) }
        if try r.bool() {
            let metadata = try decodeMetadata(&r)
            m.snapshot = Raft.Snapshot(metadata: metadata, data: try r.data())
        }
        return m
    }

    static func encode(_ e: Raft.Entry, into w: inout ByteWriter) {
        w.varint(e.term)
        w.varint(e.index)
        w.byte(e.kind.rawValue)
        w.data(e.data)
    }

    static func decodeEntry(_ r: inout ByteReader) throws(ByteReader.Malformed) -> Raft.Entry {
        let term = try r.varint()
        let index = try r.varint()
        guard let kind = Raft.Entry.Kind(rawValue: try r.byte()) else { throw ByteReader.Malformed(description: "bad entry kind") }
        return Raft.Entry(term: term, index: index, kind: kind, data: try r.data())
    }

    static func encode(_ m: Raft.SnapshotMetadata, into w: inout ByteWriter) {
        w.varint(m.index)
        w.varint(m.term)
        w.varint(UInt64(m.configuration.voters.count))
        for v in m.configuration.voters.sorted() { w.varint(v) }
    }

    static func decodeMetadata(_ r: inout ByteReader) throws(ByteReader.Malformed) -> Raft.SnapshotMetadata {
        let index = try r.varint()
        let term = try r.varint()
        var voters: Set<UInt64> = []
        for _ in 0..<(try r.count()) { voters.insert(try r.varint()) }
        return Raft.SnapshotMetadata(index: index, term: term, configuration: .init(voters: voters))
    }
}

/// Lease requests only the leader can answer (it alone keeps the deadlines), forwarded
/// from the member a client is connected to.
enum LeaseForward {
    enum Kind: UInt8, Sendable { case renew = 1, timeToLive = 2 }
    enum Status: UInt8, Sendable { case ok = 0, notFound = 1, notLeader = 2 }

    struct Request: Sendable, Equatable {
        var requestID: UInt64
        var kind: Kind
        var leaseID: Int64
    }

    struct Response: Sendable, Equatable {
        var requestID: UInt64
        var status: Status
        var ttl: Int64
        var grantedTTL: Int64
    }
}
