/* examples/embed-c: the standard WebAssembly C API (wasm.h) with Hull's extensions (hull.h):
 * compile a module from text, give it a host function, call it, read its memory. */
#include <stdio.h>
#include <string.h>

#include "hull.h"
#include "wasm.h"

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"square\" (func $square (param i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 0) \"hello from wasm\")\n"
    "  (func (export \"run\") (param i32) (result i32)\n"
    "    (i32.add (call $square (local.get 0)) (i32.const 1))))\n";

static wasm_trap_t* square(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * args->data[0].of.i32;
  return NULL;
}

int main(void) {
  printf("hull %s\n", hull_version());
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);

  wasm_byte_vec_t binary;
  wasm_message_t error;
  if (!hull_wat2wasm(kWat, sizeof kWat - 1, &binary, &error)) {
    printf("wat: %s\n", error.data);
    return 1;
  }
  wasm_module_t* module = hull_module_new(store, &binary, &error);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    printf("compile: %s\n", error.data);
    return 1;
  }

  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new(store, type, square);
  wasm_functype_delete(type);
  wasm_extern_t* externs[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    printf("instantiate: %s\n", msg.data);
    return 1;
  }

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t* memory = wasm_extern_as_memory(exports.data[0]);
  const wasm_func_t* run = wasm_extern_as_func(exports.data[1]);
  wasm_val_t args[1] = {WASM_I32_VAL(6)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t results_vec = WASM_ARRAY_VEC(results);
  trap = wasm_func_call(run, &args_vec, &results_vec);
  if (trap) {
    printf("call trapped\n");
    return 1;
  }
  printf("run(6) = %d\n", results[0].of.i32);
  printf("memory: %.15s (%zu bytes)\n", wasm_memory_data(memory), wasm_memory_data_size(memory));
  int ok = results[0].of.i32 == 37 && memcmp(wasm_memory_data(memory), "hello", 5) == 0;

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
