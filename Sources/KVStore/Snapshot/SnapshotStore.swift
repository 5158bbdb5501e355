import Glibc
import RaftCore

/// Snapshot files of one member under `member/snap`: `<term>-<index>.snap` (hex), each a
/// CRC-32C-checked record of the Raft snapshot metadata and the state machine's data.
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
        var w = ByteWriter(capacity: snapshot.data.count + 64)
        PeerFrame.encode(snapshot.metadata, into: &w)
        w.data(snapshot.data)
        let body = w.bytes
        let crc = CRC32C.checksum(contiguous: body)
        var bytes = (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32($0))) }
        bytes += body
        let name = fileName(snapshot.metadata)
        let temporary = directory + "/." + name + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteAheadLog.WALError(description: "snap: create \(temporary): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw WriteAheadLog.WALError(description: "snap: write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw WriteAheadLog.WALError(description: "snap: fsync: \(String(cString: strerror(errno)))")
        }
        close(fd)
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

    private func load(_ path: String) -> Raft.Snapshot? {
        guard let bytes = try? readWholeFile(path), bytes.count > 4 else { return nil }
        let crc = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32C.checksum(contiguous: bytes, from: 4) == crc else { return nil }
        var r = ByteReader(bytes, offset: 4)
        guard let metadata = try? PeerFrame.decodeMetadata(&r), let data = try? r.data(), r.isAtEnd else { return nil }
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

/// Reads a whole file.
func readWholeFile(_ path: String) throws -> [UInt8] {
    let f = open(path, O_RDONLY | O_CLOEXEC)
    guard f >= 0 else { throw WriteAheadLog.WALError(description: "open \(path): \(String(cString: strerror(errno)))") }
    defer { close(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(f, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw WriteAheadLog.WALError(description: "read \(path): \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return out
}
