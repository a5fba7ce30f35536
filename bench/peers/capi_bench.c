/* In-process costs through the standard WebAssembly C API (wasm.h): compile, instantiate,
 * host->guest and guest->host calls. The same source is linked against libhull and against
 * WAMR's wasm-c-api, so both runtimes are measured by identical code.
 *
 * Usage: capi_bench LABEL MODULE_DIR REPS
 *   MODULE_DIR holds sha256.run.wasm, large1.wasm, large10.wasm, calls.wasm (run.sh makes it).
 * Prints "LABEL<TAB>key<TAB>cpu_ns_per_op" lines on stdout (median of REPS batches). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_WAMR
#include "wasm_c_api.h"
#else
#include "wasm.h"
#endif

#include "timing.h"

/* Calls made by one call_host / call_guest invocation. */
#define LOOP_CALLS (1 << 20)
/* Minimum CPU time of one timed batch. */
#define MIN_BATCH_MS 20.0

static wasm_engine_t* g_engine;
static const char* g_label;

static void die(const char* what) {
  fprintf(stderr, "%s: %s failed\n", g_label, what);
  exit(1);
}

static void load_bytes(const char* dir, const char* file, wasm_byte_vec_t* out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t size = 0;
  unsigned char* data = bench_read_file(path, &size);
  wasm_byte_vec_new(out, size, (const wasm_byte_t*)data);
  free(data);
}

/* ---- compile: bytes -> wasm_module_t ---------------------------------------------------------
 * A fresh store per module: WAMR frees modules only with their store (wasm_module_delete is a
 * no-op there), so compiling into one long-lived store would accumulate every module. */
static void op_compile(void* ctx, long n) {
  const wasm_byte_vec_t* bytes = (const wasm_byte_vec_t*)ctx;
  for (long i = 0; i < n; ++i) {
    wasm_store_t* store = wasm_store_new(g_engine);
    wasm_module_t* module = wasm_module_new(store, bytes);
    if (!module) die("wasm_module_new");
    wasm_module_delete(module);
    wasm_store_delete(store);
  }
}

/* ---- instantiate a compiled module (no imports) in a fresh store ---------------------------- */
struct inst_ctx {
  const wasm_module_t* module;
  int with_exports; /* also fetch the export list, as any embedder must to call something */
};

static void op_instantiate(void* ctx, long n) {
  const struct inst_ctx* c = (const struct inst_ctx*)ctx;
  for (long i = 0; i < n; ++i) {
    wasm_store_t* store = wasm_store_new(g_engine);
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_trap_t* trap = NULL;
    wasm_instance_t* inst = wasm_instance_new(store, c->module, &imports, &trap);
    if (!inst) die("wasm_instance_new");
    if (c->with_exports) {
      wasm_extern_vec_t exports;
      wasm_instance_exports(inst, &exports);
      if (exports.size == 0) die("wasm_instance_exports");
      wasm_extern_vec_delete(&exports);
    }
    wasm_instance_delete(inst);
    wasm_store_delete(store);
  }
}

/* ---- calls ---------------------------------------------------------------------------------- */
static wasm_trap_t* empty_host(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  return NULL;
}

static const wasm_func_t* g_empty;
static const wasm_func_t* g_add;
static const wasm_func_t* g_call_host;
static const wasm_func_t* g_call_guest;
static volatile int32_t g_sink;

static void op_call_empty(void* ctx, long n) {
  (void)ctx;
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  for (long i = 0; i < n; ++i) {
    if (wasm_func_call(g_empty, &args, &results)) die("call empty");
  }
}

static void op_call_add(void* ctx, long n) {
  (void)ctx;
  wasm_val_t a[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a);
  wasm_val_vec_t results = WASM_ARRAY_VEC(r);
  int32_t acc = 0;
  for (long i = 0; i < n; ++i) {
    a[0].of.i32 = (int32_t)i;
    if (wasm_func_call(g_add, &args, &results)) die("call add");
    acc += r[0].of.i32;
  }
  g_sink = acc;
}

/* One invocation of the loop export makes LOOP_CALLS calls (main divides by LOOP_CALLS). */
static void op_loop(void* ctx, long n) {
  const wasm_func_t* f = (const wasm_func_t*)ctx;
  wasm_val_t a[1] = {WASM_I32_VAL(LOOP_CALLS)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  for (long i = 0; i < n; ++i) {
    if (wasm_func_call(f, &args, &results)) die("call loop");
  }
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LABEL MODULE_DIR REPS\n", argv[0]);
    return 2;
  }
  g_label = argv[1];
  const char* dir = argv[2];
  const int reps = atoi(argv[3]) > 0 ? atoi(argv[3]) : 5;

  g_engine = wasm_engine_new();
  if (!g_engine) die("wasm_engine_new");
  /* Long-lived store: holds the compiled modules that are instantiated, and the call fixture.
   * (In WAMR it also keeps the per-thread runtime environment alive across fresh stores.) */
  wasm_store_t* store = wasm_store_new(g_engine);
  if (!store) die("wasm_store_new");

  static const struct {
    const char* key;
    const char* file;
  } modules[] = {{"sha256", "sha256.run.wasm"}, {"large1", "large1.wasm"},
                 {"large10", "large10.wasm"}};
  for (size_t m = 0; m < sizeof modules / sizeof modules[0]; ++m) {
    char key[64];
    wasm_byte_vec_t bytes;
    load_bytes(dir, modules[m].file, &bytes);
    snprintf(key, sizeof key, "compile.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_compile, &bytes, reps, MIN_BATCH_MS));

    wasm_module_t* module = wasm_module_new(store, &bytes);
    if (!module) die("wasm_module_new");
    struct inst_ctx ic = {module, 0};
    snprintf(key, sizeof key, "inst.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_instantiate, &ic, reps, MIN_BATCH_MS));
    ic.with_exports = 1;
    snprintf(key, sizeof key, "inst_exports.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_instantiate, &ic, reps, MIN_BATCH_MS));
    wasm_module_delete(module);
    wasm_byte_vec_delete(&bytes);
  }

  /* Call fixture: the calls module instantiated against one empty host function. */
  wasm_byte_vec_t bytes;
  load_bytes(dir, "calls.wasm", &bytes);
  wasm_module_t* module = wasm_module_new(store, &bytes);
  if (!module) die("wasm_module_new(calls)");
  wasm_functype_t* ty = wasm_functype_new_0_0();
  wasm_func_t* host = wasm_func_new(store, ty, empty_host);
  wasm_functype_delete(ty);
  wasm_extern_t* imps[1] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imps);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst = wasm_instance_new(store, module, &imports, &trap);
  if (!inst) die("wasm_instance_new(calls)");
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  if (exports.size != 4) die("exports of calls.wasm");
  g_empty = wasm_extern_as_func(exports.data[0]);
  g_add = wasm_extern_as_func(exports.data[1]);
  g_call_host = wasm_extern_as_func(exports.data[2]);
  g_call_guest = wasm_extern_as_func(exports.data[3]);
  if (!g_empty || !g_add || !g_call_host || !g_call_guest) die("export kinds");

  /* Check the add export computes before timing it. */
  {
    wasm_val_t a[2] = {WASM_I32_VAL(40), WASM_I32_VAL(2)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a);
    wasm_val_vec_t results = WASM_ARRAY_VEC(r);
    if (wasm_func_call(g_add, &args, &results) || r[0].kind != WASM_I32 || r[0].of.i32 != 42) {
      die("add(40, 2) == 42");
    }
  }

  bench_report(g_label, "call.empty", bench_measure(op_call_empty, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "call.add", bench_measure(op_call_add, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "g2h.host",
               bench_measure(op_loop, (void*)g_call_host, reps, MIN_BATCH_MS) / LOOP_CALLS);
  bench_report(g_label, "g2h.guest",
               bench_measure(op_loop, (void*)g_call_guest, reps, MIN_BATCH_MS) / LOOP_CALLS);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&bytes);
  wasm_store_delete(store);
  wasm_engine_delete(g_engine);
  return 0;
}
