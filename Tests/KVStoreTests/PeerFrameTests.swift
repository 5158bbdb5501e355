import EtcdAPI
import Foundation
import RaftCore
import Testing

@testable import KVStore

/// The peer wire format: every frame survives a round trip, and bytes that are not a frame
/// are rejected with an error (never a trap).
struct PeerFrameTests {
    @Test func roundTrips() throws {
        let snapshot = Raft.Snapshot(metadata: .init(index: 9, term: 3, configuration: .init(voters: [1, 2, 3])), data: [1, 2, 3, 250])
        let frames: [PeerFrame] = [
            .hello(clusterID: 42, from: 7),
            .raft(Raft.Message(type: .append, to: 2, from: 1, term: 5, logTerm: 4, index: 10,
                               entries: [Raft.Entry(term: 5, index: 11, data: [9, 9]), Raft.Entry(term: 5, index: 12, kind: .configurationChange, data: [])],
                               commit: 10, context: [1])),
            .raft(Raft.Message(type: .snapshot, to: 3, from: 1, term: 5, snapshot: snapshot)),
            .raft(Raft.Message(type: .appendResponse, to: 1, from: 2, term: 5, index: 3, reject: true, rejectHint: 2)),
            .leaseRequest(.init(requestID: 1 << 60, kind: .renew, leaseID: -5)),
            .leaseResponse(.init(requestID: 3, status: .notLeader, ttl: 10, grantedTTL: 60)),
        ]
        for frame in frames {
            let bytes = frame.encoded()
            let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
            #expect(length == bytes.count - 4)
            #expect(try PeerFrame.decode(Array(bytes[4...])) == frame)
        }
    }

    @Test func garbageIsAnErrorNotACrash() {
        var rng = SplitMix64(seed: 7)
        let good = PeerFrame.raft(Raft.Message(type: .append, to: 2, from: 1, term: 5, entries: [Raft.Entry(term: 5, index: 1, data: [1, 2, 3])])).encoded()
        var rejected = 0
        for i in 0..<2000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next(below: 64))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                // A real frame, truncated or with one byte flipped.
                bytes = Array(good[4...])
                if rng.next(below: 2) == 0 {
                    bytes = Array(bytes.prefix(Int(rng.next(below: UInt64(bytes.count)))))
                } else {
                    bytes[Int(rng.next(below: UInt64(bytes.count)))] ^= 0xff
                }
            }
            if (try? PeerFrame.decode(bytes)) == nil { rejected += 1 }
        }
        #expect(rejected > 1000)
    }
}

struct KVStateMachineTests {
    private func put(_ key: String, _ value: String, lease: Int64 = 0) -> [UInt8] {
        var r = Etcdserverpb_PutRequest()
        r.key = Data(key.utf8)
        r.value = Data(value.utf8)
        r.lease = lease
        return try! LoggedRequest.put(r).encoded(id: 1)
    }

    @Test func snapshotRestoresEverything() throws {
        var sm = KVStateMachine()
        var index: UInt64 = 0
        func apply(_ data: [UInt8], kind: Raft.Entry.Kind = .normal) {
            index += 1
            _ = sm.apply(Raft.Entry(term: 1, index: index, kind: kind, data: data), header: .init(), now: 0)
        }
        apply(Raft.ConfigurationChange(.addNode, 7, context: Member(id: 7, name: "a", peerURLs: ["http://127.0.0.1:1"]).encoded).encoded,
              kind: .configurationChange)
        var grant = Etcdserverpb_LeaseGrantRequest()
        grant.id = 99
        grant.ttl = 30
        apply(try LoggedRequest.leaseGrant(grant).encoded(id: 2))
        apply(put("a", "1"))
        apply(put("a", "2", lease: 99))
        apply(put("b", "x"))
        var del = Etcdserverpb_DeleteRangeRequest()
        del.key = Data("b".utf8)
        apply(try LoggedRequest.deleteRange(del).encoded(id: 3))
        let restored = try KVStateMachine(snapshot: sm.snapshotData())
        #expect(restored.snapshotData() == sm.snapshotData())
        #expect(restored.appliedIndex == sm.appliedIndex)
        #expect(restored.store.currentRevision == sm.store.currentRevision)
        #expect(restored.store.approximateBytes == sm.store.approximateBytes)
        #expect(try restored.store.events(in: KeyRange(key: [0], end: [0]), from: 1) == sm.store.events(in: KeyRange(key: [0], end: [0]), from: 1))
        #expect(restored.lessor.leases[99]?.keys == [Array("a".utf8)])
        #expect(restored.members[7]?.name == "a")
        #expect(throws: (any Error).self) { try KVStateMachine(snapshot: Array(sm.snapshotData().dropLast(3))) }
        // Written in small pieces (as to a snapshot file), the bytes are the same.
        var pieces: [[UInt8]] = []
        sm.writeSnapshot(chunkBytes: 4) { (piece: [UInt8]) throws(Never) in pieces.append(piece) }
        #expect(pieces.count > 1 && Array(pieces.joined()) == sm.snapshotData())
    }

    @Test func quotaRefusesPutsOnceFull() throws {
        var sm = KVStateMachine(quotaBytes: 200)
        var failures = 0
        for i in 1...10 {
            let applied = sm.apply(Raft.Entry(term: 1, index: UInt64(i), data: put("k\(i)", String(repeating: "v", count: 40))), header: .init(), now: 0)
            if case .failure(let e)? = applied.result {
                #expect(e.message == "etcdserver: mvcc: database space exceeded")
                failures += 1
            }
        }
        #expect(failures > 0 && failures < 10)
    }

    /// NOSPACE caps the store as etcd's does: writes that add data fail, deletes and
    /// compaction go on; disarming lifts it; the alarm survives a snapshot.
    @Test func noSpaceAlarmCapsTheStore() throws {
        var sm = KVStateMachine()
        var index: UInt64 = 0
        func apply(_ request: LoggedRequest) -> LoggedResult? {
            index += 1
            return sm.apply(Raft.Entry(term: 1, index: index, data: try! request.encoded(id: index)), header: .init(), now: 0).result
        }
        func alarm(_ action: Etcdserverpb_AlarmRequest.AlarmAction, _ type: Etcdserverpb_AlarmType = .nospace) -> [Etcdserverpb_AlarmMember] {
            var r = Etcdserverpb_AlarmRequest()
            r.action = action
            r.memberID = 42
            r.alarm = type
            guard case .alarm(let response)? = apply(.alarm(r)) else { return [] }
            return response.alarms
        }
        func failed(_ result: LoggedResult?) -> String? { if case .failure(let e)? = result { e.message } else { nil } }
        var put = Etcdserverpb_PutRequest()
        put.key = Data("a".utf8)
        #expect(failed(apply(.put(put))) == nil)
        #expect(alarm(.activate).map(\.memberID) == [42])
        #expect(alarm(.get, .none).map(\.alarm) == [.nospace])
        #expect(failed(apply(.put(put))) == "etcdserver: mvcc: database space exceeded")
        var grant = Etcdserverpb_LeaseGrantRequest()
        grant.id = 5
        grant.ttl = 10
        #expect(failed(apply(.leaseGrant(grant))) == "etcdserver: mvcc: database space exceeded")
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data("a".utf8)
        #expect(failed(apply(.deleteRange(delete))) == nil)
        let restored = try KVStateMachine(snapshot: sm.snapshotData())
        #expect(restored.alarms == sm.alarms && restored.isCapped)
        #expect(alarm(.deactivate).map(\.alarm) == [.nospace])
        #expect(alarm(.deactivate).isEmpty)
        #expect(failed(apply(.put(put))) == nil)
    }
}

struct MemberTests {
    @Test func initialClusterParsing() throws {
        let members = try Member.parseInitialCluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2,a=http://10.0.0.1:1", token: "t")
        #expect(members.map(\.name) == ["a", "b"])
        #expect(members[0].peerURLs == ["http://127.0.0.1:1", "http://10.0.0.1:1"])
        #expect(members[0].id == Member.id(peerURLs: ["http://10.0.0.1:1", "http://127.0.0.1:1"], token: "t"))
        #expect(members[0].id != Member.id(peerURLs: ["http://10.0.0.1:1", "http://127.0.0.1:1"], token: "other"))
        #expect(throws: ClusterConfigError.self) { try Member.parseInitialCluster("a", token: "t") }
        #expect(throws: ClusterConfigError.self) { try Member.parseInitialCluster("a=ftp://x:1", token: "t") }
        #expect(throws: ClusterConfigError.self) { try Member.parseInitialCluster("a=http://x:1,b=http://x:1", token: "t") }
        #expect(URLAddress("http://localhost:2379")?.host == "127.0.0.1")
        #expect(URLAddress("http://[::1]:2379")?.host == "::1")
        #expect(URLAddress("http://host") == nil)
    }
}
