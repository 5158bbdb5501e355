import EtcdAPI
import GRPCCore
import SwiftProtobuf

/// A write as it travels through the Raft log: an 8-byte request ID (so the proposer finds
/// its result), a tag byte, and the etcd request's protobuf bytes.
enum LoggedRequest: Sendable {
    case put(Etcdserverpb_PutRequest)
    case deleteRange(Etcdserverpb_DeleteRangeRequest)
    case txn(Etcdserverpb_TxnRequest)
    case compaction(Etcdserverpb_CompactionRequest)
    case leaseGrant(Etcdserverpb_LeaseGrantRequest)
    case leaseRevoke(Etcdserverpb_LeaseRevokeRequest)
    /// A member publishes its name and client URLs.
    case publish(Etcdserverpb_Member)
    /// An alarm raised or cleared (NOSPACE caps the store).
    case alarm(Etcdserverpb_AlarmRequest)

    func encoded(id: UInt64) throws -> [UInt8] {
        var out = LittleEndian.bytes(id)
        let (tag, message): (UInt8, any SwiftProtobuf.Message) =
            switch self {
            case .put(let m): (1, m)
            case .deleteRange(let m): (2, m)
            case .txn(let m): (3, m)
            case .compaction(let m): (4, m)
            case .leaseGrant(let m): (5, m)
            case .leaseRevoke(let m): (6, m)
            case .publish(let m): (7, m)
            case .alarm(let m): (8, m)
            }
        out.append(tag)
        out.append(contentsOf: try message.serializedBytes() as [UInt8])
        return out
    }

    static func decode(_ bytes: [UInt8]) -> (UInt64, LoggedRequest)? {
        guard bytes.count >= 9 else { return nil }
        let id = LittleEndian.read(UInt64.self, bytes[...], at: 0)
        let payload = bytes[9...]
        do {
            switch bytes[8] {
            case 1: return (id, .put(try .init(serializedBytes: Array(payload))))
            case 2: return (id, .deleteRange(try .init(serializedBytes: Array(payload))))
            case 3: return (id, .txn(try .init(serializedBytes: Array(payload))))
            case 4: return (id, .compaction(try .init(serializedBytes: Array(payload))))
            case 5: return (id, .leaseGrant(try .init(serializedBytes: Array(payload))))
            case 6: return (id, .leaseRevoke(try .init(serializedBytes: Array(payload))))
            case 7: return (id, .publish(try .init(serializedBytes: Array(payload))))
            case 8: return (id, .alarm(try .init(serializedBytes: Array(payload))))
            default: return nil
            }
        } catch {
            return nil
        }
    }
}

/// What applying a logged request produced, handed back to the proposer.
enum LoggedResult: Sendable {
    case put(Etcdserverpb_PutResponse)
    case deleteRange(Etcdserverpb_DeleteRangeResponse)
    case txn(Etcdserverpb_TxnResponse)
    case compaction(Etcdserverpb_CompactionResponse)
    case leaseGrant(Etcdserverpb_LeaseGrantResponse)
    case leaseRevoke(Etcdserverpb_LeaseRevokeResponse)
    case published
    case alarm(Etcdserverpb_AlarmResponse)
    case failure(RPCError)
}
