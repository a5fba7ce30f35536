// Dense double-precision matrix multiply (i-k-j order): f64 loads, multiply-add, 2-D indexing.
#include "bench.h"

#define DIM 200
static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(900, scale);
  uint32_t seed = bench_opaque(12345);
  for (int i = 0; i < DIM; ++i) {
    for (int j = 0; j < DIM; ++j) {
      seed = seed * 1103515245u + 12345u;
      a[i][j] = (double)(seed >> 16 & 0xff) / 64.0;
      seed = seed * 1103515245u + 12345u;
      b[i][j] = (double)(seed >> 16 & 0xff) / 64.0 - 2.0;
    }
  }
  double trace = 0;
  for (int32_t r = 0; r < reps; ++r) {
    for (int i = 0; i < DIM; ++i)
      for (int j = 0; j < DIM; ++j) c[i][j] = 0;
    for (int i = 0; i < DIM; ++i) {
      for (int k = 0; k < DIM; ++k) {
        double aik = a[i][k];
        for (int j = 0; j < DIM; ++j) c[i][j] += aik * b[k][j];
      }
    }
    for (int i = 0; i < DIM; ++i) trace += c[i][(i + r) % DIM];
    a[r % DIM][(r * 7) % DIM] += 1.0;  // each repetition multiplies a different matrix
  }
  return (uint32_t)(int64_t)trace & 0x7fffffff;
}
