/* Hull-specific extensions of the WebAssembly C API (wasm.h): store limits, fuel metering,
 * deadlines, WASI preview 1, module errors, text-format modules and version information; and,
 * through hull_component.h, the component model. */
#ifndef HULL_H
#define HULL_H

#include "hull_component.h" /* the component model: hull_component_* */
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
 * stack limit only before the first call). memory.grow / table.grow (and wasm_memory_grow /
 * wasm_table_grow) fail past a limit; a module whose memory or table minimum exceeds one, or
 * one instance too many, makes wasm_instance_new fail with a trap message naming the limit.
 * max_wasm_stack_bytes is clamped to [8 KiB, 1 GiB]; exhausting it traps with "call stack
 * exhausted". */
WASM_API_EXTERN void hull_store_set_limits(wasm_store_t* store, const hull_limits_t* limits);
WASM_API_EXTERN void hull_store_get_limits(const wasm_store_t* store, hull_limits_t* out);

/* ---- fuel and deadlines ------------------------------------------------------------------
 * Both are switched on per engine (its config), because modules compiled by such an engine get
 * check points at every function entry and loop header; code compiled without them pays
 * nothing. A guest that runs out of fuel or past its deadline makes wasm_func_call (or
 * wasm_instance_new, in a start function) return a trap whose message is "all fuel consumed"
 * or "interrupt"; the store stays usable afterwards. */

/* Fuel metering for engines created with this config: one unit per wasm instruction, charged
 * per basic block. A new store has 0 fuel: call hull_store_set_fuel before running code.
 * Returns true (this build supports fuel). */
WASM_API_EXTERN bool hull_config_consume_fuel(wasm_config_t* config, bool enable);
/* Deadlines (hull_store_set_deadline_ms) for engines created with this config. Returns true. */
WASM_API_EXTERN bool hull_config_epoch_interruption(wasm_config_t* config, bool enable);
/* Switches the Wasm feature NAME (Wasmtime's spelling, as in `hull run -W`: "simd",
 * "tail-call", "reference-types", ... ; all are on by default) on or off for engines created
 * with this config, components included. A module using a feature that is off fails to
 * compile with a message naming it. Returns false (nothing done) for an unknown NAME. */
WASM_API_EXTERN bool hull_config_wasm_feature(wasm_config_t* config, const char* name, bool enable);
/* Sets the store's remaining fuel. False (nothing done) unless its engine consumes fuel. */
WASM_API_EXTERN bool hull_store_set_fuel(wasm_store_t* store, uint64_t fuel);
/* The fuel left / consumed in total by the store (across hull_store_set_fuel calls). False
 * (and *out untouched) unless its engine consumes fuel. */
WASM_API_EXTERN bool hull_store_get_fuel(const wasm_store_t* store, uint64_t* out);
WASM_API_EXTERN bool hull_store_fuel_consumed(const wasm_store_t* store, uint64_t* out);
/* Code running in the store traps with "interrupt" once `milliseconds` from now have passed
 * (checked at function entries and loop headers, with a 2 ms granularity; one process-wide
 * timer thread starts on first use). False (nothing done) unless the store's engine has epoch
 * interruption. */
WASM_API_EXTERN bool hull_store_set_deadline_ms(wasm_store_t* store, uint64_t milliseconds);
/* Removes the store's deadline. */
WASM_API_EXTERN void hull_store_clear_deadline(wasm_store_t* store);

/* ---- garbage collection --------------------------------------------------------------------
 * Wasm GC objects (structs, arrays), exceptions and externrefs live while wasm or the host
 * refers to them. The host refers through reference handles: a wasm_ref_t (alone or in a
 * wasm_val_t) received from a call, a global or a table keeps what it designates alive until
 * it is deleted. References of wasm's own (structs, arrays, i31s, exceptions: wasm.h has no kind
 * for them, so their type reflects as WASM_EXTERNREF) come back as handles that can be passed
 * back to wasm, copied and compared; an argument whose reference does not fit the parameter's
 * exact type -- a null for a non-nullable parameter, an i31 for a struct, a reference of
 * another store -- makes wasm_func_call return a trap saying so. A C object passed as an
 * externref is wrapped once while the wrapper lives, so it keeps its identity in wasm. */

/* Frees what nothing refers to now (allocation collects by itself as the heap grows). */
WASM_API_EXTERN void hull_store_gc(wasm_store_t* store);
/* The GC objects (structs, arrays and externref wrappers) alive in the store. */
WASM_API_EXTERN size_t hull_store_gc_objects(const wasm_store_t* store);

/* ---- reusing instances ---------------------------------------------------------------------
 * A snapshot records the state a store's instances are in right after instantiation, and puts
 * the store back into it later: memories (size and contents), globals, tables and dropped
 * segments -- what a fresh instance would show its next caller, for the cost of resetting the
 * memories instead of instantiating again (how `hull serve` reuses instances; the C++ API's
 * hull::api::StoreSnapshot). Take it right after instantiating, before anything runs. */
typedef struct hull_store_snapshot_t hull_store_snapshot_t;
/* The snapshot of `store`, or NULL with the reason in `error` (when not NULL): a store whose
 * instantiation ran code (a start function), or that holds shared memories, GC objects or
 * exceptions, has none. */
WASM_API_EXTERN hull_store_snapshot_t* hull_store_snapshot_take(wasm_store_t* store,
                                                                wasm_message_t* error);
/* Puts `store` (the one the snapshot was taken from) back. False, with the reason in `error`,
 * when the store gained instances, memories, tables or globals since, holds GC objects, or is
 * another store: then drop the store instead of reusing it. */
WASM_API_EXTERN bool hull_store_snapshot_restore(const hull_store_snapshot_t* snapshot,
                                                 wasm_store_t* store, wasm_message_t* error);
WASM_API_EXTERN void hull_store_snapshot_delete(hull_store_snapshot_t* snapshot);

/* ---- WASI preview 1 ------------------------------------------------------------------------
 * wasm.h has no linker: imports are passed to wasm_instance_new as a vector in import order.
 * hull_wasi_imports builds that vector for a module that imports only wasi_snapshot_preview1
 * functions. Each call creates a fresh WASI context (arguments, environment, file descriptors)
 * owned by the store; the functions reach the memory of whichever instance calls them. */

/* True when this build of libhull has WASI (the hull_wasi_* functions otherwise fail). */
WASM_API_EXTERN bool hull_has_wasi(void);

typedef struct hull_wasi_config_t hull_wasi_config_t;

/* A new configuration: no arguments, no environment, no preopened directories; stdin reads
 * as empty and stdout/stderr are discarded (/dev/null) until set otherwise. */
WASM_API_EXTERN hull_wasi_config_t* hull_wasi_config_new(void);
WASM_API_EXTERN void hull_wasi_config_delete(hull_wasi_config_t* config);
/* The guest's argv (argv[0] included), copied. Replaces earlier arguments. */
WASM_API_EXTERN void hull_wasi_config_set_argv(hull_wasi_config_t* config, size_t argc,
                                               const char* const argv[]);
/* Sets `n` environment variables (names[i]=values[i], copied); a name set again replaces the
 * earlier value. */
WASM_API_EXTERN void hull_wasi_config_set_env(hull_wasi_config_t* config, size_t n,
                                              const char* const names[],
                                              const char* const values[]);
/* Gives the guest the host process's whole environment (variables set with
 * hull_wasi_config_set_env, before or after, take precedence). */
WASM_API_EXTERN void hull_wasi_config_inherit_env(hull_wasi_config_t* config);
/* The guest's fds 0, 1 and 2 are the host's 0, 1 and 2. */
WASM_API_EXTERN void hull_wasi_config_inherit_stdio(hull_wasi_config_t* config);
/* The guest's fd `guest_fd` (0, 1 or 2) is the host descriptor `host_fd`, borrowed: the caller
 * keeps it open while the store lives and closes it afterwards. False for another guest_fd or
 * a negative host_fd. */
WASM_API_EXTERN bool hull_wasi_config_set_stdio_fd(hull_wasi_config_t* config, int guest_fd,
                                                   int host_fd);
/* Preopens the host directory `host_path` as `guest_path` (NULL: the same name). The guest
 * reaches nothing outside it (no "..", absolute paths or symlinks out of it); with `read_only`
 * it cannot modify anything in it either. The directory is opened by hull_wasi_imports. */
WASM_API_EXTERN void hull_wasi_config_preopen_dir(hull_wasi_config_t* config,
                                                  const char* host_path,
                                                  const char* guest_path, bool read_only);

/* Fills `out` (owned by the caller; free with wasm_extern_vec_delete) with one function per
 * import of `module`, in import order, backed by a new WASI context configured by `config`
 * (which the caller still owns and may delete afterwards). On failure returns false, leaves
 * `out` empty and stores a message in `error` (when not NULL): an import that is not a
 * wasi_snapshot_preview1 function Hull provides (the message names the first one), a
 * mistyped one, or a preopened directory that cannot be opened. */
WASM_API_EXTERN bool hull_wasi_imports(wasm_store_t* store, const wasm_module_t* module,
                                       const hull_wasi_config_t* config, wasm_extern_vec_t* out,
                                       wasm_message_t* error);
/* True when `trap` is the guest calling proc_exit (not a real trap); the exit code is stored
 * in *code. False for every other trap. */
WASM_API_EXTERN bool hull_wasi_exit_code(const wasm_trap_t* trap, int* code);

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
