// The C API's object layouts (the opaque structs of wasm.h) and shared helpers.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/internal.h"
#include "engine/module.h"
#include "hull.h"
#include "hull/hull.hh"
#include "runtime/store.h"
#include "wasm.h"

namespace hull::wasi {
struct Preview1Ctx;
}

struct wasm_config_t {
  hull::StoreLimits limits;
  hull::CompileOptions compile;  // fuel / epoch check points
};

struct wasm_engine_t {
  hull::StoreLimits limits;      // default limits of its stores
  hull::CompileOptions compile;  // how modules of its stores are compiled
  // The same settings as a C++ API engine: components (hull_component.h) are compiled and
  // instantiated through the C++ component API, which takes an api::Engine.
  hull::api::Engine api;
};

// ---- types ----
struct wasm_valtype_t {
  wasm_valkind_t kind;
};
struct wasm_externtype_t {
  wasm_externkind_t kind;
};
struct wasm_functype_t : wasm_externtype_t {
  wasm_valtype_vec_t params;
  wasm_valtype_vec_t results;
};
struct wasm_globaltype_t : wasm_externtype_t {
  wasm_valtype_t* content;
  wasm_mutability_t mutability;
};
struct wasm_tabletype_t : wasm_externtype_t {
  wasm_valtype_t* element;
  wasm_limits_t limits;
};
struct wasm_memorytype_t : wasm_externtype_t {
  wasm_limits_t limits;
};
struct wasm_importtype_t {
  wasm_name_t module;
  wasm_name_t name;
  wasm_externtype_t* type;
};
struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t* type;
};

// ---- references ----
// Any: a reference of wasm's own (struct, array, i31, exception, or an externref the C++ API
// made): `obj` is the reference word, rooted in the store while the handle exists.
enum class RefKind : uint8_t { Func, Global, Table, Memory, Instance, Foreign, Trap, Module, Any };

// Every reference handle: a kind and the store object it designates. Handles are
// heap-allocated and owned by the user; the objects are owned by the store.
struct wasm_ref_t {
  RefKind kind;
  wasm_store_t* store;
  void* obj;
  bool pinned = false;  // Any: obj is pinned in the store's GC heap (unpinned on delete)
};
struct wasm_extern_t : wasm_ref_t {};
struct wasm_func_t : wasm_extern_t {};
struct wasm_global_t : wasm_extern_t {};
struct wasm_table_t : wasm_extern_t {};
struct wasm_memory_t : wasm_extern_t {};
struct wasm_instance_t : wasm_ref_t {};
struct wasm_foreign_t : wasm_ref_t {};

struct TrapData {
  std::string message;  // without the NUL
  std::vector<hull::TrapFrame> frames;
  std::optional<int> wasi_exit;  // set when the trap is a WASI proc_exit
};
struct wasm_trap_t : wasm_ref_t {
  std::shared_ptr<TrapData> data;
};
struct wasm_module_t : wasm_ref_t {
  std::shared_ptr<const hull::CompiledModule> module;
};
struct wasm_shared_module_t {
  std::shared_ptr<const hull::CompiledModule> module;
};

struct wasm_frame_t {
  uint32_t func_index;
  size_t func_offset;
  size_t module_offset;
  wasm_instance_t* instance;  // owned by the frame; NULL when unknown
};

// A host function's environment (owned by its store).
struct CHostEnv {
  wasm_store_t* store;
  wasm_func_callback_t cb;
  wasm_func_callback_with_env_t cb_env;
  void* env;
  std::vector<wasm_valkind_t> params, results;
};

// A C reference stored inside wasm as an externref: the ExternObject's host_value points to
// one of these, which remembers what the C side passed in. Freed by the ExternObject's
// finalizer (release_ref_record) when the collector frees it; `store` is cleared when the
// store goes first.
struct RefRecord {
  RefKind kind;
  void* obj;
  wasm_store_t* store;
};

struct HostInfo {
  void* info = nullptr;
  void (*finalizer)(void*) = nullptr;
};

struct wasm_store_t {
  explicit wasm_store_t(const hull::api::Engine& engine) : api(engine), store(api.impl()->store) {}
  // The engine store is the one inside a C++ API Store, so that component instances (made by
  // the C++ component API, which takes an api::Store) share it with the C API's modules: the
  // same limits, fuel, deadline and lifetime. Declared first: destroyed last.
  hull::api::Store api;
  hull::Store& store;
  hull::CompileOptions compile;  // from the engine
  std::deque<CHostEnv> host_envs;
  std::deque<char> foreigns;                                // identity storage for wasm_foreign_new
  // obj -> its ExternObject while one is alive: one per C object keeps identity in wasm.
  std::unordered_map<const void*, uintptr_t> externref_of;
  std::unordered_map<const void*, HostInfo> host_info;
  std::vector<std::pair<void (*)(void*), void*>> finalizers;   // func env finalizers
  std::vector<std::shared_ptr<hull::wasi::Preview1Ctx>> wasi;  // from hull_wasi_imports
  ~wasm_store_t();
};

namespace hull::capi {

// A root scope around one C API operation (a call, a global or table write): the externref
// wrappers it makes or finds are rooted until the value lands where wasm keeps it (a frame, a
// global, a table), then released, so unreachable wrappers stay collectable.
struct RootScope {
  explicit RootScope(wasm_store_t* s)
      : roots(s->store.host_roots), depth(s->store.host_roots.size()) {}
  RootScope(const RootScope&) = delete;
  RootScope& operator=(const RootScope&) = delete;
  ~RootScope() {
    if (roots.size() > depth) roots.resize(depth);
  }
  std::vector<RefBits>& roots;
  size_t depth;
};

wasm_ref_t* new_ref(RefKind kind, wasm_store_t* s, void* obj);
template <class T>
T* new_handle(RefKind kind, wasm_store_t* s, void* obj) {
  return static_cast<T*>(new_ref(kind, s, obj));
}
wasm_trap_t* new_trap(wasm_store_t* s, std::string message, std::vector<TrapFrame> frames = {});

// `module`: the module whose type indices `t` uses (a concrete type is a funcref only if it is
// a function type); nullptr: canonical type ids (runtime objects: functions, globals, tables).
wasm_valkind_t to_c(const ValType& t, const ModuleDesc* module = nullptr);
ValType from_c(wasm_valkind_t k);
wasm_functype_t* to_c(const FuncType& t, const ModuleDesc* module = nullptr);
wasm_externtype_t* import_type_c(const ModuleDesc& d, const Import& imp);
wasm_externtype_t* export_type_c(const ModuleDesc& d, const Export& e);
wasm_limits_t to_c(const Limits& l);
Limits from_c(const wasm_limits_t& l);
wasm_valtype_t* new_valtype(wasm_valkind_t k);

// The exit code of a WASI proc_exit that just unwound the store's guest, if any (taking it, so
// the next exit is reported afresh). Defined in capi/wasi.cc.
std::optional<int> take_wasi_exit(wasm_store_t* s);
// The store object's limit on the interpreter stack, clamped to what the interpreter can
// allocate: [8 KiB, 1 GiB].
uint64_t clamp_wasm_stack(uint64_t bytes);

// Values: slot <-> wasm_val_t (refs become new owned handles / are looked up).
void val_to_c(wasm_store_t* s, wasm_valkind_t kind, const uint64_t* slot, wasm_val_t* out);
bool val_from_c(wasm_store_t* s, const wasm_val_t& v, uint64_t* slot);
uintptr_t ref_from_c(wasm_store_t* s, const wasm_ref_t* r, bool funcref);
wasm_ref_t* ref_to_c(wasm_store_t* s, uintptr_t bits, bool funcref);

}  // namespace hull::capi
