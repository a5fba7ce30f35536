// Sieve of Eratosthenes over 8 Mi bytes: byte loads/stores, tight loops, branches.
#include "bench.h"

#define N (8u << 20)
static uint8_t composite[N];

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(75, scale);
  uint32_t total = 0;
  for (int32_t r = 0; r < reps; ++r) {
    uint32_t n = bench_opaque(N);
    for (uint32_t i = 0; i < n; ++i) composite[i] = 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i < n; ++i) {
      if (composite[i]) continue;
      ++count;
      for (uint64_t j = (uint64_t)i * i; j < n; j += i) composite[j] = 1;
    }
    total += count;
  }
  return total & 0x7fffffff;
}
