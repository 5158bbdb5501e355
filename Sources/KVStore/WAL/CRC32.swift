/// CRC-32C (Castagnoli), table-driven: the checksum of WAL records and snapshot files.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Over contiguous storage (arrays and slices) it runs on raw buffers, without
    /// per-element generic overhead; other collections take the element-by-element path.
    static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            func step(_ c: UInt32, _ b: UInt8) -> UInt32 { t[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
            let fast = bytes.withContiguousStorageIfAvailable { buffer in
                var c: UInt32 = ~0
                for b in buffer { c = step(c, b) }
                return ~c
            }
            return fast ?? ~bytes.reduce(~0, step)
        }
    }
}
