// A cheap monotonic clock for timing many short intervals (host calls): the CPU's time-stamp
// counter where it is invariant (x86-64 with CPUID's invariant-TSC bit, and the kernel's own
// clocksource), read in ~13 ns against ~35 ns for steady_clock's vDSO call on a KVM guest;
// steady_clock elsewhere. Ticks are summed as they are and turned into nanoseconds when read
// (tick_clock::to_ns), at the rate measured against steady_clock since the process's first use
// of the clock (measured again at most every ~0.1 s).
#pragma once

#include <cstdint>

namespace hull::tick_clock {

// A tick count (meaningful only as a difference of two reads in one process).
uint64_t now();

// Nanoseconds in `ticks` (a sum of differences of now()).
uint64_t to_ns(uint64_t ticks);

}  // namespace hull::tick_clock
