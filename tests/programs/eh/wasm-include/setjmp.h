// setjmp.h for wasm32-wasi test programs: Debian's wasi-libc snapshot ships no setjmp.h (newer
// wasi-libc has one, backed by libsetjmp). clang lowers setjmp/longjmp calls itself
// (-mllvm -wasm-enable-sjlj); the runtime half lives in wasm_sjlj_rt.c next to this directory.
#ifndef HULL_TEST_SETJMP_H
#define HULL_TEST_SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

// Room for what wasm_sjlj_rt.c keeps in a buffer (invocation id, label, longjmp arguments),
// with spare words; the pointers are 32-bit on wasm32.
typedef struct {
  unsigned long long words[4];
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);

#ifdef __cplusplus
}
#endif
#endif
