// The `run` export: lets engines without WASI call the kernel directly
// (`hull run prog.run.wasm --invoke run 100`); returns the checksum instead of printing it.
#include "bench.h"

__attribute__((export_name("run"))) int32_t run(int32_t scale) {
  return (int32_t)bench_run(scale);
}
