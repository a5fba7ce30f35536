// memcpy/memmove/memset over many block sizes (bulk-memory instructions in wasm when enabled).
#include <string.h>

#include "bench.h"

#define BUF (1u << 20)
static uint8_t src[BUF], dst[BUF];

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(90000, scale);
  for (uint32_t i = 0; i < BUF; ++i) src[i] = (uint8_t)(i * 131 + 7);
  uint32_t seed = bench_opaque(99), check = 0;
  for (int32_t r = 0; r < reps; ++r) {
    // Sizes from 8 bytes to 64 KiB; offsets vary so alignment varies.
    for (uint32_t size = 8; size <= 65536; size *= 2) {
      for (uint32_t k = 0; k < 4; ++k) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t so = (seed >> 8) % (BUF - size), d = (seed >> 3) % (BUF - size);
        memcpy(dst + d, src + so, size);
        check += dst[d + size / 2];
      }
      uint32_t o = (seed >> 5) % (BUF - size - 64);
      memmove(dst + o + 3, dst + o, size);  // overlapping, forwards
      memset(dst + o, (int)(r & 0xff), size / 2);
      check = check * 3 + dst[o + size / 2 + 1];
    }
  }
  return check & 0x7fffffff;
}
