#include "base/tick_clock.h"

#include <atomic>
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

// The last rate measured (ns per tick) and the counter then: stats are read once per request in
// hull serve, which should not pay for a bracketed clock read each time.
std::atomic<double> g_ns_per_tick{0};
std::atomic<uint64_t> g_rate_at{0};
// Measured again after this many ticks (~0.1 s at GHz rates): the longer since the origin, the
// closer the rate.
constexpr uint64_t kRateMaxAgeTicks = uint64_t(1) << 28;
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
    double rate = g_ns_per_tick.load(std::memory_order_relaxed);
    if (rate == 0 || __rdtsc() - g_rate_at.load(std::memory_order_relaxed) > kRateMaxAgeTicks) {
      // The rate over everything since the origin. Before 1 us has passed nothing meaningful
      // was timed either.
      const Pair now = read_pair();
      const uint64_t dt = now.ticks - o.at.ticks;
      const uint64_t dns = now.ns - o.at.ns;
      if (dt == 0 || dns < 1000) return 0;
      rate = static_cast<double>(dns) / static_cast<double>(dt);
      // Kept only once measured over 10 ms at least (a read pair is bracketed within ~1 us).
      if (dns >= 10'000'000) {
        g_ns_per_tick.store(rate, std::memory_order_relaxed);
        g_rate_at.store(now.ticks, std::memory_order_relaxed);
      }
    }
    return static_cast<uint64_t>(static_cast<double>(ticks) * rate);
  }
#endif
  return ticks;
}

}  // namespace hull::tick_clock
