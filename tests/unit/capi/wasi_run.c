/* A plain C embedder of hull.h's WASI functions, called by capi_wasi_test.cc: compiles a
 * module, builds its WASI imports, instantiates it and runs `_start` the way an application
 * written in C would. */
#include <stdio.h>
#include <string.h>

#include "hull.h"
#include "wasi_run.h"

static void copy_msg(char* err, size_t len, const char* what, const wasm_message_t* msg) {
  if (!err || len == 0) return;
  snprintf(err, len, "%s%.*s", what, msg ? (int)msg->size : 0, msg ? msg->data : "");
}

/* The exported function named `name`, or NULL. */
static const wasm_func_t* find_export(const wasm_module_t* module, const wasm_extern_vec_t* exports,
                                      const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  const wasm_func_t* found = NULL;
  for (size_t i = 0; i < types.size && i < exports->size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) {
      found = wasm_extern_as_func_const(exports->data[i]);
    }
  }
  wasm_exporttype_vec_delete(&types);
  return found;
}

int hull_test_wasi_run(const unsigned char* wasm, size_t wasm_len, const hull_test_wasi_args* a,
                       char* err, size_t err_len) {
  int result = HULL_TEST_WASI_ERROR;
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, wasm_len, (const wasm_byte_t*)wasm);
  wasm_message_t msg;
  wasm_module_t* module = hull_module_new(store, &binary, &msg);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    copy_msg(err, err_len, "compile: ", &msg);
    wasm_byte_vec_delete(&msg);
    goto done_store;
  }

  hull_wasi_config_t* config = hull_wasi_config_new();
  hull_wasi_config_set_argv(config, a->argc, a->argv);
  hull_wasi_config_set_env(config, a->envc, a->env_names, a->env_values);
  if (a->stdout_fd >= 0) hull_wasi_config_set_stdio_fd(config, 1, a->stdout_fd);
  if (a->preopen_host) hull_wasi_config_preopen_dir(config, a->preopen_host, a->preopen_guest, true);
  wasm_extern_vec_t imports;
  bool ok = hull_wasi_imports(store, module, config, &imports, &msg);
  hull_wasi_config_delete(config); /* the store keeps what it needs */
  if (!ok) {
    copy_msg(err, err_len, "", &msg);
    wasm_byte_vec_delete(&msg);
    goto done_module;
  }

  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  wasm_extern_vec_delete(&imports);
  if (!instance) {
    wasm_message_t tm;
    wasm_trap_message(trap, &tm);
    copy_msg(err, err_len, "instantiate: ", &tm);
    wasm_byte_vec_delete(&tm);
    wasm_trap_delete(trap);
    goto done_module;
  }
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* start = find_export(module, &exports, "_start");
  if (!start) {
    copy_msg(err, err_len, "no _start", NULL);
  } else {
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    trap = wasm_func_call(start, &none, &none);
    int code = 0;
    if (!trap) {
      result = 0;
    } else if (hull_wasi_exit_code(trap, &code)) {
      result = code;
    } else {
      wasm_message_t tm;
      wasm_trap_message(trap, &tm);
      copy_msg(err, err_len, "trap: ", &tm);
      wasm_byte_vec_delete(&tm);
      result = HULL_TEST_WASI_TRAP;
    }
    wasm_trap_delete(trap);
  }
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
done_module:
  wasm_module_delete(module);
done_store:
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return result;
}
