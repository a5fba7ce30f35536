/* The standard WebAssembly C API (the interface specified by the WebAssembly/wasm-c-api
 * project), as implemented by Hull. Written for Hull from that specification.
 *
 * Ownership: a function returning a pointer to a new object ("own" in the specification)
 * hands it to the caller, who releases it with the matching wasm_X_delete. A vector owns its
 * elements; wasm_X_vec_delete deletes them too. Parameters documented as taking ownership
 * consume their argument. Store objects (funcs, globals, tables, memories, instances, ...)
 * stay alive while their store lives; deleting a handle releases only the handle. */
#ifndef WASM_H
#define WASM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WASM_API_EXTERN
#define WASM_API_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- basic types ------------------------------------------------------------------------- */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* Declares the opaque type wasm_NAME_t and its deleter. */
#define WASM_HULL_OPAQUE(NAME)                 \
  typedef struct wasm_##NAME##_t wasm_##NAME##_t; \
  WASM_API_EXTERN void wasm_##NAME##_delete(wasm_##NAME##_t*);

/* Declares wasm_NAME_vec_t holding ELEM values, and its five helpers. */
#define WASM_HULL_VEC(NAME, ELEM)                                                        \
  typedef struct wasm_##NAME##_vec_t {                                                   \
    size_t size;                                                                         \
    ELEM* data;                                                                          \
  } wasm_##NAME##_vec_t;                                                                 \
  WASM_API_EXTERN void wasm_##NAME##_vec_new_empty(wasm_##NAME##_vec_t* out);            \
  WASM_API_EXTERN void wasm_##NAME##_vec_new_uninitialized(wasm_##NAME##_vec_t* out,     \
                                                           size_t size);                \
  WASM_API_EXTERN void wasm_##NAME##_vec_new(wasm_##NAME##_vec_t* out, size_t size,      \
                                             ELEM const data[]);                         \
  WASM_API_EXTERN void wasm_##NAME##_vec_copy(wasm_##NAME##_vec_t* out,                 \
                                              const wasm_##NAME##_vec_t* src);           \
  WASM_API_EXTERN void wasm_##NAME##_vec_delete(wasm_##NAME##_vec_t* vec);

/* ---- bytes and names --------------------------------------------------------------------- */

typedef byte_t wasm_byte_t;
WASM_HULL_VEC(byte, wasm_byte_t)

typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized /* spec spelling */
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

static inline void wasm_name_new_from_string(wasm_name_t* out, const char* s) {
  wasm_byte_vec_new(out, strlen(s), s);
}
/* Includes the terminating NUL in the name. */
static inline void wasm_name_new_from_string_nt(wasm_name_t* out, const char* s) {
  wasm_byte_vec_new(out, strlen(s) + 1, s);
}

/* ---- configuration, engine, store -------------------------------------------------------- */

WASM_HULL_OPAQUE(config)
WASM_API_EXTERN wasm_config_t* wasm_config_new(void);

WASM_HULL_OPAQUE(engine)
WASM_API_EXTERN wasm_engine_t* wasm_engine_new(void);
/* Takes ownership of the config. */
WASM_API_EXTERN wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* config);

WASM_HULL_OPAQUE(store)
WASM_API_EXTERN wasm_store_t* wasm_store_new(wasm_engine_t* engine);

/* ---- types ------------------------------------------------------------------------------- */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum { WASM_CONST, WASM_VAR };

typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max;
} wasm_limits_t;

/* `max` value meaning "no maximum". */
static const uint32_t wasm_limits_max_default = 0xffffffff;

/* Opaque type, its deleter, a vector of pointers to it, and a deep copy. */
#define WASM_HULL_TYPE(NAME)    \
  WASM_HULL_OPAQUE(NAME)        \
  WASM_HULL_VEC(NAME, wasm_##NAME##_t*) \
  WASM_API_EXTERN wasm_##NAME##_t* wasm_##NAME##_copy(const wasm_##NAME##_t*);

/* Value types */
WASM_HULL_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
  WASM_I32,
  WASM_I64,
  WASM_F32,
  WASM_F64,
  WASM_EXTERNREF = 128,
  WASM_FUNCREF,
};

WASM_API_EXTERN wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* type);

static inline bool wasm_valkind_is_num(wasm_valkind_t k) { return k < WASM_EXTERNREF; }
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) { return k >= WASM_EXTERNREF; }
static inline bool wasm_valtype_is_num(const wasm_valtype_t* t) {
  return wasm_valkind_is_num(wasm_valtype_kind(t));
}
static inline bool wasm_valtype_is_ref(const wasm_valtype_t* t) {
  return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

/* Function types: wasm_functype_new takes ownership of both vectors' contents. */
WASM_HULL_TYPE(functype)
WASM_API_EXTERN wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params,
                                                   wasm_valtype_vec_t* results);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* type);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* type);

/* Global types: takes ownership of the content type. */
WASM_HULL_TYPE(globaltype)
WASM_API_EXTERN wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content,
                                                       wasm_mutability_t mutability);
WASM_API_EXTERN const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* type);
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* type);

/* Table types: takes ownership of the element type. */
WASM_HULL_TYPE(tabletype)
WASM_API_EXTERN wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* element,
                                                     const wasm_limits_t* limits);
WASM_API_EXTERN const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* type);
WASM_API_EXTERN const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* type);

/* Memory types (limits in 64 KiB pages). */
WASM_HULL_TYPE(memorytype)
WASM_API_EXTERN wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits);
WASM_API_EXTERN const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* type);

/* External types: a view of any of the four above. The as_ conversions do not allocate; the
 * result aliases the argument (NULL when the kind does not match). */
WASM_HULL_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC,
  WASM_EXTERN_GLOBAL,
  WASM_EXTERN_TABLE,
  WASM_EXTERN_MEMORY,
};

WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* type);

#define WASM_HULL_EXTERNTYPE_CONV(NAME)                                                       \
  WASM_API_EXTERN wasm_externtype_t* wasm_##NAME##_as_externtype(wasm_##NAME##_t*);           \
  WASM_API_EXTERN const wasm_externtype_t* wasm_##NAME##_as_externtype_const(                 \
      const wasm_##NAME##_t*);                                                                \
  WASM_API_EXTERN wasm_##NAME##_t* wasm_externtype_as_##NAME(wasm_externtype_t*);             \
  WASM_API_EXTERN const wasm_##NAME##_t* wasm_externtype_as_##NAME##_const(                   \
      const wasm_externtype_t*);

WASM_HULL_EXTERNTYPE_CONV(functype)
WASM_HULL_EXTERNTYPE_CONV(globaltype)
WASM_HULL_EXTERNTYPE_CONV(tabletype)
WASM_HULL_EXTERNTYPE_CONV(memorytype)

/* Import types: takes ownership of the names and the type. */
WASM_HULL_TYPE(importtype)
WASM_API_EXTERN wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name,
                                                       wasm_externtype_t* type);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* type);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* type);
WASM_API_EXTERN const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* type);

/* Export types: takes ownership of the name and the type. */
WASM_HULL_TYPE(exporttype)
WASM_API_EXTERN wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name,
                                                       wasm_externtype_t* type);
WASM_API_EXTERN const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* type);
WASM_API_EXTERN const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* type);

/* ---- values ------------------------------------------------------------------------------ */

struct wasm_ref_t;

typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t* ref;
  } of;
} wasm_val_t;

/* A reference value owns its ref: wasm_val_delete releases it, wasm_val_copy copies it. */
WASM_API_EXTERN void wasm_val_delete(wasm_val_t* v);
WASM_API_EXTERN void wasm_val_copy(wasm_val_t* out, const wasm_val_t* v);

WASM_HULL_VEC(val, wasm_val_t)

/* ---- references -------------------------------------------------------------------------- */

/* Every reference type: delete, copy (a new handle to the same object), identity, and a
 * host-info pointer attached to the object (optionally with a finalizer run when the store is
 * deleted or the info is replaced). */
#define WASM_HULL_REF_BASE(NAME)                                                          \
  WASM_HULL_OPAQUE(NAME)                                                                  \
  WASM_API_EXTERN wasm_##NAME##_t* wasm_##NAME##_copy(const wasm_##NAME##_t*);            \
  WASM_API_EXTERN bool wasm_##NAME##_same(const wasm_##NAME##_t*, const wasm_##NAME##_t*); \
  WASM_API_EXTERN void* wasm_##NAME##_get_host_info(const wasm_##NAME##_t*);              \
  WASM_API_EXTERN void wasm_##NAME##_set_host_info(wasm_##NAME##_t*, void* info);         \
  WASM_API_EXTERN void wasm_##NAME##_set_host_info_with_finalizer(                        \
      wasm_##NAME##_t*, void* info, void (*finalizer)(void*));

/* A reference type that also converts to and from wasm_ref_t (aliasing, no allocation). */
#define WASM_HULL_REF(NAME)                                                               \
  WASM_HULL_REF_BASE(NAME)                                                                \
  WASM_API_EXTERN wasm_ref_t* wasm_##NAME##_as_ref(wasm_##NAME##_t*);                     \
  WASM_API_EXTERN wasm_##NAME##_t* wasm_ref_as_##NAME(wasm_ref_t*);                       \
  WASM_API_EXTERN const wasm_ref_t* wasm_##NAME##_as_ref_const(const wasm_##NAME##_t*);   \
  WASM_API_EXTERN const wasm_##NAME##_t* wasm_ref_as_##NAME##_const(const wasm_ref_t*);

WASM_HULL_REF_BASE(ref)

/* ---- frames and traps -------------------------------------------------------------------- */

WASM_HULL_OPAQUE(frame)
WASM_HULL_VEC(frame, wasm_frame_t*)
WASM_API_EXTERN wasm_frame_t* wasm_frame_copy(const wasm_frame_t* frame);
WASM_API_EXTERN struct wasm_instance_t* wasm_frame_instance(const wasm_frame_t* frame);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t* frame);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t* frame);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t* frame);

typedef wasm_name_t wasm_message_t; /* NUL-terminated */

WASM_HULL_REF(trap)
WASM_API_EXTERN wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out);
/* The innermost frame, or NULL when the trap has no wasm frames. */
WASM_API_EXTERN wasm_frame_t* wasm_trap_origin(const wasm_trap_t* trap);
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t* trap, wasm_frame_vec_t* out);

/* ---- foreign objects (host data usable as externref) -------------------------------------- */

WASM_HULL_REF(foreign)
WASM_API_EXTERN wasm_foreign_t* wasm_foreign_new(wasm_store_t* store);

/* ---- modules ----------------------------------------------------------------------------- */

WASM_HULL_REF(module)
WASM_HULL_OPAQUE(shared_module)
/* A store-independent handle to a module, to move it to another thread's store. */
WASM_API_EXTERN wasm_shared_module_t* wasm_module_share(const wasm_module_t* module);
WASM_API_EXTERN wasm_module_t* wasm_module_obtain(wasm_store_t* store,
                                                  const wasm_shared_module_t* shared);

/* NULL if the binary is malformed or invalid. */
WASM_API_EXTERN wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t* store, const wasm_byte_vec_t* binary);
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out);
/* Hull's serialized form is the module binary itself. */
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out);
WASM_API_EXTERN wasm_module_t* wasm_module_deserialize(wasm_store_t* store,
                                                       const wasm_byte_vec_t* serialized);

/* ---- functions --------------------------------------------------------------------------- */

WASM_HULL_REF(func)

/* Host callbacks receive the arguments and fill `results` (already sized to the result
 * arity); returning a non-NULL trap (ownership passes to the runtime) makes the call trap. */
typedef wasm_trap_t* (*wasm_func_callback_t)(const wasm_val_vec_t* args,
                                             wasm_val_vec_t* results);
typedef wasm_trap_t* (*wasm_func_callback_with_env_t)(void* env, const wasm_val_vec_t* args,
                                                      wasm_val_vec_t* results);

WASM_API_EXTERN wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type,
                                           wasm_func_callback_t callback);
/* `finalizer(env)`, when not NULL, runs when the store is deleted. */
WASM_API_EXTERN wasm_func_t* wasm_func_new_with_env(wasm_store_t* store,
                                                    const wasm_functype_t* type,
                                                    wasm_func_callback_with_env_t callback,
                                                    void* env, void (*finalizer)(void*));
WASM_API_EXTERN wasm_functype_t* wasm_func_type(const wasm_func_t* func);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t* func);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t* func);
/* `results` must be sized to the result arity. Returns NULL on success, or a trap (owned by
 * the caller) when the function trapped or the arguments do not match its type. */
WASM_API_EXTERN wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args,
                                            wasm_val_vec_t* results);

/* ---- globals ----------------------------------------------------------------------------- */

WASM_HULL_REF(global)
WASM_API_EXTERN wasm_global_t* wasm_global_new(wasm_store_t* store,
                                               const wasm_globaltype_t* type,
                                               const wasm_val_t* init);
WASM_API_EXTERN wasm_globaltype_t* wasm_global_type(const wasm_global_t* global);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t* global, wasm_val_t* out);
WASM_API_EXTERN void wasm_global_set(wasm_global_t* global, const wasm_val_t* value);

/* ---- tables ------------------------------------------------------------------------------ */

WASM_HULL_REF(table)
typedef uint32_t wasm_table_size_t;

WASM_API_EXTERN wasm_table_t* wasm_table_new(wasm_store_t* store, const wasm_tabletype_t* type,
                                             wasm_ref_t* init);
WASM_API_EXTERN wasm_tabletype_t* wasm_table_type(const wasm_table_t* table);
/* NULL for a null element or an out-of-bounds index. */
WASM_API_EXTERN wasm_ref_t* wasm_table_get(const wasm_table_t* table, wasm_table_size_t index);
WASM_API_EXTERN bool wasm_table_set(wasm_table_t* table, wasm_table_size_t index, wasm_ref_t* ref);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t* table);
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t* table, wasm_table_size_t delta,
                                     wasm_ref_t* init);

/* ---- memories ---------------------------------------------------------------------------- */

WASM_HULL_REF(memory)
typedef uint32_t wasm_memory_pages_t;

static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN wasm_memory_t* wasm_memory_new(wasm_store_t* store,
                                               const wasm_memorytype_t* type);
WASM_API_EXTERN wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* memory);
/* The bytes stay at the same address while the memory grows (Hull reserves its address
 * space up front), except for memory64 memories grown past their reservation. */
WASM_API_EXTERN byte_t* wasm_memory_data(wasm_memory_t* memory);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t* memory);
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* memory);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t* memory, wasm_memory_pages_t delta);

/* ---- externals --------------------------------------------------------------------------- */

WASM_HULL_REF(extern)
WASM_HULL_VEC(extern, wasm_extern_t*)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t* ext);
WASM_API_EXTERN wasm_externtype_t* wasm_extern_type(const wasm_extern_t* ext);

/* Aliasing conversions (no allocation; NULL when the kind does not match). */
#define WASM_HULL_EXTERN_CONV(NAME)                                                    \
  WASM_API_EXTERN wasm_extern_t* wasm_##NAME##_as_extern(wasm_##NAME##_t*);            \
  WASM_API_EXTERN const wasm_extern_t* wasm_##NAME##_as_extern_const(                  \
      const wasm_##NAME##_t*);                                                         \
  WASM_API_EXTERN wasm_##NAME##_t* wasm_extern_as_##NAME(wasm_extern_t*);              \
  WASM_API_EXTERN const wasm_##NAME##_t* wasm_extern_as_##NAME##_const(const wasm_extern_t*);

WASM_HULL_EXTERN_CONV(func)
WASM_HULL_EXTERN_CONV(global)
WASM_HULL_EXTERN_CONV(table)
WASM_HULL_EXTERN_CONV(memory)

/* ---- instances --------------------------------------------------------------------------- */

WASM_HULL_REF(instance)

/* `imports` in the module's import order. On failure returns NULL and, when `trap` is not
 * NULL, stores a trap describing the failure there (owned by the caller). */
WASM_API_EXTERN wasm_instance_t* wasm_instance_new(wasm_store_t* store,
                                                   const wasm_module_t* module,
                                                   const wasm_extern_vec_t* imports,
                                                   wasm_trap_t** trap);
/* In the module's export order. */
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t* instance,
                                           wasm_extern_vec_t* out);

/* ---- convenience ------------------------------------------------------------------------- */

#define WASM_EMPTY_VEC {0, NULL}
#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}

static inline wasm_valtype_t* wasm_valtype_new_i32(void) { return wasm_valtype_new(WASM_I32); }
static inline wasm_valtype_t* wasm_valtype_new_i64(void) { return wasm_valtype_new(WASM_I64); }
static inline wasm_valtype_t* wasm_valtype_new_f32(void) { return wasm_valtype_new(WASM_F32); }
static inline wasm_valtype_t* wasm_valtype_new_f64(void) { return wasm_valtype_new(WASM_F64); }
static inline wasm_valtype_t* wasm_valtype_new_externref(void) {
  return wasm_valtype_new(WASM_EXTERNREF);
}
static inline wasm_valtype_t* wasm_valtype_new_funcref(void) {
  return wasm_valtype_new(WASM_FUNCREF);
}

/* wasm_functype_new_P_R: a function type with P params and R results, taking ownership of
 * the given value types. */
static inline wasm_functype_t* wasm_hull_functype_make(wasm_valtype_t** ps, size_t np,
                                                       wasm_valtype_t** rs, size_t nr) {
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new(&params, np, ps);
  wasm_valtype_vec_new(&results, nr, rs);
  return wasm_functype_new(&params, &results);
}
static inline wasm_functype_t* wasm_functype_new_0_0(void) {
  return wasm_hull_functype_make(NULL, 0, NULL, 0);
}
static inline wasm_functype_t* wasm_functype_new_1_0(wasm_valtype_t* p) {
  wasm_valtype_t* ps[1] = {p};
  return wasm_hull_functype_make(ps, 1, NULL, 0);
}
static inline wasm_functype_t* wasm_functype_new_2_0(wasm_valtype_t* p1, wasm_valtype_t* p2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  return wasm_hull_functype_make(ps, 2, NULL, 0);
}
static inline wasm_functype_t* wasm_functype_new_3_0(wasm_valtype_t* p1, wasm_valtype_t* p2,
                                                     wasm_valtype_t* p3) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  return wasm_hull_functype_make(ps, 3, NULL, 0);
}
static inline wasm_functype_t* wasm_functype_new_0_1(wasm_valtype_t* r) {
  wasm_valtype_t* rs[1] = {r};
  return wasm_hull_functype_make(NULL, 0, rs, 1);
}
static inline wasm_functype_t* wasm_functype_new_1_1(wasm_valtype_t* p, wasm_valtype_t* r) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[1] = {r};
  return wasm_hull_functype_make(ps, 1, rs, 1);
}
static inline wasm_functype_t* wasm_functype_new_2_1(wasm_valtype_t* p1, wasm_valtype_t* p2,
                                                     wasm_valtype_t* r) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[1] = {r};
  return wasm_hull_functype_make(ps, 2, rs, 1);
}
static inline wasm_functype_t* wasm_functype_new_3_1(wasm_valtype_t* p1, wasm_valtype_t* p2,
                                                     wasm_valtype_t* p3, wasm_valtype_t* r) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[1] = {r};
  return wasm_hull_functype_make(ps, 3, rs, 1);
}
static inline wasm_functype_t* wasm_functype_new_0_2(wasm_valtype_t* r1, wasm_valtype_t* r2) {
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_hull_functype_make(NULL, 0, rs, 2);
}
static inline wasm_functype_t* wasm_functype_new_1_2(wasm_valtype_t* p, wasm_valtype_t* r1,
                                                     wasm_valtype_t* r2) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_hull_functype_make(ps, 1, rs, 2);
}
static inline wasm_functype_t* wasm_functype_new_2_2(wasm_valtype_t* p1, wasm_valtype_t* p2,
                                                     wasm_valtype_t* r1, wasm_valtype_t* r2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_hull_functype_make(ps, 2, rs, 2);
}
static inline wasm_functype_t* wasm_functype_new_3_2(wasm_valtype_t* p1, wasm_valtype_t* p2,
                                                     wasm_valtype_t* p3, wasm_valtype_t* r1,
                                                     wasm_valtype_t* r2) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_hull_functype_make(ps, 3, rs, 2);
}

/* A host pointer carried in an integer value of pointer width. */
static inline void wasm_val_init_ptr(wasm_val_t* out, void* p) {
#if UINTPTR_MAX == UINT32_MAX
  out->kind = WASM_I32;
  out->of.i32 = (int32_t)(intptr_t)p;
#else
  out->kind = WASM_I64;
  out->of.i64 = (int64_t)(intptr_t)p;
#endif
}
static inline void* wasm_val_ptr(const wasm_val_t* val) {
#if UINTPTR_MAX == UINT32_MAX
  return (void*)(intptr_t)val->of.i32;
#else
  return (void*)(intptr_t)val->of.i64;
#endif
}

#define WASM_I32_VAL(x) {.kind = WASM_I32, .of = {.i32 = x}}
#define WASM_I64_VAL(x) {.kind = WASM_I64, .of = {.i64 = x}}
#define WASM_F32_VAL(x) {.kind = WASM_F32, .of = {.f32 = x}}
#define WASM_F64_VAL(x) {.kind = WASM_F64, .of = {.f64 = x}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = r}}
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASM_H */
