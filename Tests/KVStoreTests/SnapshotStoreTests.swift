import Glibc
import RaftCore
import Testing

@testable import KVStore

/// Snapshot files: the newest intact one loads back exactly; a damaged newer file is passed
/// over (and reported) in favour of an older intact one; only `retain` files are kept.
struct SnapshotStoreTests {
    @Test func saveLoadAndDamage() throws {
        let dir = "/tmp/skiff-snap-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { _ = try? removeDirectory(dir) }
        let store = SnapshotStore(directory: dir)
        func snapshot(_ index: UInt64) -> Raft.Snapshot {
            Raft.Snapshot(metadata: .init(index: index, term: 2, configuration: .init(voters: [1, 2])),
                          data: (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* Int(index)) })
        }
        try store.save(snapshot(10))
        try store.save(snapshot(20))
        #expect(store.loadNewest().0 == snapshot(20))
        try store.save(snapshot(30))
        // Flip one byte in the newest file's data: it is skipped, the previous one loads.
        let newest = dir + "/0000000000000002-000000000000001e.snap"
        var bytes = try readWholeFile(newest)
        bytes[bytes.count - 100] ^= 0x40
        let fd = open(newest, O_WRONLY | O_TRUNC)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let (loaded, damaged) = store.loadNewest()
        #expect(loaded == snapshot(20))
        #expect(damaged == ["0000000000000002-000000000000001e.snap"])
        // retain = 2: the snapshot at 10 was removed when 30 was saved.
        #expect(access(dir + "/0000000000000002-000000000000000a.snap", F_OK) != 0)
    }

    private func removeDirectory(_ dir: String) throws {
        guard let d = opendir(dir) else { return }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { unlink(dir + "/" + name) }
        }
        closedir(d)
        rmdir(dir)
    }
}

@Suite struct CRC32CTests {
    @Test func knownValuesAndPieces() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var running = CRC32C.Running()
        for piece in [0..<1, 1..<9, 9..<500, 500..<1000] { running.update(data[piece]) }
        #expect(running.value == CRC32C.checksum(data))
        #expect(CRC32C.checksum(data[3...]) == CRC32C.checksum(Array(data[3...])))
    }
}
