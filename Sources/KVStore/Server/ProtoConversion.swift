import EtcdAPI
import Foundation

// Conversions between the etcd wire messages and the store's own request types.

extension KeyRange {
    init(key: Data, rangeEnd: Data) { self.init(key: [UInt8](key), end: [UInt8](rangeEnd)) }
}

extension Mvccpb_KeyValue {
    init(_ kv: KeyValue) {
        self.init()
        key = Data(kv.key)
        createRevision = kv.createRevision
        modRevision = kv.modRevision
        version = kv.version
        value = Data(kv.value)
        lease = kv.lease
    }
}

extension Mvccpb_Event {
    init(_ event: WatchEvent) {
        self.init()
        type = event.kind == .put ? .put : .delete
        kv = Mvccpb_KeyValue(event.kv)
        if let previous = event.previous { prevKv = Mvccpb_KeyValue(previous) }
    }
}

extension RangeRequest {
    init(_ m: Etcdserverpb_RangeRequest) {
        self.init(range: KeyRange(key: m.key, rangeEnd: m.rangeEnd))
        limit = m.limit
        revision = m.revision
        switch m.sortOrder {
        case .ascend: sortOrder = .ascend
        case .descend: sortOrder = .descend
        default: sortOrder = .none
        }
        switch m.sortTarget {
        case .version: sortTarget = .version
        case .create: sortTarget = .create
        case .mod: sortTarget = .mod
        case .value: sortTarget = .value
        default: sortTarget = .key
        }
        keysOnly = m.keysOnly
        countOnly = m.countOnly
        minModRevision = m.minModRevision
        maxModRevision = m.maxModRevision
        minCreateRevision = m.minCreateRevision
        maxCreateRevision = m.maxCreateRevision
    }
}

extension PutRequest {
    init(_ m: Etcdserverpb_PutRequest) {
        self.init(key: [UInt8](m.key), value: [UInt8](m.value), lease: m.lease)
        prevKV = m.prevKv
        ignoreValue = m.ignoreValue
        ignoreLease = m.ignoreLease
    }
}

extension DeleteRangeRequest {
    init(_ m: Etcdserverpb_DeleteRangeRequest) {
        self.init(range: KeyRange(key: m.key, rangeEnd: m.rangeEnd))
        prevKV = m.prevKv
    }
}

extension Compare {
    init(_ m: Etcdserverpb_Compare) {
        let result: Result
        switch m.result {
        case .greater: result = .greater
        case .less: result = .less
        case .notEqual: result = .notEqual
        default: result = .equal
        }
        let target: Target
        switch m.target {
        case .create: target = .createRevision(m.createRevision)
        case .mod: target = .modRevision(m.modRevision)
        case .value: target = .value([UInt8](m.value))
        case .lease: target = .lease(m.lease)
        default: target = .version(m.version)
        }
        self.init(range: KeyRange(key: m.key, rangeEnd: m.rangeEnd), result, target)
    }
}

extension TxnRequest {
    init(_ m: Etcdserverpb_TxnRequest) {
        self.init(compare: m.compare.map(Compare.init), success: m.success.compactMap(RequestOp.init), failure: m.failure.compactMap(RequestOp.init))
    }
}

extension RequestOp {
    /// Nil for an empty operation (etcd rejects those; callers check counts first).
    init?(_ m: Etcdserverpb_RequestOp) {
        switch m.request {
        case .requestRange(let r): self = .range(RangeRequest(r))
        case .requestPut(let p): self = .put(PutRequest(p))
        case .requestDeleteRange(let d): self = .deleteRange(DeleteRangeRequest(d))
        case .requestTxn(let t): self = .txn(TxnRequest(t))
        case nil: return nil
        }
    }
}

extension Etcdserverpb_RangeResponse {
    init(_ r: RangeResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        kvs = r.kvs.map(Mvccpb_KeyValue.init)
        more = r.more
        count = r.count
    }
}

extension Etcdserverpb_PutResponse {
    init(_ r: PutResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        if let previous = r.previous { prevKv = Mvccpb_KeyValue(previous) }
    }
}

extension Etcdserverpb_DeleteRangeResponse {
    init(_ r: DeleteRangeResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        deleted = r.deleted
        prevKvs = r.previous.map(Mvccpb_KeyValue.init)
    }
}

extension Etcdserverpb_TxnResponse {
    init(_ r: TxnResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        succeeded = r.succeeded
        responses = r.responses.map { op in
            var out = Etcdserverpb_ResponseOp()
            switch op {
            case .range(let x): out.response = .responseRange(Etcdserverpb_RangeResponse(x, header: header))
            case .put(let x): out.response = .responsePut(Etcdserverpb_PutResponse(x, header: header))
            case .deleteRange(let x): out.response = .responseDeleteRange(Etcdserverpb_DeleteRangeResponse(x, header: header))
            case .txn(let x): out.response = .responseTxn(Etcdserverpb_TxnResponse(x, header: header))
            }
            return out
        }
    }
}
