// The runtime half of clang's Wasm setjmp/longjmp lowering (-mllvm -wasm-enable-sjlj), for the
// wasm32-wasi test programs: Debian's wasi-libc snapshot predates libsetjmp. The protocol:
//   setjmp(env)  -> __wasm_setjmp(env, label, id): remember which call site (label, nonzero) of
//                   which function invocation (id: the address of a per-invocation local) armed
//                   the buffer;
//   longjmp(env, val) -> __wasm_longjmp(env, val): throw the __c_longjmp tag carrying a pointer
//                   to {env, val};
//   every function with setjmp catches __c_longjmp, reads {env, val} through that pointer and
//                   asks __wasm_setjmp_test(env, id) whether the buffer belongs to this very
//                   invocation: a label resumes at that setjmp returning val, 0 rethrows.
#include <setjmp.h>
#include <stdint.h>

// What a jmp_buf holds here; wasm-include/setjmp.h reserves room for it.
struct longjmp_args {
  void* env;
  int val;
};
struct buf_layout {
  void* invocation;
  uint32_t label;
  // The thrown payload points here: it must outlive __wasm_longjmp's frame, and the buffer
  // does (it belongs to a frame that is still live, or the jump would be undefined anyway).
  struct longjmp_args args;
};
_Static_assert(sizeof(struct buf_layout) <= sizeof(jmp_buf), "jmp_buf too small");

void __wasm_setjmp(void* env, uint32_t label, void* invocation) {
  struct buf_layout* b = env;
  b->invocation = invocation;
  b->label = label;
}

uint32_t __wasm_setjmp_test(void* env, void* invocation) {
  struct buf_layout* b = env;
  return b->invocation == invocation ? b->label : 0;
}

_Noreturn void __wasm_longjmp(void* env, int val) {
  struct buf_layout* b = env;
  b->args.env = env;
  b->args.val = val == 0 ? 1 : val;  // C: longjmp(env, 0) makes setjmp return 1
  // Tag 1 is __c_longjmp (0 is __cpp_exception); its one i32 parameter is the payload.
  __builtin_wasm_throw(1, &b->args);
}
