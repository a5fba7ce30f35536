// Per-call overhead of Hull's embedding APIs (C++ hull/hull.hh and C wasm.h), host->guest and
// guest->host, beside the engine-level paths (hull::invoke, interp::call) they sit on.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "hull.h"
#include "hull/hull.hh"
#include "interp/interp.h"
#include "wasm.h"

namespace api = hull::api;

namespace {

// Every benchmark uses this module. Export order matters for the C API (wasm_instance_exports
// lists exports in module order): empty, add, call_host, call_guest.
constexpr std::string_view kWat = R"((module
  (import "env" "f" (func $f))
  (func $empty (export "empty"))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  ;; Calls the empty import n times (n > 0).
  (func (export "call_host") (param $n i32)
    (loop $l
      (call $f)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; The same loop calling an empty wasm function: the baseline of a call in the loop.
  (func (export "call_guest") (param $n i32)
    (loop $l
      (call $empty)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
)";

// Calls made by one iteration of the guest->host loops; the per-call time is
// 1e9 / items_per_second.
constexpr int32_t kLoopCalls = 1 << 20;

[[noreturn]] void die(const char* what, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", what, why.c_str());
  std::abort();
}

std::vector<uint8_t> wasm_bytes() {
  wasm_byte_vec_t out;
  wasm_message_t err;
  if (!hull_wat2wasm(kWat.data(), kWat.size(), &out, &err)) {
    die("wat2wasm", std::string(err.data, err.size));
  }
  std::vector<uint8_t> bytes(reinterpret_cast<const uint8_t*>(out.data),
                             reinterpret_cast<const uint8_t*>(out.data) + out.size);
  wasm_byte_vec_delete(&out);
  return bytes;
}

// ---- C++ API (hull::api) ----------------------------------------------------------------------

struct CppFixture {
  api::Engine engine;
  api::Store store{engine};
  std::optional<api::Instance> inst;

  CppFixture() {
    auto mod = api::Module::from_wat(engine, kWat);
    if (!mod) die("from_wat", mod.error().to_string());
    api::Linker linker;
    // A typed host lambda with no parameters, results or Caller.
    linker.func("env", "f", [] {});
    auto i = linker.instantiate(store, *mod);
    if (!i) die("instantiate", i.error().to_string());
    inst = std::move(*i);
  }
  template <class Sig>
  api::TypedFunc<Sig> typed(std::string_view name) {
    auto f = inst->typed_func<Sig>(name);
    if (!f) die("typed_func", f.error().to_string());
    return *f;
  }
};

// Typed call of `() -> ()`: the lowest-overhead public C++ path.
void BM_Cpp_Typed_Empty(benchmark::State& state) {
  CppFixture fx;
  auto f = fx.typed<void()>("empty");
  for (auto _ : state) {
    auto r = f();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Cpp_Typed_Empty);

// Typed call of `add(i32, i32) -> i32`.
void BM_Cpp_Typed_Add(benchmark::State& state) {
  CppFixture fx;
  auto f = fx.typed<int32_t(int32_t, int32_t)>("add");
  int32_t a = 1;
  for (auto _ : state) {
    auto r = f(a, 2);
    if (!r) state.SkipWithError("add failed");
    a = *r & 0xffff;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Cpp_Typed_Add);

// Dynamic call of `() -> ()` with Val spans (no allocation: caller-provided results span).
void BM_Cpp_Dynamic_Empty(benchmark::State& state) {
  CppFixture fx;
  auto f = fx.inst->get_func("empty");
  if (!f) die("get_func", "empty");
  for (auto _ : state) {
    auto r = f->call(std::span<const api::Val>(), std::span<api::Val>());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Cpp_Dynamic_Empty);

// Dynamic call of `add` with Val spans (args span in, results span out).
void BM_Cpp_Dynamic_Add(benchmark::State& state) {
  CppFixture fx;
  auto f = fx.inst->get_func("add");
  if (!f) die("get_func", "add");
  std::array<api::Val, 2> args{api::Val(int32_t{1}), api::Val(int32_t{2})};
  std::array<api::Val, 1> results{};
  for (auto _ : state) {
    auto r = f->call(args, results);
    if (!r) state.SkipWithError("add failed");
    benchmark::DoNotOptimize(results);
  }
}
BENCHMARK(BM_Cpp_Dynamic_Add);

// Dynamic call of `add` returning a std::vector<Val> (the convenience overload).
void BM_Cpp_Dynamic_Add_Vector(benchmark::State& state) {
  CppFixture fx;
  auto f = fx.inst->get_func("add");
  if (!f) die("get_func", "add");
  for (auto _ : state) {
    auto r = f->call({api::Val(int32_t{1}), api::Val(int32_t{2})});
    if (!r) state.SkipWithError("add failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Cpp_Dynamic_Add_Vector);

// Guest->host: the wasm loop calls the typed host lambda kLoopCalls times per iteration.
void cpp_loop(benchmark::State& state, std::string_view name) {
  CppFixture fx;
  auto f = fx.typed<void(int32_t)>(name);
  for (auto _ : state) {
    auto r = f(kLoopCalls);
    if (!r) state.SkipWithError("loop trapped");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kLoopCalls);
}
void BM_Cpp_GuestToHost(benchmark::State& state) { cpp_loop(state, "call_host"); }
void BM_Cpp_GuestToGuest(benchmark::State& state) { cpp_loop(state, "call_guest"); }
BENCHMARK(BM_Cpp_GuestToHost)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Cpp_GuestToGuest)->Unit(benchmark::kMillisecond);

// ---- C API (wasm.h) ---------------------------------------------------------------------------

wasm_trap_t* c_empty_host(const wasm_val_vec_t*, wasm_val_vec_t*) { return nullptr; }

struct CFixture {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = nullptr;
  wasm_func_t* host = nullptr;
  wasm_instance_t* instance = nullptr;
  wasm_extern_vec_t exports{0, nullptr};

  CFixture() {
    std::vector<uint8_t> bytes = wasm_bytes();
    wasm_byte_vec_t bin;
    wasm_byte_vec_new(&bin, bytes.size(), reinterpret_cast<const wasm_byte_t*>(bytes.data()));
    module = wasm_module_new(store, &bin);
    wasm_byte_vec_delete(&bin);
    if (!module) die("wasm_module_new", "failed");
    wasm_functype_t* ty = wasm_functype_new_0_0();
    host = wasm_func_new(store, ty, c_empty_host);
    wasm_functype_delete(ty);
    wasm_extern_t* imps[1] = {wasm_func_as_extern(host)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imps);
    wasm_trap_t* trap = nullptr;
    instance = wasm_instance_new(store, module, &imports, &trap);
    if (!instance) die("wasm_instance_new", "failed");
    wasm_instance_exports(instance, &exports);
    if (exports.size != 4) die("wasm_instance_exports", "expected 4 exports");
  }
  ~CFixture() {
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(host);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  const wasm_func_t* func(size_t i) const { return wasm_extern_as_func_const(exports.data[i]); }
};

// wasm_func_call of `() -> ()`.
void BM_C_Call_Empty(benchmark::State& state) {
  CFixture fx;
  const wasm_func_t* f = fx.func(0);
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  for (auto _ : state) {
    wasm_trap_t* trap = wasm_func_call(f, &args, &results);
    if (trap) state.SkipWithError("trapped");
    benchmark::DoNotOptimize(trap);
  }
}
BENCHMARK(BM_C_Call_Empty);

// wasm_func_call of `add(i32, i32) -> i32` with caller-owned arrays.
void BM_C_Call_Add(benchmark::State& state) {
  CFixture fx;
  const wasm_func_t* f = fx.func(1);
  wasm_val_t a[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a);
  wasm_val_vec_t results = WASM_ARRAY_VEC(r);
  for (auto _ : state) {
    wasm_trap_t* trap = wasm_func_call(f, &args, &results);
    if (trap) state.SkipWithError("trapped");
    benchmark::DoNotOptimize(r[0].of.i32);
  }
}
BENCHMARK(BM_C_Call_Add);

// Guest->host through a wasm_func_callback_t, kLoopCalls calls per iteration.
void c_loop(benchmark::State& state, size_t export_index) {
  CFixture fx;
  const wasm_func_t* f = fx.func(export_index);
  wasm_val_t a[1] = {WASM_I32_VAL(kLoopCalls)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  for (auto _ : state) {
    wasm_trap_t* trap = wasm_func_call(f, &args, &results);
    if (trap) state.SkipWithError("loop trapped");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kLoopCalls);
}
void BM_C_GuestToHost(benchmark::State& state) { c_loop(state, 2); }
BENCHMARK(BM_C_GuestToHost)->Unit(benchmark::kMillisecond);

// ---- engine level, for reference --------------------------------------------------------------

std::optional<hull::Trap> engine_empty_host(void*, hull::Store&, uint64_t*) {
  return std::nullopt;
}

struct EngineFixture {
  hull::Store store;
  hull::Function* empty = nullptr;
  hull::Function* call_host = nullptr;

  EngineFixture() {
    auto mod = hull::compile(wasm_bytes());
    if (!mod) die("compile", mod.error().to_string());
    hull::Linker linker;
    hull::Function* f =
        hull::create_host_function(store, hull::FuncType{{}, {}}, engine_empty_host, nullptr);
    linker.define("env", "f", hull::Extern::of(f));
    auto inst = linker.instantiate(store, *mod);
    if (!inst) die("instantiate", inst.error().to_string());
    empty = (*inst)->exports.at("empty").func;
    call_host = (*inst)->exports.at("call_host").func;
  }
};

void BM_Engine_Invoke_Empty(benchmark::State& state) {
  EngineFixture fx;
  for (auto _ : state) {
    auto r = hull::invoke(fx.store, fx.empty, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Engine_Invoke_Empty);

void BM_Engine_InterpCall_Empty(benchmark::State& state) {
  EngineFixture fx;
  uint64_t slots[1] = {0};
  for (auto _ : state) {
    auto trap = hull::interp::call(fx.store, fx.empty, slots);
    benchmark::DoNotOptimize(trap);
  }
}
BENCHMARK(BM_Engine_InterpCall_Empty);

void BM_Engine_GuestToHost(benchmark::State& state) {
  EngineFixture fx;
  for (auto _ : state) {
    uint64_t slots[1] = {static_cast<uint64_t>(kLoopCalls)};
    auto trap = hull::interp::call(fx.store, fx.call_host, slots);
    if (trap) state.SkipWithError("loop trapped");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kLoopCalls);
}
BENCHMARK(BM_Engine_GuestToHost)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
