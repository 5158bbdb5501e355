/// A multi-version key-value store with etcd's semantics: every write transaction creates a
/// new revision; reads may ask for any revision since the last compaction; deletes leave
/// tombstones so watchers and historical reads see them.
///
/// Pure and deterministic: the Raft apply loop feeds it requests in log order and every
/// member reaches the same state. Writes return the events watchers must see.
public struct MVCCStore: Sendable {
    /// Revision of the last write transaction (1 for an empty store, as etcd).
    public internal(set) var currentRevision: Int64 = 1
    /// Reads below this revision fail with `compacted`.
    public internal(set) var compactedRevision: Int64 = 0
    /// Bytes of retained history (keys, values and a fixed overhead per version): what
    /// `--quota-backend-bytes` is measured against. Deterministic, so every member agrees.
    public internal(set) var approximateBytes = 0
    static let versionOverhead = 48
    /// Keys in byte order (every key with retained history).
    var keys = SortedKeys()
    var histories: [[UInt8]: KeyHistory] = [:]

    public init() {}

    /// Live keys at the current revision.
    public var count: Int { histories.values.reduce(0) { $0 + ($1.isLive ? 1 : 0) } }

    // MARK: - Reads

    public func range(_ request: RangeRequest) throws(MVCCError) -> RangeResponse {
        let revision = request.revision > 0 ? request.revision : currentRevision
        if revision > currentRevision { throw .futureRevision }
        if revision < compactedRevision { throw .compacted }
        return range(request, at: revision)
    }

    private func range(_ request: RangeRequest, at revision: Int64) -> RangeResponse {
        var kvs: [KeyValue] = []
        for key in keys(in: request.range) {
            guard let (v, created, version) = histories[key]?.value(at: revision) else { continue }
            let kv = KeyValue(key: key, createRevision: created, modRevision: v.revision.main, version: version, value: v.value, lease: v.lease)
            if request.minModRevision > 0 && kv.modRevision < request.minModRevision { continue }
            if request.maxModRevision > 0 && kv.modRevision > request.maxModRevision { continue }
            if request.minCreateRevision > 0 && kv.createRevision < request.minCreateRevision { continue }
            if request.maxCreateRevision > 0 && kv.createRevision > request.maxCreateRevision { continue }
            kvs.append(kv)
        }
        let count = Int64(kvs.count)
        if request.countOnly { return RangeResponse(kvs: [], more: false, count: count) }
        sort(&kvs, request)
        var more = false
        if request.limit > 0, kvs.count > Int(request.limit) {
            kvs.removeLast(kvs.count - Int(request.limit))
            more = true
        }
        if request.keysOnly { for i in kvs.indices { kvs[i].value = [] } }
        return RangeResponse(kvs: kvs, more: more, count: count)
    }

    private func sort(_ kvs: inout [KeyValue], _ request: RangeRequest) {
        // Keys come out in ascending key order already.
        guard request.sortOrder != .none || request.sortTarget != .key else { return }
        let ascending = request.sortOrder != .descend
        let before: (KeyValue, KeyValue) -> Bool
        switch request.sortTarget {
        case .key: before = { compareKeys($0.key, $1.key) < 0 }
        case .version: before = { $0.version < $1.version }
        case .create: before = { $0.createRevision < $1.createRevision }
        case .mod: before = { $0.modRevision < $1.modRevision }
        case .value: before = { compareKeys($0.value, $1.value) < 0 }
        }
        if ascending {
            if request.sortTarget != .key { kvs.sort(by: before) }
        } else {
            kvs.sort { before($1, $0) }
        }
    }

    /// Keys of `range` in byte order (binary search, then a scan).
    func keys(in range: KeyRange) -> SortedKeys.Span {
        let start = keys.lowerBound(range.key)
        if range.isSingleKey {
            let found = start < keys.end && keys[start] == range.key
            return keys.span(start, found ? SortedKeys.Position(chunk: start.chunk, offset: start.offset + 1) : start)
        }
        let end = range.end == [0] ? keys.end : keys.lowerBound(range.end)
        return keys.span(start, max(start, end))
    }

    // MARK: - Writes

    /// Applies a put as its own transaction.
    public mutating func put(_ request: PutRequest) throws(MVCCError) -> (PutResponse, [WatchEvent]) {
        let (response, events) = try txn(TxnRequest(success: [.put(request)]))
        guard case .put(let put)? = response.responses.first else { preconditionFailure("put yields a put response") }
        return (put, events)
    }

    public mutating func deleteRange(_ request: DeleteRangeRequest) throws(MVCCError) -> (DeleteRangeResponse, [WatchEvent]) {
        let (response, events) = try txn(TxnRequest(success: [.deleteRange(request)]))
        guard case .deleteRange(let delete)? = response.responses.first else { preconditionFailure("delete yields a delete response") }
        return (delete, events)
    }

    /// Evaluates the guards (nested ones too) at the current revision, then applies one branch
    /// atomically: all its changes share one new revision (none if nothing changed). Reads
    /// inside see the branch's earlier writes, as in etcd.
    public mutating func txn(_ request: TxnRequest) throws(MVCCError) -> (TxnResponse, [WatchEvent]) {
        let succeeded = request.compare.allSatisfy(evaluate)
        let ops = succeeded ? request.success : request.failure
        try checkNoDuplicateWrites(ops)
        // Validate before changing anything, so a failing request leaves no trace.
        try validate(ops)
        // `currentRevision` moves only at the end: until then `current(_:)` and `evaluate`
        // see the store as it was before this transaction.
        let revision = currentRevision + 1
        var sub: Int64 = 0
        var events: [WatchEvent] = []
        let responses = apply(ops, revision: revision, sub: &sub, events: &events)
        if sub > 0 { currentRevision = revision }
        return (TxnResponse(succeeded: succeeded, responses: responses), events)
    }

    private func validate(_ ops: [RequestOp]) throws(MVCCError) {
        for op in ops {
            switch op {
            case .put(let p) where p.ignoreValue || p.ignoreLease:
                if histories[p.key]?.isLive != true { throw .keyNotFound }
            case .range(let r):
                let revision = r.revision > 0 ? r.revision : currentRevision
                if revision > currentRevision { throw .futureRevision }
                if revision < compactedRevision { throw .compacted }
            case .txn(let t):
                let branch = t.compare.allSatisfy(evaluate) ? t.success : t.failure
                try checkNoDuplicateWrites(branch)
                try validate(branch)
            default:
                break
            }
        }
    }

    private mutating func apply(
        _ ops: [RequestOp], revision: Int64, sub: inout Int64, events: inout [WatchEvent]
    ) -> [ResponseOp] {
        var responses: [ResponseOp] = []
        for op in ops {
            switch op {
            case .range(let r):
                // Validated above. Reads see the transaction's own earlier writes, as in etcd.
                let latest = sub > 0 ? revision : currentRevision
                responses.append(.range(range(r, at: r.revision > 0 ? r.revision : latest)))
            case .put(let p):
                let previous = current(p.key)
                let value = p.ignoreValue ? previous?.value ?? [] : p.value
                let lease = p.ignoreLease ? previous?.lease ?? 0 : p.lease
                if histories[p.key] == nil { insertKey(p.key) }
                histories[p.key, default: KeyHistory()].put(value, lease: lease, at: Revision(main: revision, sub: sub))
                approximateBytes += p.key.count + value.count + Self.versionOverhead
                sub += 1
                let now = current(p.key, at: revision)!
                events.append(WatchEvent(kind: .put, kv: now, previous: previous))
                responses.append(.put(PutResponse(previous: p.prevKV ? previous : nil)))
            case .deleteRange(let d):
                var deleted: [KeyValue] = []
                for key in keys(in: d.range) {
                    guard let previous = current(key), histories[key]?.isLive == true else { continue }
                    histories[key]?.delete(at: Revision(main: revision, sub: sub))
                    approximateBytes += key.count + Self.versionOverhead
                    sub += 1
                    deleted.append(previous)
                    let tombstone = KeyValue(key: key, createRevision: 0, modRevision: revision, version: 0, value: [], lease: 0)
                    events.append(WatchEvent(kind: .delete, kv: tombstone, previous: previous))
                }
                responses.append(.deleteRange(DeleteRangeResponse(deleted: Int64(deleted.count), previous: d.prevKV ? deleted : [])))
            case .txn(let t):
                let ok = t.compare.allSatisfy(evaluate)
                let nested = apply(ok ? t.success : t.failure, revision: revision, sub: &sub, events: &events)
                responses.append(.txn(TxnResponse(succeeded: ok, responses: nested)))
            }
        }
        return responses
    }

    /// The live value of `key` at `revision` (default: current).
    func current(_ key: [UInt8], at revision: Int64? = nil) -> KeyValue? {
        guard let (v, created, version) = histories[key]?.value(at: revision ?? currentRevision) else { return nil }
        return KeyValue(key: key, createRevision: created, modRevision: v.revision.main, version: version, value: v.value, lease: v.lease)
    }

    private mutating func insertKey(_ key: [UInt8]) {
        keys.insert(key)
    }

    /// etcd refuses a transaction branch that writes one key twice.
    private func checkNoDuplicateWrites(_ ops: [RequestOp]) throws(MVCCError) {
        var puts: Set<[UInt8]> = []
        var deletes: [KeyRange] = []
        for op in ops {
            switch op {
            case .put(let p):
                if !puts.insert(p.key).inserted { throw .duplicateKeyInTxn }
            case .deleteRange(let d):
                deletes.append(d.range)
            default:
                break
            }
        }
        for key in puts where deletes.contains(where: { $0.contains(key) }) { throw .duplicateKeyInTxn }
    }

    // MARK: - Compare

    /// True if every key of the range satisfies the comparison (a missing single key
    /// compares as version/create/mod 0 and an absent value, as etcd).
    func evaluate(_ compare: Compare) -> Bool {
        var matched = Array(keys(in: compare.range)).compactMap { current($0) }
        if matched.isEmpty && compare.range.isSingleKey {
            if case .value = compare.target { return false }
            matched = [KeyValue(key: compare.range.key, createRevision: 0, modRevision: 0, version: 0, value: [], lease: 0)]
        }
        return matched.allSatisfy { kv in
            let order: Int
            switch compare.target {
            case .version(let v): order = kv.version < v ? -1 : (kv.version == v ? 0 : 1)
            case .createRevision(let v): order = kv.createRevision < v ? -1 : (kv.createRevision == v ? 0 : 1)
            case .modRevision(let v): order = kv.modRevision < v ? -1 : (kv.modRevision == v ? 0 : 1)
            case .lease(let v): order = kv.lease < v ? -1 : (kv.lease == v ? 0 : 1)
            case .value(let v): order = compareKeys(kv.value, v)
            }
            switch compare.result {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .greater: return order > 0
            case .less: return order < 0
            }
        }
    }

    // MARK: - Compaction

    /// Forgets history before `revision`: reads below it fail with `compacted`.
    public mutating func compact(_ revision: Int64) throws(MVCCError) {
        if revision <= compactedRevision { throw .compacted }
        if revision > currentRevision { throw .futureRevision }
        compactedRevision = revision
        var emptied: Set<[UInt8]> = []
        for key in keys where histories[key]?.compact(through: revision) == true {
            histories[key] = nil
            emptied.insert(key)
        }
        if !emptied.isEmpty { keys.removeAll { emptied.contains($0) } }
        approximateBytes = histories.reduce(0) { $0 + $1.value.approximateBytes(key: $1.key) }
    }

    // MARK: - Leases

    /// Live keys attached to `lease` (for lease revocation and time-to-live listings).
    public func keys(attachedTo lease: Int64) -> [[UInt8]] {
        keys.filter { key in current(key).map { $0.lease == lease } ?? false }
    }
}
