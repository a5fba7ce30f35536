/* Hull-specific extensions of the WebAssembly C API (wasm.h): store limits, module errors,
 * text-format modules and version information. Fuel metering, deadlines and WASI arrive with
 * their own issues; the functions reporting them say whether this build supports them. */
#ifndef HULL_H
#define HULL_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HULL_VERSION_MAJOR 0
#define HULL_VERSION_MINOR 1
#define HULL_VERSION_PATCH 0

/* "0.1.0" */
WASM_API_EXTERN const char* hull_version(void);

/* Resource limits of a store. UINT64_MAX / UINT32_MAX mean "unlimited". */
typedef struct hull_limits_t {
  uint64_t max_memory_bytes;     /* per linear memory */
  uint64_t max_table_elements;   /* per table */
  uint32_t max_instances;        /* per store */
  uint64_t max_wasm_stack_bytes; /* interpreter value stack per store */
} hull_limits_t;

/* The defaults: unlimited memory, tables and instances, a 1 MiB value stack. */
WASM_API_EXTERN void hull_limits_default(hull_limits_t* out);

/* Limits given to every store of engines created with this config. */
WASM_API_EXTERN void hull_config_set_limits(wasm_config_t* config, const hull_limits_t* limits);
/* Changes a store's limits; affects memories, tables and instances created afterwards (the
 * stack limit only before the first call). */
WASM_API_EXTERN void hull_store_set_limits(wasm_store_t* store, const hull_limits_t* limits);
WASM_API_EXTERN void hull_store_get_limits(const wasm_store_t* store, hull_limits_t* out);

/* Fuel metering: returns false (and does nothing) when this build has no fuel support. */
WASM_API_EXTERN bool hull_config_consume_fuel(wasm_config_t* config, bool enable);
WASM_API_EXTERN bool hull_store_set_fuel(wasm_store_t* store, uint64_t fuel);
/* Deadlines (epoch interruption): false when unsupported by this build. */
WASM_API_EXTERN bool hull_store_set_deadline_ms(wasm_store_t* store, uint64_t milliseconds);
/* WASI preview 1: false when this build has no WASI support. */
WASM_API_EXTERN bool hull_has_wasi(void);

/* Like wasm_module_new, but on failure returns NULL and stores the reason (a NUL-terminated
 * message, owned by the caller) in `error` when it is not NULL. */
WASM_API_EXTERN wasm_module_t* hull_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary,
                                               wasm_message_t* error);

/* Converts WebAssembly text (a module) to a binary. On failure returns false and stores the
 * reason in `error` when not NULL. */
WASM_API_EXTERN bool hull_wat2wasm(const char* text, size_t len, wasm_byte_vec_t* out,
                                   wasm_message_t* error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HULL_H */
