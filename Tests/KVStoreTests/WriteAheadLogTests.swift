import Foundation
import RaftCore
import Testing

@testable import KVStore

struct WriteAheadLogTests {
    func tempDir() -> String {
        let path = NSTemporaryDirectory() + "wal-" + UUID().uuidString
        return path
    }

    func entries(_ range: ClosedRange<UInt64>, term: UInt64 = 1) -> [Raft.Entry] {
        range.map { Raft.Entry(term: term, index: $0, data: Array("e\($0)".utf8)) }
    }

    @Test func replaysWhatWasSynced() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let (wal, replay) = try WriteAheadLog.open(directory: dir)
            #expect(replay.entries.isEmpty && replay.hardState == Raft.HardState())
            try wal.append(entries: entries(1...5), hardState: Raft.HardState(term: 1, vote: 2, commit: 3))
            // A follower's log is overwritten from index 4 by a new leader's entries.
            try wal.append(entries: entries(4...6, term: 2), hardState: Raft.HardState(term: 2, vote: 3, commit: 5))
            try wal.sync()
        }
        let (_, replay) = try WriteAheadLog.open(directory: dir)
        #expect(replay.hardState == Raft.HardState(term: 2, vote: 3, commit: 5))
        #expect(replay.entries.map(\.index) == [1, 2, 3, 4, 5, 6])
        #expect(replay.entries.map(\.term) == [1, 1, 1, 2, 2, 2])
        #expect(replay.entries[5].data == Array("e6".utf8))
        #expect(replay.truncatedBytes == 0)
    }

    @Test func tornTailIsCutAndTheLogKeepsWorking() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let (wal, _) = try WriteAheadLog.open(directory: dir)
            try wal.append(entries: entries(1...3), hardState: Raft.HardState(term: 1, vote: 1, commit: 2))
            try wal.sync()
        }
        // Tear the last record: drop its final 5 bytes, as a crash mid-write would.
        let file = dir + "/0000000000000001.wal"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.dropLast(5).write(to: URL(fileURLWithPath: file))
        var (wal, replay) = try WriteAheadLog.open(directory: dir)
        #expect(replay.entries.map(\.index) == [1, 2, 3])
        #expect(replay.hardState == Raft.HardState())  // the torn record was the hard state
        #expect(replay.truncatedBytes > 0)
        try wal.append(entries: entries(4...4), hardState: Raft.HardState(term: 1, vote: 1, commit: 4))
        try wal.sync()
        (wal, replay) = try WriteAheadLog.open(directory: dir)
        #expect(replay.entries.map(\.index) == [1, 2, 3, 4])
        #expect(replay.hardState.commit == 4)
        #expect(replay.truncatedBytes == 0)
        _ = wal
    }

    @Test func flippedByteInTheTailIsDetected() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let (wal, _) = try WriteAheadLog.open(directory: dir)
            try wal.append(entries: entries(1...3), hardState: nil)
            try wal.sync()
        }
        let file = dir + "/0000000000000001.wal"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data[data.count - 1] ^= 0xff
        try data.write(to: URL(fileURLWithPath: file))
        let (_, replay) = try WriteAheadLog.open(directory: dir)
        #expect(replay.entries.map(\.index) == [1, 2])
    }

    @Test func segmentsRotateAndAreReleasedAfterASnapshot() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (wal, _) = try WriteAheadLog.open(directory: dir, segmentBytes: 200)
        for i in stride(from: UInt64(1), through: 40, by: 4) {
            try wal.append(entries: entries(i...i + 3), hardState: Raft.HardState(term: 1, vote: 1, commit: i + 3))
        }
        try wal.sync()
        #expect(wal.segmentCount > 3)
        try wal.appendSnapshotMarker(index: 30, term: 1)
        try wal.releaseSegments(through: 30)
        try wal.sync()
        let (_, replay) = try WriteAheadLog.open(directory: dir)
        #expect(replay.snapshot?.index == 30)
        #expect(replay.entries.map(\.index) == Array(31...40))
        #expect(replay.hardState.commit == 40)
    }

    @Test func damageBeforeTheLastSegmentIsAnError() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let (wal, _) = try WriteAheadLog.open(directory: dir, segmentBytes: 100)
            for i in UInt64(1)...10 { try wal.append(entries: entries(i...i), hardState: nil) }
            try wal.sync()
        }
        let file = dir + "/0000000000000001.wal"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data[10] ^= 0xff
        try data.write(to: URL(fileURLWithPath: file))
        #expect(throws: WriteAheadLog.WALError.self) { try WriteAheadLog.open(directory: dir) }
    }
}
