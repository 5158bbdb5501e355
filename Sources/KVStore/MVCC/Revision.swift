import Glibc
/// A point in the store's history: `main` grows by one per write transaction, `sub`
/// numbers the changes inside it (as etcd's MVCC revisions).
public struct Revision: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var main: Int64
    public var sub: Int64

    public init(main: Int64, sub: Int64 = 0) {
        self.main = main
        self.sub = sub
    }

    public static func < (a: Revision, b: Revision) -> Bool { (a.main, a.sub) < (b.main, b.sub) }
    public var description: String { "\(main).\(sub)" }
}

/// A key's state at a revision, as etcd's `mvccpb.KeyValue`.
public struct KeyValue: Sendable, Hashable {
    public var key: [UInt8]
    public var createRevision: Int64
    public var modRevision: Int64
    /// Writes since creation, starting at 1; 0 means deleted.
    public var version: Int64
    public var value: [UInt8]
    public var lease: Int64

    public init(key: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64, value: [UInt8], lease: Int64) {
        self.key = key
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.value = value
        self.lease = lease
    }
}

/// One change, as a watcher sees it.
public struct WatchEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case put, delete }
    public var kind: Kind
    /// For a delete: the key with `modRevision` = the deletion revision and empty value.
    public var kv: KeyValue
    public var previous: KeyValue?
}

/// Byte-wise ordering of keys, as etcd compares them.
@inlinable
func compareKeys(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let order = a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
        if order != 0 { return order < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
