// Command entry point shared by every benchmark (native and wasm32-wasi `_start`): runs the
// kernel at the scale given as argv[1] (percent, default 100) and prints its checksum.
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int main(int argc, char** argv) {
  int32_t scale = argc > 1 ? (int32_t)atoi(argv[1]) : 100;
  printf("%u\n", (unsigned)bench_run(scale));
  return 0;
}
