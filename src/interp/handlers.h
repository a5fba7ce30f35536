// Declarations of the interpreter's handlers, for the lowering pass to embed their addresses.
// Operand layouts are documented beside each handler in exec.cc.
#pragma once

#include "interp/code.h"
#include "spec/opcodes.h"

namespace hull::interp {

#define HULL_INTERP_SPECIAL_HANDLERS(X)                                                     \
  X(copy) X(copy2) X(const64) X(const128) X(moves) X(ret) X(ret_moves) X(unreachable)     \
  X(br) X(br_moves) X(br_if) X(br_if_moves) X(br_unless) X(br_table) X(call_direct)      \
  X(call_func) X(call_indirect) X(call_ref) X(rcall_direct) X(rcall_func) X(rcall_indirect) \
  X(rcall_ref) X(select) X(select2) X(global_get) X(global_get2) X(global_set)           \
  X(global_set2) X(table_get) X(table_set) X(table_size) X(table_grow) X(table_fill)      \
  X(table_copy) X(table_init) X(elem_drop) X(memory_size) X(memory_grow) X(memory_fill)  \
  X(memory_copy) X(memory_init) X(data_drop) X(ref_is_null) X(ref_func)                  \
  X(ref_as_non_null) X(ref_eq) X(br_on_null) X(br_on_non_null) X(shuffle) X(fuel) X(epoch)  \
  X(fuel_epoch) X(add_shl) X(ret1) X(throw_) X(throw_ref) X(rethrow) X(add128) X(sub128)      \
  X(mul_wide_s) X(mul_wide_u) X(struct_new) X(struct_new_default) X(struct_get) X(struct_set)  \
  X(array_new) X(array_new_default) X(array_new_fixed) X(array_new_data) X(array_new_elem)      \
  X(array_get) X(array_set) X(array_len) X(array_fill) X(array_copy) X(array_init_data)         \
  X(array_init_elem) X(ref_test) X(ref_cast) X(br_on_cast_skip) X(ref_i31) X(i31_get_s)        \
  X(i31_get_u)                                                                              \
  X(call_direct_hot) X(call_func_hot) X(call_indirect_hot) X(call_ref_hot) X(rcall_direct_hot) \
  X(rcall_func_hot) X(rcall_indirect_hot) X(rcall_ref_hot) X(br_hot) X(br_moves_hot)          \
  X(br_if_hot) X(br_if_moves_hot)

namespace h {
#define HULL_DECLARE_HANDLER(name) \
  HULL_HANDLER_CC void name(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize, Ctx* ctx);
HULL_INTERP_SPECIAL_HANDLERS(HULL_DECLARE_HANDLER)
#undef HULL_DECLARE_HANDLER
}  // namespace h

// Handler of a mechanically typed non-memory op (opcodes.def Sig != "*", Imm None or Lane):
// operands [dst?][src...] (+ [lane] for Imm Lane). nullptr if the op has none.
Handler sig_handler(Op op);
// The variant of a two-operand scalar op whose second operand is a constant: [dst][src][imm]
// (the constant's raw bits). nullptr if none.
Handler sig_imm_handler(Op op);
// An i32-producing scalar op fused with a conditional branch on its result: jumps when the
// result is non-zero (negate: zero). Operands [a][b or imm][target] / [a][target].
Handler branch_handler(Op op, bool imm, bool negate);
// The same for a br_if back to a loop in code that counts for tier-up (`*_hot`, below): jumps
// when the result is non-zero and counts the jump. Operands [a][b or imm][target][loop]
// [FuncCode*] / [a][target][loop][FuncCode*].
Handler counting_branch_handler(Op op, bool imm);
// Handler of a load/store (incl. SIMD loads, load/store lane): operands
// [dst?][addr][value?][offset][memidx] (+ [lane]). `mem0` selects the memory-0 fast path;
// `guard` (32-bit memories only) the variant without a bounds check, for guarded memories.
Handler mem_handler(Op op, bool is64, bool mem0, bool guard);
// Memory-0 (32-bit) superinstructions of plain loads/stores, by the form of the fused address
// arithmetic: AddImm [a][imm] (i32.add with a constant), AddShl [a][b][k] (i32.add of a and
// b << k; k = 0 for a plain i32.add), ValImm [a] (a store of a constant; its bits replace the
// value operand). Loads: [dst][address words][offset]; stores: [address words][value][offset].
// nullptr where the op has no such form.
enum class MemForm : uint8_t { AddImm, AddShl, ValImm };
Handler fused_mem_handler(Op op, MemForm form, bool guard);
// Handler of an atomic instruction (prefix 0xFE, exec_atomic.cc): operands
// [dst?][addr][operand...][offset][memidx], none for atomic.fence. `is64`: the memory's
// address type. nullptr for any other op.
Handler atomic_handler(Op op, bool is64);
// memory.size of a shared memory ([dst][mem]): reads the size with acquire, since other threads
// may grow it.
Handler shared_memory_size_handler();
// Whether `h` is a load/store handler without a bounds check (a guard-page fault comes from one).
bool is_guarded_mem_handler(Handler h);

}  // namespace hull::interp
