/* The C side of capi_wasi_test.cc: runs a WASI command through hull.h from a C translation
 * unit (so the header is exercised as C, as embedders use it). */
#ifndef HULL_TEST_WASI_RUN_H
#define HULL_TEST_WASI_RUN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hull_test_wasi_args {
  size_t argc;
  const char* const* argv;
  size_t envc;
  const char* const* env_names;
  const char* const* env_values;
  int stdout_fd;              /* the guest's fd 1, or -1 for the default (/dev/null) */
  const char* preopen_host;   /* NULL: no preopen; else read-only as preopen_guest */
  const char* preopen_guest;
} hull_test_wasi_args;

#define HULL_TEST_WASI_ERROR (-1) /* compile / imports / instantiate failed: see err */
#define HULL_TEST_WASI_TRAP (-2)  /* _start trapped (not proc_exit): see err */

/* Returns the guest's exit code (0 when _start returns), or one of the negative codes. */
int hull_test_wasi_run(const unsigned char* wasm, size_t wasm_len, const hull_test_wasi_args* a,
                       char* err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
