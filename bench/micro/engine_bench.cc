// In-process micro benchmarks of the engine: compile and instantiation time of generated
// 1 MiB / 10 MiB modules, and per-call overhead host->guest and guest->host.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "engine/engine.h"
#include "interp/interp.h"
#include "module_gen.h"

namespace {

using hull::bench::make_call_module;
using hull::bench::make_large_module;

const std::vector<uint8_t>& large_module(size_t mib) {
  static std::vector<uint8_t> one = make_large_module(size_t{1} << 20);
  static std::vector<uint8_t> ten = make_large_module(size_t{10} << 20);
  return mib == 1 ? one : ten;
}

std::shared_ptr<const hull::CompiledModule> must_compile(const std::vector<uint8_t>& bytes) {
  auto mod = hull::compile(bytes);
  if (!mod) {
    std::fprintf(stderr, "compile failed: %s\n", mod.error().to_string().c_str());
    std::abort();
  }
  return *mod;
}

// decode + validate + lower.
void BM_Compile(benchmark::State& state) {
  const auto& bytes = large_module(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto mod = hull::compile(bytes);
    benchmark::DoNotOptimize(mod);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
  state.counters["module_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_Compile)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

// Instantiation of an already compiled module in a fresh Store (memory, functions, exports).
void BM_Instantiate(benchmark::State& state) {
  auto mod = must_compile(large_module(static_cast<size_t>(state.range(0))));
  for (auto _ : state) {
    hull::Store store;
    hull::Linker linker;
    auto inst = linker.instantiate(store, mod);
    if (!inst) state.SkipWithError(inst.error().to_string().c_str());
    benchmark::DoNotOptimize(inst);
  }
}
BENCHMARK(BM_Instantiate)->Arg(1)->Arg(10)->Unit(benchmark::kMicrosecond);

// compile + instantiate: what `hull run` pays before the first instruction.
void BM_CompileAndInstantiate(benchmark::State& state) {
  const auto& bytes = large_module(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto mod = must_compile(bytes);
    hull::Store store;
    hull::Linker linker;
    auto inst = linker.instantiate(store, mod);
    benchmark::DoNotOptimize(inst);
  }
}
BENCHMARK(BM_CompileAndInstantiate)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

std::optional<hull::Trap> empty_host(void*, hull::Store&, uint64_t*) { return std::nullopt; }

// One store with the call module instantiated against an empty host import.
struct CallFixture {
  hull::Store store;
  hull::Function* empty = nullptr;
  hull::Function* call_host = nullptr;
  hull::Function* call_guest = nullptr;

  CallFixture() {
    auto mod = must_compile(make_call_module());
    hull::Linker linker;
    hull::Function* f = hull::create_host_function(store, hull::FuncType{{}, {}}, empty_host,
                                                   nullptr);
    linker.define("env", "f", hull::Extern::of(f));
    auto inst = linker.instantiate(store, mod);
    if (!inst) {
      std::fprintf(stderr, "instantiate failed: %s\n", inst.error().to_string().c_str());
      std::abort();
    }
    empty = (*inst)->exports.at("empty").func;
    call_host = (*inst)->exports.at("call_host").func;
    call_guest = (*inst)->exports.at("call_guest").func;
  }
};

// Host->guest through the public typed API (argument checks, result vector).
void BM_HostToGuest_Invoke(benchmark::State& state) {
  CallFixture fx;
  for (auto _ : state) {
    auto r = hull::invoke(fx.store, fx.empty, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HostToGuest_Invoke);

// Host->guest through the tier's raw slot interface (the lowest-overhead internal path).
void BM_HostToGuest_Raw(benchmark::State& state) {
  CallFixture fx;
  uint64_t slots[1] = {0};
  for (auto _ : state) {
    auto trap = hull::interp::call(fx.store, fx.empty, slots);
    benchmark::DoNotOptimize(trap);
  }
}
BENCHMARK(BM_HostToGuest_Raw);

// Guest->host: a wasm loop calling an empty import n times; time per call. Compare with
// BM_GuestToGuest (the same loop calling an empty wasm function) to isolate the host-call cost.
// Reported as items_per_second (calls per second).
void calls_in_loop(benchmark::State& state, hull::Function* CallFixture::*which) {
  CallFixture fx;
  const uint32_t n = 1u << 20;
  for (auto _ : state) {
    uint64_t slots[1] = {n};
    auto trap = hull::interp::call(fx.store, fx.*which, slots);
    if (trap) state.SkipWithError("trapped");
  }
  // items_per_second = calls per second; ns per call = 1e9 / items_per_second.
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n);
}
void BM_GuestToHost(benchmark::State& state) { calls_in_loop(state, &CallFixture::call_host); }
void BM_GuestToGuest(benchmark::State& state) { calls_in_loop(state, &CallFixture::call_guest); }
BENCHMARK(BM_GuestToHost)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GuestToGuest)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
