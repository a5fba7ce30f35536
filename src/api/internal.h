// Shared internals of the C++ API: the Engine/Store implementation structs and conversions
// between the public types (hull::api) and the engine's (hull).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "hull/hull.hh"
#include "runtime/store.h"

namespace hull::api::detail {

struct EngineImpl {
  Config config;
};

// Per host-function-per-store state: the definition plus where its Caller comes from.
struct HostEnv {
  HostFuncDef def;
  void* state = nullptr;  // def.state, or the caller's for make_func_unowned
  StoreImpl* store = nullptr;
  hull::Instance* bound = nullptr;  // the instance that imported it (Caller fallback)
  bool ref_results = false;         // results to check with check_ref before wasm sees them
  uint32_t type_id = 0;             // the function's canonical type
};

// Stable storage for objects that others point at (never moved once made): chunks reserved to
// a size that doubles, filled in place. A component instance makes tens of host functions per
// instantiation; a std::deque of HostEnv allocates a node every four and a map up front in
// every store, this one nothing until the first and then a chunk of 32 at a time.
template <class T>
class StableList {
 public:
  T& emplace_back() {
    if (chunks_.empty() || chunks_.back().size() == chunks_.back().capacity()) {
      std::vector<T> next;
      next.reserve(chunks_.empty() ? 32 : chunks_.back().capacity() * 2);
      chunks_.push_back(std::move(next));  // moves the chunk, not its elements
    }
    return chunks_.back().emplace_back();
  }

 private:
  std::vector<std::vector<T>> chunks_;
};

struct StoreImpl {
  std::shared_ptr<EngineImpl> engine;
  hull::Store store;
  api::Store* owner = nullptr;  // the public handle (for Caller::store())
  void* data = nullptr;
  StableList<HostEnv> host_envs;
  StoreLimits limits;
  // Index in store.instances of the instance being instantiated (its start function may call
  // host functions before Linker::instantiate returns), or SIZE_MAX.
  size_t pending_instance = SIZE_MAX;
  // Host-call accounting (Store::stats): calls, nesting depth, time in the outermost ones.
  uint64_t host_calls = 0;
  uint32_t host_depth = 0;
  bool time_host_calls = false;
  uint64_t host_call_ticks = 0;  // base/tick_clock.h ticks
  // WASI preview 1 state when Linker::define_wasi was used (type-erased: api/wasi.cc).
  std::shared_ptr<void> wasi_ctx;
  hull::Instance** wasi_instance = nullptr;  // bound to the first instance linked after it
  const std::optional<uint32_t>* wasi_exit = nullptr;
  // WasiConfig::threads: the program's wasi::ThreadGroup (type-erased: api/wasi.cc).
  std::shared_ptr<void> wasi_threads;
  // Objects that live as long as the store (component instances' runtime state); last, so
  // they are destroyed first.
  std::vector<std::shared_ptr<void>> attachments;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> slots;  // few: a linear scan
  // Expires with the store: OwnedRef handles outliving it then do nothing.
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

// Why reference word `r` cannot be a value of canonical type `t` in store `st` ("is null, but
// the type is (ref $t)", "is not a reference of this store", ...), or nullopt when it can.
// Every reference the host hands to wasm is checked: a wrong one would break the guest's
// type safety (a struct.get on an i31, a call_ref of a function of another type).
std::optional<std::string> check_ref(const hull::Store& st, const hull::ValType& t, RefBits r);

// The exit code that ended a WasiConfig::threads program (api/wasi.cc), if one did.
std::optional<uint32_t> wasi_threads_exit_code(const StoreImpl* s);

// ---- conversions ----
api::ValType to_api(const hull::ValType& t, const ModuleDesc* module);  // module: null = canonical
hull::ValType to_internal(api::ValType t);
api::FuncType to_api(const hull::FuncType& t, const ModuleDesc* module);
hull::FuncType to_internal(const api::FuncType& t);
api::Limits to_api(const hull::Limits& l);
hull::Limits to_internal(const api::Limits& l);
api::Error to_api(const hull::Error& e);
hull::FeatureSet to_internal(const api::Features& f);
api::Features to_api(const hull::FeatureSet& f);
// Traps carrying a wasm exception convert only with the store (its heap holds the exception).
api::Trap to_api(const hull::Trap& t, StoreImpl* s = nullptr);
hull::Trap to_internal(const api::Trap& t, StoreImpl* s = nullptr);
hull::Val to_internal(const api::Val& v);
api::Val to_api(const hull::Val& v, const ModuleDesc* module);
api::Extern to_api(StoreImpl* s, const hull::Extern& e);
hull::Extern to_internal(const api::Extern& e);
StoreImpl* store_of(const api::Extern& e);
// The module a function's type indices refer to (null for host functions: canonical ids).
const ModuleDesc* module_of(const hull::Function* f);

// Creates a host function in `s` for `def` (its env lives in s->host_envs).
hull::Function* create_host(StoreImpl* s, HostFuncDef def, HostEnv** env_out = nullptr);

}  // namespace hull::api::detail
