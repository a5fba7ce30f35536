/* In-process costs through WAMR's native embedding API (wasm_export.h), the lower-level path
 * beneath its wasm-c-api: load, instantiate, wasm_runtime_call_wasm, and a registered native
 * import called from a wasm loop. Same modules and timing as capi_bench.c.
 *
 * Usage: wamr_native_bench LABEL MODULE_DIR REPS
 * Prints "LABEL<TAB>key<TAB>cpu_ns_per_op" lines on stdout (median of REPS batches). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"

#include "timing.h"

#define LOOP_CALLS (1 << 20)
#define MIN_BATCH_MS 20.0
/* The stack and app-heap sizes WAMR's wasm_instance_new uses (32 KiB each). */
#define STACK_BYTES (32 * 1024)
#define HEAP_BYTES (32 * 1024)

static const char* g_label;
static char g_err[256];

static void die(const char* what) {
  fprintf(stderr, "%s: %s failed: %s\n", g_label, what, g_err);
  exit(1);
}

struct module_bytes {
  uint8_t* data;
  uint32_t size;
  uint8_t* scratch; /* wasm_runtime_load may patch the buffer it is given: load a copy */
};

/* compile: copy the bytes, load (decode + validate + fast-interp preparation), unload. */
static void op_compile(void* ctx, long n) {
  struct module_bytes* b = (struct module_bytes*)ctx;
  for (long i = 0; i < n; ++i) {
    memcpy(b->scratch, b->data, b->size);
    wasm_module_t m = wasm_runtime_load(b->scratch, b->size, g_err, sizeof g_err);
    if (!m) die("wasm_runtime_load");
    wasm_runtime_unload(m);
  }
}

/* instantiate a loaded module, then deinstantiate. */
static void op_instantiate(void* ctx, long n) {
  wasm_module_t m = (wasm_module_t)ctx;
  for (long i = 0; i < n; ++i) {
    wasm_module_inst_t inst =
        wasm_runtime_instantiate(m, STACK_BYTES, HEAP_BYTES, g_err, sizeof g_err);
    if (!inst) die("wasm_runtime_instantiate");
    wasm_runtime_deinstantiate(inst);
  }
}

static void empty_host(wasm_exec_env_t env) { (void)env; }

static wasm_exec_env_t g_env;
static wasm_function_inst_t g_empty, g_add, g_call_host, g_call_guest;
static volatile int32_t g_sink;

static void op_call_empty(void* ctx, long n) {
  (void)ctx;
  uint32_t argv[1] = {0};
  for (long i = 0; i < n; ++i) {
    if (!wasm_runtime_call_wasm(g_env, g_empty, 0, argv)) die("call empty");
  }
}

static void op_call_add(void* ctx, long n) {
  (void)ctx;
  uint32_t argv[2];
  int32_t acc = 0;
  for (long i = 0; i < n; ++i) {
    argv[0] = (uint32_t)i;
    argv[1] = 2;
    if (!wasm_runtime_call_wasm(g_env, g_add, 2, argv)) die("call add");
    acc += (int32_t)argv[0];
  }
  g_sink = acc;
}

static void op_loop(void* ctx, long n) {
  wasm_function_inst_t f = (wasm_function_inst_t)ctx;
  uint32_t argv[1];
  for (long i = 0; i < n; ++i) {
    argv[0] = LOOP_CALLS;
    if (!wasm_runtime_call_wasm(g_env, f, 1, argv)) die("call loop");
  }
}

static struct module_bytes read_module(const char* dir, const char* file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t size = 0;
  struct module_bytes b;
  b.data = bench_read_file(path, &size);
  b.size = (uint32_t)size;
  b.scratch = (uint8_t*)malloc(size);
  if (!b.scratch) die("malloc");
  return b;
}

static NativeSymbol g_natives[] = {{"f", (void*)empty_host, "()", NULL}};

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LABEL MODULE_DIR REPS\n", argv[0]);
    return 2;
  }
  g_label = argv[1];
  const char* dir = argv[2];
  const int reps = atoi(argv[3]) > 0 ? atoi(argv[3]) : 5;
  if (!wasm_runtime_init()) die("wasm_runtime_init");
  if (!wasm_runtime_register_natives("env", g_natives, 1)) die("register_natives");

  static const struct {
    const char* key;
    const char* file;
  } modules[] = {{"sha256", "sha256.run.wasm"}, {"large1", "large1.wasm"},
                 {"large10", "large10.wasm"}};
  for (size_t m = 0; m < sizeof modules / sizeof modules[0]; ++m) {
    char key[64];
    struct module_bytes b = read_module(dir, modules[m].file);
    snprintf(key, sizeof key, "compile.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_compile, &b, reps, MIN_BATCH_MS));
    memcpy(b.scratch, b.data, b.size);
    wasm_module_t mod = wasm_runtime_load(b.scratch, b.size, g_err, sizeof g_err);
    if (!mod) die("wasm_runtime_load");
    snprintf(key, sizeof key, "inst.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_instantiate, mod, reps, MIN_BATCH_MS));
    wasm_runtime_unload(mod);
    free(b.data);
    free(b.scratch);
  }

  struct module_bytes b = read_module(dir, "calls.wasm");
  memcpy(b.scratch, b.data, b.size);
  wasm_module_t mod = wasm_runtime_load(b.scratch, b.size, g_err, sizeof g_err);
  if (!mod) die("wasm_runtime_load(calls)");
  wasm_module_inst_t inst =
      wasm_runtime_instantiate(mod, STACK_BYTES, HEAP_BYTES, g_err, sizeof g_err);
  if (!inst) die("wasm_runtime_instantiate(calls)");
  g_env = wasm_runtime_create_exec_env(inst, STACK_BYTES);
  if (!g_env) die("create_exec_env");
  g_empty = wasm_runtime_lookup_function(inst, "empty");
  g_add = wasm_runtime_lookup_function(inst, "add");
  g_call_host = wasm_runtime_lookup_function(inst, "call_host");
  g_call_guest = wasm_runtime_lookup_function(inst, "call_guest");
  if (!g_empty || !g_add || !g_call_host || !g_call_guest) die("lookup_function");
  {
    uint32_t a[2] = {40, 2};
    if (!wasm_runtime_call_wasm(g_env, g_add, 2, a) || a[0] != 42) die("add(40, 2) == 42");
  }

  bench_report(g_label, "call.empty", bench_measure(op_call_empty, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "call.add", bench_measure(op_call_add, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "g2h.host",
               bench_measure(op_loop, (void*)g_call_host, reps, MIN_BATCH_MS) / LOOP_CALLS);
  bench_report(g_label, "g2h.guest",
               bench_measure(op_loop, (void*)g_call_guest, reps, MIN_BATCH_MS) / LOOP_CALLS);

  wasm_runtime_destroy_exec_env(g_env);
  wasm_runtime_deinstantiate(inst);
  wasm_runtime_unload(mod);
  free(b.data);
  free(b.scratch);
  wasm_runtime_destroy();
  return 0;
}
