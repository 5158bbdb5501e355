import RaftCore

/// One WAL record. On disk: length (u32, of type+payload), CRC-32C (u32, of type+payload),
/// type (u8), payload; integers little-endian.
enum WALRecord: Equatable {
    case entry(Raft.Entry)
    case hardState(Raft.HardState)
    /// A snapshot at (index, term) is durable: entries up to it need not be replayed.
    case snapshot(index: UInt64, term: UInt64)

    static let headerBytes = 8

    func encoded() -> [UInt8] {
        var body: [UInt8] = []
        switch self {
        case .entry(let e):
            body.append(1)
            put(&body, e.term)
            put(&body, e.index)
            body.append(e.kind.rawValue)
            body.append(contentsOf: e.data)
        case .hardState(let h):
            body.append(2)
            put(&body, h.term)
            put(&body, h.vote)
            put(&body, h.commit)
        case .snapshot(let index, let term):
            body.append(3)
            put(&body, index)
            put(&body, term)
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + Self.headerBytes)
        put32(&out, UInt32(body.count))
        put32(&out, CRC32C.checksum(body))
        out.append(contentsOf: body)
        return out
    }

    /// Decodes the body (type + payload) of a record whose checksum already matched.
    static func decode(body: ArraySlice<UInt8>) -> WALRecord? {
        guard let type = body.first else { return nil }
        let p = body.dropFirst()
        switch type {
        case 1:
            guard p.count >= 17, let kind = Raft.Entry.Kind(rawValue: p[p.startIndex + 16]) else { return nil }
            return .entry(Raft.Entry(term: get(p, 0), index: get(p, 8), kind: kind, data: Array(p.dropFirst(17))))
        case 2:
            guard p.count == 24 else { return nil }
            return .hardState(Raft.HardState(term: get(p, 0), vote: get(p, 8), commit: get(p, 16)))
        case 3:
            guard p.count == 16 else { return nil }
            return .snapshot(index: get(p, 0), term: get(p, 8))
        default:
            return nil
        }
    }

    private func put(_ out: inout [UInt8], _ v: UInt64) { LittleEndian.append(v, to: &out) }
    private func put32(_ out: inout [UInt8], _ v: UInt32) { LittleEndian.append(v, to: &out) }
    static func get(_ p: ArraySlice<UInt8>, _ offset: Int) -> UInt64 { LittleEndian.read(UInt64.self, p, at: offset) }
    static func get32(_ p: ArraySlice<UInt8>, _ offset: Int) -> UInt32 { LittleEndian.read(UInt32.self, p, at: offset) }
}
