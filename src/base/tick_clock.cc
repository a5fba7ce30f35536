#include "base/tick_clock.h"

#include <chrono>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace hull::tick_clock {

namespace {

uint64_t steady_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

#if defined(__x86_64__)
bool invariant_tsc() {
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  return (d >> 8) & 1;
}

// The first use: the reference point of the rate (both clocks read together).
struct Origin {
  bool tsc = invariant_tsc();
  uint64_t ticks = tsc ? __rdtsc() : 0;
  uint64_t ns = steady_ns();
};

const Origin& origin() {
  static const Origin o;
  return o;
}
#endif

}  // namespace

uint64_t now() {
#if defined(__x86_64__)
  if (origin().tsc) return __rdtsc();
#endif
  return steady_ns();
}

uint64_t to_ns(uint64_t ticks) {
#if defined(__x86_64__)
  const Origin& o = origin();
  if (o.tsc) {
    // The rate over everything since the origin: the longer the run, the closer. Before 1 us
    // has passed nothing meaningful was timed either.
    const uint64_t dt = __rdtsc() - o.ticks;
    const uint64_t dns = steady_ns() - o.ns;
    if (dt == 0 || dns < 1000) return 0;
    return static_cast<uint64_t>(static_cast<long double>(ticks) * dns / dt);
  }
#endif
  return ticks;
}

}  // namespace hull::tick_clock
