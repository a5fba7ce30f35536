// Handlers of the threads proposal's atomic instructions (prefix 0xFE) and of memory.size on a
// shared memory.
//
// Operands: [dst?][addr][operand...][offset][memidx]; atomic.fence has none. An effective
// address that is not a multiple of the access size traps ("unaligned atomic"); then every
// access is bounds-checked explicitly, also on guarded memories (the guard-page fault path only
// knows the plain load/store handlers), against the size loaded with acquire: another thread's
// memory.grow on a shared memory is visible to the accesses that follow it. The cell is
// naturally aligned, so the __atomic builtins are real atomics on it, on shared and unshared
// memories alike. Every access is sequentially consistent, as the proposal requires.
#include <cstdint>
#include <type_traits>

#include "interp/code.h"
#include "interp/exec_util.h"
#include "interp/handlers.h"
#include "runtime/shared_memory.h"

namespace hull::interp {

int32_t atomic_wait(Ctx* ctx, Memory* m, uint64_t ea, unsigned bytes, uint64_t expected,
                    int64_t timeout_ns, TrapKind* trap) {
  if (!m->shared) [[unlikely]] {
    *trap = TrapKind::ExpectedSharedMemory;
    return -1;
  }
  // A store with a deadline (Store::set_deadline) must not sleep past it: the wait is cut
  // short there and traps as any guest code past its deadline does (to within one epoch
  // tick), instead of blocking the embedder's thread for longer than it allowed.
  bool capped = false;
  if (const uint64_t deadline = epoch_deadline(ctx); deadline != UINT64_MAX) {
    const uint64_t now = g_epoch.load(std::memory_order_relaxed);
    if (now >= deadline) {
      *trap = TrapKind::Interrupted;
      return -1;
    }
    const uint64_t ticks = deadline - now;
    const int64_t budget = ticks > uint64_t(INT64_MAX) / kEpochTickNs
                               ? INT64_MAX
                               : static_cast<int64_t>(ticks * kEpochTickNs);
    if (timeout_ns < 0 || timeout_ns > budget) {
      timeout_ns = budget;
      capped = true;
    }
  }
  // Blocks this thread (and so this store's guest code) until notified or timed out.
  const ParkingLot::WaitResult r =
      m->shared->parking.wait(ea, m->base + ea, bytes, expected, timeout_ns);
  if ((capped && r == ParkingLot::WaitResult::TimedOut) ||
      r == ParkingLot::WaitResult::Interrupted) {
    *trap = TrapKind::Interrupted;
    return -1;
  }
  return static_cast<int32_t>(r);
}

uint32_t atomic_notify(Memory* m, uint64_t ea, uint32_t count) {
  // Nobody can wait on an unshared memory: nothing to wake.
  return m->shared ? m->shared->parking.notify(ea, count) : 0;
}

namespace {

// What an atomic handler does with its cell.
enum class AK { Load, Store, Add, Sub, And, Or, Xor, Xchg, Cmpxchg, Wait, Notify };

// Number of value operands after the address.
constexpr unsigned operand_count(AK k) {
  switch (k) {
    case AK::Load: return 0;
    case AK::Cmpxchg:
    case AK::Wait: return 2;
    default: return 1;
  }
}
constexpr bool has_result(AK k) { return k != AK::Store; }

// T: the cell's type (u8..u64); V: the value type of the operands and result (u32 or u64).
template <AK K, class T, class V, bool Is64>
HULL_HANDLER_CC void atomic_op(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                               Ctx* ctx) {
  constexpr unsigned d = has_result(K) ? 1 : 0;
  constexpr unsigned n = operand_count(K);
  constexpr unsigned addr_word = 1 + d;
  // Words: handler, [dst], addr, operands..., offset, memidx.
  Memory* m = inst(ctx)->memories[pc[addr_word + n + 2].u];
  uint64_t ea;
  const uint64_t offset = pc[addr_word + 1 + n].u;
  const uint64_t size = m->size_acquire();
  bool out_of_bounds;
  if constexpr (Is64) {
    out_of_bounds = __builtin_add_overflow(rd<uint64_t>(sp, pc[addr_word].u), offset, &ea) ||
                    ea > size || size - ea < sizeof(T);
  } else {
    ea = uint64_t(rd<uint32_t>(sp, pc[addr_word].u)) + offset;
    out_of_bounds = ea + sizeof(T) > size;
  }
  // Alignment first, as the reference interpreter checks it (an overflowed 64-bit sum keeps
  // its low bits, so its alignment is still the true address's).
  if (ea & (sizeof(T) - 1)) [[unlikely]]
    return set_trap(ctx, pc, TrapKind::UnalignedAtomic);
  if (out_of_bounds) [[unlikely]]
    return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  T* cell = reinterpret_cast<T*>(m->base + ea);
  constexpr int kOrder = __ATOMIC_SEQ_CST;
  auto operand = [&](unsigned i) { return static_cast<T>(rd<V>(sp, pc[addr_word + 1 + i].u)); };
  V result = 0;
  if constexpr (K == AK::Load) {
    result = static_cast<V>(__atomic_load_n(cell, kOrder));
  } else if constexpr (K == AK::Store) {
    __atomic_store_n(cell, operand(0), kOrder);
  } else if constexpr (K == AK::Add) {
    result = static_cast<V>(__atomic_fetch_add(cell, operand(0), kOrder));
  } else if constexpr (K == AK::Sub) {
    result = static_cast<V>(__atomic_fetch_sub(cell, operand(0), kOrder));
  } else if constexpr (K == AK::And) {
    result = static_cast<V>(__atomic_fetch_and(cell, operand(0), kOrder));
  } else if constexpr (K == AK::Or) {
    result = static_cast<V>(__atomic_fetch_or(cell, operand(0), kOrder));
  } else if constexpr (K == AK::Xor) {
    result = static_cast<V>(__atomic_fetch_xor(cell, operand(0), kOrder));
  } else if constexpr (K == AK::Xchg) {
    result = static_cast<V>(__atomic_exchange_n(cell, operand(0), kOrder));
  } else if constexpr (K == AK::Cmpxchg) {
    // The expected operand is wrapped to the cell's width before the comparison; on failure
    // `expected` receives the cell's value, which is the result either way.
    T expected = operand(0);
    __atomic_compare_exchange_n(cell, &expected, operand(1), false, kOrder, kOrder);
    result = static_cast<V>(expected);
  } else if constexpr (K == AK::Wait) {
    const uint64_t expected = static_cast<uint64_t>(operand(0));
    const int64_t timeout_ns = rd<int64_t>(sp, pc[addr_word + 2].u);
    TrapKind why;
    const int32_t r = atomic_wait(ctx, m, ea, sizeof(T), expected, timeout_ns, &why);
    if (r < 0) [[unlikely]]
      return set_trap(ctx, pc, why);
    result = static_cast<V>(r);
  } else if constexpr (K == AK::Notify) {
    result = static_cast<V>(atomic_notify(m, ea, rd<uint32_t>(sp, pc[addr_word + 1].u)));
  }
  if constexpr (has_result(K)) wr_val(sp, pc[1].u, result);
  NEXT(addr_word + n + 3);
}

// []
HULL_HANDLER_CC void atomic_fence(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                  Ctx* ctx) {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  NEXT(1);
}

// [dst][mem]: memory.size of a shared memory, which other threads may grow meanwhile.
HULL_HANDLER_CC void shared_memory_size(const Word* pc, uint64_t* sp, uint8_t* mem,
                                        uint64_t memsize, Ctx* ctx) {
  Memory* m = inst(ctx)->memories[pc[2].u];
  wr<uint64_t>(sp, pc[1].u, m->size_acquire() >> m->type.page_size_log2);
  NEXT(3);
}

struct AtomicEntry {
  Op op;
  Handler h[2];  // [is64 address]
};

#define ATOMIC(op, K, T, V)                                           \
  {                                                                   \
    Op::op, { &atomic_op<K, T, V, false>, &atomic_op<K, T, V, true> } \
  }
// The seven widths of one read-modify-write family, in opcodes.def order.
#define RMW_FAMILY(name, K)                                       \
  ATOMIC(i32_atomic_rmw_##name, K, uint32_t, uint32_t),           \
      ATOMIC(i64_atomic_rmw_##name, K, uint64_t, uint64_t),       \
      ATOMIC(i32_atomic_rmw8_##name##_u, K, uint8_t, uint32_t),   \
      ATOMIC(i32_atomic_rmw16_##name##_u, K, uint16_t, uint32_t), \
      ATOMIC(i64_atomic_rmw8_##name##_u, K, uint8_t, uint64_t),   \
      ATOMIC(i64_atomic_rmw16_##name##_u, K, uint16_t, uint64_t), \
      ATOMIC(i64_atomic_rmw32_##name##_u, K, uint32_t, uint64_t)

const AtomicEntry kAtomicHandlers[] = {
    ATOMIC(memory_atomic_notify, AK::Notify, uint32_t, uint32_t),
    ATOMIC(memory_atomic_wait32, AK::Wait, uint32_t, uint32_t),
    // wait64's result is an i32 like wait32's; only its expected operand is 64-bit. The
    // result's upper half is zero either way (results 0..2), so V = u64 is harmless for it.
    ATOMIC(memory_atomic_wait64, AK::Wait, uint64_t, uint64_t),
    ATOMIC(i32_atomic_load, AK::Load, uint32_t, uint32_t),
    ATOMIC(i64_atomic_load, AK::Load, uint64_t, uint64_t),
    ATOMIC(i32_atomic_load8_u, AK::Load, uint8_t, uint32_t),
    ATOMIC(i32_atomic_load16_u, AK::Load, uint16_t, uint32_t),
    ATOMIC(i64_atomic_load8_u, AK::Load, uint8_t, uint64_t),
    ATOMIC(i64_atomic_load16_u, AK::Load, uint16_t, uint64_t),
    ATOMIC(i64_atomic_load32_u, AK::Load, uint32_t, uint64_t),
    ATOMIC(i32_atomic_store, AK::Store, uint32_t, uint32_t),
    ATOMIC(i64_atomic_store, AK::Store, uint64_t, uint64_t),
    ATOMIC(i32_atomic_store8, AK::Store, uint8_t, uint32_t),
    ATOMIC(i32_atomic_store16, AK::Store, uint16_t, uint32_t),
    ATOMIC(i64_atomic_store8, AK::Store, uint8_t, uint64_t),
    ATOMIC(i64_atomic_store16, AK::Store, uint16_t, uint64_t),
    ATOMIC(i64_atomic_store32, AK::Store, uint32_t, uint64_t),
    RMW_FAMILY(add, AK::Add),
    RMW_FAMILY(sub, AK::Sub),
    RMW_FAMILY(and, AK::And),
    RMW_FAMILY(or, AK::Or),
    RMW_FAMILY(xor, AK::Xor),
    RMW_FAMILY(xchg, AK::Xchg),
    RMW_FAMILY(cmpxchg, AK::Cmpxchg),
};

}  // namespace

Handler atomic_handler(Op op, bool is64) {
  if (op == Op::atomic_fence) return &atomic_fence;
  for (const AtomicEntry& e : kAtomicHandlers)
    if (e.op == op) return e.h[is64];
  return nullptr;
}

Handler shared_memory_size_handler() { return &shared_memory_size; }

}  // namespace hull::interp
