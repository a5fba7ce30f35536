// What a stencil is and how the baseline compiler recognises its parts.
//
// A stencil is a handler template (interp/operands.h) instantiated with HoleOperands: compiled
// by clang ahead of time (stencils.cc, built apart from everything else), its machine code is
// copied once per instruction and patched. The holes are references to the symbols declared
// here, which no object defines: the relocations clang leaves for them say where to patch
// (stencil_gen.cc turns them into tables). Per instruction the compiler fills
//   hull_hole_uK   operand word K as a small unsigned value (slot and memory offsets, lanes),
//                  folded by clang into addressing modes; must be below 2^31
//   hull_hole_vK   the low 32 bits of operand word K (a 32-bit constant; opaque to clang)
//   hull_hole_wK   operand word K, all 64 bits (opaque)
//   hull_hole_pc   the instruction's address in the lowered code (for traps)
//   hull_hole_callee  the interpreter's handler of the instruction (the fallback stencil)
//   hull_next      the code of the next instruction (the jump to it is dropped when it ends
//                  the stencil: the code falls through)
//   hull_targetK   the code of the instruction operand word K points to
//   hull_entry1    the entry stencil of the function (of this module) whose FuncCode operand
//                  word 1 points to
// Private to src/baseline.
#pragma once

#include <cstdint>
#include <cstring>

#include "interp/code.h"

namespace hull::baseline {

// The key of a stencil: which handler of the interpreter it stands for. Shared by the stencil
// table (stencils.cc) and the compiler's map from handlers (compiler.cc).
enum class StencilKind : uint8_t {
  Sig = 1,   // sig_handler(op)
  SigImm,    // sig_imm_handler(op)
  Branch,    // branch_handler(op, imm, negate): variant imm * 2 + negate
  Mem,       // mem_handler(op, 32-bit, memory 0, guard): variant guard
  Fused,     // fused_mem_handler(op, form, guard): variant form * 2 + guard
  Basic,     // one of BasicStencil: op 0
  Fallback,  // runs the interpreter's handler for the instruction
  Call,      // call_direct (variant 0) or call_direct_hot (1): the baseline's own call
  Entry,     // a function's entry from Call stencils (then on to its first instruction)
};
enum class BasicStencil : uint8_t {
  copy,
  copy2,
  const64,
  const128,
  add_shl,
  br,
  br_if,
  br_unless,
  fuel,
  epoch,
  fuel_epoch,
  select,
  select2,
  global_get,
  global_get2,
  global_set,
  global_set2,
};
constexpr uint32_t stencil_key(StencilKind kind, uint32_t op, uint32_t variant) {
  return (uint32_t(kind) << 24) | (op << 8) | variant;
}
// The handlers' calling convention as the including file sees it (interp/code.h): the fallback
// stencil's key carries it, so that stencils built for another convention than the
// interpreter's (sanitizer flags given to one and not the other) are never used.
#ifdef HULL_INTERP_MUSTTAIL
constexpr uint32_t kHandlerConvention = 1;  // preserve_none
#else
constexpr uint32_t kHandlerConvention = 2;  // the default convention
#endif

// One row of the table stencils.cc defines (hull_stencil_table): read by stencil_gen.cc from
// the object file, never at run time.
struct StencilEntry {
  uint32_t key;
  interp::Handler stencil;  // nullptr: the op has no such form
};

}  // namespace hull::baseline

#ifdef HULL_STENCIL_SOURCE
// Only stencils.cc sees the holes.
extern "C" {
extern char hull_hole_u1[], hull_hole_u2[], hull_hole_u3[], hull_hole_u4[], hull_hole_u5[],
    hull_hole_u6[], hull_hole_u7[];
HULL_HANDLER_CC void hull_next(const hull::interp::Word*, uint64_t*, uint8_t*, uint64_t,
                               hull::interp::Ctx*);
#define HULL_DECLARE_TARGET(k)                                                                  \
  HULL_HANDLER_CC void hull_target##k(const hull::interp::Word*, uint64_t*, uint8_t*, uint64_t, \
                                      hull::interp::Ctx*);
HULL_DECLARE_TARGET(1)
HULL_DECLARE_TARGET(2)
HULL_DECLARE_TARGET(3)
HULL_DECLARE_TARGET(4)
#undef HULL_DECLARE_TARGET
HULL_HANDLER_CC void hull_entry1(const hull::interp::Word*, uint64_t*, uint8_t*, uint64_t,
                                 hull::interp::Ctx*);
}

namespace hull::baseline {

// Opaque constants: an instruction clang cannot see through, with the hole as its immediate.
#define HULL_HOLE_V(k)                             \
  [] {                                             \
    uint32_t v;                                    \
    asm("movl $hull_hole_v" #k ", %k0" : "=r"(v)); \
    return v;                                      \
  }()
#define HULL_HOLE_W(name)                   \
  [] {                                      \
    uint64_t v;                             \
    asm("movabsq $" name ", %0" : "=r"(v)); \
    return v;                               \
  }()

template <unsigned K>
inline uint32_t hole_v() {
  if constexpr (K == 1)
    return HULL_HOLE_V(1);
  else if constexpr (K == 2)
    return HULL_HOLE_V(2);
  else if constexpr (K == 3)
    return HULL_HOLE_V(3);
  else if constexpr (K == 4)
    return HULL_HOLE_V(4);
  else if constexpr (K == 5)
    return HULL_HOLE_V(5);
  else
    static_assert(K == 6, "hole index");
  return HULL_HOLE_V(6);
}
template <unsigned K>
inline uint64_t hole_w() {
  if constexpr (K == 1)
    return HULL_HOLE_W("hull_hole_w1");
  else if constexpr (K == 2)
    return HULL_HOLE_W("hull_hole_w2");
  else if constexpr (K == 3)
    return HULL_HOLE_W("hull_hole_w3");
  else if constexpr (K == 4)
    return HULL_HOLE_W("hull_hole_w4");
  else if constexpr (K == 5)
    return HULL_HOLE_W("hull_hole_w5");
  else
    static_assert(K == 6, "hole index");
  return HULL_HOLE_W("hull_hole_w6");
}

struct HoleOperands {
  template <unsigned K>
  static uint64_t u(const interp::Word*) {
    constexpr char* kHoles[] = {nullptr,      hull_hole_u1, hull_hole_u2, hull_hole_u3,
                                hull_hole_u4, hull_hole_u5, hull_hole_u6, hull_hole_u7};
    static_assert(K >= 1 && K <= 7, "hole index");
    return reinterpret_cast<uintptr_t>(kHoles[K]);
  }
  template <class T, unsigned K>
  static T imm(const interp::Word*) {
    T v;
    if constexpr (sizeof(T) <= 4) {
      const uint32_t b = hole_v<K>();
      std::memcpy(&v, &b, sizeof(T));
    } else {
      static_assert(sizeof(T) == 8, "64-bit constants at most");
      const uint64_t b = hole_w<K>();
      std::memcpy(&v, &b, sizeof(T));
    }
    return v;
  }
  static const interp::Word* self(const interp::Word*) {
    return reinterpret_cast<const interp::Word*>(HULL_HOLE_W("hull_hole_pc"));
  }
  // A fault in a stencil is found from its instruction pointer (interp faulting_pc).
  static void before_guarded_access(const interp::Word*, interp::Ctx*) {}
  template <unsigned N>
  HULL_HANDLER_CC static void next(const interp::Word* pc, uint64_t* sp, uint8_t* mem,
                                   uint64_t memsize, interp::Ctx* ctx) {
    [[clang::musttail]] return hull_next(pc, sp, mem, memsize, ctx);
  }
  template <unsigned K>
  HULL_HANDLER_CC static void jump(const interp::Word* pc, uint64_t* sp, uint8_t* mem,
                                   uint64_t memsize, interp::Ctx* ctx) {
    if constexpr (K == 1) {
      [[clang::musttail]] return hull_target1(pc, sp, mem, memsize, ctx);
    } else if constexpr (K == 2) {
      [[clang::musttail]] return hull_target2(pc, sp, mem, memsize, ctx);
    } else if constexpr (K == 3) {
      [[clang::musttail]] return hull_target3(pc, sp, mem, memsize, ctx);
    } else {
      static_assert(K == 4, "target index");
      [[clang::musttail]] return hull_target4(pc, sp, mem, memsize, ctx);
    }
  }
};

}  // namespace hull::baseline
#endif
