// Shared contract of the benchmark programs: one kernel per file, sized by a percentage.
#pragma once
#include <stdint.h>

// Runs the program's workload at `scale` percent of its full size (100 = 1-3 s natively at -O2)
// and returns a checksum of the results, masked to 31 bits so that every runtime prints the same
// number whether it shows i32 results signed or unsigned. Does no I/O (so the `run` export works
// on engines without WASI).
uint32_t bench_run(int32_t scale);

// Repetitions for `base` full-size repetitions at `scale` percent (at least 1).
static inline int32_t bench_reps(int32_t base, int32_t scale) {
  if (scale <= 0) scale = 100;
  int64_t r = (int64_t)base * scale / 100;
  return r < 1 ? 1 : (int32_t)r;
}

// Defeats constant folding of inputs: the optimizer cannot see through a volatile read.
static inline uint32_t bench_opaque(uint32_t v) {
  volatile uint32_t x = v;
  return x;
}
