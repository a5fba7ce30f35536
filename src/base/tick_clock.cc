#include "base/tick_clock.h"

#include <chrono>
#include <cstdio>
#include <cstring>

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
// The CPU says its counter runs at a constant rate in every power state, and the kernel keeps
// time with it (it stops doing so when it finds the counters of the cores out of step, or a
// hypervisor's counter unstable).
bool invariant_tsc() {
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  if (!((d >> 8) & 1)) return false;
  std::FILE* f =
      std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (!f) return false;
  char name[16] = {};
  const bool tsc = std::fgets(name, sizeof name, f) && std::strncmp(name, "tsc", 3) == 0;
  std::fclose(f);
  return tsc;
}

// Both clocks at one moment: the counter between two steady_clock reads, their midpoint, from
// the tightest of a few tries (a thread preempted between the reads would skew the rate).
struct Pair {
  uint64_t ticks = 0, ns = 0;
};
Pair read_pair() {
  Pair best;
  uint64_t best_width = UINT64_MAX;
  for (int i = 0; i < 8 && best_width > 1000; ++i) {
    const uint64_t before = steady_ns();
    const uint64_t ticks = __rdtsc();
    const uint64_t after = steady_ns();
    if (after - before < best_width) {
      best_width = after - before;
      best = {ticks, before + (after - before) / 2};
    }
  }
  return best;
}

// The first use: the reference point of the rate.
struct Origin {
  bool tsc = invariant_tsc();
  Pair at = tsc ? read_pair() : Pair{};
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
    const Pair now = read_pair();
    const uint64_t dt = now.ticks - o.at.ticks;
    const uint64_t dns = now.ns - o.at.ns;
    if (dt == 0 || dns < 1000) return 0;
    return static_cast<uint64_t>(static_cast<long double>(ticks) * dns / dt);
  }
#endif
  return ticks;
}

}  // namespace hull::tick_clock
