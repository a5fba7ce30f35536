// Helpers shared by the handler files (exec*.cc): the handler signature macros, frame slot
// access and trap recording. Private to src/interp.
#pragma once

#include <cstring>
#include <functional>

#include "interp/code.h"
#include "interp/operands.h"

#ifndef __clang__
#error "the interpreter needs clang's [[clang::musttail]]"
#endif

namespace hull::interp {

#define HANDLER(name) \
  HULL_HANDLER_CC void name(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize, Ctx* ctx)
#define DISPATCH() [[clang::musttail]] return pc->h(pc, sp, mem, memsize, ctx)
#define NEXT(n) \
  do {          \
    pc += (n);  \
    DISPATCH(); \
  } while (0)

template <class T>
inline T rd(const uint64_t* sp, uint64_t off) {
  T v;
  std::memcpy(&v, reinterpret_cast<const char*>(sp) + off, sizeof(T));
  return v;
}
template <class T>
inline void wr(uint64_t* sp, uint64_t off, T v) {
  std::memcpy(reinterpret_cast<char*>(sp) + off, &v, sizeof(T));
}
// Writes an operation's result. 4-byte values are zero-extended to the whole 8-byte slot: a
// later 8-byte read of the slot (copies, branch value moves) then forwards from this store
// instead of stalling on a narrower one.
template <class T>
inline void wr_val(uint64_t* sp, uint64_t off, T v) {
  if constexpr (sizeof(T) == 4) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    wr<uint64_t>(sp, off, b);
  } else {
    wr(sp, off, v);
  }
}
inline void mv8(uint64_t* sp, uint64_t dst, uint64_t src) { wr(sp, dst, rd<uint64_t>(sp, src)); }

// Records a trap; the handler then returns, which unwinds the whole tail-call chain.
[[gnu::cold]] [[gnu::noinline]] void set_trap(Ctx* ctx, const Word* pc, TrapKind k,
                                              const char* msg = nullptr);

inline Instance* inst(Ctx* ctx) { return ctx->fp->inst; }

// Zeroes the declared locals of a new frame of `fc` at `nsp` (the parameters are the caller's).
inline void zero_locals(uint64_t* nsp, const FuncCode* fc) {
  uint32_t i = fc->param_slots, n = fc->local_slots;
  if (n - i > 16) {
    std::memset(nsp + i, 0, (n - i) * 8);
    return;
  }
  // Most functions declare a few locals: plain stores beat a call to memset. (The empty asm
  // keeps the optimizer from turning the loop back into that call.)
  for (; i < n; ++i) {
    nsp[i] = 0;
    asm volatile("" ::: "memory");
  }
}

// The entry check of a call into `fc` whose frame would start at `nsp`, above the caller's
// frame `fp`: whether the call cannot enter here and goes through enter_slow (the value stack
// or the frames are exhausted, or machine code is installed for `fc`). The interpreter's calls
// (ENTER_WASM) and the baseline tier's entry stencil make the same check.
inline bool entry_diverts(const Ctx* ctx, const Frame* fp, const FuncCode* fc,
                          const uint64_t* nsp) {
  return enter_check_fails(fc, nsp, ctx->stack_end) || fp + 1 >= ctx->frames_end;
}

// Pushes the frame of a call into `fc` (of `in`, memory 0 `m0`) above `fp`, once the entry
// check passed, and zeroes its locals at `nsp`. The caller's frame keeps its own sp and
// return point, stored before.
inline void push_frame(Ctx* ctx, Frame* fp, const FuncCode* fc, Instance* in, Memory* m0,
                       uint64_t* nsp) {
  Frame* nf = fp + 1;
  nf->code = fc;
  nf->inst = in;
  nf->mem0 = m0;
  ctx->fp = nf;
  zero_locals(nsp, fc);
}

// Takes one from `fc`'s count; whether it ran out. On x86-64 one `sub` on the count in memory
// (what a relaxed load and store of it come to, minus the extra instructions the compiler
// emits for the pair: the count sits in the hottest loops).
inline bool count_down(const FuncCode* fc) {
#if defined(__x86_64__)
  bool out;
  asm("subl $1, %0" : "+m"(fc->hot_budget), "=@ccle"(out) : : "cc");
  return out;
#else
  const int32_t left = __atomic_load_n(&fc->hot_budget, __ATOMIC_RELAXED) - 1;
  __atomic_store_n(&fc->hot_budget, left, __ATOMIC_RELAXED);
  return left <= 0;
#endif
}

// Tier-up's count where a call enters `fc` (the call handlers' `*_hot` variants and call()).
inline void count_call(const FuncCode* fc) {
  if (count_down(fc)) [[unlikely]]
    hot_slow(fc, kNoLoop);
}

namespace h {
// The rest of a call whose entry check failed (exec.cc): ctx->divert says which call, `pc` is
// the call instruction. The stack is exhausted, or machine code is installed for the callee.
HANDLER(enter_slow);
}  // namespace h

// The interpreter's roots (exec_gc.cc): the reference slots of every frame on the value stack.
// A frame at a GC point (a call to wasm in progress, or an allocation: the innermost frame, at
// `pc` with base `sp`) gives the slots its stack map lists; any other frame (in a host call, at
// a throw, or `pc` null) gives all its slots, whatever they hold, which is never wrong since
// the collector follows only words that are live objects.
void visit_frame_roots(const Ctx* ctx, const Word* pc, const uint64_t* sp,
                       const std::function<void(uint64_t)>& root);
// Store::visit_guest_roots of the interpreter: the frames below a running host function.
void visit_guest_roots(Store& store, const std::function<void(uint64_t)>& root);

// Where execution resumes after a catch.
struct Resume {
  const Word* pc;
  uint64_t* sp;
};
// Throws `exn` from the instruction at `pc` of the current frame (frame base `sp`): on a
// catch, ctx->fp is the catching frame and `out` where to go on; false when no frame of this
// call() catches it (recorded like a trap, kind Exception, with ctx->exception set).
[[gnu::cold]] bool unwind(Ctx* ctx, Exception* exn, const Word* pc, uint64_t* sp, Resume* out);
// Records that `exn`, thrown at `pc` of the current frame, leaves this call() uncaught.
[[gnu::cold]] void exception_escapes(Ctx* ctx, Exception* exn, const Word* pc);

#define THROW(exn_expr)                                \
  do {                                                 \
    Resume r_;                                         \
    if (!unwind(ctx, (exn_expr), pc, sp, &r_)) return; \
    pc = r_.pc;                                        \
    sp = r_.sp;                                        \
    Memory* m_ = ctx->fp->mem0;                        \
    mem = m_ ? m_->base : nullptr;                     \
    memsize = m_ ? m_->size : 0;                       \
    DISPATCH();                                        \
  } while (0)

}  // namespace hull::interp
