import Glibc

/// Fixed-width little-endian integers, as the WAL, snapshot files and logged request IDs
/// store them.
enum LittleEndian {
    static func append<T: FixedWidthInteger & UnsignedInteger>(_ value: T, to out: inout [UInt8]) {
        for i in 0..<(T.bitWidth / 8) { out.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// Reads a `T` at `offset` from the start of `bytes` (which must hold it).
    static func read<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        var v: T = 0
        for i in 0..<(T.bitWidth / 8) { v |= T(bytes[bytes.startIndex + offset + i]) << (8 * i) }
        return v
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

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; `what` names the file in errors.
func writeAll(_ fd: Int32, _ bytes: [UInt8], what: String) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw WriteAheadLog.WALError(description: "\(what): write: \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}
