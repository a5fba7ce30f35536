// The plain handlers -- copies, constants, branches, select, globals, check points, the
// scaled-index address arithmetic -- as templates over the operand policy (operands.h), shared by
// the interpreter (exec.cc) and the baseline tier's stencils (src/baseline/stencils.cc). Operand
// layouts as in handlers.h. Private to src/interp and src/baseline.
#pragma once

#include "interp/exec_util.h"

namespace hull::interp::basic {

#define BASIC_HANDLER(name)                                                               \
  template <class O>                                                                      \
  HULL_HANDLER_CC void name(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize, \
                            Ctx* ctx)

// [dst][src]
BASIC_HANDLER(copy) {
  mv8(sp, O_U(1), O_U(2));
  O_NEXT(3);
}
BASIC_HANDLER(copy2) {
  mv8(sp, O_U(1), O_U(2));
  mv8(sp, O_U(1) + 8, O_U(2) + 8);
  O_NEXT(3);
}
// [dst][value]
BASIC_HANDLER(const64) {
  wr(sp, O_U(1), O::template imm<uint64_t, 2>(pc));
  O_NEXT(3);
}
// [dst][lo][hi]
BASIC_HANDLER(const128) {
  wr(sp, O_U(1), O::template imm<uint64_t, 2>(pc));
  wr(sp, O_U(1) + 8, O::template imm<uint64_t, 3>(pc));
  O_NEXT(4);
}
// [dst][a][b][k]: i32.add(a, i32.shl(b, k)), the scaled-index address arithmetic of arrays.
BASIC_HANDLER(add_shl) {
  wr_val<uint32_t>(sp, O_U(1), rd<uint32_t>(sp, O_U(2)) + (rd<uint32_t>(sp, O_U(3)) << O_U(4)));
  O_NEXT(5);
}
// [target]
BASIC_HANDLER(br) { O_JUMP(1); }
// [cond][target]
BASIC_HANDLER(br_if) {
  if (rd<uint32_t>(sp, O_U(1))) O_JUMP(2);
  O_NEXT(3);
}
BASIC_HANDLER(br_unless) {
  if (!rd<uint32_t>(sp, O_U(1))) O_JUMP(2);
  O_NEXT(3);
}

// [dst][a][b][cond]: a if cond, else b (select2: 16-byte values).
BASIC_HANDLER(select) {
  uint64_t v = rd<uint32_t>(sp, O_U(4)) ? rd<uint64_t>(sp, O_U(2)) : rd<uint64_t>(sp, O_U(3));
  wr(sp, O_U(1), v);
  O_NEXT(5);
}
BASIC_HANDLER(select2) {
  uint64_t s = rd<uint32_t>(sp, O_U(4)) ? O_U(2) : O_U(3);
  uint64_t lo = rd<uint64_t>(sp, s), hi = rd<uint64_t>(sp, s + 8);
  wr(sp, O_U(1), lo);
  wr(sp, O_U(1) + 8, hi);
  O_NEXT(5);
}

// [dst][idx]: the instance's global idx (global_get2: a 16-byte one).
BASIC_HANDLER(global_get) {
  wr(sp, O_U(1), inst(ctx)->globals[O_U(2)]->value[0]);
  O_NEXT(3);
}
BASIC_HANDLER(global_get2) {
  Global* g = inst(ctx)->globals[O_U(2)];
  wr(sp, O_U(1), g->value[0]);
  wr(sp, O_U(1) + 8, g->value[1]);
  O_NEXT(3);
}
// [src][idx]
BASIC_HANDLER(global_set) {
  inst(ctx)->globals[O_U(2)]->value[0] = rd<uint64_t>(sp, O_U(1));
  O_NEXT(3);
}
BASIC_HANDLER(global_set2) {
  Global* g = inst(ctx)->globals[O_U(2)];
  g->value[0] = rd<uint64_t>(sp, O_U(1));
  g->value[1] = rd<uint64_t>(sp, O_U(1) + 8);
  O_NEXT(3);
}

// Check points (function entry, loop headers; only in code compiled with fuel/epochs).
// [n]: charge n instructions of fuel. On a trap the charge is refunded, so the fuel never
// goes below zero and the host can add fuel and call again. Fuel and deadline are Ctx copies
// of the Store's (see Ctx::fuel).
BASIC_HANDLER(fuel) {
  int64_t f = ctx->fuel - static_cast<int64_t>(O_U(1));
  if (f < 0) [[unlikely]]
    return set_trap(ctx, O::self(pc), TrapKind::OutOfFuel);
  ctx->fuel = f;
  O_NEXT(2);
}
// [unused]: trap once the engine epoch reached the store's deadline.
BASIC_HANDLER(epoch) {
  if (g_epoch.load(std::memory_order_relaxed) >= epoch_deadline(ctx)) [[unlikely]]
    return set_trap(ctx, O::self(pc), TrapKind::Interrupted);
  O_NEXT(2);
}
// [n]: both.
BASIC_HANDLER(fuel_epoch) {
  if (g_epoch.load(std::memory_order_relaxed) >= epoch_deadline(ctx)) [[unlikely]]
    return set_trap(ctx, O::self(pc), TrapKind::Interrupted);
  int64_t f = ctx->fuel - static_cast<int64_t>(O_U(1));
  if (f < 0) [[unlikely]]
    return set_trap(ctx, O::self(pc), TrapKind::OutOfFuel);
  ctx->fuel = f;
  O_NEXT(2);
}

#undef BASIC_HANDLER

}  // namespace hull::interp::basic
