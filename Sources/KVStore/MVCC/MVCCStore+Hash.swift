extension MVCCStore {
    /// A CRC-32C over every retained version and deletion at or below `revision` (0: the
    /// current one), in key and revision order: equal on members that applied the same log,
    /// which is what `etcdctl endpoint hashkv` compares. (Not etcd's number: etcd hashes its
    /// own on-disk layout.)
    public func hashKV(at revision: Int64) throws(MVCCError) -> (hash: UInt32, revision: Int64) {
        let revision = revision > 0 ? revision : currentRevision
        if revision > currentRevision { throw .futureRevision }
        if revision < compactedRevision { throw .compacted }
        var crc = CRC32C.Running()
        func mark(_ key: [UInt8], _ at: Revision, _ kind: UInt8) {
            crc.update(key)
            crc.update(LittleEndian.bytes(UInt64(bitPattern: at.main)) + LittleEndian.bytes(UInt64(bitPattern: at.sub)) + [kind])
        }
        for key in keys {
            guard let history = histories[key] else { continue }
            for generation in history.generations {
                for version in generation.versions where version.revision.main <= revision {
                    mark(key, version.revision, 1)
                    crc.update(version.value)
                }
                if let tombstone = generation.tombstone, tombstone.main <= revision { mark(key, tombstone, 0) }
            }
        }
        return (crc.value, revision)
    }
}
