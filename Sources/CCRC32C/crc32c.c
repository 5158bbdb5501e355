#include "crc32c.h"
#include <string.h>

static uint32_t table[256];
static int ready = 0;
static int hardware = 0;

static void setup(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    hardware = __builtin_cpu_supports("sse4.2");
#endif
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t update_hardware(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
        n--;
    }
    return c32;
}
#endif

uint32_t skiff_crc32c_update(uint32_t crc, const void *data, size_t length) {
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) setup();
    const unsigned char *p = data;
#if defined(__x86_64__)
    if (hardware) return update_hardware(crc, p, length);
#endif
    while (length-- > 0) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}
