/// CRC-32C (Castagnoli), table-driven: the checksum of every WAL record.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>, seed: UInt32 = 0) -> UInt32 {
        var c = ~seed
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return ~c
    }

    /// The same over contiguous bytes, without per-element generic overhead.
    static func checksum(contiguous bytes: [UInt8], from start: Int = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            table.withUnsafeBufferPointer { t in
                var c: UInt32 = ~0
                var i = start
                while i < buffer.count {
                    c = t[Int((c ^ UInt32(buffer[i])) & 0xff)] ^ (c >> 8)
                    i += 1
                }
                return ~c
            }
        }
    }
}
