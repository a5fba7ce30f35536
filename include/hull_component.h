/* Hull's C API for the component model: compile components, define host functions for their
 * imports, instantiate them into a wasm_store_t and call their exports with component values.
 * Shaped like Wasmtime's C component API (the wasmtime/component headers) so that code written
 * against it ports by renaming: wasmtime_component_val_t -> hull_component_val_t (same kind numbers
 * and union members), wasmtime_error_t -> hull_error_t, wasmtime_component_new ->
 * hull_component_new, and so on. Built on the C++ component API (hull/component.hh).
 *
 * Ownership follows wasm.h: functions named _new/_copy/_clone return objects the caller owns
 * and frees with the matching _delete; values passed to a call are borrowed; values a call
 * returns belong to the caller. Every fallible function returns NULL on success or a
 * hull_error_t (owned by the caller) that says what went wrong. */
#ifndef HULL_COMPONENT_H
#define HULL_COMPONENT_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ---------------------------------------------------------------------------------
 * An error of the component API: a kind, a message and, when guest code trapped, the trap. */
typedef struct hull_error_t hull_error_t;

typedef uint8_t hull_error_kind_t;
enum hull_error_kind_enum {
  HULL_ERROR_MALFORMED,      /* the binary or text could not be decoded */
  HULL_ERROR_INVALID,        /* the component failed validation */
  HULL_ERROR_UNLINKABLE,     /* an import is missing or has the wrong type */
  HULL_ERROR_UNINSTANTIABLE, /* instantiation trapped (hull_error_trap_message says how) */
  HULL_ERROR_LIMIT,          /* a store limit was reached */
  HULL_ERROR_IO,             /* a file could not be read */
  HULL_ERROR_USAGE,          /* the API was misused: wrong argument count or types, ... */
  HULL_ERROR_TRAP,           /* the call trapped */
};

/* A new error with `message` (NUL-terminated, copied). Returned by a host function, it makes the
 * calling guest trap with that message (like wasmtime_error_new). */
WASM_API_EXTERN hull_error_t* hull_error_new(const char* message);
WASM_API_EXTERN void hull_error_delete(hull_error_t* error);
WASM_API_EXTERN hull_error_kind_t hull_error_kind(const hull_error_t* error);
/* The full message, e.g. "unlinkable: import `local:demo/host` was not found" or, for a trap,
 * "wasm trap: unreachable" followed by the wasm backtrace. `out` receives a NUL-terminated
 * string (its size counts the NUL, as wasm_trap_message does); free it with
 * wasm_byte_vec_delete. */
WASM_API_EXTERN void hull_error_message(const hull_error_t* error, wasm_message_t* out);
/* True when the error holds a trap (kind HULL_ERROR_TRAP, or HULL_ERROR_UNINSTANTIABLE because
 * instantiation trapped); then `out` (when not NULL) receives the trap's own message, e.g.
 * "unreachable" or the message a host function failed with, NUL-terminated as above. */
WASM_API_EXTERN bool hull_error_trap_message(const hull_error_t* error, wasm_message_t* out);

/* ---- values ---------------------------------------------------------------------------------
 * A component value is a tree: `kind` says which member of `of` is set. Strings, names and
 * lists are owned by the value that holds them; hull_component_val_delete frees a value's
 * contents recursively. The numbers match wasmtime_component_valkind_t. */
typedef uint8_t hull_component_valkind_t;
#define HULL_COMPONENT_BOOL 0
#define HULL_COMPONENT_S8 1
#define HULL_COMPONENT_U8 2
#define HULL_COMPONENT_S16 3
#define HULL_COMPONENT_U16 4
#define HULL_COMPONENT_S32 5
#define HULL_COMPONENT_U32 6
#define HULL_COMPONENT_S64 7
#define HULL_COMPONENT_U64 8
#define HULL_COMPONENT_F32 9
#define HULL_COMPONENT_F64 10
#define HULL_COMPONENT_CHAR 11
#define HULL_COMPONENT_STRING 12
#define HULL_COMPONENT_LIST 13
#define HULL_COMPONENT_RECORD 14
#define HULL_COMPONENT_TUPLE 15
#define HULL_COMPONENT_VARIANT 16
#define HULL_COMPONENT_ENUM 17
#define HULL_COMPONENT_OPTION 18
#define HULL_COMPONENT_RESULT 19
#define HULL_COMPONENT_FLAGS 20
#define HULL_COMPONENT_RESOURCE 21

struct hull_component_val_t;
struct hull_component_valrecord_entry_t;

/* A resource handle given to the host (opaque, owned by the value that holds it). */
typedef struct hull_component_resource_any_t hull_component_resource_any_t;

/* Vectors as in wasm.h: _new takes ownership of `size` elements moved from `data` (the array
 * itself stays the caller's), _new_uninit makes `size` zeroed elements (each a `false` bool,
 * which is safe to delete), _copy copies deeply, _delete frees the elements and the array. */
#define HULL_COMPONENT_DECLARE_VEC(name, type)                                   \
  typedef struct name##_t {                                                      \
    size_t size;                                                                 \
    type* data;                                                                  \
  } name##_t;                                                                    \
  WASM_API_EXTERN void name##_new(name##_t* out, size_t size, const type* data); \
  WASM_API_EXTERN void name##_new_empty(name##_t* out);                          \
  WASM_API_EXTERN void name##_new_uninit(name##_t* out, size_t size);            \
  WASM_API_EXTERN void name##_copy(name##_t* out, const name##_t* src);          \
  WASM_API_EXTERN void name##_delete(name##_t* vec);

/* list<T> and tuple<...>: the elements in order. */
HULL_COMPONENT_DECLARE_VEC(hull_component_vallist, struct hull_component_val_t)
typedef hull_component_vallist_t hull_component_valtuple_t;
/* record { ... }: the fields in the record type's order, each with its name. */
HULL_COMPONENT_DECLARE_VEC(hull_component_valrecord, struct hull_component_valrecord_entry_t)
/* flags { ... }: the names of the flags that are set. */
HULL_COMPONENT_DECLARE_VEC(hull_component_valflags, wasm_name_t)

/* variant: the case's name and its payload (NULL for a case without one). */
typedef struct hull_component_valvariant_t {
  wasm_name_t discriminant;
  struct hull_component_val_t* val;
} hull_component_valvariant_t;

/* result<T, E>: which side, and its payload (NULL when that side has no type). */
typedef struct hull_component_valresult_t {
  bool is_ok;
  struct hull_component_val_t* val;
} hull_component_valresult_t;

typedef union hull_component_valunion_t {
  bool boolean;
  int8_t s8;
  uint8_t u8;
  int16_t s16;
  uint16_t u16;
  int32_t s32;
  uint32_t u32;
  int64_t s64;
  uint64_t u64;
  float32_t f32;
  float64_t f64;
  uint32_t character; /* a Unicode scalar value */
  wasm_name_t string; /* UTF-8, not NUL-terminated */
  hull_component_vallist_t list;
  hull_component_valrecord_t record;
  hull_component_valtuple_t tuple;
  hull_component_valvariant_t variant;
  wasm_name_t enumeration;             /* the case's name */
  struct hull_component_val_t* option; /* NULL: none */
  hull_component_valresult_t result;
  hull_component_valflags_t flags;
  hull_component_resource_any_t* resource;
} hull_component_valunion_t;

typedef struct hull_component_val_t {
  hull_component_valkind_t kind;
  hull_component_valunion_t of;
} hull_component_val_t;

typedef struct hull_component_valrecord_entry_t {
  wasm_name_t name;
  hull_component_val_t val;
} hull_component_valrecord_entry_t;

/* Frees what `val` owns (recursively) and leaves it a `false` bool; the struct itself is the
 * caller's (a local, an array element, ...). */
WASM_API_EXTERN void hull_component_val_delete(hull_component_val_t* val);
/* Moves `val` into a new heap allocation (for option, variant and result payloads) and leaves
 * `val` a `false` bool. */
WASM_API_EXTERN hull_component_val_t* hull_component_val_new(hull_component_val_t* val);
/* Deletes a heap value made by hull_component_val_new (contents and allocation). */
WASM_API_EXTERN void hull_component_val_free(hull_component_val_t* val);
/* Deep copy of `src` into `out`. */
WASM_API_EXTERN void hull_component_val_clone(const hull_component_val_t* src,
                                              hull_component_val_t* out);

/* Convenience setters: each overwrites `out` without freeing what it held. Strings and names
 * are copied (`len` bytes, no NUL needed); payloads are moved (and left `false` bools). */
WASM_API_EXTERN void hull_component_val_new_string(hull_component_val_t* out, const char* str,
                                                   size_t len);
WASM_API_EXTERN void hull_component_val_new_enum(hull_component_val_t* out, const char* name);
/* `payload` may be NULL (a case without payload). */
WASM_API_EXTERN void hull_component_val_new_variant(hull_component_val_t* out, const char* name,
                                                    hull_component_val_t* payload);
WASM_API_EXTERN void hull_component_val_new_option(hull_component_val_t* out,
                                                   hull_component_val_t* payload_or_null);
WASM_API_EXTERN void hull_component_val_new_result(hull_component_val_t* out, bool is_ok,
                                                   hull_component_val_t* payload_or_null);
/* Sets field `index` of a record made with hull_component_valrecord_new_uninit (deleting what
 * it held; nothing happens when `index` is out of range). */
WASM_API_EXTERN void hull_component_valrecord_set(hull_component_valrecord_t* record, size_t index,
                                                  const char* name, hull_component_val_t* val);

/* Resources: a handle the host received (an own<T> or a borrow<T>). */
WASM_API_EXTERN hull_component_resource_any_t* hull_component_resource_any_clone(
    const hull_component_resource_any_t* resource);
WASM_API_EXTERN void hull_component_resource_any_delete(hull_component_resource_any_t* resource);
/* Whether the handle is owned (own<T>) rather than borrowed. An owned handle may be passed where
 * a borrow<T> is expected (it is lent for the call); passing it as own<T> gives it back to the
 * guest, after which it must not be used again. */
WASM_API_EXTERN bool hull_component_resource_any_owned(
    const hull_component_resource_any_t* resource);
/* The representation the owning side gave the resource (for a guest-defined resource: the i32
 * passed to resource.new; for a host-defined one: the rep of hull_component_resource_host_new). */
WASM_API_EXTERN uint32_t
hull_component_resource_any_rep(const hull_component_resource_any_t* resource);
/* Drops an owned handle the host holds: runs the resource's destructor (the guest's core
 * destructor for a guest-defined resource, which may trap; the host's for a host-defined one).
 * The handle must not be passed anywhere afterwards (delete it). A borrow is a HULL_ERROR_USAGE
 * error. */
WASM_API_EXTERN hull_error_t* hull_component_resource_any_drop(
    const hull_component_resource_any_t* resource);

/* A resource type's identity: a host-defined one (hull_component_linker_define_resource) or the
 * type of a handle the host received. Owned by the caller. */
typedef struct hull_component_resource_type_t hull_component_resource_type_t;
WASM_API_EXTERN hull_component_resource_type_t* hull_component_resource_type_clone(
    const hull_component_resource_type_t* type);
WASM_API_EXTERN void hull_component_resource_type_delete(hull_component_resource_type_t* type);
WASM_API_EXTERN bool hull_component_resource_type_equal(const hull_component_resource_type_t* a,
                                                        const hull_component_resource_type_t* b);
/* The type of a handle. */
WASM_API_EXTERN hull_component_resource_type_t* hull_component_resource_any_type(
    const hull_component_resource_any_t* resource);
/* A handle to a resource of a host-defined `type` whose representation is `rep` (the host's own
 * index or key for the object): an owned one to return from a host function or to pass to a
 * guest, or a borrowed one (`owned` false) to lend. */
WASM_API_EXTERN hull_component_resource_any_t* hull_component_resource_host_new(
    const hull_component_resource_type_t* type, uint32_t rep, bool owned);

/* ---- components -----------------------------------------------------------------------------
 * Immutable and shareable across stores and threads; the engine must outlive it. */
typedef struct hull_component_t hull_component_t;

/* Decodes, validates and compiles a component binary. */
WASM_API_EXTERN hull_error_t* hull_component_new(const wasm_engine_t* engine, const uint8_t* buf,
                                                 size_t len, hull_component_t** out);
/* A component binary, or component text (.wat) when the file does not start with "\0asm". */
WASM_API_EXTERN hull_error_t* hull_component_from_file(const wasm_engine_t* engine,
                                                       const char* path, hull_component_t** out);
WASM_API_EXTERN hull_component_t* hull_component_clone(const hull_component_t* component);
WASM_API_EXTERN void hull_component_delete(hull_component_t* component);
/* The component's imports and exports in WIT syntax (`world root { ... }`), NUL-terminated. */
WASM_API_EXTERN void hull_component_wit(const hull_component_t* component, wasm_name_t* out);

/* ---- functions and instances ---------------------------------------------------------------
 * Handles owned by the caller (free them with their _delete); they may be used while the store
 * the instance lives in does. */
typedef struct hull_component_instance_t hull_component_instance_t;
typedef struct hull_component_func_t hull_component_func_t;

WASM_API_EXTERN void hull_component_instance_delete(hull_component_instance_t* instance);
/* An exported function by name; "iface#name" looks inside an exported instance. NULL when there
 * is no such function. */
WASM_API_EXTERN hull_component_func_t* hull_component_instance_get_func(
    const hull_component_instance_t* instance, const char* name);
/* An exported instance by name, or NULL. */
WASM_API_EXTERN hull_component_instance_t* hull_component_instance_get_instance(
    const hull_component_instance_t* instance, const char* name);

WASM_API_EXTERN void hull_component_func_delete(hull_component_func_t* func);
WASM_API_EXTERN size_t hull_component_func_param_count(const hull_component_func_t* func);
WASM_API_EXTERN size_t
hull_component_func_result_count(const hull_component_func_t* func); /* 0|1 */
/* The function's type in WIT syntax, e.g. "func(name: string) -> string", NUL-terminated. */
WASM_API_EXTERN void hull_component_func_type(const hull_component_func_t* func, wasm_name_t* out);
/* Calls `func`. `args` (borrowed) must match its parameters: a wrong count or an ill-typed
 * argument is a HULL_ERROR_USAGE error naming the parameter, and nothing runs. On success the
 * `nresults` entries of `results` (which must equal hull_component_func_result_count) receive
 * values owned by the caller; on failure they are left untouched. A trap is a HULL_ERROR_TRAP
 * error; the store stays usable. */
WASM_API_EXTERN hull_error_t* hull_component_func_call(const hull_component_func_t* func,
                                                       const hull_component_val_t* args,
                                                       size_t nargs, hull_component_val_t* results,
                                                       size_t nresults);

/* ---- linker ---------------------------------------------------------------------------------
 * Satisfies a component's imports by name. One linker can instantiate into many stores. */
typedef struct hull_component_linker_t hull_component_linker_t;

/* A host function. `args` are borrowed for the call (typed as the import that the function
 * satisfies). `nresults` is the import's result count (0 or 1): the host stores the result in
 * results[0] and Hull takes ownership of it (a slot left unset, or a value of the wrong type,
 * makes the guest trap with a message saying so). Returning an error (hull_error_new) makes
 * the calling guest trap with its message; Hull deletes the error. */
typedef hull_error_t* (*hull_component_func_callback_t)(void* env, const hull_component_val_t* args,
                                                        size_t nargs, hull_component_val_t* results,
                                                        size_t nresults);

WASM_API_EXTERN hull_component_linker_t* hull_component_linker_new(const wasm_engine_t* engine);
/* Deletes the linker. Stores it instantiated into keep its definitions (host functions, host
 * resource types and their envs) alive: a finalizer runs once neither the linker nor any such
 * store needs the definition. */
WASM_API_EXTERN void hull_component_linker_delete(hull_component_linker_t* linker);
/* Defines the host function at `path`: "name" for a function import, "iface#name" for a
 * function of an imported instance ("local:demo/host#log"; nested: "a#b#name"). `finalizer`
 * (may be NULL) is called with `env` when the definition is no longer needed. Fails (and calls
 * the finalizer at once) when the path is empty or already defined. */
WASM_API_EXTERN hull_error_t* hull_component_linker_define_func(
    hull_component_linker_t* linker, const char* path, hull_component_func_callback_t callback,
    void* env, void (*finalizer)(void* env));
/* Defines a host resource type at `path` ("name", or "iface#name" for a resource an imported
 * instance exports); components import it as `(type (sub resource))`. `destructor` (may be
 * NULL) is called with `env` and the handle's rep when an owned handle is dropped (by a guest's
 * resource.drop or hull_component_resource_any_drop); `finalizer` (may be NULL) with `env` when
 * neither the linker nor a store instantiated with it needs the definition any more. On success
 * *type_out receives the type, for creating handles (hull_component_resource_host_new) and
 * recognising them; it designates the same type in every store the linker instantiates into.
 * Fails (and calls the finalizer at once) when the path is empty or already defined. */
WASM_API_EXTERN hull_error_t* hull_component_linker_define_resource(
    hull_component_linker_t* linker, const char* path, void (*destructor)(void* env, uint32_t rep),
    void* env, void (*finalizer)(void* env), hull_component_resource_type_t** type_out);
/* Defines every export of `instance` (e.g. another component's instance) under `name`. */
WASM_API_EXTERN hull_error_t* hull_component_linker_define_instance(
    hull_component_linker_t* linker, const char* name, const hull_component_instance_t* instance);
/* Instantiates `component` in `store` (which owns the instance from then on). A missing or
 * mistyped import is a HULL_ERROR_UNLINKABLE error naming it; a trap while instantiating is
 * HULL_ERROR_UNINSTANTIABLE holding the trap. */
WASM_API_EXTERN hull_error_t* hull_component_linker_instantiate(
    const hull_component_linker_t* linker, wasm_store_t* store, const hull_component_t* component,
    hull_component_instance_t** out);

/* ---- reusing instances ---------------------------------------------------------------------
 * As hull_store_snapshot_t (hull.h) for a component instance: its core instances' memories,
 * globals and tables, and its handle tables (own and nested instances), put back to their
 * state right after instantiation; take it before calling anything. */
typedef struct hull_component_snapshot_t hull_component_snapshot_t;
/* The snapshot of `instance` in `store`. HULL_ERROR_USAGE, saying why, when it has none (a
 * start function ran, shared memories, GC objects, async built-ins, a call under way). */
WASM_API_EXTERN hull_error_t* hull_component_snapshot_take(
    wasm_store_t* store, const hull_component_instance_t* instance,
    hull_component_snapshot_t** out);
/* Puts the instance back. An error (then drop the store rather than reuse it) when the store
 * gained instances since, holds GC objects, a call is under way, or it is another store. */
WASM_API_EXTERN hull_error_t* hull_component_snapshot_restore(
    const hull_component_snapshot_t* snapshot, wasm_store_t* store);
WASM_API_EXTERN void hull_component_snapshot_delete(hull_component_snapshot_t* snapshot);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HULL_COMPONENT_H */
