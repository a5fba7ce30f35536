// clock_res_get, clock_time_get, random_get.
#include <vector>

#include "wasi/core/clocks.h"
#include "wasi/core/random.h"
#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

P1_FUNC(clock_res_get) {
  uint64_t ns = 0;
  P1_TRY(clock_resolution(u32(a[0]), &ns));
  return c.mem.store<uint64_t>(u32(a[1]), ns) ? Errno::success : Errno::fault;
}

P1_FUNC(clock_time_get) {
  uint64_t ns = 0;
  P1_TRY(clock_now(u32(a[0]), &ns));  // a[1] (precision) is a hint we need not honour
  return c.mem.store<uint64_t>(u32(a[2]), ns) ? Errno::success : Errno::fault;
}

P1_FUNC(random_get) {
  uint8_t* p = c.mem.span(u32(a[0]), u32(a[1]));
  if (!p) return Errno::fault;
  return random_fill(p, u32(a[1]));
}

}  // namespace hull::wasi::p1
