#ifndef SKIFF_CRC32C_H
#define SKIFF_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// Advances a CRC-32C (Castagnoli) register over `length` bytes. The register starts at
/// 0xFFFFFFFF and the checksum is its complement, as usual. Uses the SSE 4.2 `crc32`
/// instruction when the CPU has it, a table otherwise.
uint32_t skiff_crc32c_update(uint32_t crc, const void *data, size_t length);

#endif
