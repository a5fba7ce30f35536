// Load and store handlers as templates over the operand policy (operands.h), shared by the
// interpreter (exec_memory.cc, which documents the variants) and the baseline tier's stencils
// (src/baseline/stencils.cc); HULL_MEM_OPS lists every op with its types for both tables.
// Private to src/interp and src/baseline.
#pragma once

#include <cstring>
#include <type_traits>

#include "interp/exec_util.h"
#include "interp/gen.h"
#include "interp/handlers.h"

namespace hull::interp::memops {

// Effective address of an explicitly checked access; false when out of bounds.
template <bool Is64, unsigned N>
inline bool effective(uint64_t size, const uint64_t* sp, uint64_t addr_off, uint64_t offset,
                      uint64_t& ea) {
  if constexpr (Is64) {
    if (__builtin_add_overflow(rd<uint64_t>(sp, addr_off), offset, &ea)) return false;
    return ea <= size && size - ea >= N;
  } else {
    ea = uint64_t(rd<uint32_t>(sp, addr_off)) + offset;
    return ea + N <= size;
  }
}

// Kinds of memory op: Load (a:x), Store (ax:), LoadLane (av:v), StoreLane (av:).
enum class MK { Load, Store, LoadLane, StoreLane };

// [dst?][addr][value?][offset][memidx] (+[lane]). Raw is the type moved to/from memory; Conv
// turns it into the value (loads) or the value into it (stores). Guard: no bounds check.
// One machine store of sizeof(Raw) bytes: a guarded store that runs past the end of memory must
// fault before writing anything. Optimized builds inline a fixed-size memcpy to one move, but
// ASan turns memory intrinsics into __asan_memcpy calls that copy byte by byte (a partial
// write); a typed unaligned store is one instruction in every build.
template <class Raw>
inline void store_one(uint8_t* p, Raw raw) {
  if constexpr (sizeof(Raw) == 16) {
    typedef long long Unaligned __attribute__((vector_size(16), aligned(1), may_alias));
    Unaligned v;
    __builtin_memcpy(&v, &raw, 16);
    *reinterpret_cast<Unaligned*>(p) = v;
  } else {
    using Int = std::conditional_t<
        sizeof(Raw) == 1, uint8_t,
        std::conditional_t<sizeof(Raw) == 2, uint16_t,
                           std::conditional_t<sizeof(Raw) == 4, uint32_t, uint64_t>>>;
    static_assert(sizeof(Int) == sizeof(Raw));
    typedef Int Unaligned __attribute__((aligned(1), may_alias));
    Int v;
    __builtin_memcpy(&v, &raw, sizeof(Raw));
    *reinterpret_cast<Unaligned*>(p) = v;
  }
}

template <class O, MK K, class Raw, class Val, class Conv, bool Is64, bool Mem0, bool Guard>
HULL_HANDLER_CC void mem_op(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                            Ctx* ctx) {
  static_assert(!(Guard && Is64));
  uint8_t* base = mem;
  uint64_t size = memsize;
  constexpr unsigned lane_ops = (K == MK::LoadLane || K == MK::StoreLane) ? 1 : 0;
  constexpr unsigned d = (K == MK::Load || K == MK::LoadLane) ? 1 : 0;
  constexpr unsigned nsrc = (K == MK::Load) ? 1 : 2;
  const uint64_t offset = O_U(1 + d + nsrc);
  if constexpr (!Mem0) {
    Memory* m = inst(ctx)->memories[O_U(2 + d + nsrc)];
    base = m->base;
    size = m->size;
  }
  uint64_t ea;
  if constexpr (Guard) {
    O::before_guarded_access(pc, ctx);
    ea = uint64_t(rd<uint32_t>(sp, O_U(1 + d))) + offset;
  } else {
    if (!effective<Is64, sizeof(Raw)>(size, sp, O_U(1 + d), offset, ea)) [[unlikely]]
      return set_trap(ctx, O::self(pc), TrapKind::MemoryOutOfBounds);
  }
  uint8_t* p = base + ea;
  if constexpr (K == MK::Load) {
    Raw raw;
    std::memcpy(&raw, p, sizeof(Raw));
    wr_val(sp, O_U(1), Conv::f(raw));
  } else if constexpr (K == MK::LoadLane) {
    Raw raw;
    std::memcpy(&raw, p, sizeof(Raw));
    uint32_t lane = static_cast<uint32_t>(O_U(6));
    wr(sp, O_U(1), Conv::f(rd<V128>(sp, O_U(3)), raw, lane));
  } else if constexpr (K == MK::Store) {
    store_one<Raw>(p, Conv::f(rd<Val>(sp, O_U(2))));
  } else {
    uint32_t lane = static_cast<uint32_t>(O_U(5));
    store_one<Raw>(p, static_cast<Raw>(Conv::f(rd<V128>(sp, O_U(2)), lane)));
  }
  O_NEXT(1 + d + nsrc + 2 + lane_ops);
}

// ---- memory-0 superinstructions (32-bit memory 0 only) ---------------------------------------
// Address words by form: AddImm [a][imm] -> u32(a + imm); AddShl [a][b][k] -> u32(a + (b << k))
// (k = 0 for a plain i32.add); ValImm [a] (the stored value is a constant). The 32-bit wrap of
// the fused i32 arithmetic is kept, then the offset is added in 64 bits as for any access.
template <MemForm F>
constexpr unsigned kAddrWords = F == MemForm::AddImm   ? 2
                                : F == MemForm::AddShl ? 3
                                                       : 1;

// The address words start at operand word A.
template <class O, MemForm F, unsigned A>
inline uint32_t fused_addr(const Word* pc, const uint64_t* sp) {
  if constexpr (F == MemForm::AddImm) {
    return rd<uint32_t>(sp, O_U(A)) + O::template imm<uint32_t, A + 1>(pc);
  } else if constexpr (F == MemForm::AddShl) {
    return rd<uint32_t>(sp, O_U(A)) + (rd<uint32_t>(sp, O_U(A + 1)) << O_U(A + 2));
  } else {
    return rd<uint32_t>(sp, O_U(A));
  }
}

// [dst][address words][offset]
template <class O, class Raw, class Conv, bool Guard, MemForm F>
HULL_HANDLER_CC void fused_load(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                Ctx* ctx) {
  constexpr unsigned aw = kAddrWords<F>;
  uint64_t ea = uint64_t(fused_addr<O, F, 2>(pc, sp)) + O_U(2 + aw);
  if constexpr (Guard) {
    O::before_guarded_access(pc, ctx);
  } else {
    if (ea + sizeof(Raw) > memsize) [[unlikely]]
      return set_trap(ctx, O::self(pc), TrapKind::MemoryOutOfBounds);
  }
  Raw raw;
  std::memcpy(&raw, mem + ea, sizeof(Raw));
  wr_val(sp, O_U(1), Conv::f(raw));
  O_NEXT(3 + aw);
}

// [address words][value slot, or the constant's bits for ValImm][offset]
template <class O, class Raw, class Val, class Conv, bool Guard, MemForm F>
HULL_HANDLER_CC void fused_store(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                 Ctx* ctx) {
  constexpr unsigned aw = kAddrWords<F>;
  uint64_t ea = uint64_t(fused_addr<O, F, 1>(pc, sp)) + O_U(2 + aw);
  if constexpr (Guard) {
    O::before_guarded_access(pc, ctx);
  } else {
    if (ea + sizeof(Raw) > memsize) [[unlikely]]
      return set_trap(ctx, O::self(pc), TrapKind::MemoryOutOfBounds);
  }
  Raw raw;
  if constexpr (F == MemForm::ValImm) {
    raw = Conv::f(O::template imm<Val, 1 + aw>(pc));
  } else {
    raw = Conv::f(rd<Val>(sp, O_U(1 + aw)));
  }
  store_one<Raw>(mem + ea, raw);
  O_NEXT(3 + aw);
}

template <class R>
struct Ext {
  template <class From>
  static R f(From x) {
    return static_cast<R>(x);
  }
};

// Adapts a num:: memory-value helper: it takes 8/16/32-bit loaded values as uint32_t.
template <class T>
auto widen(T x) {
  if constexpr (std::is_same_v<T, V128>) {
    return x;
  } else if constexpr (sizeof(T) <= 4) {
    return static_cast<uint32_t>(x);
  } else {
    return static_cast<uint64_t>(x);
  }
}
template <class C>
struct Widened {
  template <class R>
  static auto f(R r) {
    return C::f(widen(r));
  }
  template <class R>
  static auto f(V128 v, R r, uint32_t lane) {
    return C::f(v, widen(r), lane);
  }
};

// Every load and store, for the tables of both tiers: LOAD(op, Raw, Res), STORE(op, Val, Raw),
// STORE_V128(op) (no constant-value form), VLOAD(op, Raw), VLOADLANE(op, Raw),
// VSTORELANE(op, Raw).
#define HULL_MEM_OPS(LOAD, STORE, STORE_V128, VLOAD, VLOADLANE, VSTORELANE) \
  LOAD(i32_load, uint32_t, uint32_t)                                        \
  LOAD(i64_load, uint64_t, uint64_t)                                        \
  LOAD(f32_load, uint32_t, uint32_t)                                        \
  LOAD(f64_load, uint64_t, uint64_t)                                        \
  LOAD(i32_load8_s, int8_t, uint32_t)                                       \
  LOAD(i32_load8_u, uint8_t, uint32_t)                                      \
  LOAD(i32_load16_s, int16_t, uint32_t)                                     \
  LOAD(i32_load16_u, uint16_t, uint32_t)                                    \
  LOAD(i64_load8_s, int8_t, uint64_t)                                       \
  LOAD(i64_load8_u, uint8_t, uint64_t)                                      \
  LOAD(i64_load16_s, int16_t, uint64_t)                                     \
  LOAD(i64_load16_u, uint16_t, uint64_t)                                    \
  LOAD(i64_load32_s, int32_t, uint64_t)                                     \
  LOAD(i64_load32_u, uint32_t, uint64_t)                                    \
  STORE(i32_store, uint32_t, uint32_t)                                      \
  STORE(i64_store, uint64_t, uint64_t)                                      \
  STORE(f32_store, uint32_t, uint32_t)                                      \
  STORE(f64_store, uint64_t, uint64_t)                                      \
  STORE(i32_store8, uint32_t, uint8_t)                                      \
  STORE(i32_store16, uint32_t, uint16_t)                                    \
  STORE(i64_store8, uint64_t, uint8_t)                                      \
  STORE(i64_store16, uint64_t, uint16_t)                                    \
  STORE(i64_store32, uint64_t, uint32_t)                                    \
  LOAD(v128_load, V128, V128)                                               \
  STORE_V128(v128_store)                                                    \
  VLOAD(v128_load8x8_s, uint64_t)                                           \
  VLOAD(v128_load8x8_u, uint64_t)                                           \
  VLOAD(v128_load16x4_s, uint64_t)                                          \
  VLOAD(v128_load16x4_u, uint64_t)                                          \
  VLOAD(v128_load32x2_s, uint64_t)                                          \
  VLOAD(v128_load32x2_u, uint64_t)                                          \
  VLOAD(v128_load8_splat, uint8_t)                                          \
  VLOAD(v128_load16_splat, uint16_t)                                        \
  VLOAD(v128_load32_splat, uint32_t)                                        \
  VLOAD(v128_load64_splat, uint64_t)                                        \
  VLOAD(v128_load32_zero, uint32_t)                                         \
  VLOAD(v128_load64_zero, uint64_t)                                         \
  VLOADLANE(v128_load8_lane, uint8_t)                                       \
  VLOADLANE(v128_load16_lane, uint16_t)                                     \
  VLOADLANE(v128_load32_lane, uint32_t)                                     \
  VLOADLANE(v128_load64_lane, uint64_t)                                     \
  VSTORELANE(v128_store8_lane, uint8_t)                                     \
  VSTORELANE(v128_store16_lane, uint16_t)                                   \
  VSTORELANE(v128_store32_lane, uint32_t)                                   \
  VSTORELANE(v128_store64_lane, uint64_t)

}  // namespace hull::interp::memops
