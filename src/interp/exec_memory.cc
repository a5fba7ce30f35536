// Load and store handlers: plain accesses (any memory, bounds-checked or relying on guard pages)
// and memory-0 superinstructions that fuse the address arithmetic (or a constant stored value).
//
// Guarded variants (CompileOptions::guard_pages, 32-bit memories with 64 KiB pages) compute
// base + u32 address + u32 offset without a check: the reservation behind a guarded memory
// (runtime/signals.h) makes every such access either land in the memory or fault, and the fault
// becomes a trap in interp::call. Each access is a single fixed-size memcpy, i.e. one machine
// load/store (16-byte v128 included), so a store straddling the end faults before writing.
#include <cstring>
#include <type_traits>

#include "interp/code.h"
#include "interp/exec_util.h"
#include "interp/gen.h"
#include "interp/handlers.h"

namespace hull::interp {
namespace {

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

template <MK K, class Raw, class Val, class Conv, bool Is64, bool Mem0, bool Guard>
HULL_HANDLER_CC void mem_op(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                            Ctx* ctx) {
  static_assert(!(Guard && Is64));
  uint8_t* base = mem;
  uint64_t size = memsize;
  constexpr unsigned lane_ops = (K == MK::LoadLane || K == MK::StoreLane) ? 1 : 0;
  constexpr unsigned d = (K == MK::Load || K == MK::LoadLane) ? 1 : 0;
  constexpr unsigned nsrc = (K == MK::Load) ? 1 : 2;
  const uint64_t offset = pc[1 + d + nsrc].u;
  if constexpr (!Mem0) {
    Memory* m = inst(ctx)->memories[pc[2 + d + nsrc].u];
    base = m->base;
    size = m->size;
  }
  uint64_t ea;
  if constexpr (Guard) {
    ea = uint64_t(rd<uint32_t>(sp, pc[1 + d].u)) + offset;
  } else {
    if (!effective<Is64, sizeof(Raw)>(size, sp, pc[1 + d].u, offset, ea)) [[unlikely]]
      return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  }
  uint8_t* p = base + ea;
  if constexpr (K == MK::Load) {
    Raw raw;
    std::memcpy(&raw, p, sizeof(Raw));
    wr_val(sp, pc[1].u, Conv::f(raw));
  } else if constexpr (K == MK::LoadLane) {
    Raw raw;
    std::memcpy(&raw, p, sizeof(Raw));
    uint32_t lane = static_cast<uint32_t>(pc[6].u);
    wr(sp, pc[1].u, Conv::f(rd<V128>(sp, pc[3].u), raw, lane));
  } else if constexpr (K == MK::Store) {
    store_one<Raw>(p, Conv::f(rd<Val>(sp, pc[2].u)));
  } else {
    uint32_t lane = static_cast<uint32_t>(pc[5].u);
    store_one<Raw>(p, static_cast<Raw>(Conv::f(rd<V128>(sp, pc[2].u), lane)));
  }
  NEXT(1 + d + nsrc + 2 + lane_ops);
}

// ---- memory-0 superinstructions (32-bit memory 0 only) ---------------------------------------
// Address words by form: AddImm [a][imm] -> u32(a + imm); AddShl [a][b][k] -> u32(a + (b << k))
// (k = 0 for a plain i32.add); ValImm [a] (the stored value is a constant). The 32-bit wrap of
// the fused i32 arithmetic is kept, then the offset is added in 64 bits as for any access.
template <MemForm F>
constexpr unsigned kAddrWords = F == MemForm::AddImm ? 2 : F == MemForm::AddShl ? 3 : 1;

template <MemForm F>
inline uint32_t fused_addr(const Word* w, const uint64_t* sp) {
  if constexpr (F == MemForm::AddImm) {
    return rd<uint32_t>(sp, w[0].u) + static_cast<uint32_t>(w[1].u);
  } else if constexpr (F == MemForm::AddShl) {
    return rd<uint32_t>(sp, w[0].u) + (rd<uint32_t>(sp, w[1].u) << w[2].u);
  } else {
    return rd<uint32_t>(sp, w[0].u);
  }
}

// [dst][address words][offset]
template <class Raw, class Conv, bool Guard, MemForm F>
HULL_HANDLER_CC void fused_load(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                Ctx* ctx) {
  constexpr unsigned aw = kAddrWords<F>;
  uint64_t ea = uint64_t(fused_addr<F>(pc + 2, sp)) + pc[2 + aw].u;
  if constexpr (!Guard) {
    if (ea + sizeof(Raw) > memsize) [[unlikely]]
      return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  }
  Raw raw;
  std::memcpy(&raw, mem + ea, sizeof(Raw));
  wr_val(sp, pc[1].u, Conv::f(raw));
  NEXT(3 + aw);
}

// [address words][value slot, or the constant's bits for ValImm][offset]
template <class Raw, class Val, class Conv, bool Guard, MemForm F>
HULL_HANDLER_CC void fused_store(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                 Ctx* ctx) {
  constexpr unsigned aw = kAddrWords<F>;
  uint64_t ea = uint64_t(fused_addr<F>(pc + 1, sp)) + pc[2 + aw].u;
  if constexpr (!Guard) {
    if (ea + sizeof(Raw) > memsize) [[unlikely]]
      return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  }
  Raw raw;
  if constexpr (F == MemForm::ValImm) {
    raw = Conv::f(imm_of<Val>(pc[1 + aw]));
  } else {
    raw = Conv::f(rd<Val>(sp, pc[1 + aw].u));
  }
  store_one<Raw>(mem + ea, raw);
  NEXT(3 + aw);
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

struct MemEntry {
  Op op;
  Handler h[2][2];        // [is64][mem0], bounds-checked
  Handler guarded[2];     // [mem0], 32-bit guarded memory
  Handler fused[2][3];    // [guard][MemForm], memory 0 (32-bit); nullptr where none
};

#define MEM_VARIANTS(K, Raw, Val, Conv)                                        \
  {{&mem_op<K, Raw, Val, Conv, false, false, false>,                           \
    &mem_op<K, Raw, Val, Conv, false, true, false>},                           \
   {&mem_op<K, Raw, Val, Conv, true, false, false>,                            \
    &mem_op<K, Raw, Val, Conv, true, true, false>}},                           \
  {&mem_op<K, Raw, Val, Conv, false, false, true>,                             \
   &mem_op<K, Raw, Val, Conv, false, true, true>}

#define FUSED_LOADS(Raw, Conv)                                                             \
  {{&fused_load<Raw, Conv, false, MemForm::AddImm>,                                        \
    &fused_load<Raw, Conv, false, MemForm::AddShl>, nullptr},                              \
   {&fused_load<Raw, Conv, true, MemForm::AddImm>,                                         \
    &fused_load<Raw, Conv, true, MemForm::AddShl>, nullptr}}
#define NO_FUSED {{nullptr, nullptr, nullptr}, {nullptr, nullptr, nullptr}}

#define LOAD(op, Raw, Res) \
  {Op::op, MEM_VARIANTS(MK::Load, Raw, Res, Ext<Res>), FUSED_LOADS(Raw, Ext<Res>)}
#define STORE(op, Val, Raw)                                                                   \
  {Op::op, MEM_VARIANTS(MK::Store, Raw, Val, Ext<Raw>),                                      \
   {{&fused_store<Raw, Val, Ext<Raw>, false, MemForm::AddImm>,                                \
     &fused_store<Raw, Val, Ext<Raw>, false, MemForm::AddShl>,                                \
     &fused_store<Raw, Val, Ext<Raw>, false, MemForm::ValImm>},                               \
    {&fused_store<Raw, Val, Ext<Raw>, true, MemForm::AddImm>,                                 \
     &fused_store<Raw, Val, Ext<Raw>, true, MemForm::AddShl>,                                 \
     &fused_store<Raw, Val, Ext<Raw>, true, MemForm::ValImm>}}}
#define VLOAD(op, Raw)                                                                    \
  {Op::op, MEM_VARIANTS(MK::Load, Raw, V128, Widened<num::interp_gen::Call_##op>), NO_FUSED}
#define VLOADLANE(op, Raw)                                                                    \
  {Op::op, MEM_VARIANTS(MK::LoadLane, Raw, V128, Widened<num::interp_gen::Call_##op>), NO_FUSED}
#define VSTORELANE(op, Raw) \
  {Op::op, MEM_VARIANTS(MK::StoreLane, Raw, V128, num::interp_gen::Call_##op), NO_FUSED}

const MemEntry kMemHandlers[] = {
    LOAD(i32_load, uint32_t, uint32_t),
    LOAD(i64_load, uint64_t, uint64_t),
    LOAD(f32_load, uint32_t, uint32_t),
    LOAD(f64_load, uint64_t, uint64_t),
    LOAD(i32_load8_s, int8_t, uint32_t),
    LOAD(i32_load8_u, uint8_t, uint32_t),
    LOAD(i32_load16_s, int16_t, uint32_t),
    LOAD(i32_load16_u, uint16_t, uint32_t),
    LOAD(i64_load8_s, int8_t, uint64_t),
    LOAD(i64_load8_u, uint8_t, uint64_t),
    LOAD(i64_load16_s, int16_t, uint64_t),
    LOAD(i64_load16_u, uint16_t, uint64_t),
    LOAD(i64_load32_s, int32_t, uint64_t),
    LOAD(i64_load32_u, uint32_t, uint64_t),
    STORE(i32_store, uint32_t, uint32_t),
    STORE(i64_store, uint64_t, uint64_t),
    STORE(f32_store, uint32_t, uint32_t),
    STORE(f64_store, uint64_t, uint64_t),
    STORE(i32_store8, uint32_t, uint8_t),
    STORE(i32_store16, uint32_t, uint16_t),
    STORE(i64_store8, uint64_t, uint8_t),
    STORE(i64_store16, uint64_t, uint16_t),
    STORE(i64_store32, uint64_t, uint32_t),
    {Op::v128_load, MEM_VARIANTS(MK::Load, V128, V128, Ext<V128>), FUSED_LOADS(V128, Ext<V128>)},
    {Op::v128_store, MEM_VARIANTS(MK::Store, V128, V128, Ext<V128>),
     {{&fused_store<V128, V128, Ext<V128>, false, MemForm::AddImm>,
       &fused_store<V128, V128, Ext<V128>, false, MemForm::AddShl>, nullptr},
      {&fused_store<V128, V128, Ext<V128>, true, MemForm::AddImm>,
       &fused_store<V128, V128, Ext<V128>, true, MemForm::AddShl>, nullptr}}},
    VLOAD(v128_load8x8_s, uint64_t),
    VLOAD(v128_load8x8_u, uint64_t),
    VLOAD(v128_load16x4_s, uint64_t),
    VLOAD(v128_load16x4_u, uint64_t),
    VLOAD(v128_load32x2_s, uint64_t),
    VLOAD(v128_load32x2_u, uint64_t),
    VLOAD(v128_load8_splat, uint8_t),
    VLOAD(v128_load16_splat, uint16_t),
    VLOAD(v128_load32_splat, uint32_t),
    VLOAD(v128_load64_splat, uint64_t),
    VLOAD(v128_load32_zero, uint32_t),
    VLOAD(v128_load64_zero, uint64_t),
    VLOADLANE(v128_load8_lane, uint8_t),
    VLOADLANE(v128_load16_lane, uint16_t),
    VLOADLANE(v128_load32_lane, uint32_t),
    VLOADLANE(v128_load64_lane, uint64_t),
    VSTORELANE(v128_store8_lane, uint8_t),
    VSTORELANE(v128_store16_lane, uint16_t),
    VSTORELANE(v128_store32_lane, uint32_t),
    VSTORELANE(v128_store64_lane, uint64_t),
};

const MemEntry* mem_entry(Op op) {
  for (const MemEntry& e : kMemHandlers)
    if (e.op == op) return &e;
  return nullptr;
}

}  // namespace

Handler mem_handler(Op op, bool is64, bool mem0, bool guard) {
  const MemEntry* e = mem_entry(op);
  if (!e) return nullptr;
  return guard && !is64 ? e->guarded[mem0] : e->h[is64][mem0];
}

Handler fused_mem_handler(Op op, MemForm form, bool guard) {
  const MemEntry* e = mem_entry(op);
  return e ? e->fused[guard][static_cast<unsigned>(form)] : nullptr;
}

bool is_guarded_mem_handler(Handler h) {
  if (!h) return false;
  for (const MemEntry& e : kMemHandlers) {
    if (h == e.guarded[0] || h == e.guarded[1]) return true;
    for (Handler f : e.fused[1])
      if (h == f) return true;
  }
  return false;
}

}  // namespace hull::interp
