// Quicksort of 1 Mi pseudo-random ints: data-dependent branches, swaps, recursion.
#include "bench.h"

#define N (1u << 20)
static int32_t data[N];

static void quicksort(int32_t* a, int32_t lo, int32_t hi) {
  while (hi - lo > 16) {
    int32_t pivot = a[lo + (hi - lo) / 2];
    int32_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i <= j) {
        int32_t t = a[i]; a[i] = a[j]; a[j] = t;
        ++i; --j;
      }
    }
    // Recurse into the smaller half, loop on the larger: bounded stack depth.
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
  for (int32_t i = lo + 1; i <= hi; ++i) {  // insertion sort for short ranges
    int32_t v = a[i], k = i - 1;
    while (k >= lo && a[k] > v) { a[k + 1] = a[k]; --k; }
    a[k + 1] = v;
  }
}

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(18, scale);
  uint32_t seed = bench_opaque(42), check = 0;
  for (int32_t r = 0; r < reps; ++r) {
    for (uint32_t i = 0; i < N; ++i) {
      seed = seed * 1103515245u + 12345u;
      data[i] = (int32_t)(seed >> 1);
    }
    quicksort(data, 0, (int32_t)N - 1);
    for (uint32_t i = 0; i < N; i += 4099) check = check * 31 + (uint32_t)data[i];
  }
  return check & 0x7fffffff;
}
