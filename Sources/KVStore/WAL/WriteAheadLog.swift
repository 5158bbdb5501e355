import Glibc
import RaftCore

/// The durable Raft log of one member: segment files of checksummed records under a folder.
///
/// Contract:
/// - `append` writes records in order; nothing is durable until `sync` returns (fsync). The
///   driver appends a whole `Ready` (or several: group commit) and syncs once before sending
///   its messages or acknowledging clients.
/// - `open` replays everything: the last hard state, the last snapshot marker and the entries
///   after it (a later entry at an index replaces the earlier suffix, as Raft truncation does).
///   A torn or corrupt tail of the *last* segment — a crash mid-write — is cut off and
///   reported; damage in an earlier segment is an error, never silently dropped.
/// - Each new segment starts with the current hard state and snapshot marker, so old
///   segments wholly covered by a snapshot can be deleted (`releaseSegments(through:)`).
public final class WriteAheadLog {
    public struct Replay: Sendable {
        public var hardState = Raft.HardState()
        public var snapshot: (index: UInt64, term: UInt64)?
        public var entries: [Raft.Entry] = []
        /// Bytes cut from a torn or corrupt tail.
        public var truncatedBytes = 0
    }

    public struct WALError: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    let segmentBytes: Int
    private var fd: Int32 = -1
    private var segment: UInt64 = 0
    private var segmentSize = 0
    /// Highest entry index written to each segment (for release).
    private var lastIndexBySegment: [UInt64: UInt64] = [:]
    private var hardState = Raft.HardState()
    private var snapshot: (index: UInt64, term: UInt64)?

    private init(directory: String, segmentBytes: Int) {
        self.directory = directory
        self.segmentBytes = segmentBytes
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Opens (creating the folder if needed) and replays the log.
    public static func open(directory: String, segmentBytes: Int = 64 << 20) throws -> (WriteAheadLog, Replay) {
        mkdir(directory, 0o700)
        let wal = WriteAheadLog(directory: directory, segmentBytes: segmentBytes)
        var replay = Replay()
        let segments = try wal.listSegments()
        for (i, seq) in segments.enumerated() {
            let isLast = i == segments.count - 1
            try wal.replaySegment(seq, isLast: isLast, into: &replay)
        }
        wal.hardState = replay.hardState
        wal.snapshot = replay.snapshot
        if let last = segments.last {
            try wal.openSegment(last, create: false)
        } else {
            try wal.openSegment(1, create: true)
        }
        return (wal, replay)
    }

    /// Appends records (buffered in the kernel until `sync`). Rotates full segments.
    public func append(entries: [Raft.Entry], hardState: Raft.HardState?) throws {
        var bytes: [UInt8] = []
        for e in entries { bytes += WALRecord.entry(e).encoded() }
        if let hardState {
            bytes += WALRecord.hardState(hardState).encoded()
            self.hardState = hardState
        }
        try write(bytes)
        if let last = entries.last { lastIndexBySegment[segment] = max(lastIndexBySegment[segment] ?? 0, last.index) }
        if segmentSize >= segmentBytes { try rotate() }
    }

    /// Records that a snapshot at (index, term) is durable elsewhere.
    public func appendSnapshotMarker(index: UInt64, term: UInt64) throws {
        try write(WALRecord.snapshot(index: index, term: term).encoded())
        snapshot = (index, term)
    }

    /// Makes everything appended so far durable.
    public func sync() throws {
        guard fsync(fd) == 0 else { throw WALError(description: "wal: fsync: \(String(cString: strerror(errno)))") }
    }

    /// Deletes closed segments whose entries are all at or below `index` (covered by a snapshot).
    public func releaseSegments(through index: UInt64) throws {
        for seq in try listSegments() where seq < segment {
            if (lastIndexBySegment[seq] ?? 0) <= index {
                unlink(path(seq))
                lastIndexBySegment[seq] = nil
            }
        }
    }

    public var segmentCount: Int { (try? listSegments().count) ?? 0 }

    // MARK: - Files

    private func path(_ seq: UInt64) -> String {
        let hex = String(seq, radix: 16)
        return directory + "/" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".wal"
    }

    private func listSegments() throws -> [UInt64] {
        guard let dir = opendir(directory) else { throw WALError(description: "wal: cannot read \(directory)") }
        defer { closedir(dir) }
        var out: [UInt64] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".wal"), let seq = UInt64(name.dropLast(4), radix: 16) else { continue }
            out.append(seq)
        }
        return out.sorted()
    }

    private func openSegment(_ seq: UInt64, create: Bool) throws {
        if fd >= 0 { close(fd) }
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        fd = Glibc.open(path(seq), flags, 0o600)
        guard fd >= 0 else { throw WALError(description: "wal: open \(path(seq)): \(String(cString: strerror(errno)))") }
        segment = seq
        var st = stat()
        fstat(fd, &st)
        segmentSize = Int(st.st_size)
        if create {
            // Make the new file's name durable too.
            let dirfd = Glibc.open(directory, O_RDONLY | O_DIRECTORY)
            if dirfd >= 0 {
                fsync(dirfd)
                close(dirfd)
            }
        }
    }

    private func rotate() throws {
        try sync()
        try openSegment(segment + 1, create: true)
        var header = WALRecord.hardState(hardState).encoded()
        if let snapshot { header = WALRecord.snapshot(index: snapshot.index, term: snapshot.term).encoded() + header }
        try write(header)
        try sync()
    }

    private func write(_ bytes: [UInt8]) throws {
        try writeAll(fd, bytes, what: "wal")
        segmentSize += bytes.count
    }

    private func replaySegment(_ seq: UInt64, isLast: Bool, into replay: inout Replay) throws {
        let bytes = try readWholeFile(path(seq))
        var offset = 0
        while offset < bytes.count {
            let slice = bytes[offset...]
            guard slice.count >= WALRecord.headerBytes else { break }
            let length = Int(WALRecord.get32(slice, 0))
            let checksum = WALRecord.get32(slice, 4)
            let start = offset + WALRecord.headerBytes
            guard length > 0, start + length <= bytes.count else { break }
            let body = bytes[start..<start + length]
            guard CRC32C.checksum(body) == checksum, let record = WALRecord.decode(body: body) else { break }
            switch record {
            case .entry(let e):
                // Entries are contiguous: a rewrite at an earlier index replaces the suffix.
                if let first = replay.entries.first, let last = replay.entries.last, e.index <= last.index {
                    replay.entries.removeSubrange(Int(e.index >= first.index ? e.index - first.index : 0)...)
                }
                replay.entries.append(e)
                lastIndexBySegment[seq] = max(lastIndexBySegment[seq] ?? 0, e.index)
            case .hardState(let h):
                replay.hardState = h
            case .snapshot(let index, let term):
                replay.snapshot = (index, term)
                replay.entries.removeAll { $0.index <= index }
            }
            offset = start + length
        }
        guard offset < bytes.count else { return }
        guard isLast else {
            throw WALError(description: "wal: segment \(path(seq)) is corrupt at byte \(offset) and is not the last one")
        }
        // A crash mid-write left a torn record: cut it off.
        guard truncate(path(seq), off_t(offset)) == 0 else {
            throw WALError(description: "wal: truncate \(path(seq)): \(String(cString: strerror(errno)))")
        }
        replay.truncatedBytes += bytes.count - offset
    }
}
