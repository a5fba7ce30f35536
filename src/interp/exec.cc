// Execution: the handlers (direct-threaded, tail-calling each other) and the call() entry.
//
// Every handler has the signature Handler (code.h). The hot state travels in arguments (pc,
// frame pointer `sp`, memory-0 base and size, ctx); with clang's preserve_none convention these
// stay in registers across the [[clang::musttail]] jumps, so dispatch is one indirect jump.
// A handler ends the chain by returning: on a trap (ctx->trapped set) or when the entry frame
// returns.
#include <sys/ucontext.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

#include "interp/basic_ops.h"
#include "interp/code.h"
#include "interp/exec_util.h"
#include "interp/gen.h"
#include "interp/handlers.h"
#include "interp/interp.h"
#include "interp/sig_ops.h"
#include "runtime/type_registry.h"

namespace hull::interp {
namespace {

inline void load_mem(Memory* m, uint8_t*& mem, uint64_t& memsize) {
  if (m) {
    mem = m->base;
    memsize = m->size;
  } else {
    mem = nullptr;
    memsize = 0;
  }
}

inline void do_moves(uint64_t* sp, const Word* mv, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t m = mv[i].u;
    mv8(sp, m & 0xffffffffu, m >> 32);
  }
}

inline uint32_t slot_count(const std::vector<ValType>& ts) {
  uint32_t n = 0;
  for (auto& t : ts) n += t.slots();
  return n;
}

// Calls a host function with its slots at `args`. false (trap recorded) on failure.
bool call_host(Ctx* ctx, const Word* pc, Function* f, uint64_t* sp, uint64_t* args) {
  ctx->fp->sp = sp;  // lets a re-entrant call() place its frames above this one
  Store* store = ctx->store;
  // Store::caller: the calling instance, through which host functions (WASI) reach its memory.
  Instance* saved_caller = store->caller;
  store->caller = ctx->fp->inst;
  store->fuel_left = ctx->fuel;  // the host sees (and may change) the current fuel
  WasmEntry* entry = ctx->entry;
  entry->in_guest = false;  // a fault in host code is not a guest trap
  std::optional<Trap> t = f->host(f->host_env, *store, args);
  entry->in_guest = true;
  store->caller = saved_caller;
  ctx->fuel = store->fuel_left;
  if (t) {
    if (t->kind == TrapKind::Exception && t->exception) {
      // A wasm exception the host throws (or passes on from a nested call): the caller
      // throws it at the call's site (PROPAGATE_HOST_FAILURE).
      ctx->rethrow = t->exception;
      return false;
    }
    ctx->host_trap = std::move(t);
    set_trap(ctx, pc, TrapKind::Host);
    return false;
  }
  return true;
}

inline Memory* mem0_of(Instance* in) { return in->memories.empty() ? nullptr : in->memories[0]; }

}  // namespace

void set_trap(Ctx* ctx, const Word* pc, TrapKind k, const char* msg) {
  ctx->trapped = true;
  ctx->trap_pc = pc;
  ctx->trap_offset = Ctx::kNoOffset;
  ctx->trap_kind = k;
  ctx->trap_message = msg;
}

namespace h {

// The plain handlers are basic_ops.h's templates (shared with the baseline tier's stencils).
#define BASIC(name) \
  HANDLER(name) { [[clang::musttail]] return basic::name<PcOperands>(pc, sp, mem, memsize, ctx); }
BASIC(copy)
BASIC(copy2)
BASIC(const64)
BASIC(const128)
BASIC(add_shl)
BASIC(br)
BASIC(br_if)
BASIC(br_unless)
BASIC(fuel)
BASIC(epoch)
BASIC(fuel_epoch)
BASIC(select)
BASIC(select2)
BASIC(global_get)
BASIC(global_get2)
BASIC(global_set)
BASIC(global_set2)
#undef BASIC
// [n][pairs...]
HANDLER(moves) {
  do_moves(sp, pc + 2, pc[1].u);
  NEXT(2 + pc[1].u);
}

#define RETURN_FROM_FRAME()          \
  do {                               \
    Frame* f = ctx->fp - 1;          \
    ctx->fp = f;                     \
    if (!f->ret_pc) return;          \
    pc = f->ret_pc;                  \
    sp = f->sp;                      \
    load_mem(f->mem0, mem, memsize); \
    DISPATCH();                      \
  } while (0)

HANDLER(ret) { RETURN_FROM_FRAME(); }
// [src]: one 8-byte result to slot 0.
HANDLER(ret1) {
  mv8(sp, 0, pc[1].u);
  RETURN_FROM_FRAME();
}
// [n][pairs...]
HANDLER(ret_moves) {
  do_moves(sp, pc + 2, pc[1].u);
  RETURN_FROM_FRAME();
}
HANDLER(unreachable) { return set_trap(ctx, pc, TrapKind::Unreachable); }

// [target][n][pairs...]
HANDLER(br_moves) {
  do_moves(sp, pc + 3, pc[2].u);
  pc = pc[1].p;
  DISPATCH();
}
// [cond][target][n][pairs...]
HANDLER(br_if_moves) {
  if (rd<uint32_t>(sp, pc[1].u)) {
    do_moves(sp, pc + 4, pc[3].u);
    pc = pc[2].p;
    DISPATCH();
  }
  NEXT(4 + pc[3].u);
}

// Tier-up's count at a taken branch back to a loop (code compiled with
// CompileOptions::hot_threshold: the branches back to loops are the `*_hot` variants, with
// operands [target][loop number][FuncCode*] where the plain ones have [target]). The count is
// part of the branch, not an instruction of its own (an extra dispatch per iteration cost
// interpreted loops 10-25 %), and its function comes with it (reached through ctx->fp->code,
// three dependent loads, sieve took 15 % more instructions and about as much more time; with
// the pointer at hand and count_down's one `sub`, 9 % more instructions).
HANDLER(back_edge_slow);
#define JUMP_BACK(target_expr, loop_expr, fc_expr)                             \
  do {                                                                         \
    const FuncCode* fc_ = static_cast<const FuncCode*>(fc_expr);               \
    const bool out_ = count_down(fc_);                                         \
    const uint32_t loop_ = static_cast<uint32_t>(loop_expr);                   \
    pc = (target_expr);                                                        \
    if (out_) [[unlikely]] {                                                   \
      ctx->hot_loop = loop_;                                                   \
      [[clang::musttail]] return h::back_edge_slow(pc, sp, mem, memsize, ctx); \
    }                                                                          \
    DISPATCH();                                                                \
  } while (0)

// [target][loop][FuncCode*]
HANDLER(br_hot) { JUMP_BACK(pc[1].p, pc[2].u, pc[3].ptr); }
// [target][loop][FuncCode*][n][pairs...]
HANDLER(br_moves_hot) {
  do_moves(sp, pc + 5, pc[4].u);
  JUMP_BACK(pc[1].p, pc[2].u, pc[3].ptr);
}
// [cond][target][loop][FuncCode*]
HANDLER(br_if_hot) {
  if (rd<uint32_t>(sp, pc[1].u)) JUMP_BACK(pc[2].p, pc[3].u, pc[4].ptr);
  NEXT(5);
}
// [cond][target][loop][FuncCode*][n][pairs...]
HANDLER(br_if_moves_hot) {
  if (rd<uint32_t>(sp, pc[1].u)) {
    do_moves(sp, pc + 6, pc[5].u);
    JUMP_BACK(pc[2].p, pc[3].u, pc[4].ptr);
  }
  NEXT(6 + pc[5].u);
}
// [idx][count][targets: count + 1, the default last]
HANDLER(br_table) {
  uint32_t i = rd<uint32_t>(sp, pc[1].u);
  uint64_t n = pc[2].u;
  if (i > n) i = static_cast<uint32_t>(n);
  pc = pc[3 + i].p;
  DISPATCH();
}
// [ref][target]: jump when the reference is null / non-null.
HANDLER(br_on_null) {
  if (rd<uint64_t>(sp, pc[1].u) == 0) {
    pc = pc[2].p;
    DISPATCH();
  }
  NEXT(3);
}
HANDLER(br_on_non_null) {
  if (rd<uint64_t>(sp, pc[1].u) != 0) {
    pc = pc[2].p;
    DISPATCH();
  }
  NEXT(3);
}

// Native code of the frame above `caller` failed: an exception it passes on is thrown at the
// call's site in `caller`; a trap ends the run with the native frame innermost.
#define NATIVE_FAILURE(caller)          \
  do {                                  \
    if (Exception* e_ = ctx->rethrow) { \
      ctx->rethrow = nullptr;           \
      ctx->fp = (caller);               \
      THROW(e_);                        \
    }                                   \
    return;                             \
  } while (0)

// A tail-called host function failed. Its caller's frame is already gone as far as handlers
// are concerned: an exception unwinds from the frame below, at its call in progress.
#define TAIL_HOST_FAILURE()                  \
  do {                                       \
    Exception* e_ = ctx->rethrow;            \
    if (!e_) return;                         \
    ctx->rethrow = nullptr;                  \
    ctx->fp -= 1;                            \
    if (!ctx->fp->code) {                    \
      ctx->fp += 1;                          \
      return exception_escapes(ctx, e_, pc); \
    }                                        \
    pc = ctx->fp->ret_pc - 1;                \
    sp = ctx->fp->sp;                        \
    THROW(e_);                               \
  } while (0)

// The rest of a call whose entry check failed (ENTER_WASM, ctx->divert says which call, `pc`
// is the call instruction): the stack is exhausted, or native code is installed for the
// callee, or was until a moment ago (then the lowered code runs).
[[gnu::noinline]] HANDLER(enter_slow) {
  const Ctx::Divert d = ctx->divert;
  const FuncCode* fc = d.code;
  Frame* fp = ctx->fp;
  if (d.nsp + fc->frame_slots > ctx->stack_end || fp + 1 >= ctx->frames_end)
    return set_trap(ctx, pc, TrapKind::StackExhausted);
  fp->sp = sp;
  fp->ret_pc = d.next;
  Frame* nf = fp + 1;
  nf->code = fc;
  nf->inst = d.inst;
  nf->mem0 = d.mem0;
  ctx->fp = nf;
  if (const NativeEntry ne = native_of(fc)) {
    nf->sp = d.nsp;
    nf->ret_pc = nullptr;
    if (!ne(d.inst, d.nsp, ctx)) NATIVE_FAILURE(fp);
    ctx->fp = fp;
    load_mem(fp->mem0, mem, memsize);
    pc = d.next;
    DISPATCH();
  }
  zero_locals(d.nsp, fc);
  sp = d.nsp;
  load_mem(d.mem0, mem, memsize);
  pc = fc->code.data();
  DISPATCH();
}

// The same for a tail call (TAIL_ENTER_WASM): the args are at the frame base `sp` already.
[[gnu::noinline]] HANDLER(tail_enter_slow) {
  const Ctx::Divert d = ctx->divert;
  const FuncCode* fc = d.code;
  if (sp + fc->frame_slots > ctx->stack_end) return set_trap(ctx, pc, TrapKind::StackExhausted);
  Frame* fp = ctx->fp;
  fp->code = fc;
  fp->inst = d.inst;
  fp->mem0 = d.mem0;
  if (const NativeEntry ne = native_of(fc)) {
    // The native code takes the frame over; its results land where the tail-calling
    // function's would have.
    fp->sp = sp;
    fp->ret_pc = nullptr;
    if (!ne(d.inst, sp, ctx)) TAIL_HOST_FAILURE();
    RETURN_FROM_FRAME();
  }
  zero_locals(sp, fc);
  load_mem(d.mem0, mem, memsize);
  pc = fc->code.data();
  DISPATCH();
}

// A counting back-edge's count ran out (JUMP_BACK): `pc` is the loop's header, the frame as
// it is there. When machine code for the loop is there (on-stack replacement), it takes the
// frame over and runs the rest of the call, as a tail-called function's machine code does;
// its loop header then charges the check point's fuel, as the header's check would have.
[[gnu::noinline]] HANDLER(back_edge_slow) {
  if (const NativeEntry osr = hot_slow(ctx->fp->code, ctx->hot_loop)) {
    Frame* fp = ctx->fp;
    fp->sp = sp;
    fp->ret_pc = nullptr;
    if (!osr(fp->inst, sp, ctx)) TAIL_HOST_FAILURE();
    RETURN_FROM_FRAME();
  }
  DISPATCH();
}

// Enter wasm function `fc` of instance `in` with its frame at `nsp`, resuming at `next`
// (through its machine code when a native tier installed some).
#define ENTER_WASM(fc_expr, in_expr, m0_expr, next)                     \
  do {                                                                  \
    const FuncCode* fc_ = (fc_expr);                                    \
    Frame* fp_ = ctx->fp;                                               \
    if (entry_diverts(ctx, fp_, fc_, nsp)) [[unlikely]] {               \
      ctx->divert = {fc_, (in_expr), (m0_expr), nsp, (next)};           \
      [[clang::musttail]] return enter_slow(pc, sp, mem, memsize, ctx); \
    }                                                                   \
    fp_->sp = sp;                                                       \
    fp_->ret_pc = (next);                                               \
    push_frame(ctx, fp_, fc_, (in_expr), (m0_expr), nsp);               \
    sp = nsp;                                                           \
    pc = fc_->code.data();                                              \
    DISPATCH();                                                         \
  } while (0)

// After call_host failed: a thrown exception unwinds from the call; a trap ends the run.
#define PROPAGATE_HOST_FAILURE()        \
  do {                                  \
    if (Exception* e_ = ctx->rethrow) { \
      ctx->rethrow = nullptr;           \
      THROW(e_);                        \
    }                                   \
    return;                             \
  } while (0)

// Call any function (host or wasm, any instance) with its args at byte offset `hoff`. `hot`:
// the caller's code counts for tier-up (the `*_hot` handlers), so the callee's count is taken
// when it has one (a function of another module may not).
#define CALL_FUNCTION(f_expr, hoff, next, hot)                                         \
  do {                                                                                 \
    Function* cf_ = (f_expr);                                                          \
    uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + (hoff)); \
    if (cf_->host) {                                                                   \
      if (!call_host(ctx, pc, cf_, sp, nsp)) PROPAGATE_HOST_FAILURE();                 \
      load_mem(ctx->fp->mem0, mem, memsize);                                           \
      pc = (next);                                                                     \
      DISPATCH();                                                                      \
    }                                                                                  \
    const FuncCode* cc_ = static_cast<const FuncCode*>(cf_->code);                     \
    if ((hot) && cc_->counted) count_call(cc_);                                        \
    Instance* ci_ = cf_->instance;                                                     \
    if (ci_ == ctx->fp->inst) {                                                        \
      ENTER_WASM(cc_, ci_, ctx->fp->mem0, next);                                       \
    } else {                                                                           \
      Memory* m0_ = mem0_of(ci_);                                                      \
      load_mem(m0_, mem, memsize);                                                     \
      ENTER_WASM(cc_, ci_, m0_, next);                                                 \
    }                                                                                  \
  } while (0)

// [FuncCode*][hoff]
HANDLER(call_direct) {
  uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + pc[2].u);
  ENTER_WASM(static_cast<const FuncCode*>(pc[1].ptr), ctx->fp->inst, ctx->fp->mem0, pc + 3);
}
HANDLER(call_direct_hot) {
  uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + pc[2].u);
  const auto* fc = static_cast<const FuncCode*>(pc[1].ptr);
  count_call(fc);
  ENTER_WASM(fc, ctx->fp->inst, ctx->fp->mem0, pc + 3);
}
// [funcidx][hoff]
HANDLER(call_func) { CALL_FUNCTION(inst(ctx)->funcs[pc[1].u], pc[2].u, pc + 3, false); }
HANDLER(call_func_hot) { CALL_FUNCTION(inst(ctx)->funcs[pc[1].u], pc[2].u, pc + 3, true); }

// Resolves a call_indirect target or records the trap (returns nullptr).
inline Function* indirect_target(Ctx* ctx, const Word* pc, uint64_t* sp) {
  const Table* t = inst(ctx)->tables[pc[1].u];
  const uint64_t i = pc[4].u ? rd<uint64_t>(sp, pc[3].u) : rd<uint32_t>(sp, pc[3].u);
  TrapKind why;
  Function* f = resolve_indirect(t, i, static_cast<uint32_t>(pc[2].u), &why);
  if (f) [[likely]]
    return f;
  if (why == TrapKind::UninitializedElement) {
    // The reference interpreter names the slot ("uninitialized element 2"); the suite matches
    // messages by prefix, so the plain form still matches too.
    ctx->trap_text = "uninitialized element " + std::to_string(i);
    set_trap(ctx, pc, why, ctx->trap_text.c_str());
  } else {
    set_trap(ctx, pc, why);
  }
  return nullptr;
}
// [table][type id][index][is64][hoff]
HANDLER(call_indirect) {
  Function* f = indirect_target(ctx, pc, sp);
  if (!f) return;
  CALL_FUNCTION(f, pc[5].u, pc + 6, false);
}
HANDLER(call_indirect_hot) {
  Function* f = indirect_target(ctx, pc, sp);
  if (!f) return;
  CALL_FUNCTION(f, pc[5].u, pc + 6, true);
}
// [ref][hoff]
HANDLER(call_ref) {
  Function* f = reinterpret_cast<Function*>(rd<uint64_t>(sp, pc[1].u));
  if (!f) return set_trap(ctx, pc, TrapKind::NullReference, "null function reference");
  CALL_FUNCTION(f, pc[2].u, pc + 3, false);
}
HANDLER(call_ref_hot) {
  Function* f = reinterpret_cast<Function*>(rd<uint64_t>(sp, pc[1].u));
  if (!f) return set_trap(ctx, pc, TrapKind::NullReference, "null function reference");
  CALL_FUNCTION(f, pc[2].u, pc + 3, true);
}

// Tail calls reuse the current frame: the args move down to slot 0.
#define TAIL_ENTER_WASM(fc_expr, in_expr, m0_expr, pslots)                   \
  do {                                                                       \
    const FuncCode* fc_ = (fc_expr);                                         \
    std::memmove(sp, nsp, (pslots) * 8);                                     \
    if (enter_check_fails(fc_, sp, ctx->stack_end)) [[unlikely]] {           \
      ctx->divert = {fc_, (in_expr), (m0_expr), sp, nullptr};                \
      [[clang::musttail]] return tail_enter_slow(pc, sp, mem, memsize, ctx); \
    }                                                                        \
    Frame* fp_ = ctx->fp;                                                    \
    fp_->code = fc_;                                                         \
    fp_->inst = (in_expr);                                                   \
    fp_->mem0 = (m0_expr);                                                   \
    zero_locals(sp, fc_);                                                    \
    pc = fc_->code.data();                                                   \
    DISPATCH();                                                              \
  } while (0)

#define TAIL_CALL_FUNCTION(f_expr, hoff, pslots, hot)                                  \
  do {                                                                                 \
    Function* cf_ = (f_expr);                                                          \
    uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + (hoff)); \
    if (cf_->host) {                                                                   \
      if (!call_host(ctx, pc, cf_, sp, nsp)) TAIL_HOST_FAILURE();                      \
      std::memmove(sp, nsp, slot_count(cf_->type->results) * 8);                       \
      RETURN_FROM_FRAME();                                                             \
    }                                                                                  \
    const FuncCode* cc_ = static_cast<const FuncCode*>(cf_->code);                     \
    if ((hot) && cc_->counted) count_call(cc_);                                        \
    Instance* ci_ = cf_->instance;                                                     \
    Memory* m0_ = mem0_of(ci_);                                                        \
    load_mem(m0_, mem, memsize);                                                       \
    TAIL_ENTER_WASM(cc_, ci_, m0_, pslots);                                            \
  } while (0)

// [FuncCode*][hoff][pslots]
HANDLER(rcall_direct) {
  uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + pc[2].u);
  TAIL_ENTER_WASM(static_cast<const FuncCode*>(pc[1].ptr), ctx->fp->inst, ctx->fp->mem0, pc[3].u);
}
HANDLER(rcall_direct_hot) {
  uint64_t* nsp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + pc[2].u);
  const auto* fc = static_cast<const FuncCode*>(pc[1].ptr);
  count_call(fc);
  TAIL_ENTER_WASM(fc, ctx->fp->inst, ctx->fp->mem0, pc[3].u);
}
// [funcidx][hoff][pslots]
HANDLER(rcall_func) { TAIL_CALL_FUNCTION(inst(ctx)->funcs[pc[1].u], pc[2].u, pc[3].u, false); }
HANDLER(rcall_func_hot) { TAIL_CALL_FUNCTION(inst(ctx)->funcs[pc[1].u], pc[2].u, pc[3].u, true); }
// [table][type id][index][is64][hoff][pslots]
HANDLER(rcall_indirect) {
  Function* f = indirect_target(ctx, pc, sp);
  if (!f) return;
  TAIL_CALL_FUNCTION(f, pc[5].u, pc[6].u, false);
}
HANDLER(rcall_indirect_hot) {
  Function* f = indirect_target(ctx, pc, sp);
  if (!f) return;
  TAIL_CALL_FUNCTION(f, pc[5].u, pc[6].u, true);
}
// [ref][hoff][pslots]
HANDLER(rcall_ref) {
  Function* f = reinterpret_cast<Function*>(rd<uint64_t>(sp, pc[1].u));
  if (!f) return set_trap(ctx, pc, TrapKind::NullReference, "null function reference");
  TAIL_CALL_FUNCTION(f, pc[2].u, pc[3].u, false);
}
HANDLER(rcall_ref_hot) {
  Function* f = reinterpret_cast<Function*>(rd<uint64_t>(sp, pc[1].u));
  if (!f) return set_trap(ctx, pc, TrapKind::NullReference, "null function reference");
  TAIL_CALL_FUNCTION(f, pc[2].u, pc[3].u, true);
}

// select and the globals: basic_ops.h's templates (BASIC above).

inline uint64_t rd_idx(const uint64_t* sp, uint64_t off, bool is64) {
  return is64 ? rd<uint64_t>(sp, off) : rd<uint32_t>(sp, off);
}

// [dst][i][table][is64]
HANDLER(table_get) {
  Table* t = inst(ctx)->tables[pc[3].u];
  uint64_t i = rd_idx(sp, pc[2].u, pc[4].u);
  if (i >= t->elems.size()) return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  wr<uint64_t>(sp, pc[1].u, t->elems[i]);
  NEXT(5);
}
// [i][val][table][is64]
HANDLER(table_set) {
  Table* t = inst(ctx)->tables[pc[3].u];
  uint64_t i = rd_idx(sp, pc[1].u, pc[4].u);
  if (i >= t->elems.size()) return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  t->elems[i] = static_cast<RefBits>(rd<uint64_t>(sp, pc[2].u));
  NEXT(5);
}
// [dst][table]
HANDLER(table_size) {
  wr<uint64_t>(sp, pc[1].u, inst(ctx)->tables[pc[2].u]->elems.size());
  NEXT(3);
}
// [dst][init][delta][table][is64]
HANDLER(table_grow) {
  Table* t = inst(ctx)->tables[pc[4].u];
  bool is64 = pc[5].u;
  uint64_t delta = rd_idx(sp, pc[3].u, is64);
  uint64_t r = t->grow(delta, static_cast<RefBits>(rd<uint64_t>(sp, pc[2].u)));
  wr<uint64_t>(sp, pc[1].u, is64 ? r : uint64_t(uint32_t(r)));
  NEXT(6);
}
// [i][val][n][table][is64]
HANDLER(table_fill) {
  Table* t = inst(ctx)->tables[pc[4].u];
  bool is64 = pc[5].u;
  uint64_t i = rd_idx(sp, pc[1].u, is64), n = rd_idx(sp, pc[3].u, is64);
  RefBits v = static_cast<RefBits>(rd<uint64_t>(sp, pc[2].u));
  uint64_t size = t->elems.size();
  if (i > size || n > size - i) return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  for (uint64_t k = 0; k < n; ++k) t->elems[i + k] = v;
  NEXT(6);
}
// [d][s][n][dst table][src table][flags: 1 dst64, 2 src64]
HANDLER(table_copy) {
  Instance* in = inst(ctx);
  Table* dt = in->tables[pc[4].u];
  Table* st = in->tables[pc[5].u];
  uint64_t fl = pc[6].u;
  uint64_t d = rd_idx(sp, pc[1].u, fl & 1), s = rd_idx(sp, pc[2].u, fl & 2);
  uint64_t n = rd_idx(sp, pc[3].u, fl == 3);
  if (d > dt->elems.size() || n > dt->elems.size() - d || s > st->elems.size() ||
      n > st->elems.size() - s)
    return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  if (n) std::memmove(&dt->elems[d], &st->elems[s], n * sizeof(RefBits));
  NEXT(7);
}
// [d][s][n][table][elem][is64]
HANDLER(table_init) {
  Instance* in = inst(ctx);
  Table* t = in->tables[pc[4].u];
  const std::vector<RefBits>& seg = in->elems[pc[5].u];
  uint64_t d = rd_idx(sp, pc[1].u, pc[6].u);
  uint64_t s = rd<uint32_t>(sp, pc[2].u), n = rd<uint32_t>(sp, pc[3].u);
  if (d > t->elems.size() || n > t->elems.size() - d || s > seg.size() || n > seg.size() - s)
    return set_trap(ctx, pc, TrapKind::TableOutOfBounds);
  for (uint64_t k = 0; k < n; ++k) t->elems[d + k] = seg[s + k];
  NEXT(7);
}
// [elem]
HANDLER(elem_drop) {
  auto& seg = inst(ctx)->elems[pc[1].u];
  seg.clear();
  seg.shrink_to_fit();
  NEXT(2);
}

inline Memory* memory_at(Ctx* ctx, uint64_t idx) { return inst(ctx)->memories[idx]; }

// [dst][mem]
HANDLER(memory_size) {
  Memory* m = memory_at(ctx, pc[2].u);
  wr<uint64_t>(sp, pc[1].u, m->pages());
  NEXT(3);
}
// [dst][delta][mem]
HANDLER(memory_grow) {
  Memory* m = memory_at(ctx, pc[3].u);
  bool is64 = m->type.limits.is64;
  uint64_t delta = rd_idx(sp, pc[2].u, is64);
  uint64_t r = m->grow(delta);
  wr<uint64_t>(sp, pc[1].u, is64 ? r : uint64_t(uint32_t(r)));
  load_mem(ctx->fp->mem0, mem, memsize);  // growth may move memory 0 and changes its size
  NEXT(4);
}
// [d][val][n][mem][is64]
HANDLER(memory_fill) {
  Memory* m = memory_at(ctx, pc[4].u);
  bool is64 = pc[5].u;
  uint64_t d = rd_idx(sp, pc[1].u, is64), n = rd_idx(sp, pc[3].u, is64);
  if (d > m->size || n > m->size - d) return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  if (n) std::memset(m->base + d, static_cast<uint8_t>(rd<uint32_t>(sp, pc[2].u)), n);
  NEXT(6);
}
// [d][s][n][dst mem][src mem][flags: 1 dst64, 2 src64]
HANDLER(memory_copy) {
  Memory* dm = memory_at(ctx, pc[4].u);
  Memory* sm = memory_at(ctx, pc[5].u);
  uint64_t fl = pc[6].u;
  uint64_t d = rd_idx(sp, pc[1].u, fl & 1), s = rd_idx(sp, pc[2].u, fl & 2);
  uint64_t n = rd_idx(sp, pc[3].u, fl == 3);
  if (d > dm->size || n > dm->size - d || s > sm->size || n > sm->size - s)
    return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  if (n) std::memmove(dm->base + d, sm->base + s, n);
  NEXT(7);
}
// [d][s][n][mem][data][is64]
HANDLER(memory_init) {
  Instance* in = inst(ctx);
  Memory* m = in->memories[pc[4].u];
  uint64_t di = pc[5].u;
  const std::vector<uint8_t>& seg = ctx->fp->code->module->datas[di];
  uint64_t seg_size = (di < in->data_dropped.size() && in->data_dropped[di]) ? 0 : seg.size();
  uint64_t d = rd_idx(sp, pc[1].u, pc[6].u);
  uint64_t s = rd<uint32_t>(sp, pc[2].u), n = rd<uint32_t>(sp, pc[3].u);
  if (d > m->size || n > m->size - d || s > seg_size || n > seg_size - s)
    return set_trap(ctx, pc, TrapKind::MemoryOutOfBounds);
  if (n) std::memcpy(m->base + d, seg.data() + s, n);
  NEXT(7);
}
// [data]
HANDLER(data_drop) {
  Instance* in = inst(ctx);
  uint64_t di = pc[1].u;
  if (in->data_dropped.size() <= di) in->data_dropped.resize(di + 1);
  in->data_dropped[di] = true;
  NEXT(2);
}

// Wide arithmetic: the (low, high) result goes to two consecutive slots at dst. Every source
// is read before either result is written (dst may be a source's slot).
// [dst][a_lo][a_hi][b_lo][b_hi]
HANDLER(add128) {
  const num::I64Pair r = num::i64_add128(rd<uint64_t>(sp, pc[2].u), rd<uint64_t>(sp, pc[3].u),
                                         rd<uint64_t>(sp, pc[4].u), rd<uint64_t>(sp, pc[5].u));
  wr<uint64_t>(sp, pc[1].u, r.lo);
  wr<uint64_t>(sp, pc[1].u + 8, r.hi);
  NEXT(6);
}
// [dst][a_lo][a_hi][b_lo][b_hi]
HANDLER(sub128) {
  const num::I64Pair r = num::i64_sub128(rd<uint64_t>(sp, pc[2].u), rd<uint64_t>(sp, pc[3].u),
                                         rd<uint64_t>(sp, pc[4].u), rd<uint64_t>(sp, pc[5].u));
  wr<uint64_t>(sp, pc[1].u, r.lo);
  wr<uint64_t>(sp, pc[1].u + 8, r.hi);
  NEXT(6);
}
// [dst][a][b]
HANDLER(mul_wide_s) {
  const num::I64Pair r = num::i64_mul_wide_s(rd<uint64_t>(sp, pc[2].u), rd<uint64_t>(sp, pc[3].u));
  wr<uint64_t>(sp, pc[1].u, r.lo);
  wr<uint64_t>(sp, pc[1].u + 8, r.hi);
  NEXT(4);
}
// [dst][a][b]
HANDLER(mul_wide_u) {
  const num::I64Pair r = num::i64_mul_wide_u(rd<uint64_t>(sp, pc[2].u), rd<uint64_t>(sp, pc[3].u));
  wr<uint64_t>(sp, pc[1].u, r.lo);
  wr<uint64_t>(sp, pc[1].u + 8, r.hi);
  NEXT(4);
}

// [dst][src]
HANDLER(ref_is_null) {
  wr<uint64_t>(sp, pc[1].u, rd<uint64_t>(sp, pc[2].u) == 0);
  NEXT(3);
}
// [dst][a][b]
HANDLER(ref_eq) {
  wr<uint64_t>(sp, pc[1].u, rd<uint64_t>(sp, pc[2].u) == rd<uint64_t>(sp, pc[3].u));
  NEXT(4);
}
// [dst][funcidx]
HANDLER(ref_func) {
  wr<uint64_t>(sp, pc[1].u, reinterpret_cast<uint64_t>(inst(ctx)->funcs[pc[2].u]));
  NEXT(3);
}
// [dst][src]
HANDLER(ref_as_non_null) {
  uint64_t r = rd<uint64_t>(sp, pc[2].u);
  if (!r) return set_trap(ctx, pc, TrapKind::NullReference, "null reference");
  wr(sp, pc[1].u, r);
  NEXT(3);
}
// [dst][a][b][lanes lo][lanes hi]
HANDLER(shuffle) {
  V128 lanes;
  std::memcpy(lanes.bytes, &pc[4].u, 8);
  std::memcpy(lanes.bytes + 8, &pc[5].u, 8);
  V128 r = num::i8x16_shuffle(rd<V128>(sp, pc[2].u), rd<V128>(sp, pc[3].u), lanes);
  wr(sp, pc[1].u, r);
  NEXT(6);
}

}  // namespace h

// ---- handlers generated from opcodes.def signatures ------------------------------------------

namespace {
using namespace sig;

// The same fused with a br_if back to a loop, in code that counts for tier-up:
// [a][b or imm][target][loop][FuncCode*] / [a][target][loop][FuncCode*] (JUMP_BACK).
template <class Call, Sig S, bool Imm>
HULL_HANDLER_CC void cmp_branch_back(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                     Ctx* ctx) {
  if (compare_operands<PcOperands, Call, S, Imm>(pc, sp) != 0)
    JUMP_BACK(pc[1 + S.np].p, pc[2 + S.np].u, pc[3 + S.np].ptr);
  NEXT(4 + S.np);
}

struct BranchHandlers {
  Handler h[2][2] = {};  // [imm][negate]
  Handler back[2] = {};  // [imm]: cmp_branch_back
};

template <class Call, Sig S, ImmKind Imm>
constexpr BranchHandlers make_branch_handlers() {
  BranchHandlers b;
  if constexpr (has_branch_forms<Call, S, Imm>()) {
    b.h[0][0] = &cmp_branch<PcOperands, Call, S, false, false>;
    b.h[0][1] = &cmp_branch<PcOperands, Call, S, false, true>;
    b.back[0] = &cmp_branch_back<Call, S, false>;
    if constexpr (S.np == 2) {
      b.h[1][0] = &cmp_branch<PcOperands, Call, S, true, false>;
      b.h[1][1] = &cmp_branch<PcOperands, Call, S, true, true>;
      b.back[1] = &cmp_branch_back<Call, S, true>;
    }
  }
  return b;
}

const Handler kImmHandlers[] = {
#define HULL_OP(name, text, prefix, code, imm, sig) \
  make_imm_handler<PcOperands, num::interp_gen::Call_##name, parse(sig), ImmKind::imm>(),
#include "spec/opcodes.def"
#undef HULL_OP
};

const BranchHandlers kBranchHandlers[] = {
#define HULL_OP(name, text, prefix, code, imm, sig) \
  make_branch_handlers<num::interp_gen::Call_##name, parse(sig), ImmKind::imm>(),
#include "spec/opcodes.def"
#undef HULL_OP
};

const Handler kSigHandlers[] = {
#define HULL_OP(name, text, prefix, code, imm, sig) \
  make_sig_handler<PcOperands, num::interp_gen::Call_##name, parse(sig), ImmKind::imm>(),
#include "spec/opcodes.def"
#undef HULL_OP
};

}  // namespace

Handler sig_handler(Op op) { return kSigHandlers[static_cast<unsigned>(op)]; }
Handler sig_imm_handler(Op op) { return kImmHandlers[static_cast<unsigned>(op)]; }
Handler branch_handler(Op op, bool imm, bool negate) {
  return kBranchHandlers[static_cast<unsigned>(op)].h[imm][negate];
}
Handler counting_branch_handler(Op op, bool imm) {
  return kBranchHandlers[static_cast<unsigned>(op)].back[imm];
}

// ---- the entry point -------------------------------------------------------------------------

namespace {

constexpr uint32_t kMaxHostDepth = 200;  // nested call() (host -> wasm re-entry) levels

// A value stack and frame stack, kept per thread when their store goes away: a store per
// request (hull serve) would otherwise get and free megabytes from malloc, whose fresh pages
// fault in again on every request. The cache is tiny (one thread rarely has more than a couple
// of stores alive) and its stacks are as uninitialised as new ones would be.
struct Stacks {
  uint64_t* stack = nullptr;
  uint64_t slots = 0;
  Frame* frames = nullptr;
  uint64_t nframes = 0;
};

// Trivially destructible, so that a store destroyed late in a thread's exit (after the
// thread's objects with destructors are gone) still finds it: `closed` then sends the stacks
// straight back to the allocator.
struct StackCache {
  static constexpr size_t kKeep = 2;
  Stacks kept[kKeep];
  size_t count = 0;
  bool closed = false;
};
thread_local StackCache t_stacks;

void release(const Stacks& s) {
  delete[] s.stack;
  delete[] s.frames;
}

// Frees the kept stacks when the thread exits.
struct StackCacheCloser {
  ~StackCacheCloser() {
    for (size_t i = 0; i < t_stacks.count; ++i) release(t_stacks.kept[i]);
    t_stacks.count = 0;
    t_stacks.closed = true;
  }
  void arm() {}
};
thread_local StackCacheCloser t_stacks_closer;

// Stacks of exactly these sizes, reused or new.
Stacks take_stacks(uint64_t slots, uint64_t nframes) {
  StackCache& c = t_stacks;
  for (size_t i = c.count; i-- > 0;) {
    if (c.kept[i].slots == slots && c.kept[i].nframes == nframes) {
      Stacks s = c.kept[i];
      c.kept[i] = c.kept[--c.count];
      return s;
    }
  }
  return Stacks{new uint64_t[slots], slots, new Frame[nframes], nframes};
}

void give_stacks(const Stacks& s) {
  StackCache& c = t_stacks;
  // Stores with big stack limits are rare: do not keep their megabytes around.
  constexpr uint64_t kMaxKeptBytes = 4u << 20;
  if (c.closed || s.slots * sizeof(uint64_t) + s.nframes * sizeof(Frame) > kMaxKeptBytes)
    return release(s);
  t_stacks_closer.arm();  // constructs the closer in this thread (once)
  if (c.count == StackCache::kKeep) {
    release(c.kept[0]);
    c.kept[0] = c.kept[--c.count];
  }
  c.kept[c.count++] = s;
}

void free_ctx(void* p) {
  Ctx* ctx = static_cast<Ctx*>(p);
  give_stacks(Stacks{ctx->stack, static_cast<uint64_t>(ctx->stack_end - ctx->stack), ctx->frames,
                     static_cast<uint64_t>(ctx->frames_end - ctx->frames)});
  delete ctx;
}

Ctx* get_ctx(Store& store) {
  if (store.interp_state) return static_cast<Ctx*>(store.interp_state);
  Ctx* ctx = new Ctx;
  ctx->store = &store;
  // The closer is registered for this thread now rather than when the stacks come back: that
  // registration (__cxa_thread_atexit) takes the dynamic loader's lock, which a dlopen on
  // another thread (hull-native loading its tier) holds for ~20 ms -- a program's end waited
  // for it.
  t_stacks_closer.arm();
  uint64_t slots = std::max<uint64_t>(store.limits.max_wasm_stack_bytes / 8, 1024);
  uint64_t nframes = std::clamp<uint64_t>(slots / 4, 1024, 1 << 20);
  // Uninitialised on purpose: pages are touched only as deep as the program recurses.
  Stacks stacks = take_stacks(slots, nframes);
  ctx->stack = stacks.stack;
  ctx->stack_end = ctx->stack + slots;
  ctx->frames = stacks.frames;
  ctx->frames_end = ctx->frames + nframes;
  ctx->fp = ctx->frames;
  ctx->fp->code = nullptr;
  ctx->fp->inst = nullptr;
  ctx->fp->mem0 = nullptr;
  ctx->fp->sp = ctx->stack;
  ctx->fp->ret_pc = nullptr;
  store.interp_state = ctx;
  store.interp_state_free = &free_ctx;
  store.visit_guest_roots = &visit_guest_roots;
  return ctx;
}

// Byte offset in the module of the wasm instruction whose lowered code contains `at`.
uint32_t code_offset(const FuncCode* fc, const Word* at) {
  if (at < fc->code.data() || at >= fc->code.data() + fc->code.size()) return 0;
  uint32_t idx = static_cast<uint32_t>(at - fc->code.data());
  const auto& offs = fc->offsets;
  auto it = std::upper_bound(
      offs.begin(), offs.end(), idx,
      [](uint32_t v, const std::pair<uint32_t, uint32_t>& e) { return v < e.first; });
  if (it == offs.begin()) return 0;
  return std::prev(it)->second;
}

// The lowered instruction that faulted on a guard page, found among the registers the fault
// handler saved: a value that points at an instruction of `fc` whose handler is a load/store
// without bounds check. The lowest such value wins (a handler may also hold the next pc, which
// is higher). nullptr when none does: the trap then reports no offset for the innermost frame.
// Whether the instruction at `w` (a handler word of fc's code) is a guarded access run by its
// handler.
bool guarded_handler_at(const FuncCode* fc, const Word* w) {
  const BaselineCode* b = fc->baseline.get();
  if (!b) return is_guarded_mem_handler(w->h);
  const auto index = static_cast<uint32_t>(w - fc->code.data());
  return std::binary_search(b->guarded_handlers.begin(), b->guarded_handlers.end(), index);
}

// `noted`: the pc the last guarded handler noted (operands.h before_guarded_access; sanitizer
// builds only, else nullptr).
const Word* faulting_pc(const WasmEntry& entry, const FuncCode* fc, const Word* noted) {
  if (!fc || fc->code.empty()) return nullptr;
#if defined(__x86_64__)
  // A fault in the baseline tier's machine code: its address says which instruction.
  if (const BaselineCode* b = fc->baseline.get(); b && entry.fault_nregs > REG_RIP) {
    const uintptr_t rip = entry.fault_regs[REG_RIP];
    if (rip >= b->begin && rip < b->end) {
      const auto off = static_cast<uint32_t>(rip - b->begin);
      auto it = std::upper_bound(
          b->faulting.begin(), b->faulting.end(), off,
          [](uint32_t o, const std::pair<uint32_t, uint32_t>& f) { return o < f.first; });
      if (it == b->faulting.begin()) return nullptr;
      return fc->code.data() + std::prev(it)->second;
    }
  }
#endif
  // A fault in a handler: the lowered pc is in a register, or was noted.
  const auto lo = reinterpret_cast<uintptr_t>(fc->code.data());
  const auto hi = reinterpret_cast<uintptr_t>(fc->code.data() + fc->code.size());
  if (const auto n = reinterpret_cast<uintptr_t>(noted); n >= lo && n < hi) return noted;
  const Word* best = nullptr;
  for (unsigned i = 0; i < entry.fault_nregs; ++i) {
    const uintptr_t v = entry.fault_regs[i];
    if (v < lo || v >= hi || (v - lo) % sizeof(Word) != 0) continue;
    const Word* w = reinterpret_cast<const Word*>(v);
    if ((!best || w < best) && guarded_handler_at(fc, w)) best = w;
  }
  return best;
}

Trap make_trap(Ctx* ctx, Frame* innermost, Frame* sentinel) {
  Trap t;
  if (ctx->trap_kind == TrapKind::Host && ctx->host_trap) {
    t = std::move(*ctx->host_trap);
    ctx->host_trap.reset();
  } else if (ctx->trap_kind == TrapKind::Exception) {
    t.kind = TrapKind::Exception;
    t.exception = ctx->exception;
    t.message = uncaught_exception_message(*t.exception);
    ctx->exception = nullptr;
    // The host holds it now: no longer in flight, it is collectable once the host's root
    // (store.host_roots, released by the API's RootScope) goes.
    ctx->store->exceptions.expose(t.exception);
    ctx->store->host_roots.push_back(reinterpret_cast<RefBits>(t.exception));
  } else {
    t.kind = ctx->trap_kind;
    t.message = ctx->trap_message ? ctx->trap_message : trap_kind_message(ctx->trap_kind);
  }
  for (Frame* f = innermost; f > sentinel && t.backtrace.size() < 64; --f) {
    if (!f->code) continue;
    TrapFrame tf;
    tf.func_index = f->code->func_index;
    // The trapping instruction (innermost) or the call in progress (callers: ret_pc is just
    // past the call instruction).
    const Word* at = f == innermost ? ctx->trap_pc : (f->ret_pc ? f->ret_pc - 1 : nullptr);
    if (f == innermost && ctx->trap_offset != Ctx::kNoOffset)
      tf.code_offset = ctx->trap_offset;  // native code's trap
    else if (at)
      tf.code_offset = code_offset(f->code, at);
    auto it = f->code->module->func_names.find(tf.func_index);
    if (it != f->code->module->func_names.end()) tf.func_name = it->second;
    if (f->inst) tf.module_name = f->inst->name;
    tf.instance = f->inst;
    t.backtrace.push_back(std::move(tf));
  }
  return t;
}

}  // namespace

std::optional<Trap> call(Store& store, Function* f, uint64_t* slots) {
  Ctx* ctx = get_ctx(store);
  if (ctx->host_depth >= kMaxHostDepth) return Trap::make(TrapKind::StackExhausted);
  if (f->host) {
    ++ctx->host_depth;
    std::optional<Trap> r = f->host(f->host_env, store, slots);
    --ctx->host_depth;
    return r;
  }
  const FuncCode* fc = static_cast<const FuncCode*>(f->code);
  // An entry from the host, or from machine code calling a function still interpreted.
  if (fc->counted) [[unlikely]]
    count_call(fc);
  Frame* const outer = ctx->fp;
  uint64_t* const base = outer->code ? outer->sp + outer->code->frame_slots : outer->sp;
  Frame* const sentinel = outer + 1;
  Frame* nf = sentinel + 1;
  if (nf >= ctx->frames_end || base + fc->frame_slots > ctx->stack_end)
    return Trap::make(TrapKind::StackExhausted);
  sentinel->code = nullptr;
  sentinel->inst = nullptr;
  sentinel->mem0 = nullptr;
  sentinel->sp = base;
  sentinel->ret_pc = nullptr;
  std::memcpy(base, slots, fc->param_slots * 8);
  zero_locals(base, fc);
  nf->code = fc;
  nf->inst = f->instance;
  nf->mem0 = mem0_of(f->instance);
  nf->sp = base;
  nf->ret_pc = nullptr;
  ctx->trapped = false;
  // Nested calls (host -> guest re-entry) save the outer run's cached fuel and entry.
  WasmEntry entry;
  entry.prev = t_wasm_entry;
  entry.store = &store;
  WasmEntry* const saved_entry = ctx->entry;
  // A guard-page trap leaves native frames linked (interp.h NativeRootFrame): unlinked below.
  NativeRootFrame* const saved_native_roots = ctx->native_roots;
  ctx->entry = &entry;
  ctx->fuel = store.fuel_left;
  ++ctx->host_depth;
  t_wasm_entry = &entry;
  // Guard pages: a fault in a guarded memory of this store while guest code runs lands here
  // (sigsetjmp returns 1), with the handler chain abandoned; ctx still describes the frames.
  if (sigsetjmp(entry.jump, 0) == 0) {
    ctx->fp = nf;
    if (const NativeEntry ne = native_of(fc)) [[unlikely]] {
      if (!ne(f->instance, base, ctx)) {
        ctx->trapped = true;
        // An exception the native code passed on leaves this call uncaught.
        if (Exception* e = ctx->rethrow) {
          ctx->rethrow = nullptr;
          exception_escapes(ctx, e, nullptr);
        }
      }
    } else {
      uint8_t* mem;
      uint64_t memsize;
      load_mem(nf->mem0, mem, memsize);
      const Word* pc = fc->code.data();
      pc->h(pc, base, mem, memsize, ctx);
    }
  } else if (entry.fault_address) {
    ctx->trapped = true;
    ctx->trap_kind = TrapKind::MemoryOutOfBounds;
    ctx->trap_message = nullptr;
    ctx->trap_pc = faulting_pc(entry, ctx->fp->code, ctx->guard_pc);
    ctx->trap_offset = Ctx::kNoOffset;
  } else {
    // Machine code interrupted past its deadline (runtime/interrupt.h): where in it is not
    // known, so the innermost frame has no offset.
    ctx->trapped = true;
    ctx->trap_kind = TrapKind::Interrupted;
    ctx->trap_message = nullptr;
    ctx->trap_pc = nullptr;
    ctx->trap_offset = Ctx::kNoOffset;
  }
  t_wasm_entry = entry.prev;
  // The outermost call into this store is over: the epoch timer must not interrupt this
  // thread for it any more (hull_rt_vm set it, for code compiled with epochs).
  if (--ctx->host_depth == 0) store.guest_tid.store(0, std::memory_order_relaxed);
  ctx->entry = saved_entry;
  ctx->native_roots = saved_native_roots;
  store.fuel_left = ctx->fuel;
  if (ctx->trapped) {
    Trap t = make_trap(ctx, ctx->fp, sentinel);
    ctx->trapped = false;
    ctx->fp = outer;
    return t;
  }
  ctx->fp = outer;
  std::memcpy(slots, base, fc->result_slots * 8);
  // The exceptions and GC objects the host receives are rooted for it until the API's
  // RootScope around the call ends (or the store does).
  if (fc->ref_results) [[unlikely]]
    for (uint32_t i = 0; i < fc->result_slots; ++i)
      root_for_host(store, static_cast<RefBits>(slots[i]));
  return std::nullopt;
}

}  // namespace hull::interp
