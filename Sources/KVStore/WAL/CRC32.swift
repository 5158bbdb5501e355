import CCRC32C

/// CRC-32C (Castagnoli): the checksum of WAL records and snapshot files (hardware `crc32`
/// where the CPU has it).
enum CRC32C {
    static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var running = Running()
        running.update(bytes)
        return running.value
    }

    /// A checksum computed piece by piece.
    struct Running {
        private var register: UInt32 = ~0

        mutating func update<C: Collection<UInt8>>(_ bytes: C) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                register = skiff_crc32c_update(register, buffer.baseAddress, buffer.count)
            }
            if done == nil { update(Array(bytes)) }
        }

        var value: UInt32 { ~register }
    }
}
