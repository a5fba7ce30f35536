// C API: engine, store, references, values, traps, foreign objects, modules, functions,
// globals, tables, memories, externs and instances, plus the hull.h extensions.
#include <algorithm>
#include <array>
#include <cstring>

#include "api/internal.h"
#include "capi/internal.h"
#include "engine/instantiate.h"
#include "engine/invoke.h"
#include "hull/snapshot.hh"
#include "interp/interp.h"
#include "runtime/gc_heap.h"
#include "runtime/type_registry.h"
#include "text/wat.h"

using namespace hull::capi;
using hull::Extern;
using hull::ExternKind;

wasm_store_t::~wasm_store_t() {
  // The GC heap (inside `api`, destroyed after this body and the maps) finalizes the
  // ExternObjects still alive: their records must not reach back into this store.
  for (auto& [obj, bits] : externref_of)
    reinterpret_cast<RefRecord*>(reinterpret_cast<const hull::ExternObject*>(bits)->host_value)
        ->store = nullptr;
  for (auto& [obj, hi] : host_info) {
    if (hi.finalizer) hi.finalizer(hi.info);
  }
  for (auto& [fin, env] : finalizers) fin(env);
}

namespace hull::capi {

uint64_t clamp_wasm_stack(uint64_t bytes) {
  return std::clamp<uint64_t>(bytes, uint64_t(8) << 10, uint64_t(1) << 30);
}

wasm_ref_t* new_ref(RefKind kind, wasm_store_t* s, void* obj) {
  wasm_ref_t* r;
  switch (kind) {
    case RefKind::Func: r = new wasm_func_t; break;
    case RefKind::Global: r = new wasm_global_t; break;
    case RefKind::Table: r = new wasm_table_t; break;
    case RefKind::Memory: r = new wasm_memory_t; break;
    case RefKind::Instance: r = new wasm_instance_t; break;
    case RefKind::Foreign: r = new wasm_foreign_t; break;
    case RefKind::Trap: r = new wasm_trap_t; break;
    case RefKind::Module: r = new wasm_module_t; break;
    default: r = new wasm_ref_t; break;
  }
  r->kind = kind;
  r->store = s;
  r->obj = obj;
  return r;
}

wasm_trap_t* new_trap(wasm_store_t* s, std::string message, std::vector<TrapFrame> frames) {
  auto* t = static_cast<wasm_trap_t*>(new_ref(RefKind::Trap, s, nullptr));
  t->data = std::make_shared<TrapData>(TrapData{std::move(message), std::move(frames), {}});
  t->obj = t->data.get();
  return t;
}

// Handles are deleted through their dynamic kind (they were allocated as that type).
static void delete_ref(wasm_ref_t* r) {
  if (!r) return;
  if (r->pinned) r->store->store.gc.unpin(reinterpret_cast<hull::RefBits>(r->obj));
  switch (r->kind) {
    case RefKind::Trap: delete static_cast<wasm_trap_t*>(r); return;
    case RefKind::Module: delete static_cast<wasm_module_t*>(r); return;
    default: delete r; return;
  }
}

static wasm_ref_t* copy_ref(const wasm_ref_t* r) {
  if (!r) return nullptr;
  wasm_ref_t* c = new_ref(r->kind, r->store, r->obj);
  if (r->pinned) {
    r->store->store.gc.pin(reinterpret_cast<hull::RefBits>(r->obj));
    c->pinned = true;
  }
  if (r->kind == RefKind::Trap) {
    static_cast<wasm_trap_t*>(c)->data = static_cast<const wasm_trap_t*>(r)->data;
  } else if (r->kind == RefKind::Module) {
    static_cast<wasm_module_t*>(c)->module = static_cast<const wasm_module_t*>(r)->module;
  }
  return c;
}

void release_ref_record(uint64_t host_value) {
  auto* rec = reinterpret_cast<RefRecord*>(host_value);
  if (rec->store) rec->store->externref_of.erase(rec->obj);
  delete rec;
}

uintptr_t ref_from_c(wasm_store_t* s, const wasm_ref_t* r, bool funcref) {
  if (!r) return 0;
  if (funcref) return r->kind == RefKind::Func ? reinterpret_cast<uintptr_t>(r->obj) : 0;
  if (r->kind == RefKind::Any) return reinterpret_cast<uintptr_t>(r->obj);
  // An externref: one ExternObject per C object keeps identity across round trips.
  auto it = s->externref_of.find(r->obj);
  if (it != s->externref_of.end()) {
    // Rooted like a new wrapper: it may be garbage already, and the next conversion may collect.
    s->store.host_roots.push_back(it->second);
    return it->second;
  }
  auto* rec = new RefRecord{r->kind, r->obj, s};
  const uintptr_t bits =
      new_extern_ref(s->store, reinterpret_cast<uint64_t>(rec), &release_ref_record);
  s->externref_of.emplace(r->obj, bits);
  return bits;
}

wasm_ref_t* ref_to_c(wasm_store_t* s, uintptr_t bits, bool funcref) {
  if (!bits) return nullptr;
  if (funcref) return new_ref(RefKind::Func, s, reinterpret_cast<void*>(bits));
  const void* p = reinterpret_cast<const void*>(bits);
  if (!is_i31(bits) && s->store.gc.contains(p) && ref_object_kind(bits) == RefObjectKind::Host) {
    const auto* eo = static_cast<const ExternObject*>(p);
    if (eo->finalizer == &release_ref_record) {
      const auto* rec = reinterpret_cast<const RefRecord*>(eo->host_value);
      return new_ref(rec->kind, s, rec->obj);
    }
  }
  // A reference of wasm's own: the handle roots it until wasm_ref_delete.
  wasm_ref_t* r = new_ref(RefKind::Any, s, reinterpret_cast<void*>(bits));
  if (is_collectable_ref(s->store, bits)) {
    s->store.gc.pin(bits);
    r->pinned = true;
  }
  return r;
}

std::optional<std::string> check_ref(wasm_store_t* s, const ValType& canonical, uintptr_t bits) {
  return hull::api::detail::check_ref(s->store, canonical, bits);
}

void val_to_c(wasm_store_t* s, wasm_valkind_t kind, const uint64_t* slot, wasm_val_t* out) {
  out->kind = kind;
  switch (kind) {
    case WASM_I32: out->of.i32 = static_cast<int32_t>(static_cast<uint32_t>(*slot)); break;
    case WASM_I64: out->of.i64 = static_cast<int64_t>(*slot); break;
    case WASM_F32: {
      uint32_t b = static_cast<uint32_t>(*slot);
      std::memcpy(&out->of.f32, &b, 4);
      break;
    }
    case WASM_F64: std::memcpy(&out->of.f64, slot, 8); break;
    case WASM_FUNCREF: out->of.ref = ref_to_c(s, static_cast<uintptr_t>(*slot), true); break;
    default: out->of.ref = ref_to_c(s, static_cast<uintptr_t>(*slot), false); break;
  }
}

bool val_from_c(wasm_store_t* s, const wasm_val_t& v, uint64_t* slot) {
  switch (v.kind) {
    case WASM_I32: *slot = static_cast<uint32_t>(v.of.i32); return true;
    case WASM_I64: *slot = static_cast<uint64_t>(v.of.i64); return true;
    case WASM_F32: {
      uint32_t b;
      std::memcpy(&b, &v.of.f32, 4);
      *slot = b;
      return true;
    }
    case WASM_F64: std::memcpy(slot, &v.of.f64, 8); return true;
    case WASM_FUNCREF:
      if (v.of.ref && v.of.ref->kind != RefKind::Func) return false;
      *slot = ref_from_c(s, v.of.ref, true);
      return true;
    case WASM_EXTERNREF: *slot = ref_from_c(s, v.of.ref, false); return true;
    default: return false;
  }
}

}  // namespace hull::capi

namespace {

std::vector<wasm_valkind_t> kinds_of(const wasm_valtype_vec_t& v) {
  std::vector<wasm_valkind_t> out(v.size);
  for (size_t i = 0; i < v.size; ++i) out[i] = v.data[i]->kind;
  return out;
}

hull::FuncType functype_from_c(const wasm_functype_t* t) {
  hull::FuncType ft;
  for (size_t i = 0; i < t->params.size; ++i) ft.params.push_back(from_c(t->params.data[i]->kind));
  for (size_t i = 0; i < t->results.size; ++i) {
    ft.results.push_back(from_c(t->results.data[i]->kind));
  }
  return ft;
}

// The engine-facing side of every C host function.
std::optional<hull::Trap> c_host_trampoline(void* envp, hull::Store&, uint64_t* slots) {
  CHostEnv& env = *static_cast<CHostEnv*>(envp);
  RootScope scope(env.store);  // the callback is a root scope
  const size_t np = env.params.size(), nr = env.results.size();
  std::array<wasm_val_t, 8> small_a{}, small_r{};
  std::vector<wasm_val_t> big_a, big_r;
  wasm_val_t* a = np <= 8 ? small_a.data() : (big_a.resize(np), big_a.data());
  wasm_val_t* r = nr <= 8 ? small_r.data() : (big_r.resize(nr), big_r.data());
  for (size_t i = 0; i < np; ++i) val_to_c(env.store, env.params[i], &slots[i], &a[i]);
  for (size_t i = 0; i < nr; ++i) {
    r[i].kind = env.results[i];
    r[i].of.i64 = 0;
  }
  wasm_val_vec_t args{np, a};
  wasm_val_vec_t results{nr, r};
  wasm_trap_t* trap = env.cb ? env.cb(&args, &results) : env.cb_env(env.env, &args, &results);
  for (size_t i = 0; i < np; ++i) wasm_val_delete(&a[i]);
  std::optional<hull::Trap> out;
  if (trap) {
    hull::Trap t;
    t.kind = hull::TrapKind::Host;
    t.message = trap->data->message;
    wasm_trap_delete(trap);
    out = std::move(t);
  } else {
    for (size_t i = 0; i < nr; ++i) {
      if (r[i].kind != env.results[i] || !val_from_c(env.store, r[i], &slots[i]) ||
          check_ref(env.store, from_c(env.results[i]), static_cast<uintptr_t>(slots[i]))) {
        out = hull::Trap{hull::TrapKind::Host, "host function returned a value of the wrong type", {}};
        break;
      }
    }
  }
  for (size_t i = 0; i < nr; ++i) wasm_val_delete(&r[i]);
  return out;
}

hull::Extern extern_of(const wasm_extern_t* e) {
  switch (e->kind) {
    case RefKind::Func: return Extern::of(static_cast<hull::Function*>(e->obj));
    case RefKind::Global: return Extern::of(static_cast<hull::Global*>(e->obj));
    case RefKind::Table: return Extern::of(static_cast<hull::Table*>(e->obj));
    case RefKind::Memory: return Extern::of(static_cast<hull::Memory*>(e->obj));
    default: return Extern();
  }
}

wasm_extern_t* extern_to_c(wasm_store_t* s, const Extern& e) {
  switch (e.kind) {
    case ExternKind::Func: return new_handle<wasm_func_t>(RefKind::Func, s, e.func);
    case ExternKind::Global: return new_handle<wasm_global_t>(RefKind::Global, s, e.global);
    case ExternKind::Table: return new_handle<wasm_table_t>(RefKind::Table, s, e.table);
    case ExternKind::Memory: return new_handle<wasm_memory_t>(RefKind::Memory, s, e.memory);
    case ExternKind::Tag: break;
  }
  return nullptr;
}

void message_to_c(const std::string& msg, wasm_message_t* out) {
  wasm_byte_vec_new_uninitialized(out, msg.size() + 1);
  std::memcpy(out->data, msg.c_str(), msg.size() + 1);
}

hull::Function* func_of(const wasm_func_t* f) { return static_cast<hull::Function*>(f->obj); }
hull::Global* global_of(const wasm_global_t* g) { return static_cast<hull::Global*>(g->obj); }
hull::Table* table_of(const wasm_table_t* t) { return static_cast<hull::Table*>(t->obj); }
hull::Memory* memory_of(const wasm_memory_t* m) { return static_cast<hull::Memory*>(m->obj); }

wasm_trap_t* trap_from(wasm_store_t* s, const hull::Trap& t) {
  std::string msg = t.message.empty() ? hull::trap_kind_message(t.kind) : t.message;
  // Host traps keep the host's text; guest traps read like other engines' ("wasm trap: ...").
  wasm_trap_t* trap = new_trap(s, msg, t.backtrace);
  if (t.kind == hull::TrapKind::Host && !s->wasi.empty()) trap->data->wasi_exit = take_wasi_exit(s);
  return trap;
}

}  // namespace

extern "C" {

// ---- config / engine / store ----
wasm_config_t* wasm_config_new(void) { return new wasm_config_t; }
void wasm_config_delete(wasm_config_t* c) { delete c; }
wasm_engine_t* wasm_engine_new(void) { return new wasm_engine_t; }
wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* c) {
  auto* e = new wasm_engine_t;
  if (c) {
    e->limits = c->limits;
    e->compile = c->compile;
    // Mirror the settings in the C++ API engine the component API compiles with.
    hull::api::Config config;
    config.limits = hull::api::StoreLimits{c->limits.max_memory_bytes, c->limits.max_table_elements,
                                           c->limits.max_instances, c->limits.max_wasm_stack_bytes};
    config.consume_fuel = c->compile.fuel;
    config.epoch_interruption = c->compile.epochs;
    config.features = hull::api::detail::to_api(c->compile.features);
    if (auto api = hull::api::Engine::create(config)) e->api = *api;
  }
  delete c;
  return e;
}
void wasm_engine_delete(wasm_engine_t* e) { delete e; }
wasm_store_t* wasm_store_new(wasm_engine_t* e) {
  auto* s = new wasm_store_t(e ? e->api : hull::api::Engine());
  if (e) {
    s->store.limits = e->limits;
    s->compile = e->compile;
  }
  return s;
}
void wasm_store_delete(wasm_store_t* s) { delete s; }

// ---- values ----
void wasm_val_delete(wasm_val_t* v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    delete_ref(v->of.ref);
    v->of.ref = nullptr;
  }
}
void wasm_val_copy(wasm_val_t* out, const wasm_val_t* v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind)) out->of.ref = copy_ref(v->of.ref);
}

// ---- references ----
#define HULL_REF_BASE_IMPL(NAME, T)                                                          \
  void wasm_##NAME##_delete(T* r) { delete_ref(r); }                                         \
  T* wasm_##NAME##_copy(const T* r) { return static_cast<T*>(copy_ref(r)); }                 \
  bool wasm_##NAME##_same(const T* a, const T* b) {                                          \
    if (!a || !b) return a == b;                                                             \
    return a->obj == b->obj;                                                                 \
  }                                                                                          \
  void* wasm_##NAME##_get_host_info(const T* r) {                                            \
    auto it = r->store->host_info.find(r->obj);                                              \
    return it == r->store->host_info.end() ? nullptr : it->second.info;                      \
  }                                                                                          \
  void wasm_##NAME##_set_host_info(T* r, void* info) {                                       \
    wasm_##NAME##_set_host_info_with_finalizer(r, info, nullptr);                            \
  }                                                                                          \
  void wasm_##NAME##_set_host_info_with_finalizer(T* r, void* info, void (*fin)(void*)) {    \
    HostInfo& hi = r->store->host_info[r->obj];                                              \
    if (hi.finalizer && hi.info != info) hi.finalizer(hi.info);                              \
    hi.info = info;                                                                          \
    hi.finalizer = fin;                                                                      \
  }

#define HULL_REF_IMPL(NAME, T)                                                    \
  HULL_REF_BASE_IMPL(NAME, T)                                                     \
  wasm_ref_t* wasm_##NAME##_as_ref(T* r) { return r; }                            \
  const wasm_ref_t* wasm_##NAME##_as_ref_const(const T* r) { return r; }          \
  T* wasm_ref_as_##NAME(wasm_ref_t* r) {                                          \
    return r && hull_ref_is_##NAME(r->kind) ? static_cast<T*>(r) : nullptr;       \
  }                                                                               \
  const T* wasm_ref_as_##NAME##_const(const wasm_ref_t* r) {                      \
    return r && hull_ref_is_##NAME(r->kind) ? static_cast<const T*>(r) : nullptr; \
  }

// Downcasts check the handle's kind (NULL for another kind: a struct is not a func).
namespace {
bool hull_ref_is_trap(RefKind k) { return k == RefKind::Trap; }
bool hull_ref_is_foreign(RefKind k) { return k == RefKind::Foreign; }
bool hull_ref_is_module(RefKind k) { return k == RefKind::Module; }
bool hull_ref_is_func(RefKind k) { return k == RefKind::Func; }
bool hull_ref_is_global(RefKind k) { return k == RefKind::Global; }
bool hull_ref_is_table(RefKind k) { return k == RefKind::Table; }
bool hull_ref_is_memory(RefKind k) { return k == RefKind::Memory; }
bool hull_ref_is_extern(RefKind k) {
  return k == RefKind::Func || k == RefKind::Global || k == RefKind::Table || k == RefKind::Memory;
}
bool hull_ref_is_instance(RefKind k) { return k == RefKind::Instance; }
}  // namespace

HULL_REF_BASE_IMPL(ref, wasm_ref_t)
HULL_REF_IMPL(trap, wasm_trap_t)
HULL_REF_IMPL(foreign, wasm_foreign_t)
HULL_REF_IMPL(module, wasm_module_t)
HULL_REF_IMPL(func, wasm_func_t)
HULL_REF_IMPL(global, wasm_global_t)
HULL_REF_IMPL(table, wasm_table_t)
HULL_REF_IMPL(memory, wasm_memory_t)
HULL_REF_IMPL(extern, wasm_extern_t)
HULL_REF_IMPL(instance, wasm_instance_t)

// ---- traps ----
wasm_trap_t* wasm_trap_new(wasm_store_t* s, const wasm_message_t* msg) {
  std::string m;
  if (msg && msg->size) {
    m.assign(msg->data, msg->size);
    if (!m.empty() && m.back() == '\0') m.pop_back();
  }
  return new_trap(s, std::move(m));
}
void wasm_trap_message(const wasm_trap_t* t, wasm_message_t* out) {
  message_to_c(t->data->message, out);
}
static wasm_frame_t* frame_to_c(wasm_store_t* s, const hull::TrapFrame& f) {
  auto* fr = new wasm_frame_t{f.func_index, 0, f.code_offset, nullptr};
  if (f.instance && s) {
    auto* inst = const_cast<hull::Instance*>(f.instance);
    fr->instance = new_handle<wasm_instance_t>(RefKind::Instance, s, inst);
    // The offset within the function: from the start of its body entry (after the size).
    const hull::ModuleDesc& d = inst->module->desc;
    if (f.func_index >= d.num_imported_funcs &&
        f.func_index - d.num_imported_funcs < d.bodies.size()) {
      const size_t begin = d.bodies[f.func_index - d.num_imported_funcs].whole.begin;
      if (f.code_offset >= begin) fr->func_offset = f.code_offset - begin;
    }
  }
  return fr;
}
wasm_frame_t* wasm_trap_origin(const wasm_trap_t* t) {
  if (t->data->frames.empty()) return nullptr;
  return frame_to_c(t->store, t->data->frames.front());
}
void wasm_trap_trace(const wasm_trap_t* t, wasm_frame_vec_t* out) {
  const auto& fr = t->data->frames;
  wasm_frame_vec_new_uninitialized(out, fr.size());
  for (size_t i = 0; i < fr.size(); ++i) out->data[i] = frame_to_c(t->store, fr[i]);
}

// ---- foreign ----
wasm_foreign_t* wasm_foreign_new(wasm_store_t* s) {
  char& id = s->foreigns.emplace_back(0);
  return new_handle<wasm_foreign_t>(RefKind::Foreign, s, &id);
}

// ---- modules ----
wasm_module_t* hull_module_new(wasm_store_t* s, const wasm_byte_vec_t* binary,
                               wasm_message_t* error) {
  auto r = hull::compile(std::span<const uint8_t>(
                             reinterpret_cast<const uint8_t*>(binary->data), binary->size),
                         s->compile);
  if (!r) {
    if (error) message_to_c(r.error().to_string(), error);
    return nullptr;
  }
  auto* m = new_handle<wasm_module_t>(RefKind::Module, s, nullptr);
  m->module = std::move(*r);
  m->obj = const_cast<hull::CompiledModule*>(m->module.get());
  return m;
}
wasm_module_t* wasm_module_new(wasm_store_t* s, const wasm_byte_vec_t* binary) {
  return hull_module_new(s, binary, nullptr);
}
bool wasm_module_validate(wasm_store_t*, const wasm_byte_vec_t* binary) {
  return hull::compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(binary->data),
                                                binary->size))
      .ok();
}
void wasm_module_imports(const wasm_module_t* m, wasm_importtype_vec_t* out) {
  const hull::ModuleDesc& d = m->module->desc;
  wasm_importtype_vec_new_uninitialized(out, d.imports.size());
  for (size_t i = 0; i < d.imports.size(); ++i) {
    const hull::Import& imp = d.imports[i];
    wasm_name_t mod, name;
    wasm_byte_vec_new(&mod, imp.module.size(), imp.module.data());
    wasm_byte_vec_new(&name, imp.name.size(), imp.name.data());
    out->data[i] = wasm_importtype_new(&mod, &name, import_type_c(d, imp));
  }
}
void wasm_module_exports(const wasm_module_t* m, wasm_exporttype_vec_t* out) {
  const hull::ModuleDesc& d = m->module->desc;
  wasm_exporttype_vec_new_uninitialized(out, d.exports.size());
  for (size_t i = 0; i < d.exports.size(); ++i) {
    wasm_name_t name;
    wasm_byte_vec_new(&name, d.exports[i].name.size(), d.exports[i].name.data());
    out->data[i] = wasm_exporttype_new(&name, export_type_c(d, d.exports[i]));
  }
}
void wasm_module_serialize(const wasm_module_t* m, wasm_byte_vec_t* out) {
  const auto& b = m->module->desc.bytes;
  wasm_byte_vec_new(out, b.size(), reinterpret_cast<const wasm_byte_t*>(b.data()));
}
wasm_module_t* wasm_module_deserialize(wasm_store_t* s, const wasm_byte_vec_t* bytes) {
  return wasm_module_new(s, bytes);
}
wasm_shared_module_t* wasm_module_share(const wasm_module_t* m) {
  return new wasm_shared_module_t{m->module};
}
void wasm_shared_module_delete(wasm_shared_module_t* m) { delete m; }
wasm_module_t* wasm_module_obtain(wasm_store_t* s, const wasm_shared_module_t* sm) {
  auto* m = new_handle<wasm_module_t>(RefKind::Module, s, nullptr);
  m->module = sm->module;
  m->obj = const_cast<hull::CompiledModule*>(m->module.get());
  return m;
}

// ---- functions ----
static wasm_func_t* make_host(wasm_store_t* s, const wasm_functype_t* type,
                              wasm_func_callback_t cb, wasm_func_callback_with_env_t cbe,
                              void* env, void (*fin)(void*)) {
  CHostEnv& e = s->host_envs.emplace_back();
  e.store = s;
  e.cb = cb;
  e.cb_env = cbe;
  e.env = env;
  e.params = kinds_of(type->params);
  e.results = kinds_of(type->results);
  if (fin) s->finalizers.emplace_back(fin, env);
  hull::Function* f = hull::create_host_function(s->store, functype_from_c(type),
                                                 c_host_trampoline, &e);
  return new_handle<wasm_func_t>(RefKind::Func, s, f);
}
wasm_func_t* wasm_func_new(wasm_store_t* s, const wasm_functype_t* type, wasm_func_callback_t cb) {
  return make_host(s, type, cb, nullptr, nullptr, nullptr);
}
wasm_func_t* wasm_func_new_with_env(wasm_store_t* s, const wasm_functype_t* type,
                                    wasm_func_callback_with_env_t cb, void* env,
                                    void (*fin)(void*)) {
  return make_host(s, type, nullptr, cb, env, fin);
}
wasm_functype_t* wasm_func_type(const wasm_func_t* f) {
  return to_c(hull::type_by_id(func_of(f)->type_id).func);  // canonical
}
size_t wasm_func_param_arity(const wasm_func_t* f) { return func_of(f)->type->params.size(); }
size_t wasm_func_result_arity(const wasm_func_t* f) { return func_of(f)->type->results.size(); }

wasm_trap_t* wasm_func_call(const wasm_func_t* fn, const wasm_val_vec_t* args,
                            wasm_val_vec_t* results) {
  wasm_store_t* s = fn->store;
  hull::Function* f = func_of(fn);
  const hull::FuncType& ft = hull::type_by_id(f->type_id).func;  // canonical type ids
  const size_t np = ft.params.size(), nr = ft.results.size();
  for (const auto& t : ft.params) {
    if (t.kind == hull::ValKind::V128) return new_trap(s, "v128 parameters are not supported by wasm.h");
  }
  for (const auto& t : ft.results) {
    if (t.kind == hull::ValKind::V128) return new_trap(s, "v128 results are not supported by wasm.h");
  }
  if ((args ? args->size : 0) != np) return new_trap(s, "wrong number of arguments");
  std::array<uint64_t, 16> small;
  std::vector<uint64_t> big;
  uint64_t* slots = std::max(np, nr) <= 16 ? small.data()
                                           : (big.resize(std::max(np, nr)), big.data());
  // The call is a root scope: results leave it as handles, which root what they refer to.
  RootScope scope(s);
  for (size_t i = 0; i < np; ++i) {
    if (args->data[i].kind != to_c(ft.params[i]) || !val_from_c(s, args->data[i], &slots[i])) {
      return new_trap(s, "argument " + std::to_string(i) + " has the wrong type");
    }
    if (auto why = check_ref(s, ft.params[i], static_cast<uintptr_t>(slots[i])))
      return new_trap(s, "argument " + std::to_string(i) + " " + *why);
  }
  if (np == 0 && nr == 0) slots[0] = 0;
  std::optional<hull::Trap> t = hull::interp::call(s->store, f, slots);
  if (t) return trap_from(s, *t);
  // Results that do not fit a too-small vector are dropped (the call itself still runs).
  const size_t room = results ? std::min(results->size, nr) : 0;
  for (size_t i = 0; i < room; ++i) val_to_c(s, to_c(ft.results[i]), &slots[i], &results->data[i]);
  return nullptr;
}

// ---- globals ----
wasm_global_t* wasm_global_new(wasm_store_t* s, const wasm_globaltype_t* type,
                               const wasm_val_t* init) {
  if (init->kind != type->content->kind) return nullptr;
  hull::GlobalType gt{from_c(type->content->kind), type->mutability == WASM_VAR};
  RootScope scope(s);
  uint64_t slot = 0;
  if (!val_from_c(s, *init, &slot) || check_ref(s, gt.type, static_cast<uintptr_t>(slot)))
    return nullptr;
  hull::Global* g = hull::new_global(s->store, gt, hull::Val::load_slots(gt.type, &slot));
  return new_handle<wasm_global_t>(RefKind::Global, s, g);
}
wasm_globaltype_t* wasm_global_type(const wasm_global_t* g) {
  const hull::GlobalType& t = global_of(g)->type;
  return wasm_globaltype_new(new_valtype(to_c(t.type)), t.mut ? WASM_VAR : WASM_CONST);
}
void wasm_global_get(const wasm_global_t* g, wasm_val_t* out) {
  const hull::Global* gl = global_of(g);
  if (gl->type.type.kind == hull::ValKind::V128) {
    // wasm_val_t cannot hold a v128 (reflected as externref): report a null reference.
    out->kind = WASM_EXTERNREF;
    out->of.ref = nullptr;
    return;
  }
  val_to_c(g->store, to_c(gl->type.type), gl->value, out);
}
void wasm_global_set(wasm_global_t* g, const wasm_val_t* v) {
  hull::Global* gl = global_of(g);
  if (gl->type.type.kind == hull::ValKind::V128) return;  // not representable in wasm_val_t
  if (!gl->type.mut || v->kind != to_c(gl->type.type)) return;
  RootScope scope(g->store);
  uint64_t slot = 0;
  if (val_from_c(g->store, *v, &slot) && !check_ref(g->store, gl->type.type, slot))
    gl->value[0] = slot;
}

// ---- tables ----
static bool is_funcref_table(const hull::Table* t) { return to_c(t->type.elem) == WASM_FUNCREF; }

wasm_table_t* wasm_table_new(wasm_store_t* s, const wasm_tabletype_t* type, wasm_ref_t* init) {
  hull::TableType tt;
  tt.elem = from_c(type->element->kind);
  tt.limits = from_c(type->limits);
  RootScope scope(s);
  const uintptr_t init_bits = ref_from_c(s, init, tt.elem.heap == hull::HeapKind::Func);
  if (check_ref(s, tt.elem, init_bits)) return nullptr;
  auto t = hull::new_table(s->store, tt, init_bits);
  if (!t) return nullptr;
  return new_handle<wasm_table_t>(RefKind::Table, s, *t);
}
wasm_tabletype_t* wasm_table_type(const wasm_table_t* t) {
  const hull::Table* tb = table_of(t);
  hull::Limits l = tb->type.limits;
  l.min = tb->size();
  wasm_limits_t cl = to_c(l);
  return wasm_tabletype_new(new_valtype(to_c(tb->type.elem)), &cl);
}
wasm_ref_t* wasm_table_get(const wasm_table_t* t, wasm_table_size_t i) {
  const hull::Table* tb = table_of(t);
  if (i >= tb->size()) return nullptr;
  return ref_to_c(t->store, tb->elems[i], is_funcref_table(tb));
}
bool wasm_table_set(wasm_table_t* t, wasm_table_size_t i, wasm_ref_t* r) {
  hull::Table* tb = table_of(t);
  if (i >= tb->size()) return false;
  const bool fr = is_funcref_table(tb);
  if (fr && r && r->kind != RefKind::Func) return false;
  RootScope scope(t->store);
  const uintptr_t bits = ref_from_c(t->store, r, fr);
  if (check_ref(t->store, tb->type.elem, bits)) return false;
  tb->elems[i] = bits;
  return true;
}
wasm_table_size_t wasm_table_size(const wasm_table_t* t) {
  return static_cast<wasm_table_size_t>(table_of(t)->size());
}
bool wasm_table_grow(wasm_table_t* t, wasm_table_size_t delta, wasm_ref_t* init) {
  hull::Table* tb = table_of(t);
  const bool fr = is_funcref_table(tb);
  if (fr && init && init->kind != RefKind::Func) return false;
  RootScope scope(t->store);
  const uintptr_t bits = ref_from_c(t->store, init, fr);
  if (check_ref(t->store, tb->type.elem, bits)) return false;
  return tb->grow(delta, bits) != UINT64_MAX;
}

// ---- memories ----
wasm_memory_t* wasm_memory_new(wasm_store_t* s, const wasm_memorytype_t* type) {
  hull::MemoryType mt;
  mt.limits = from_c(type->limits);
  auto m = hull::new_memory(s->store, mt);
  if (!m) return nullptr;
  return new_handle<wasm_memory_t>(RefKind::Memory, s, *m);
}
wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* m) {
  const hull::Memory* mem = memory_of(m);
  hull::Limits l = mem->type.limits;
  l.min = mem->pages();
  wasm_limits_t cl = to_c(l);
  return wasm_memorytype_new(&cl);
}
byte_t* wasm_memory_data(wasm_memory_t* m) { return reinterpret_cast<byte_t*>(memory_of(m)->base); }
size_t wasm_memory_data_size(const wasm_memory_t* m) { return memory_of(m)->size; }
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* m) {
  return static_cast<wasm_memory_pages_t>(memory_of(m)->pages());
}
bool wasm_memory_grow(wasm_memory_t* m, wasm_memory_pages_t delta) {
  return memory_of(m)->grow(delta) != UINT64_MAX;
}

// ---- externs ----
wasm_externkind_t wasm_extern_kind(const wasm_extern_t* e) {
  switch (e->kind) {
    case RefKind::Global: return WASM_EXTERN_GLOBAL;
    case RefKind::Table: return WASM_EXTERN_TABLE;
    case RefKind::Memory: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
  }
}
wasm_externtype_t* wasm_extern_type(const wasm_extern_t* e) {
  switch (e->kind) {
    case RefKind::Func: return wasm_func_type(static_cast<const wasm_func_t*>(e));
    case RefKind::Global: return wasm_global_type(static_cast<const wasm_global_t*>(e));
    case RefKind::Table: return wasm_table_type(static_cast<const wasm_table_t*>(e));
    case RefKind::Memory: return wasm_memory_type(static_cast<const wasm_memory_t*>(e));
    default: return nullptr;
  }
}

#define HULL_EXTERN_CONV_IMPL(NAME, KIND)                                                    \
  wasm_extern_t* wasm_##NAME##_as_extern(wasm_##NAME##_t* x) { return x; }                   \
  const wasm_extern_t* wasm_##NAME##_as_extern_const(const wasm_##NAME##_t* x) { return x; } \
  wasm_##NAME##_t* wasm_extern_as_##NAME(wasm_extern_t* e) {                                 \
    return e && e->kind == KIND ? static_cast<wasm_##NAME##_t*>(e) : nullptr;                \
  }                                                                                          \
  const wasm_##NAME##_t* wasm_extern_as_##NAME##_const(const wasm_extern_t* e) {             \
    return e && e->kind == KIND ? static_cast<const wasm_##NAME##_t*>(e) : nullptr;          \
  }

HULL_EXTERN_CONV_IMPL(func, RefKind::Func)
HULL_EXTERN_CONV_IMPL(global, RefKind::Global)
HULL_EXTERN_CONV_IMPL(table, RefKind::Table)
HULL_EXTERN_CONV_IMPL(memory, RefKind::Memory)

// ---- instances ----
wasm_instance_t* wasm_instance_new(wasm_store_t* s, const wasm_module_t* m,
                                   const wasm_extern_vec_t* imports, wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  const size_t want = m->module->desc.imports.size();
  const size_t have = imports ? imports->size : 0;
  std::vector<Extern> ext;
  ext.reserve(have);
  for (size_t i = 0; i < have; ++i) {
    if (!imports->data[i]) {
      if (trap) *trap = new_trap(s, "import " + std::to_string(i) + " is null");
      return nullptr;
    }
    ext.push_back(extern_of(imports->data[i]));
  }
  if (have != want) {
    if (trap) {
      *trap = new_trap(s, "expected " + std::to_string(want) + " imports, got " +
                              std::to_string(have));
    }
    return nullptr;
  }
  auto r = hull::instantiate(s->store, m->module, ext);
  if (!r) {
    if (trap) {
      // A trap during instantiation (segment, start function) keeps its wasm backtrace.
      const std::optional<hull::Trap>& t = s->store.instantiation_trap;
      *trap = new_trap(s, r.error().message, t ? t->backtrace : std::vector<hull::TrapFrame>{});
      // A start function may end the guest with WASI proc_exit.
      if (!s->wasi.empty()) (*trap)->data->wasi_exit = take_wasi_exit(s);
    } else if (!s->wasi.empty()) {
      take_wasi_exit(s);
    }
    return nullptr;
  }
  return new_handle<wasm_instance_t>(RefKind::Instance, s, *r);
}
void wasm_instance_exports(const wasm_instance_t* inst, wasm_extern_vec_t* out) {
  const auto* in = static_cast<const hull::Instance*>(inst->obj);
  std::vector<wasm_extern_t*> v;
  for (const hull::Export& e : in->module->desc.exports) {
    if (e.kind == ExternKind::Tag) continue;
    v.push_back(extern_to_c(inst->store, in->exports.at(e.name)));
  }
  wasm_extern_vec_new(out, v.size(), v.data());
}

// ---- hull.h ----
const char* hull_version(void) { return "0.1.0"; }
void hull_limits_default(hull_limits_t* out) {
  hull::StoreLimits d;
  *out = hull_limits_t{d.max_memory_bytes, d.max_table_elements, d.max_instances,
                       d.max_wasm_stack_bytes};
}
static hull::StoreLimits limits_from(const hull_limits_t* l) {
  hull::StoreLimits r;
  r.max_memory_bytes = l->max_memory_bytes;
  r.max_table_elements = l->max_table_elements;
  r.max_instances = l->max_instances;
  r.max_wasm_stack_bytes = clamp_wasm_stack(l->max_wasm_stack_bytes);
  return r;
}
void hull_config_set_limits(wasm_config_t* c, const hull_limits_t* l) { c->limits = limits_from(l); }
void hull_store_set_limits(wasm_store_t* s, const hull_limits_t* l) {
  s->store.limits = limits_from(l);
}
void hull_store_get_limits(const wasm_store_t* s, hull_limits_t* out) {
  const hull::StoreLimits& d = s->store.limits;
  *out = hull_limits_t{d.max_memory_bytes, d.max_table_elements, d.max_instances,
                       d.max_wasm_stack_bytes};
}
bool hull_config_consume_fuel(wasm_config_t* c, bool enable) {
  c->compile.fuel = enable;
  return true;
}
bool hull_config_epoch_interruption(wasm_config_t* c, bool enable) {
  c->compile.epochs = enable;
  return true;
}
bool hull_config_wasm_feature(wasm_config_t* c, const char* name, bool enable) {
  const auto f = hull::feature_by_name(name ? std::string_view(name) : std::string_view());
  if (!f) return false;
  c->compile.features.set(*f, enable);
  return true;
}
bool hull_store_set_fuel(wasm_store_t* s, uint64_t fuel) {
  if (!s->compile.fuel) return false;
  s->store.set_fuel(fuel);
  return true;
}
bool hull_store_get_fuel(const wasm_store_t* s, uint64_t* out) {
  if (!s->compile.fuel) return false;
  *out = s->store.fuel_remaining();
  return true;
}
bool hull_store_fuel_consumed(const wasm_store_t* s, uint64_t* out) {
  if (!s->compile.fuel) return false;
  *out = s->store.fuel_consumed();
  return true;
}
bool hull_store_set_deadline_ms(wasm_store_t* s, uint64_t ms) {
  if (!s->compile.epochs) return false;
  // Far-future deadlines saturate instead of overflowing the nanosecond count.
  s->store.set_deadline_ns(ms > UINT64_MAX / 1'000'000 ? UINT64_MAX / 2 : ms * 1'000'000);
  return true;
}
void hull_store_clear_deadline(wasm_store_t* s) { s->store.epoch_deadline = UINT64_MAX; }
struct hull_store_snapshot_t {
  hull::api::StoreSnapshot snapshot;
};
hull_store_snapshot_t* hull_store_snapshot_take(wasm_store_t* s, wasm_message_t* error) {
  if (!s) {
    if (error) message_to_c("hull_store_snapshot_take: NULL store", error);
    return nullptr;
  }
  auto r = hull::api::StoreSnapshot::take(s->api);
  if (!r) {
    if (error) message_to_c(r.error().message, error);
    return nullptr;
  }
  return new hull_store_snapshot_t{std::move(*r)};
}
bool hull_store_snapshot_restore(const hull_store_snapshot_t* snap, wasm_store_t* s,
                                 wasm_message_t* error) {
  if (!snap || !s) {
    if (error) message_to_c("hull_store_snapshot_restore: NULL argument", error);
    return false;
  }
  auto r = snap->snapshot.restore(s->api);
  if (!r) {
    if (error) message_to_c(r.error().message, error);
    return false;
  }
  return true;
}
void hull_store_snapshot_delete(hull_store_snapshot_t* snap) { delete snap; }

void hull_store_gc(wasm_store_t* s) { hull::collect_garbage(s->store); }
size_t hull_store_gc_objects(const wasm_store_t* s) { return s->store.gc.live_objects(); }
bool hull_wat2wasm(const char* text, size_t len, wasm_byte_vec_t* out, wasm_message_t* error) {
  auto r = hull::text::wat_to_binary(std::string_view(text, len));
  if (!r) {
    if (error) message_to_c(r.error().to_string(), error);
    return false;
  }
  wasm_byte_vec_new(out, r->size(), reinterpret_cast<const wasm_byte_t*>(r->data()));
  return true;
}

}  // extern "C"
