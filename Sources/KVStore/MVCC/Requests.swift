/// The KV requests the store applies, field for field as etcd's `etcdserverpb` messages, so
/// the gRPC layer maps them one to one and Raft entries carry them.
public struct RangeRequest: Sendable, Hashable {
    public enum SortOrder: Sendable, Hashable { case none, ascend, descend }
    public enum SortTarget: Sendable, Hashable { case key, version, create, mod, value }

    public var range: KeyRange
    public var limit: Int64 = 0
    /// 0: the current revision.
    public var revision: Int64 = 0
    public var sortOrder: SortOrder = .none
    public var sortTarget: SortTarget = .key
    public var keysOnly = false
    public var countOnly = false
    public var minModRevision: Int64 = 0
    public var maxModRevision: Int64 = 0
    public var minCreateRevision: Int64 = 0
    public var maxCreateRevision: Int64 = 0

    public init(range: KeyRange) { self.range = range }
}

public struct RangeResponse: Sendable, Hashable {
    public var kvs: [KeyValue]
    /// More keys matched than `limit` returned.
    public var more: Bool
    /// Keys matched (before `limit`).
    public var count: Int64
}

public struct PutRequest: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var lease: Int64 = 0
    public var prevKV = false
    /// Keep the current value (the key must exist).
    public var ignoreValue = false
    /// Keep the current lease (the key must exist).
    public var ignoreLease = false

    public init(key: [UInt8], value: [UInt8], lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.lease = lease
    }
}

public struct PutResponse: Sendable, Hashable {
    public var previous: KeyValue?
}

public struct DeleteRangeRequest: Sendable, Hashable {
    public var range: KeyRange
    public var prevKV = false
    public init(range: KeyRange) { self.range = range }
}

public struct DeleteRangeResponse: Sendable, Hashable {
    public var deleted: Int64
    public var previous: [KeyValue]
}

/// One comparison of a transaction's guard, against every key of `range`.
public struct Compare: Sendable, Hashable {
    public enum Result: Sendable, Hashable { case equal, greater, less, notEqual }
    public enum Target: Sendable, Hashable {
        case version(Int64), createRevision(Int64), modRevision(Int64), value([UInt8]), lease(Int64)
    }
    public var range: KeyRange
    public var result: Result
    public var target: Target

    public init(range: KeyRange, _ result: Result, _ target: Target) {
        self.range = range
        self.result = result
        self.target = target
    }
}

public indirect enum RequestOp: Sendable, Hashable {
    case range(RangeRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
}

public indirect enum ResponseOp: Sendable, Hashable {
    case range(RangeResponse)
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
}

public struct TxnRequest: Sendable, Hashable {
    public var compare: [Compare]
    public var success: [RequestOp]
    public var failure: [RequestOp]
    public init(compare: [Compare] = [], success: [RequestOp] = [], failure: [RequestOp] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }
}

public struct TxnResponse: Sendable, Hashable {
    public var succeeded: Bool
    public var responses: [ResponseOp]
}

/// etcd's errors, with its messages.
public enum MVCCError: Error, Sendable, Hashable, CustomStringConvertible {
    case compacted
    case futureRevision
    case keyNotFound
    case duplicateKeyInTxn

    public var description: String {
        switch self {
        case .compacted: "mvcc: required revision has been compacted"
        case .futureRevision: "mvcc: required revision is a future revision"
        case .keyNotFound: "etcdserver: key not found"
        case .duplicateKeyInTxn: "etcdserver: duplicate key given in txn request"
        }
    }
}
