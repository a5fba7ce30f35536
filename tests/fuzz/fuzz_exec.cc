// libFuzzer target: compile, instantiate against the spectest host module and call every
// exported function with zero arguments. Traps are fine; crashes, sanitizer reports and
// escapes from the sandbox are not.
//
// Until fuel lands in `hull run`/this target, a module must finish on its own: we reject any
// module whose code contains the byte 0x03 (the `loop` opcode) anywhere in a function body.
// That over-approximates (immediates may contain 0x03) but guarantees no loops; recursion is
// still allowed (it ends in "call stack exhausted"). Exponential call trees can still be slow:
// libFuzzer's -timeout reports those as timeouts, not crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "engine/engine.h"

namespace {

bool has_loop_byte(const hull::ModuleDesc& m) {
  for (const auto& b : m.bodies) {
    for (uint64_t i = b.code.begin; i < b.code.end && i < m.bytes.size(); ++i) {
      if (m.bytes[i] == 0x03) return true;
    }
  }
  return false;
}

bool is_numeric(const hull::ValType& t) {
  return t == hull::ValType::i32() || t == hull::ValType::i64() || t == hull::ValType::f32() ||
         t == hull::ValType::f64() || t == hull::ValType::v128();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto mod = hull::compile(std::span<const uint8_t>(data, size));
  if (!mod.ok()) return 0;
  if (has_loop_byte((*mod)->desc)) return 0;
  hull::Store store;
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
    auto r = hull::invoke(store, ext.func, args);
    if (!r.ok()) std::abort();  // arguments were built from the function's own type
  }
  return 0;
}
