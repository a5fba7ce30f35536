// Cost of the sandbox's metering: the bench programs' `run(scale)` kernels compiled plain, with
// fuel, with epoch (deadline) checks and with both, in-process. The ratio of each variant to
// "plain" is the overhead a user pays for --fuel / --timeout.
//
//   hull_sandbox_bench [--benchmark_filter=vm] [google-benchmark flags]
// Reads BENCH_WASM_DIR/<program>.run.wasm (built by the bench/ targets); HULL_SANDBOX_SCALE
// (default 2, percent of the full workload) sets the work per iteration.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/engine.h"

#ifndef BENCH_WASM_DIR
#error "BENCH_WASM_DIR must name the directory holding the *.run.wasm programs"
#endif

namespace {

enum Metering : int { kPlain = 0, kFuel = 1, kEpochs = 2, kBoth = 3 };

const char* const kMeteringNames[] = {"plain", "fuel", "epochs", "fuel+epochs"};

std::vector<uint8_t> read_program(const std::string& name) {
  std::string path = std::string(BENCH_WASM_DIR) + "/" + name + ".run.wasm";
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int32_t bench_scale() {
  const char* s = std::getenv("HULL_SANDBOX_SCALE");
  int v = s ? std::atoi(s) : 2;
  return v > 0 ? v : 2;
}

void BM_Metering(benchmark::State& state, std::string program) {
  const auto metering = static_cast<Metering>(state.range(0));
  state.SetLabel(kMeteringNames[metering]);
  std::vector<uint8_t> bytes = read_program(program);
  if (bytes.empty()) {
    state.SkipWithError(("missing " + program + ".run.wasm (build the bench targets)").c_str());
    return;
  }
  hull::CompileOptions opts;
  opts.fuel = metering & kFuel;
  opts.epochs = metering & kEpochs;
  auto mod = hull::compile(bytes, opts);
  if (!mod) {
    state.SkipWithError(mod.error().to_string().c_str());
    return;
  }
  hull::Store store;
  hull::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  if (!inst) {
    state.SkipWithError(inst.error().to_string().c_str());
    return;
  }
  auto run = (*inst)->exports.find("run");
  if (run == (*inst)->exports.end() || run->second.kind != hull::ExternKind::Func) {
    state.SkipWithError("no `run` export");
    return;
  }
  const hull::Val args[] = {hull::Val::from_i32(static_cast<uint32_t>(bench_scale()))};
  for (auto _ : state) {
    // Budgets large enough never to run out: the benchmark measures the checks, not traps.
    if (opts.fuel) store.set_fuel(UINT64_MAX);
    if (opts.epochs) store.set_deadline_ns(uint64_t{3600} * 1'000'000'000);
    auto r = hull::invoke(store, run->second.func, args);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  if (opts.fuel) state.counters["fuel_per_call"] = static_cast<double>(store.fuel_consumed()) /
                                                  static_cast<double>(state.iterations());
}

// fib: calls; sieve/vm: loops with branches; matmul/nbody: arithmetic loops.
const char* const kPrograms[] = {"fib", "sieve", "vm", "matmul", "nbody", "quicksort"};

int register_all() {
  for (const char* p : kPrograms) {
    benchmark::RegisterBenchmark((std::string("Metering/") + p).c_str(), BM_Metering,
                                 std::string(p))
        ->DenseRange(kPlain, kBoth)
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime();
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
