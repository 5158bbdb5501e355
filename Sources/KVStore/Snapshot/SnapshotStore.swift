import Glibc
import RaftCore

/// Snapshot files of one member under `member/snap`: `<term>-<index>.snap` (hex), each the
/// Raft snapshot metadata and the state machine's data, both CRC-32C-checked.
///
/// Contract: `save` returns once the file and its name are durable (written to a temporary
/// name, fsynced, renamed, directory fsynced), so the WAL may then record the snapshot and
/// release what it covers. `loadNewest` skips damaged files and reports them. Only the
/// newest `retain` files are kept.
struct SnapshotStore {
    let directory: String
    var retain = 2

    init(directory: String) {
        self.directory = directory
        mkdir(directory, 0o700)
    }

    func save(_ snapshot: Raft.Snapshot) throws {
        try save(snapshot.metadata) { sink in try sink(snapshot.data) }
    }

    /// Saves a snapshot whose data `write` hands over piece by piece (never joined in memory).
    func save(_ metadata: Raft.SnapshotMetadata, data write: (_ sink: ([UInt8]) throws -> Void) throws -> Void) throws {
        // Layout: CRC of the metadata, CRC of the data, metadata length (all 4-byte little-endian),
        // metadata, data. The header is written again once the data's checksum is known.
        var w = ByteWriter()
        PeerFrame.encode(metadata, into: &w)
        let meta = w.bytes
        let name = fileName(metadata)
        let temporary = directory + "/." + name + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteAheadLog.WALError(description: "snap: create \(temporary): \(String(cString: strerror(errno)))") }
        do {
            defer { close(fd) }
            try writeAll(fd, [UInt8](repeating: 0, count: 12) + meta, what: "snap")
            var crc = CRC32C.Running()
            try write { chunk in
                crc.update(chunk)
                try writeAll(fd, chunk, what: "snap")
            }
            var header: [UInt8] = []
            for v in [CRC32C.checksum(meta), crc.value, UInt32(meta.count)] { LittleEndian.append(v, to: &header) }
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw WriteAheadLog.WALError(description: "snap: seek: \(String(cString: strerror(errno)))") }
            try writeAll(fd, header, what: "snap")
            guard fsync(fd) == 0 else { throw WriteAheadLog.WALError(description: "snap: fsync: \(String(cString: strerror(errno)))") }
        }
        guard rename(temporary, directory + "/" + name) == 0 else {
            throw WriteAheadLog.WALError(description: "snap: rename: \(String(cString: strerror(errno)))")
        }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        for old in names().dropLast(retain) { unlink(directory + "/" + old) }
    }

    /// The newest intact snapshot, and the names of damaged files passed over.
    func loadNewest() -> (Raft.Snapshot?, damaged: [String]) {
        var damaged: [String] = []
        for name in names().reversed() {
            if let snapshot = load(directory + "/" + name) { return (snapshot, damaged) }
            damaged.append(name)
        }
        return (nil, damaged)
    }

    /// The snapshot with this metadata, if its file is there and intact.
    func load(_ metadata: Raft.SnapshotMetadata) -> Raft.Snapshot? {
        guard let snapshot = load(directory + "/" + fileName(metadata)), snapshot.metadata == metadata else { return nil }
        return snapshot
    }

    private func load(_ path: String) -> Raft.Snapshot? {
        guard let bytes = try? readWholeFile(path), bytes.count >= 12 else { return nil }
        func u32(_ at: Int) -> UInt32 { LittleEndian.read(UInt32.self, bytes[...], at: at) }
        let metaCount = Int(u32(8))
        guard bytes.count >= 12 + metaCount else { return nil }
        let meta = Array(bytes[12..<12 + metaCount])
        let data = Array(bytes[(12 + metaCount)...])
        guard CRC32C.checksum(meta) == u32(0), CRC32C.checksum(data) == u32(4) else { return nil }
        var r = ByteReader(meta)
        guard let metadata = try? PeerFrame.decodeMetadata(&r), r.isAtEnd else { return nil }
        return Raft.Snapshot(metadata: metadata, data: data)
    }

    private func fileName(_ m: Raft.SnapshotMetadata) -> String { hex16(m.term) + "-" + hex16(m.index) + ".snap" }

    private func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    /// Snapshot file names, oldest (lowest index) first.
    private func names() -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".snap"), !name.hasPrefix(".") { out.append(name) }
        }
        return out.sorted { $0.split(separator: "-").last! < $1.split(separator: "-").last! }
    }
}
