/// Every retained version of one key, grouped in generations: a generation runs from a
/// creation to the deletion (tombstone) that ends it; the last one may be open.
struct KeyHistory: Sendable {
    struct Version: Sendable {
        var revision: Revision
        var value: [UInt8]
        var lease: Int64
    }

    struct Generation: Sendable {
        var createRevision: Int64
        /// Versions written so far in this generation (its first has version 1).
        var versionCount: Int64
        /// Retained versions (compaction may drop old ones; `versionCount` keeps counting).
        var versions: [Version]
        var tombstone: Revision?
    }

    var generations: [Generation] = []

    /// The live version at or before `revision`, with its create revision and version number.
    func value(at revision: Int64) -> (Version, createRevision: Int64, version: Int64)? {
        for generation in generations.reversed() where generation.createRevision <= revision {
            if let tombstone = generation.tombstone, tombstone.main <= revision { return nil }
            guard let index = generation.versions.lastIndex(where: { $0.revision.main <= revision }) else { return nil }
            let droppedBefore = generation.versionCount - Int64(generation.versions.count)
            return (generation.versions[index], generation.createRevision, droppedBefore + Int64(index) + 1)
        }
        return nil
    }

    var isLive: Bool { generations.last.map { $0.tombstone == nil } ?? false }

    mutating func put(_ value: [UInt8], lease: Int64, at revision: Revision) {
        if !isLive {
            generations.append(Generation(createRevision: revision.main, versionCount: 0, versions: [], tombstone: nil))
        }
        generations[generations.count - 1].versions.append(Version(revision: revision, value: value, lease: lease))
        generations[generations.count - 1].versionCount += 1
    }

    mutating func delete(at revision: Revision) {
        guard isLive else { return }
        generations[generations.count - 1].tombstone = revision
    }

    /// Drops what no read at or after `revision` can see; true if nothing is left.
    mutating func compact(through revision: Int64) -> Bool {
        generations.removeAll { g in g.tombstone.map { $0.main <= revision } ?? false }
        for i in generations.indices {
            // Keep the newest version at or before `revision`, and everything after it.
            if let keep = generations[i].versions.lastIndex(where: { $0.revision.main <= revision }), keep > 0 {
                generations[i].versions.removeFirst(keep)
            }
        }
        return generations.isEmpty
    }

    func approximateBytes(key: [UInt8]) -> Int {
        generations.reduce(0) { total, g in
            total + g.versions.reduce(0) { $0 + key.count + $1.value.count + MVCCStore.versionOverhead }
                + (g.tombstone == nil ? 0 : key.count + MVCCStore.versionOverhead)
        }
    }
}
