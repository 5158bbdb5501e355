extension MVCCStore {
    /// Every change to keys of `range` at or after `revision`, in revision order, each with
    /// the version it replaced: what a watch starting at `revision` must deliver first.
    /// Throws `compacted` when `revision` is below the compaction point.
    public func events(in range: KeyRange, from revision: Int64) throws(MVCCError) -> [WatchEvent] {
        if revision < compactedRevision { throw .compacted }
        var out: [(Revision, WatchEvent)] = []
        for key in keys(in: range) {
            guard let history = histories[key] else { continue }
            for generation in history.generations {
                let dropped = generation.versionCount - Int64(generation.versions.count)
                var previous: KeyValue?
                for (i, v) in generation.versions.enumerated() {
                    let kv = KeyValue(
                        key: key, createRevision: generation.createRevision, modRevision: v.revision.main,
                        version: dropped + Int64(i) + 1, value: v.value, lease: v.lease)
                    if v.revision.main >= revision { out.append((v.revision, WatchEvent(kind: .put, kv: kv, previous: previous))) }
                    previous = kv
                }
                if let tombstone = generation.tombstone, tombstone.main >= revision {
                    let kv = KeyValue(key: key, createRevision: 0, modRevision: tombstone.main, version: 0, value: [], lease: 0)
                    out.append((tombstone, WatchEvent(kind: .delete, kv: kv, previous: previous)))
                }
            }
        }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
