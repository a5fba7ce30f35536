// C API: vectors, names, and the type representations (valtype, functype, globaltype,
// tabletype, memorytype, externtype, importtype, exporttype).
#include <cstdlib>
#include <cstring>
#include <new>

#include "capi/internal.h"
#include "runtime/type_registry.h"

using namespace hull::capi;


// Vectors of plain values (bytes, vals) and of owned pointers.
#define HULL_VEC_IMPL(NAME, ELEM, DROP, DUP)                                                 \
  void wasm_##NAME##_vec_new_empty(wasm_##NAME##_vec_t* out) {                               \
    out->size = 0;                                                                           \
    out->data = nullptr;                                                                     \
  }                                                                                          \
  void wasm_##NAME##_vec_new_uninitialized(wasm_##NAME##_vec_t* out, size_t size) {          \
    out->size = size;                                                                        \
    out->data = size ? new ELEM[size]() : nullptr;                                           \
  }                                                                                          \
  void wasm_##NAME##_vec_new(wasm_##NAME##_vec_t* out, size_t size, ELEM const data[]) {     \
    wasm_##NAME##_vec_new_uninitialized(out, size);                                          \
    for (size_t i = 0; i < size; ++i) out->data[i] = data[i];                                \
  }                                                                                          \
  void wasm_##NAME##_vec_copy(wasm_##NAME##_vec_t* out, const wasm_##NAME##_vec_t* src) {    \
    wasm_##NAME##_vec_new_uninitialized(out, src->size);                                     \
    for (size_t i = 0; i < src->size; ++i) out->data[i] = DUP(src->data[i]);                 \
  }                                                                                          \
  void wasm_##NAME##_vec_delete(wasm_##NAME##_vec_t* vec) {                                  \
    if (!vec) return;                                                                        \
    for (size_t i = 0; i < vec->size; ++i) DROP(vec->data[i]);                               \
    delete[] vec->data;                                                                      \
    vec->size = 0;                                                                           \
    vec->data = nullptr;                                                                     \
  }

#define HULL_NODROP(x) (void)(x)
#define HULL_NODUP(x) (x)
#define HULL_PTR_DROP(NAME) wasm_##NAME##_delete
#define HULL_PTR_DUP(NAME) [](const wasm_##NAME##_t* p) { return p ? wasm_##NAME##_copy(p) : nullptr; }

static wasm_val_t val_dup(const wasm_val_t& v) {
  wasm_val_t out;
  wasm_val_copy(&out, &v);
  return out;
}
static void val_drop(wasm_val_t& v) { wasm_val_delete(&v); }

extern "C" {

HULL_VEC_IMPL(byte, wasm_byte_t, HULL_NODROP, HULL_NODUP)
HULL_VEC_IMPL(val, wasm_val_t, val_drop, val_dup)
HULL_VEC_IMPL(valtype, wasm_valtype_t*, wasm_valtype_delete, HULL_PTR_DUP(valtype))
HULL_VEC_IMPL(functype, wasm_functype_t*, wasm_functype_delete, HULL_PTR_DUP(functype))
HULL_VEC_IMPL(globaltype, wasm_globaltype_t*, wasm_globaltype_delete, HULL_PTR_DUP(globaltype))
HULL_VEC_IMPL(tabletype, wasm_tabletype_t*, wasm_tabletype_delete, HULL_PTR_DUP(tabletype))
HULL_VEC_IMPL(memorytype, wasm_memorytype_t*, wasm_memorytype_delete, HULL_PTR_DUP(memorytype))
HULL_VEC_IMPL(externtype, wasm_externtype_t*, wasm_externtype_delete, HULL_PTR_DUP(externtype))
HULL_VEC_IMPL(importtype, wasm_importtype_t*, wasm_importtype_delete, HULL_PTR_DUP(importtype))
HULL_VEC_IMPL(exporttype, wasm_exporttype_t*, wasm_exporttype_delete, HULL_PTR_DUP(exporttype))
HULL_VEC_IMPL(frame, wasm_frame_t*, wasm_frame_delete, HULL_PTR_DUP(frame))
HULL_VEC_IMPL(extern, wasm_extern_t*, wasm_extern_delete, HULL_PTR_DUP(extern))

// ---- valtype ----
wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind) { return new wasm_valtype_t{kind}; }
void wasm_valtype_delete(wasm_valtype_t* t) { delete t; }
wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* t) { return new wasm_valtype_t{t->kind}; }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* t) { return t->kind; }

// ---- functype ----
wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* f = new wasm_functype_t;
  f->kind = WASM_EXTERN_FUNC;
  f->params = *params;  // takes ownership of the contents
  f->results = *results;
  return f;
}
void wasm_functype_delete(wasm_functype_t* f) {
  if (!f) return;
  wasm_valtype_vec_delete(&f->params);
  wasm_valtype_vec_delete(&f->results);
  delete f;
}
wasm_functype_t* wasm_functype_copy(const wasm_functype_t* f) {
  auto* c = new wasm_functype_t;
  c->kind = WASM_EXTERN_FUNC;
  wasm_valtype_vec_copy(&c->params, &f->params);
  wasm_valtype_vec_copy(&c->results, &f->results);
  return c;
}
const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* f) { return &f->params; }
const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* f) { return &f->results; }

// ---- globaltype ----
wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t m) {
  auto* g = new wasm_globaltype_t;
  g->kind = WASM_EXTERN_GLOBAL;
  g->content = content;
  g->mutability = m;
  return g;
}
void wasm_globaltype_delete(wasm_globaltype_t* g) {
  if (!g) return;
  delete g->content;
  delete g;
}
wasm_globaltype_t* wasm_globaltype_copy(const wasm_globaltype_t* g) {
  return wasm_globaltype_new(wasm_valtype_copy(g->content), g->mutability);
}
const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* g) { return g->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* g) { return g->mutability; }

// ---- tabletype ----
wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* elem, const wasm_limits_t* limits) {
  auto* t = new wasm_tabletype_t;
  t->kind = WASM_EXTERN_TABLE;
  t->element = elem;
  t->limits = *limits;
  return t;
}
void wasm_tabletype_delete(wasm_tabletype_t* t) {
  if (!t) return;
  delete t->element;
  delete t;
}
wasm_tabletype_t* wasm_tabletype_copy(const wasm_tabletype_t* t) {
  return wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits);
}
const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* t) { return t->element; }
const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* t) { return &t->limits; }

// ---- memorytype ----
wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) {
  auto* m = new wasm_memorytype_t;
  m->kind = WASM_EXTERN_MEMORY;
  m->limits = *limits;
  return m;
}
void wasm_memorytype_delete(wasm_memorytype_t* m) { delete m; }
wasm_memorytype_t* wasm_memorytype_copy(const wasm_memorytype_t* m) {
  return wasm_memorytype_new(&m->limits);
}
const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* m) { return &m->limits; }

// ---- externtype ----
wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* t) { return t->kind; }
void wasm_externtype_delete(wasm_externtype_t* t) {
  if (!t) return;
  switch (t->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_delete(static_cast<wasm_functype_t*>(t));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_delete(static_cast<wasm_globaltype_t*>(t));
    case WASM_EXTERN_TABLE: return wasm_tabletype_delete(static_cast<wasm_tabletype_t*>(t));
    case WASM_EXTERN_MEMORY: return wasm_memorytype_delete(static_cast<wasm_memorytype_t*>(t));
  }
}
wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* t) {
  switch (t->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_copy(static_cast<const wasm_functype_t*>(t));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_copy(static_cast<const wasm_globaltype_t*>(t));
    case WASM_EXTERN_TABLE: return wasm_tabletype_copy(static_cast<const wasm_tabletype_t*>(t));
    case WASM_EXTERN_MEMORY: return wasm_memorytype_copy(static_cast<const wasm_memorytype_t*>(t));
  }
  return nullptr;
}

#define HULL_EXTERNTYPE_CONV_IMPL(NAME, KIND)                                                 \
  wasm_externtype_t* wasm_##NAME##_as_externtype(wasm_##NAME##_t* t) { return t; }            \
  const wasm_externtype_t* wasm_##NAME##_as_externtype_const(const wasm_##NAME##_t* t) {      \
    return t;                                                                                 \
  }                                                                                           \
  wasm_##NAME##_t* wasm_externtype_as_##NAME(wasm_externtype_t* t) {                          \
    return t && t->kind == KIND ? static_cast<wasm_##NAME##_t*>(t) : nullptr;                 \
  }                                                                                           \
  const wasm_##NAME##_t* wasm_externtype_as_##NAME##_const(const wasm_externtype_t* t) {      \
    return t && t->kind == KIND ? static_cast<const wasm_##NAME##_t*>(t) : nullptr;           \
  }

HULL_EXTERNTYPE_CONV_IMPL(functype, WASM_EXTERN_FUNC)
HULL_EXTERNTYPE_CONV_IMPL(globaltype, WASM_EXTERN_GLOBAL)
HULL_EXTERNTYPE_CONV_IMPL(tabletype, WASM_EXTERN_TABLE)
HULL_EXTERNTYPE_CONV_IMPL(memorytype, WASM_EXTERN_MEMORY)

// ---- importtype / exporttype ----
wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name,
                                       wasm_externtype_t* type) {
  return new wasm_importtype_t{*module, *name, type};
}
void wasm_importtype_delete(wasm_importtype_t* t) {
  if (!t) return;
  wasm_byte_vec_delete(&t->module);
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}
wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* t) {
  auto* c = new wasm_importtype_t;
  wasm_byte_vec_copy(&c->module, &t->module);
  wasm_byte_vec_copy(&c->name, &t->name);
  c->type = wasm_externtype_copy(t->type);
  return c;
}
const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* t) { return &t->module; }
const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* t) { return t->type; }

wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  return new wasm_exporttype_t{*name, type};
}
void wasm_exporttype_delete(wasm_exporttype_t* t) {
  if (!t) return;
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}
wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* t) {
  auto* c = new wasm_exporttype_t;
  wasm_byte_vec_copy(&c->name, &t->name);
  c->type = wasm_externtype_copy(t->type);
  return c;
}
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* t) { return t->type; }

// ---- frames ----
void wasm_frame_delete(wasm_frame_t* f) {
  if (!f) return;
  wasm_instance_delete(f->instance);
  delete f;
}
wasm_frame_t* wasm_frame_copy(const wasm_frame_t* f) {
  auto* c = new wasm_frame_t(*f);
  c->instance = f->instance ? wasm_instance_copy(f->instance) : nullptr;
  return c;
}
wasm_instance_t* wasm_frame_instance(const wasm_frame_t* f) { return f->instance; }
uint32_t wasm_frame_func_index(const wasm_frame_t* f) { return f->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t* f) { return f->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t* f) { return f->module_offset; }

}  // extern "C"

// ---- conversions with the engine's types ----
namespace hull::capi {

wasm_valtype_t* new_valtype(wasm_valkind_t k) { return new wasm_valtype_t{k}; }

wasm_valkind_t to_c(const ValType& t, const ModuleDesc* module) {
  switch (t.kind) {
    case ValKind::I32: return WASM_I32;
    case ValKind::I64: return WASM_I64;
    case ValKind::F32: return WASM_F32;
    case ValKind::F64: return WASM_F64;
    default: break;
  }
  if (t.is_ref() && (t.heap == HeapKind::Func || t.heap == HeapKind::NoFunc)) return WASM_FUNCREF;
  if (t.is_ref() && t.heap == HeapKind::Concrete) {
    const CompositeKind k = module ? module->types[t.index].kind : type_by_id(t.index).kind;
    if (k == CompositeKind::Func) return WASM_FUNCREF;
  }
  return WASM_EXTERNREF;  // v128 and other references have no wasm.h kind
}

ValType from_c(wasm_valkind_t k) {
  switch (k) {
    case WASM_I32: return ValType::i32();
    case WASM_I64: return ValType::i64();
    case WASM_F32: return ValType::f32();
    case WASM_F64: return ValType::f64();
    case WASM_FUNCREF: return ValType::funcref();
    default: return ValType::externref();
  }
}

wasm_functype_t* to_c(const FuncType& t, const ModuleDesc* module) {
  wasm_valtype_vec_t ps, rs;
  wasm_valtype_vec_new_uninitialized(&ps, t.params.size());
  for (size_t i = 0; i < t.params.size(); ++i) ps.data[i] = new_valtype(to_c(t.params[i], module));
  wasm_valtype_vec_new_uninitialized(&rs, t.results.size());
  for (size_t i = 0; i < t.results.size(); ++i)
    rs.data[i] = new_valtype(to_c(t.results[i], module));
  return wasm_functype_new(&ps, &rs);
}

wasm_limits_t to_c(const Limits& l) {
  wasm_limits_t r;
  r.min = static_cast<uint32_t>(l.min);
  r.max = l.max ? static_cast<uint32_t>(*l.max) : wasm_limits_max_default;
  return r;
}

Limits from_c(const wasm_limits_t& l) {
  Limits r;
  r.min = l.min;
  if (l.max != wasm_limits_max_default) r.max = l.max;
  return r;
}

static wasm_externtype_t* table_c(const TableType& t, const ModuleDesc& d) {
  wasm_limits_t l = to_c(t.limits);
  return wasm_tabletype_new(new_valtype(to_c(t.elem, &d)), &l);
}
static wasm_externtype_t* memory_c(const MemoryType& m) {
  wasm_limits_t l = to_c(m.limits);
  return wasm_memorytype_new(&l);
}
static wasm_externtype_t* global_c(const GlobalType& g, const ModuleDesc& d) {
  return wasm_globaltype_new(new_valtype(to_c(g.type, &d)), g.mut ? WASM_VAR : WASM_CONST);
}

wasm_externtype_t* import_type_c(const ModuleDesc& d, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func:
    case ExternKind::Tag: return to_c(d.types[imp.type_index].func, &d);
    case ExternKind::Table: return table_c(imp.table, d);
    case ExternKind::Memory: return memory_c(imp.memory);
    case ExternKind::Global: return global_c(imp.global, d);
  }
  return nullptr;
}

wasm_externtype_t* export_type_c(const ModuleDesc& d, const Export& e) {
  switch (e.kind) {
    case ExternKind::Func: return to_c(d.func_type(e.index), &d);
    case ExternKind::Tag: return to_c(d.types[d.tags[e.index]].func, &d);
    case ExternKind::Table: return table_c(d.tables[e.index], d);
    case ExternKind::Memory: return memory_c(d.memories[e.index]);
    case ExternKind::Global: return global_c(d.globals[e.index], d);
  }
  return nullptr;
}

}  // namespace hull::capi
