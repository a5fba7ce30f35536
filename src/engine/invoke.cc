// Host-side calls into wasm (typed values <-> slots) and host function creation.
#include "engine/invoke.h"

#include <algorithm>
#include <array>

#include "interp/interp.h"
#include "runtime/type_registry.h"

namespace hull {

uint32_t slot_count(const std::vector<ValType>& types) {
  uint32_t n = 0;
  for (const ValType& t : types) n += t.slots();
  return n;
}

Result<InvokeResult> invoke(Store& store, Function* f, std::span<const Val> args) {
  if (!f || !f->type) return Error::make(ErrorKind::Usage, "invoke: null function");
  const FuncType& ft = *f->type;
  if (args.size() != ft.params.size()) {
    return Error::make(ErrorKind::Usage, "invoke: expected " + std::to_string(ft.params.size()) +
                                             " arguments, got " + std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type.kind != ft.params[i].kind) {
      return Error::make(ErrorKind::Usage, "invoke: argument " + std::to_string(i) + " has type " +
                                               to_string(args[i].type) + ", expected " +
                                               to_string(ft.params[i]));
    }
  }
  const uint32_t in = slot_count(ft.params);
  const uint32_t out = slot_count(ft.results);
  const uint32_t n = std::max<uint32_t>({in, out, 1});
  // Most signatures fit on the stack; avoid a heap allocation per call.
  std::array<uint64_t, 32> small;
  std::vector<uint64_t> big;
  uint64_t* slots = small.data();
  if (n > small.size()) {
    big.resize(n);
    slots = big.data();
  }
  uint64_t* p = slots;
  for (const Val& a : args) {
    a.store_slots(p);
    p += a.type.slots();
  }
  InvokeResult r;
  r.trap = interp::call(store, f, slots);
  if (r.trap) return r;
  r.values.reserve(ft.results.size());
  p = slots;
  for (const ValType& t : ft.results) {
    r.values.push_back(Val::load_slots(t, p));
    p += t.slots();
  }
  return r;
}

Function* create_host_function(Store& store, const FuncType& type, HostCallback callback,
                               void* env) {
  return create_host_function(store, canonicalize_func_type(type), callback, env);
}

Function* create_host_function(Store& store, uint32_t type_id, HostCallback callback, void* env) {
  Function& f = store.funcs.emplace_back();
  f.type_id = type_id;
  // The registry's copy lives forever: host functions need no type of their own.
  f.type = &type_by_id(type_id).func;
  f.host = callback;
  f.host_env = env;
  return &f;
}

}  // namespace hull
