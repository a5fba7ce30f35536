// How a handler template reads its operand words and goes on to the next instruction.
//
// The handlers written as templates (sig_ops.h, mem_ops.h, basic_ops.h) take the policy `O` as
// their first parameter. The interpreter instantiates them with PcOperands: operands are the
// words after the handler word, the next instruction is dispatched through its handler word.
// The baseline tier (src/baseline) instantiates the same templates with its stencil policy:
// operands are holes in the machine code, patched with the words' values when a function is
// compiled, and the next instruction is the code that follows. One body, two tiers: the
// operand layout and the semantics cannot drift apart.
//
// The policy's members:
//   u<K>(pc)         operand word K as an unsigned value (frame offsets, memory offsets, lanes,
//                    counts): small values the code may fold into an address
//   imm<T, K>(pc)    the raw bits of operand word K as a T (an instruction's constant)
//   self(pc)         the instruction's own address in the lowered code (for set_trap)
//   next<N>(...)     go on with the instruction N words on
//   jump<K>(...)     go on at the instruction operand word K points to
// Private to src/interp and src/baseline.
#pragma once

#include <cstring>

#include "interp/code.h"

namespace hull::interp {

// The raw bits of a constant operand word as a T.
template <class T>
inline T imm_of(const Word& w) {
  T v;
  std::memcpy(&v, &w.u, sizeof(T));
  return v;
}

struct PcOperands {
  template <unsigned K>
  static uint64_t u(const Word* pc) {
    return pc[K].u;
  }
  template <class T, unsigned K>
  static T imm(const Word* pc) {
    return imm_of<T>(pc[K]);
  }
  static const Word* self(const Word* pc) { return pc; }
  // Before an access a guard page may end with a fault: the interpreter finds the faulting
  // instruction from the registers (its handlers keep pc in one), except in the sanitizer
  // builds, whose handlers need not: there pc is also left in the Ctx.
  static void before_guarded_access(const Word* pc, Ctx* ctx) {
#ifndef HULL_INTERP_MUSTTAIL
    ctx->guard_pc = pc;
#endif
  }
  template <unsigned N>
  HULL_HANDLER_CC static void next(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                   Ctx* ctx) {
    pc += N;
    [[clang::musttail]] return pc->h(pc, sp, mem, memsize, ctx);
  }
  template <unsigned K>
  HULL_HANDLER_CC static void jump(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                   Ctx* ctx) {
    pc = pc[K].p;
    [[clang::musttail]] return pc->h(pc, sp, mem, memsize, ctx);
  }
};

// In a handler template: go on N words on / at operand K's target, through the policy.
#define O_NEXT(n) [[clang::musttail]] return O::template next<(n)>(pc, sp, mem, memsize, ctx)
#define O_JUMP(k) [[clang::musttail]] return O::template jump<(k)>(pc, sp, mem, memsize, ctx)
#define O_U(k) O::template u<(k)>(pc)

}  // namespace hull::interp
