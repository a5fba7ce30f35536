// Recursive Fibonacci: call/return overhead and small-function dispatch.
#include "bench.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

uint32_t bench_run(int32_t scale) {
  int32_t reps = bench_reps(60, scale);
  uint32_t sum = 0;
  for (int32_t i = 0; i < reps; ++i) sum += fib(bench_opaque(35)) + (uint32_t)i;
  return sum & 0x7fffffff;
}
