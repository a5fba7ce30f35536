/* CPU-time measurement shared by the C peer benchmarks: median per-operation CPU time of a
 * calibrated batch, and the tab-separated "key<TAB>ns" result lines that run.sh collects. */
#ifndef HULL_BENCH_PEERS_TIMING_H
#define HULL_BENCH_PEERS_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Process CPU time (user + system, all threads): the machine is shared, wall time is not. */
static inline double bench_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Performs the measured operation `n` times. */
typedef void (*bench_op)(void* ctx, long n);

static int bench_cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* Median over `reps` batches of CPU ns per operation. The batch size doubles from 1 until a
 * batch takes at least `min_batch_ms` of CPU time (these calibration batches are the warm-up),
 * so the timer's own cost (a syscall, ~0.1-0.5 us) is negligible per operation. */
static double bench_measure(bench_op op, void* ctx, int reps, double min_batch_ms) {
  long n = 1;
  for (;;) {
    const double t0 = bench_cpu_ns();
    op(ctx, n);
    const double dt = bench_cpu_ns() - t0;
    if (dt >= min_batch_ms * 1e6 || n >= (1L << 40)) break;
    n *= 2;
  }
  double per_op[64];
  if (reps > 64) reps = 64;
  for (int r = 0; r < reps; ++r) {
    const double t0 = bench_cpu_ns();
    op(ctx, n);
    per_op[r] = (bench_cpu_ns() - t0) / (double)n;
  }
  qsort(per_op, (size_t)reps, sizeof(double), bench_cmp_double);
  return reps % 2 ? per_op[reps / 2] : 0.5 * (per_op[reps / 2 - 1] + per_op[reps / 2]);
}

/* One result line on stdout (collected by run.sh), progress on stderr. */
static inline void bench_report(const char* runtime, const char* key, double ns) {
  printf("%s\t%s\t%.3f\n", runtime, key, ns);
  fflush(stdout);
  fprintf(stderr, "  %-10s %-22s %14.1f ns\n", runtime, key, ns);
}

static inline unsigned char* bench_read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  const long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* buf = (unsigned char*)malloc(len > 0 ? (size_t)len : 1);
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
    fprintf(stderr, "%s: read failed\n", path);
    exit(1);
  }
  fclose(f);
  *size = (size_t)len;
  return buf;
}

#endif
