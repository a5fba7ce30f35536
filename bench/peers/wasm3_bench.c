/* In-process costs through wasm3's own C API (wasm3.h): load/compile, "instantiate" (wasm3 has
 * no reusable compiled module: a module is parsed into and owned by one runtime), host->guest and
 * guest->host calls, with the same modules and timing as capi_bench.c.
 *
 * Usage: wasm3_bench LABEL MODULE_DIR REPS
 * Prints "LABEL<TAB>key<TAB>cpu_ns_per_op" lines on stdout (median of REPS batches). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm3.h"

#include "timing.h"

#define LOOP_CALLS (1 << 20)
#define MIN_BATCH_MS 20.0
/* wasm3's runtime stack (the CLI's default is 64 KiB as well). */
#define STACK_BYTES (64 * 1024)

static IM3Environment g_env;
static const char* g_label;

static void check(M3Result r, const char* what) {
  if (r) {
    fprintf(stderr, "%s: %s failed: %s\n", g_label, what, r);
    exit(1);
  }
}

struct module_bytes {
  const uint8_t* data;
  uint32_t size;
};

/* A fresh runtime with the module parsed and loaded into it; `compile_all` also compiles every
 * function (wasm3 otherwise compiles a function on its first call / m3_FindFunction). */
static IM3Runtime load(const struct module_bytes* b, int compile_all, IM3Module* out) {
  IM3Runtime rt = m3_NewRuntime(g_env, STACK_BYTES, NULL);
  if (!rt) check("no runtime", "m3_NewRuntime");
  IM3Module mod = NULL;
  check(m3_ParseModule(g_env, &mod, b->data, b->size), "m3_ParseModule");
  check(m3_LoadModule(rt, mod), "m3_LoadModule");
  if (compile_all) check(m3_CompileModule(mod), "m3_CompileModule");
  if (out) *out = mod;
  return rt;
}

/* compile: parse + load into a fresh runtime + compile every function, then free. */
static void op_compile(void* ctx, long n) {
  for (long i = 0; i < n; ++i) m3_FreeRuntime(load((const struct module_bytes*)ctx, 1, NULL));
}

/* instantiate: parse + load into a fresh runtime (memory, globals, data/elements; functions stay
 * uncompiled until called), then free. */
static void op_instantiate(void* ctx, long n) {
  for (long i = 0; i < n; ++i) m3_FreeRuntime(load((const struct module_bytes*)ctx, 0, NULL));
}

static const void* empty_host(IM3Runtime runtime, IM3ImportContext ctx, uint64_t* sp,
                              void* mem) {
  (void)runtime;
  (void)ctx;
  (void)sp;
  (void)mem;
  return m3Err_none;
}

static IM3Function g_empty, g_add, g_call_host, g_call_guest;
static volatile int32_t g_sink;

static void op_call_empty(void* ctx, long n) {
  (void)ctx;
  for (long i = 0; i < n; ++i) check(m3_Call(g_empty, 0, NULL), "call empty");
}

static void op_call_add(void* ctx, long n) {
  (void)ctx;
  int32_t a = 0, b = 2, r = 0;
  const void* args[2] = {&a, &b};
  const void* rets[1] = {&r};
  int32_t acc = 0;
  for (long i = 0; i < n; ++i) {
    a = (int32_t)i;
    check(m3_Call(g_add, 2, args), "call add");
    check(m3_GetResults(g_add, 1, rets), "results add");
    acc += r;
  }
  g_sink = acc;
}

static void op_loop(void* ctx, long n) {
  IM3Function f = (IM3Function)ctx;
  int32_t count = LOOP_CALLS;
  const void* args[1] = {&count};
  for (long i = 0; i < n; ++i) check(m3_Call(f, 1, args), "call loop");
}

static struct module_bytes read_module(const char* dir, const char* file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t size = 0;
  struct module_bytes b;
  b.data = bench_read_file(path, &size);
  b.size = (uint32_t)size;
  return b;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LABEL MODULE_DIR REPS\n", argv[0]);
    return 2;
  }
  g_label = argv[1];
  const char* dir = argv[2];
  const int reps = atoi(argv[3]) > 0 ? atoi(argv[3]) : 5;
  g_env = m3_NewEnvironment();
  if (!g_env) check("no environment", "m3_NewEnvironment");

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
    snprintf(key, sizeof key, "inst.%s", modules[m].key);
    bench_report(g_label, key, bench_measure(op_instantiate, &b, reps, MIN_BATCH_MS));
    free((void*)b.data);
  }

  /* Call fixture. The module bytes must outlive the runtime (wasm3 keeps pointers into them). */
  struct module_bytes b = read_module(dir, "calls.wasm");
  IM3Module mod = NULL;
  IM3Runtime rt = load(&b, 0, &mod);
  check(m3_LinkRawFunction(mod, "env", "f", "v()", empty_host), "m3_LinkRawFunction");
  check(m3_FindFunction(&g_empty, rt, "empty"), "find empty");
  check(m3_FindFunction(&g_add, rt, "add"), "find add");
  check(m3_FindFunction(&g_call_host, rt, "call_host"), "find call_host");
  check(m3_FindFunction(&g_call_guest, rt, "call_guest"), "find call_guest");
  {
    int32_t a = 40, c = 2, r = 0;
    const void* args[2] = {&a, &c};
    const void* rets[1] = {&r};
    check(m3_Call(g_add, 2, args), "call add");
    check(m3_GetResults(g_add, 1, rets), "results add");
    if (r != 42) check("wrong result", "add(40, 2) == 42");
  }

  bench_report(g_label, "call.empty", bench_measure(op_call_empty, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "call.add", bench_measure(op_call_add, NULL, reps, MIN_BATCH_MS));
  bench_report(g_label, "g2h.host",
               bench_measure(op_loop, (void*)g_call_host, reps, MIN_BATCH_MS) / LOOP_CALLS);
  bench_report(g_label, "g2h.guest",
               bench_measure(op_loop, (void*)g_call_guest, reps, MIN_BATCH_MS) / LOOP_CALLS);

  m3_FreeRuntime(rt);
  free((void*)b.data);
  m3_FreeEnvironment(g_env);
  return 0;
}
