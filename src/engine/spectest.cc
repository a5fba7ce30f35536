// The spectest host module: printing functions, constant globals, tables and memories.
#include "engine/spectest.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "engine/invoke.h"

namespace hull {

namespace {

// Host env of every print function: its parameter types and whether to print.
struct PrintEnv {
  std::vector<ValType> params;
  bool verbose = false;
};

std::optional<Trap> print_callback(void* env, Store&, uint64_t* slots) {
  const PrintEnv& pe = *static_cast<const PrintEnv*>(env);
  if (!pe.verbose) return std::nullopt;
  for (const ValType& t : pe.params) {
    Val v = Val::load_slots(t, slots);
    slots += t.slots();
    switch (t.kind) {
      case ValKind::I32: std::printf("%" PRId32 " : i32\n", static_cast<int32_t>(v.i32)); break;
      case ValKind::I64: std::printf("%" PRId64 " : i64\n", static_cast<int64_t>(v.i64)); break;
      case ValKind::F32: std::printf("%.9g : f32\n", static_cast<double>(v.f32)); break;
      case ValKind::F64: std::printf("%.17g : f64\n", v.f64); break;
      default: std::printf("? : %s\n", to_string(t).c_str()); break;
    }
  }
  if (pe.params.empty()) std::printf("\n");
  std::fflush(stdout);
  return std::nullopt;
}

}  // namespace

void define_spectest(Linker& linker, Store& store, bool verbose) {
  static const char* const kNames[] = {"print",     "print_i32",     "print_i64",    "print_f32",
                                       "print_f64", "print_i32_f32", "print_f64_f64"};
  // One immutable env per (function, verbosity), shared by every store: nothing to free.
  static const std::vector<PrintEnv>* const kEnvs = [] {
    const std::vector<ValType> params[] = {{},
                                           {ValType::i32()},
                                           {ValType::i64()},
                                           {ValType::f32()},
                                           {ValType::f64()},
                                           {ValType::i32(), ValType::f32()},
                                           {ValType::f64(), ValType::f64()}};
    auto* envs = new std::vector<PrintEnv>;
    for (bool v : {false, true}) {
      for (const auto& p : params) envs->push_back(PrintEnv{p, v});
    }
    return envs;
  }();
  constexpr size_t kCount = sizeof(kNames) / sizeof(kNames[0]);
  for (size_t i = 0; i < kCount; ++i) {
    const PrintEnv& env = (*kEnvs)[(verbose ? kCount : 0) + i];
    Function* f = create_host_function(store, FuncType{env.params, {}}, print_callback,
                                       const_cast<PrintEnv*>(&env));
    linker.define("spectest", kNames[i], Extern::of(f));
  }

  float f32 = 666.6f;
  double f64 = 666.6;
  uint32_t f32_bits;
  uint64_t f64_bits;
  std::memcpy(&f32_bits, &f32, 4);
  std::memcpy(&f64_bits, &f64, 8);
  linker.define("spectest", "global_i32",
                Extern::of(new_global(store, {ValType::i32(), false}, Val::from_i32(666))));
  linker.define("spectest", "global_i64",
                Extern::of(new_global(store, {ValType::i64(), false}, Val::from_i64(666))));
  linker.define("spectest", "global_f32",
                Extern::of(new_global(store, {ValType::f32(), false},
                                      Val::from_f32_bits(f32_bits))));
  linker.define("spectest", "global_f64",
                Extern::of(new_global(store, {ValType::f64(), false},
                                      Val::from_f64_bits(f64_bits))));

  TableType tt;
  tt.elem = ValType::funcref();
  tt.limits.min = 10;
  tt.limits.max = 20;
  if (auto t = new_table(store, tt, 0); t.ok()) linker.define("spectest", "table", Extern::of(*t));
  tt.limits.is64 = true;
  if (auto t = new_table(store, tt, 0); t.ok()) {
    linker.define("spectest", "table64", Extern::of(*t));
  }

  MemoryType mt;
  mt.limits.min = 1;
  mt.limits.max = 2;
  if (auto m = new_memory(store, mt); m.ok()) linker.define("spectest", "memory", Extern::of(*m));
  mt.limits.shared = true;  // the threads proposal's (memory 1 2 shared)
  if (auto m = new_memory(store, mt); m.ok()) {
    linker.define("spectest", "shared_memory", Extern::of(*m));
  }
}

}  // namespace hull
