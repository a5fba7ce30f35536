// Host-to-component call cost and instantiation of a pre-linked component, beside a plain core
// call of the same function (docs/PERFORMANCE.md, "Components"). The component is
// bench/component/calls.wat: echo(string) -> string, sum(record) -> f64, add(u32, u32) -> u32.
//
//   component_bench [--write-component=PATH] [Google Benchmark flags]
//
// --write-component writes the component binary this benchmark measures (the text encoded by
// hull::text::component_to_binary) and exits: run.sh transpiles those bytes with jco for node.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hull/component.hh"
#include "hull/component_typed.hh"
#include "hull/hull.hh"
#include "text/component.h"

namespace api = hull::api;
namespace cm = hull::api::component;

namespace {

[[noreturn]] void die(const char* what, const std::string& why) {
  std::fprintf(stderr, "component_bench: %s: %s\n", what, why.c_str());
  std::exit(1);
}

// The component text: $HULL_COMPONENT_WAT, else the source tree's calls.wat (the path is
// compiled in by bench/CMakeLists.txt).
std::string component_text() {
  const char* env = std::getenv("HULL_COMPONENT_WAT");
  std::string path = env && *env ? env : HULL_COMPONENT_BENCH_WAT;
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read", path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::vector<uint8_t>& component_bytes() {
  static const std::vector<uint8_t> bytes = [] {
    auto bin = hull::text::component_to_binary(component_text());
    if (!bin) die("component_to_binary", bin.error().to_string());
    return std::move(*bin);
  }();
  return bytes;
}

// One engine and the compiled component, shared by every benchmark (compiling is measured on
// its own in BM_Component_Compile).
struct Shared {
  api::Engine engine;
  cm::Component component;
  cm::Linker linker{engine};
  cm::InstancePre pre;

  static Shared& get() {
    static Shared s = make();
    return s;
  }

 private:
  static Shared make() {
    api::Engine engine;
    auto c = cm::Component::compile(engine, component_bytes());
    if (!c) die("Component::compile", c.error().to_string());
    cm::Linker linker(engine);
    auto pre = linker.instantiate_pre(*c);
    if (!pre) die("instantiate_pre", pre.error().to_string());
    return Shared{engine, *c, linker, *pre};
  }
};

// The interface calls.wat exports its functions in.
constexpr std::string_view kInterface = "local:bench/calls";

// A Store with one instance of the component in it.
struct Instantiated {
  api::Store store{Shared::get().engine};
  cm::Instance instance;

  Instantiated() {
    auto i = Shared::get().pre.instantiate(store);
    if (!i) die("InstancePre::instantiate", i.error().to_string());
    instance = *i;
  }
  // A function of the exported interface.
  cm::Func func(std::string_view name) const {
    std::string path = std::string(kInterface) + "#" + std::string(name);
    auto f = instance.get_func(path);
    if (!f) die("get_func", path);
    return *f;
  }
};

// ---- component calls (dynamic Val path) -------------------------------------------------------

void BM_Component_Add(benchmark::State& state) {
  Instantiated fx;
  cm::Func add = fx.func("add");
  const std::array<cm::Val, 2> args{cm::Val::u32(40), cm::Val::u32(2)};
  for (auto _ : state) {
    auto r = add.call(args);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = add.call(args);
  if (!r || r->size() != 1 || r->front().as_u64() != 42) die("add", "wrong result");
}
BENCHMARK(BM_Component_Add);

cm::Val bench_record() {
  return cm::Val::record({{"a", cm::Val::u32(1)},
                          {"b", cm::Val::u32(2)},
                          {"c", cm::Val::u64(3)},
                          {"d", cm::Val::f64(0.5)}});
}

void BM_Component_SumRecord(benchmark::State& state) {
  Instantiated fx;
  cm::Func sum = fx.func("sum");
  const std::array<cm::Val, 1> args{bench_record()};
  for (auto _ : state) {
    auto r = sum.call(args);
    if (!r) die("sum", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = sum.call(args);
  if (!r || r->size() != 1 || r->front().as_f64() != 6.5) die("sum", "wrong result");
}
BENCHMARK(BM_Component_SumRecord);

// The same call with the record Val tree built in every iteration (what a caller that has its
// data in its own structs pays on top).
void BM_Component_SumRecord_BuildArgs(benchmark::State& state) {
  Instantiated fx;
  cm::Func sum = fx.func("sum");
  for (auto _ : state) {
    const std::array<cm::Val, 1> args{bench_record()};
    auto r = sum.call(args);
    if (!r) die("sum", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Component_SumRecord_BuildArgs);

// echo(s) with an ASCII string of state.range(0) bytes: lower (realloc + copy into guest
// memory, UTF-8 check), the guest's copy, lift (UTF-8 check + copy out), post-return.
void BM_Component_Echo(benchmark::State& state) {
  Instantiated fx;
  cm::Func echo = fx.func("echo");
  std::string s(static_cast<size_t>(state.range(0)), 'x');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
  const std::array<cm::Val, 1> args{cm::Val::string(s)};
  for (auto _ : state) {
    auto r = echo.call(args);
    if (!r) die("echo", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = echo.call(args);
  if (!r || r->size() != 1 || r->front().as_string() != s) die("echo", "wrong result");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Component_Echo)->Arg(8)->Arg(1024)->Arg(64 * 1024);

// ---- component calls (typed path: Wit<T> lifts and lowers directly, no Val) -------------------

struct BenchRecord {
  uint32_t a = 0, b = 0;
  uint64_t c = 0;
  double d = 0;
};

}  // namespace

HULL_WIT_RECORD(BenchRecord, HULL_WIT_F(BenchRecord, a, "a"), HULL_WIT_F(BenchRecord, b, "b"),
                HULL_WIT_F(BenchRecord, c, "c"), HULL_WIT_F(BenchRecord, d, "d"))

namespace {

template <class Sig>
cm::TypedFunc<Sig> typed(const Instantiated& fx, std::string_view name) {
  auto f = cm::typed_func<Sig>(fx.instance, std::string(kInterface) + "#" + std::string(name));
  if (!f) die("typed_func", f.error().to_string());
  return *f;
}

void BM_Component_Add_Typed(benchmark::State& state) {
  Instantiated fx;
  auto add = typed<uint32_t(uint32_t, uint32_t)>(fx, "add");
  for (auto _ : state) {
    auto r = add.call(40, 2);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = add.call(40, 2);
  if (!r || *r != 42) die("add", "wrong result");
}
BENCHMARK(BM_Component_Add_Typed);

void BM_Component_SumRecord_Typed(benchmark::State& state) {
  Instantiated fx;
  auto sum = typed<double(BenchRecord)>(fx, "sum");
  const BenchRecord rec{1, 2, 3, 0.5};
  for (auto _ : state) {
    auto r = sum.call(rec);
    if (!r) die("sum", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = sum.call(rec);
  if (!r || *r != 6.5) die("sum", "wrong result");
}
BENCHMARK(BM_Component_SumRecord_Typed);

void BM_Component_Echo_Typed(benchmark::State& state) {
  Instantiated fx;
  auto echo = typed<std::string(std::string_view)>(fx, "echo");
  std::string s(static_cast<size_t>(state.range(0)), 'x');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
  for (auto _ : state) {
    auto r = echo.call(s);
    if (!r) die("echo", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
  auto r = echo.call(s);
  if (!r || *r != s) die("echo", "wrong result");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Component_Echo_Typed)->Arg(8)->Arg(1024)->Arg(64 * 1024);

// ---- core baseline: the same add in a plain core module through hull::api ----------------------

constexpr std::string_view kCoreWat = R"((module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))))";

struct CoreFixture {
  api::Store store{Shared::get().engine};
  std::optional<api::Instance> instance;
  CoreFixture() {
    auto m = api::Module::from_wat(Shared::get().engine, kCoreWat);
    if (!m) die("Module::from_wat", m.error().to_string());
    api::Linker linker;
    auto i = linker.instantiate(store, *m);
    if (!i) die("Linker::instantiate", i.error().to_string());
    instance = std::move(*i);
  }
};

void BM_Core_Add_Typed(benchmark::State& state) {
  CoreFixture fx;
  auto add = fx.instance->typed_func<int32_t(int32_t, int32_t)>("add");
  if (!add) die("typed_func", add.error().to_string());
  for (auto _ : state) {
    auto r = (*add)(40, 2);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Core_Add_Typed);

// Dynamic core call, caller-provided results span (no allocation).
void BM_Core_Add_Dynamic(benchmark::State& state) {
  CoreFixture fx;
  auto add = fx.instance->get_func("add");
  if (!add) die("get_func", "add");
  const std::array<api::Val, 2> args{api::Val(int32_t{40}), api::Val(int32_t{2})};
  std::array<api::Val, 1> results{};
  for (auto _ : state) {
    auto r = add->call(args, results);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(results);
  }
}
BENCHMARK(BM_Core_Add_Dynamic);

// Dynamic core call returning std::vector<Val>: the same shape as the component call's result.
void BM_Core_Add_DynamicVector(benchmark::State& state) {
  CoreFixture fx;
  auto add = fx.instance->get_func("add");
  if (!add) die("get_func", "add");
  const std::array<api::Val, 2> args{api::Val(int32_t{40}), api::Val(int32_t{2})};
  for (auto _ : state) {
    auto r = add->call(args);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Core_Add_DynamicVector);

// ---- compile and instantiate -------------------------------------------------------------------

void BM_Component_Compile(benchmark::State& state) {
  const auto& engine = Shared::get().engine;
  const auto& bytes = component_bytes();
  for (auto _ : state) {
    auto c = cm::Component::compile(engine, bytes);
    if (!c) die("Component::compile", c.error().to_string());
    benchmark::DoNotOptimize(c);
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_Component_Compile)->Unit(benchmark::kMicrosecond);

// A fresh Store, created and destroyed: the part of the instantiate rows that is not the
// component's.
void BM_Store_CreateDestroy(benchmark::State& state) {
  const auto& engine = Shared::get().engine;
  for (auto _ : state) {
    api::Store store(engine);
    benchmark::DoNotOptimize(store);
  }
}
BENCHMARK(BM_Store_CreateDestroy)->Unit(benchmark::kMicrosecond);

// Store + InstancePre::instantiate + destroying both: one core instance with one page of memory,
// three lifted functions, no imports.
void BM_InstancePre_Instantiate(benchmark::State& state) {
  Shared& s = Shared::get();
  for (auto _ : state) {
    api::Store store(s.engine);
    auto i = s.pre.instantiate(store);
    if (!i) die("InstancePre::instantiate", i.error().to_string());
    benchmark::DoNotOptimize(i);
  }
}
BENCHMARK(BM_InstancePre_Instantiate)->Unit(benchmark::kMicrosecond);

// The same through Linker::instantiate (resolves the imports, of which there are none, each time).
void BM_Linker_Instantiate(benchmark::State& state) {
  Shared& s = Shared::get();
  for (auto _ : state) {
    api::Store store(s.engine);
    auto i = s.linker.instantiate(store, s.component);
    if (!i) die("Linker::instantiate", i.error().to_string());
    benchmark::DoNotOptimize(i);
  }
}
BENCHMARK(BM_Linker_Instantiate)->Unit(benchmark::kMicrosecond);

// Instantiate + the first call of add: what a per-request instance costs before any work.
void BM_InstancePre_InstantiateAndCall(benchmark::State& state) {
  Shared& s = Shared::get();
  const std::array<cm::Val, 2> args{cm::Val::u32(40), cm::Val::u32(2)};
  for (auto _ : state) {
    api::Store store(s.engine);
    auto i = s.pre.instantiate(store);
    if (!i) die("InstancePre::instantiate", i.error().to_string());
    auto add = i->get_func("local:bench/calls#add");
    if (!add) die("get_func", "add");
    auto r = add->call(args);
    if (!r) die("add", r.error().to_string());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_InstancePre_InstantiateAndCall)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    constexpr std::string_view kWrite = "--write-component=";
    std::string_view a = argv[i];
    if (a.substr(0, kWrite.size()) == kWrite) {
      std::string path(a.substr(kWrite.size()));
      const auto& bytes = component_bytes();
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      if (!out) die("cannot write", path);
      return 0;
    }
    rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
