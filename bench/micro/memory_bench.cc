// Cost of creating and destroying a linear memory: guarded (8 GiB + guard regions reserved),
// with and without the reservation pool, vs compact (the declared maximum reserved), and of a
// trap through a guard-page fault.
#include <benchmark/benchmark.h>

#include <csetjmp>

#include "runtime/reservation_pool.h"
#include "runtime/signals.h"
#include "runtime/store.h"

namespace {

hull::MemoryType type(uint64_t min, std::optional<uint64_t> max) {
  hull::MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  return t;
}

// Sets the pool's cap for one benchmark (0: every guarded memory is a fresh mmap and munmap, as
// before the pool) and restores the default after it.
struct PoolCap {
  explicit PoolCap(bool on) {
    hull::drain_reservation_pool();
    hull::set_reservation_pool_cap(on ? hull::kDefaultReservationPoolCap : 0);
  }
  ~PoolCap() {
    hull::set_reservation_pool_cap(hull::kDefaultReservationPoolCap);
    hull::drain_reservation_pool();
  }
};

// range(0): 1 = guarded, 0 = compact; range(1): minimum pages; range(2): max pages (0 = none);
// range(3): 1 = reservation pool on (the default), 0 = off.
void BM_MemoryCreateDestroy(benchmark::State& state) {
  const bool guard = state.range(0) != 0;
  const auto t = type(state.range(1), state.range(2) ? std::optional<uint64_t>(state.range(2))
                                                     : std::nullopt);
  PoolCap pool(state.range(3) != 0);
  for (auto _ : state) {
    hull::Memory m;
    if (!m.init(t, UINT64_MAX, guard).ok() || m.guarded != guard) {
      state.SkipWithError("init failed");
      break;
    }
    m.base[0] = 1;  // touch one page, as instantiation with a data segment would
    benchmark::DoNotOptimize(m.base);
  }
}
BENCHMARK(BM_MemoryCreateDestroy)
    ->ArgNames({"guard", "min", "max", "pool"})
    ->Args({0, 1, 0, 1})
    ->Args({1, 1, 0, 0})
    ->Args({1, 1, 0, 1})
    ->Args({0, 1, 16, 1})
    ->Args({1, 1, 16, 0})
    ->Args({1, 1, 16, 1})
    ->Args({0, 16, 0, 1})
    ->Args({1, 16, 0, 0})
    ->Args({1, 16, 0, 1})
    ->Args({0, 256, 0, 1})
    ->Args({1, 256, 0, 0})
    ->Args({1, 256, 0, 1});

// grow by one page at a time up to 256 pages (in place for both kinds); guarded ones reuse
// pooled reservations.
void BM_MemoryGrow(benchmark::State& state) {
  const bool guard = state.range(0) != 0;
  PoolCap pool(true);
  for (auto _ : state) {
    hull::Memory m;
    if (!m.init(type(0, std::nullopt), UINT64_MAX, guard).ok()) {
      state.SkipWithError("init failed");
      break;
    }
    for (int i = 0; i < 256; ++i) benchmark::DoNotOptimize(m.grow(1));
  }
}
BENCHMARK(BM_MemoryGrow)->ArgName("guard")->Arg(0)->Arg(1);

// One out-of-bounds access turned into a trap by the signal handler (fault + siglongjmp).
void BM_GuardFaultTrap(benchmark::State& state) {
  if (!hull::guard_pages_supported()) {
    state.SkipWithError("guard pages not supported");
    return;
  }
  hull::Store store;
  auto mem = hull::new_memory(store, type(1, 1));
  if (!mem.ok() || !(*mem)->guarded) {
    state.SkipWithError("no guarded memory");
    return;
  }
  volatile uint8_t* bad = (*mem)->base + (*mem)->size;
  for (auto _ : state) {
    hull::WasmEntry entry;
    entry.store = &store;
    if (sigsetjmp(entry.jump, 0) == 0) {
      hull::t_wasm_entry = &entry;
      (void)*bad;
    }
    hull::t_wasm_entry = nullptr;
  }
}
BENCHMARK(BM_GuardFaultTrap);

}  // namespace

BENCHMARK_MAIN();
