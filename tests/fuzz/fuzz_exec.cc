// libFuzzer target: compile with fuel metering, instantiate against the spectest host module
// and call every exported function with zero arguments. Traps are fine; crashes, sanitizer
// reports and escapes from the sandbox are not.
//
// Every call (and the start function) runs on a fresh fuel budget, so loops and deep call
// trees end with "all fuel consumed" instead of hanging the fuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "engine/engine.h"

namespace {

// Enough for real work in a call, small enough that a runaway loop ends in milliseconds.
constexpr uint64_t kFuelPerCall = 200000;

bool is_numeric(const hull::ValType& t) {
  return t == hull::ValType::i32() || t == hull::ValType::i64() || t == hull::ValType::f32() ||
         t == hull::ValType::f64() || t == hull::ValType::v128();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hull::CompileOptions options;
  options.fuel = true;
  auto mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!mod.ok()) return 0;
  hull::Store store;
  store.set_fuel(kFuelPerCall);
  hull::Linker linker;
  hull::define_spectest(linker, store);
  auto inst = linker.instantiate(store, *mod);
  if (!inst.ok()) {
    if (inst.error().message.empty()) std::abort();
    return 0;
  }
  for (const auto& [name, ext] : (*inst)->exports) {
    if (ext.kind != hull::ExternKind::Func || ext.func == nullptr) continue;
    std::vector<hull::Val> args;
    bool callable = true;
    for (const auto& p : ext.func->type->params) {
      // Only numeric parameters get a zero argument: a zero reference may not be a valid
      // value of a non-nullable reference type.
      if (!is_numeric(p)) { callable = false; break; }
      hull::Val v;
      v.type = p;
      args.push_back(v);
    }
    if (!callable) continue;
    store.set_fuel(kFuelPerCall);
    auto r = hull::invoke(store, ext.func, args);
    if (!r.ok()) std::abort();  // arguments were built from the function's own type
  }
  return 0;
}
