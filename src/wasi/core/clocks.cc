// Clock ids map onto clock_gettime/clock_getres.
#include "wasi/core/clocks.h"

#include <time.h>

#include <cerrno>

namespace hull::wasi {

namespace {

bool host_clock(uint32_t id, clockid_t* out) {
  switch (static_cast<ClockId>(id)) {
    case ClockId::realtime: *out = CLOCK_REALTIME; return true;
    case ClockId::monotonic: *out = CLOCK_MONOTONIC; return true;
    case ClockId::process_cputime: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case ClockId::thread_cputime: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  }
  return false;
}

uint64_t to_ns(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

Errno clock_resolution(uint32_t id, uint64_t* ns) {
  clockid_t c;
  if (!host_clock(id, &c)) return Errno::inval;
  timespec ts;
  if (clock_getres(c, &ts) != 0) return errno_from_host(errno);
  *ns = to_ns(ts);
  if (*ns == 0) *ns = 1;
  return Errno::success;
}

Errno clock_now(uint32_t id, uint64_t* ns) {
  clockid_t c;
  if (!host_clock(id, &c)) return Errno::inval;
  timespec ts;
  if (clock_gettime(c, &ts) != 0) return errno_from_host(errno);
  *ns = to_ns(ts);
  return Errno::success;
}

}  // namespace hull::wasi
