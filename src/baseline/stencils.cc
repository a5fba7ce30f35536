// The baseline tier's stencils: the interpreter's handler templates (interp/sig_ops.h,
// mem_ops.h, basic_ops.h) instantiated with the hole policy (stencil_abi.h), the tier's own
// pair for direct calls, and the table that names them. This file is compiled on its own with
// flags that keep its machine code copyable (no PIC, no jump tables, no sanitizers or unwind
// tables; CMakeLists.txt), and never linked: stencil_gen reads the object and writes the tables
// the compiler copies from.
#define HULL_STENCIL_SOURCE 1
#include "baseline/stencil_abi.h"
#include "interp/basic_ops.h"
#include "interp/mem_ops.h"
#include "interp/sig_ops.h"

namespace hull::baseline {
namespace {

using interp::Ctx;
using interp::Handler;
using interp::MemForm;
using interp::Word;
using HO = HoleOperands;
using namespace interp::sig;
using namespace interp::memops;

// Runs the interpreter's handler for the instruction: its operands are the words after it in
// the lowered code, and it goes on through the next handler word, which then holds the baseline
// code of the next instruction.
HULL_HANDLER_CC void fallback(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                              Ctx* ctx) {
  pc = HO::self(pc);
  const Handler h = reinterpret_cast<Handler>(HULL_HOLE_W("hull_hole_callee"));
  [[clang::musttail]] return h(pc, sp, mem, memsize, ctx);
}

// A direct call ([FuncCode*][hoff], the interpreter's call_direct), split in two so that a call
// site is small and needs nothing from the cold lowered code or the callee: the call's stencil
// leaves the caller's sp and return point in its frame (as the interpreter's call does before
// entering), moves sp to the callee's frame and jumps straight to the callee's entry stencil,
// which makes the entry check (stack room, frames, code tiered up since: enter_bytes), pushes
// the frame, zeroes the locals and jumps to the function's first instruction (the entries are
// placed after the module's functions). Everything else enters a function at its first
// instruction, having done all that itself.
template <bool Hot>
HULL_HANDLER_CC void call_site(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                               Ctx* ctx) {
  if constexpr (Hot)
    interp::count_call(reinterpret_cast<const interp::FuncCode*>(HO::imm<uintptr_t, 1>(pc)));
  interp::Frame* fp = ctx->fp;
  fp->sp = sp;
  fp->ret_pc = HO::self(pc) + 3;
  sp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(sp) + HO::u<2>(pc));
  [[clang::musttail]] return hull_entry1(pc, sp, mem, memsize, ctx);
}

// Operand word 1 of the entry stencil is the function's own FuncCode (the compiler's doing).
HULL_HANDLER_CC void function_entry(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                    Ctx* ctx) {
  const auto* fc = reinterpret_cast<const interp::FuncCode*>(HO::imm<uintptr_t, 1>(pc));
  interp::Frame* fp = ctx->fp;
  if (interp::entry_diverts(ctx, fp, fc, sp)) [[unlikely]] {
    // As the interpreter's call would have: enter_slow from the call instruction.
    const Word* next = fp->ret_pc;
    ctx->divert = {fc, fp->inst, fp->mem0, sp, next};
    [[clang::musttail]] return interp::h::enter_slow(next - 3, fp->sp, mem, memsize, ctx);
  }
  interp::push_frame(ctx, fp, fc, fp->inst, fp->mem0, sp);
  [[clang::musttail]] return hull_next(pc, sp, mem, memsize, ctx);
}

template <class Call, Sig S, ImmKind Imm, bool WithImm, bool Negate>
constexpr Handler branch_stencil() {
  if constexpr (has_branch_forms<Call, S, Imm>() && (!WithImm || S.np == 2))
    return &cmp_branch<HO, Call, S, WithImm, Negate>;
  else
    return nullptr;
}

constexpr uint32_t key(StencilKind k, Op op, uint32_t variant) {
  return stencil_key(k, static_cast<uint32_t>(op), variant);
}
constexpr uint32_t basic_key(BasicStencil b) {
  return stencil_key(StencilKind::Basic, 0, static_cast<uint32_t>(b));
}
constexpr uint32_t fused_key(Op op, MemForm f, bool guard) {
  return key(StencilKind::Fused, op, static_cast<uint32_t>(f) * 2 + guard);
}

}  // namespace
}  // namespace hull::baseline

using namespace hull;
using namespace hull::baseline;

// clang-format off
#define SIG_ROWS(name, text, prefix, code, imm, sig)                                                \
  {key(StencilKind::Sig, Op::name, 0),                                                              \
   make_sig_handler<HO, num::interp_gen::Call_##name, parse(sig), ImmKind::imm>()},                 \
  {key(StencilKind::SigImm, Op::name, 0),                                                           \
   make_imm_handler<HO, num::interp_gen::Call_##name, parse(sig), ImmKind::imm>()},                 \
  {key(StencilKind::Branch, Op::name, 0),                                                           \
   branch_stencil<num::interp_gen::Call_##name, parse(sig), ImmKind::imm, false, false>()},         \
  {key(StencilKind::Branch, Op::name, 1),                                                           \
   branch_stencil<num::interp_gen::Call_##name, parse(sig), ImmKind::imm, false, true>()},          \
  {key(StencilKind::Branch, Op::name, 2),                                                           \
   branch_stencil<num::interp_gen::Call_##name, parse(sig), ImmKind::imm, true, false>()},          \
  {key(StencilKind::Branch, Op::name, 3),                                                           \
   branch_stencil<num::interp_gen::Call_##name, parse(sig), ImmKind::imm, true, true>()},

// Memory 0, 32-bit: bounds-checked (variant 0) and guarded (1) accesses, and the fused forms.
#define MEM_ROWS(op, K, Raw, Val, Conv)                                                    \
  {key(StencilKind::Mem, Op::op, 0), &mem_op<HO, K, Raw, Val, Conv, false, true, false>},  \
  {key(StencilKind::Mem, Op::op, 1), &mem_op<HO, K, Raw, Val, Conv, false, true, true>},
#define LOAD(op, Raw, Res)                                                                            \
  MEM_ROWS(op, MK::Load, Raw, Res, Ext<Res>)                                                          \
  {fused_key(Op::op, MemForm::AddImm, false), &fused_load<HO, Raw, Ext<Res>, false, MemForm::AddImm>}, \
  {fused_key(Op::op, MemForm::AddShl, false), &fused_load<HO, Raw, Ext<Res>, false, MemForm::AddShl>}, \
  {fused_key(Op::op, MemForm::AddImm, true), &fused_load<HO, Raw, Ext<Res>, true, MemForm::AddImm>},   \
  {fused_key(Op::op, MemForm::AddShl, true), &fused_load<HO, Raw, Ext<Res>, true, MemForm::AddShl>},
#define STORE_FUSED(op, Val, Raw, F)                                             \
  {fused_key(Op::op, F, false), &fused_store<HO, Raw, Val, Ext<Raw>, false, F>}, \
  {fused_key(Op::op, F, true), &fused_store<HO, Raw, Val, Ext<Raw>, true, F>},
#define STORE(op, Val, Raw)                   \
  MEM_ROWS(op, MK::Store, Raw, Val, Ext<Raw>) \
  STORE_FUSED(op, Val, Raw, MemForm::AddImm)  \
  STORE_FUSED(op, Val, Raw, MemForm::AddShl)  \
  STORE_FUSED(op, Val, Raw, MemForm::ValImm)
#define STORE_V128(op)                           \
  MEM_ROWS(op, MK::Store, V128, V128, Ext<V128>) \
  STORE_FUSED(op, V128, V128, MemForm::AddImm)   \
  STORE_FUSED(op, V128, V128, MemForm::AddShl)
#define VLOAD(op, Raw) MEM_ROWS(op, MK::Load, Raw, V128, Widened<num::interp_gen::Call_##op>)
#define VLOADLANE(op, Raw) MEM_ROWS(op, MK::LoadLane, Raw, V128, Widened<num::interp_gen::Call_##op>)
#define VSTORELANE(op, Raw) MEM_ROWS(op, MK::StoreLane, Raw, V128, num::interp_gen::Call_##op)

#define BASIC_ROW(name) {basic_key(BasicStencil::name), &interp::basic::name<HO>},

extern "C" {
// Read from the object file by stencil_gen (hence extern "C" and used).
extern const StencilEntry hull_stencil_table[];
[[gnu::used]] const StencilEntry hull_stencil_table[] = {
    {stencil_key(StencilKind::Fallback, kHandlerConvention, 0), &fallback},
    {stencil_key(StencilKind::Call, 0, 0), &call_site<false>},
    {stencil_key(StencilKind::Call, 0, 1), &call_site<true>},
    {stencil_key(StencilKind::Entry, 0, 0), &function_entry},
    BASIC_ROW(copy) BASIC_ROW(copy2) BASIC_ROW(const64) BASIC_ROW(const128) BASIC_ROW(add_shl)
    BASIC_ROW(br) BASIC_ROW(br_if) BASIC_ROW(br_unless) BASIC_ROW(fuel) BASIC_ROW(epoch)
    BASIC_ROW(fuel_epoch) BASIC_ROW(select) BASIC_ROW(select2) BASIC_ROW(global_get)
    BASIC_ROW(global_get2) BASIC_ROW(global_set) BASIC_ROW(global_set2)
#define HULL_OP SIG_ROWS
#include "spec/opcodes.def"
#undef HULL_OP
    HULL_MEM_OPS(LOAD, STORE, STORE_V128, VLOAD, VLOADLANE, VSTORELANE)
};
}
// clang-format on
