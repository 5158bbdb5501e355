import EtcdAPI

/// The snapshot of the applied state: what a member writes every `--snapshot-count` entries
/// and what the leader sends a member too far behind to catch up from the log.
///
/// Format (`ByteWriter`): a version byte, applied index, store revisions, every retained key
/// history in key order, the leases with their TTLs (deadlines are the leader's and are not
/// kept), the members, and (from version 2) the raised alarms.
extension KVStateMachine {
    static let snapshotVersion: UInt8 = 2

    public func snapshotData() -> [UInt8] {
        var out: [UInt8] = []
        writeSnapshot { (chunk: [UInt8]) throws(Never) in out += chunk }
        return out
    }

    /// Encodes the snapshot into `sink` in pieces of about `chunkBytes` (a snapshot is as large
    /// as the store; it need not be whole in memory to be written to a file).
    public func writeSnapshot<E: Error>(chunkBytes: Int = 1 << 20, to sink: ([UInt8]) throws(E) -> Void) throws(E) {
        var w = ByteWriter(capacity: chunkBytes + 4096)
        func spill(_ force: Bool = false) throws(E) {
            guard force || w.bytes.count >= chunkBytes, !w.bytes.isEmpty else { return }
            try sink(w.bytes)
            w.bytes.removeAll(keepingCapacity: true)
        }
        w.byte(Self.snapshotVersion)
        w.varint(appliedIndex)
        w.signed(store.currentRevision)
        w.signed(store.compactedRevision)
        w.varint(UInt64(store.keys.count))
        for key in store.keys {
            w.data(key)
            let history = store.histories[key] ?? KeyHistory()
            w.varint(UInt64(history.generations.count))
            for g in history.generations {
                w.signed(g.createRevision)
                w.signed(g.versionCount)
                w.varint(UInt64(g.versions.count))
                for v in g.versions {
                    w.signed(v.revision.main)
                    w.signed(v.revision.sub)
                    w.data(v.value)
                    w.signed(v.lease)
                }
                if let t = g.tombstone {
                    w.bool(true)
                    w.signed(t.main)
                    w.signed(t.sub)
                } else {
                    w.bool(false)
                }
            }
            try spill()
        }
        w.varint(UInt64(lessor.leases.count))
        for lease in lessor.leases.values.sorted(by: { $0.id < $1.id }) {
            w.signed(lease.id)
            w.signed(lease.ttl)
            w.varint(UInt64(lease.keys.count))
            for key in lease.keys.sorted(by: { compareKeys($0, $1) < 0 }) { w.data(key) }
        }
        w.varint(UInt64(members.count))
        for member in members.values.sorted(by: { $0.id < $1.id }) { w.data(member.encoded) }
        w.varint(UInt64(alarms.count))
        for alarm in alarms {
            w.varint(alarm.memberID)
            w.varint(UInt64(alarm.alarm.rawValue))
        }
        try spill(true)
    }

    /// Rebuilds the state from `snapshotData()`; throws on anything malformed.
    public init(snapshot data: [UInt8], minimumLeaseTTL: Int64 = 2, quotaBytes: Int = 0) throws {
        self.init(minimumLeaseTTL: minimumLeaseTTL, quotaBytes: quotaBytes)
        var r = ByteReader(data)
        let version = try r.byte()
        guard version == 1 || version == Self.snapshotVersion else { throw ByteReader.Malformed(description: "unknown snapshot version") }
        appliedIndex = try r.varint()
        store.currentRevision = try r.signed()
        store.compactedRevision = try r.signed()
        let keyCount = try r.count()
        var lastKey: [UInt8] = []
        for _ in 0..<keyCount {
            let key = try r.data()
            var history = KeyHistory()
            for _ in 0..<(try r.count()) {
                let create = try r.signed()
                let versionCount = try r.signed()
                var versions: [KeyHistory.Version] = []
                for _ in 0..<(try r.count()) {
                    let revision = Revision(main: try r.signed(), sub: try r.signed())
                    versions.append(KeyHistory.Version(revision: revision, value: try r.data(), lease: try r.signed()))
                }
                let tombstone = try r.bool() ? Revision(main: try r.signed(), sub: try r.signed()) : nil
                history.generations.append(.init(createRevision: create, versionCount: versionCount, versions: versions, tombstone: tombstone))
            }
            guard store.keys.count == 0 || compareKeys(key, lastKey) > 0 else { throw ByteReader.Malformed(description: "snapshot keys out of order") }
            lastKey = key
            store.keys.appendSorted(key)
            store.histories[key] = history
            store.approximateBytes += history.approximateBytes(key: key)
        }
        for _ in 0..<(try r.count()) {
            let id = try r.signed()
            let ttl = try r.signed()
            var keys: Set<[UInt8]> = []
            for _ in 0..<(try r.count()) { keys.insert(try r.data()) }
            lessor.leases[id] = Lessor.Lease(id: id, ttl: ttl, expiresAt: nil, keys: keys)
        }
        for _ in 0..<(try r.count()) {
            guard let member = Member(encoded: try r.data()) else { throw ByteReader.Malformed(description: "bad member") }
            members[member.id] = member
        }
        if version >= 2 {
            for _ in 0..<(try r.count()) {
                var alarm = Etcdserverpb_AlarmMember()
                alarm.memberID = try r.varint()
                alarm.alarm = Etcdserverpb_AlarmType(rawValue: Int(try r.varint())) ?? .none
                alarms.append(alarm)
            }
        }
        guard r.isAtEnd else { throw ByteReader.Malformed(description: "trailing bytes in snapshot") }
    }
}
