#include "native/support.h"

namespace hull::native {

namespace {

bool in_range(Op op, Op first, Op last) {
  return static_cast<unsigned>(op) >= static_cast<unsigned>(first) &&
         static_cast<unsigned>(op) <= static_cast<unsigned>(last);
}

}  // namespace

std::string module_unsupported(const ModuleDesc& m, const CompileOptions& opts) {
  if (!m.memories.empty() && m.memories[0].limits.shared)
    return "memory 0 is shared (threads are not in the native tier yet)";
  return "";
}

bool SupportScan::func_type_ok(const FuncType& ft) {
  for (const ValType& t : ft.params)
    if (!in_registers(t)) return false;
  for (const ValType& t : ft.results)
    if (!in_registers(t)) return false;
  return true;
}

bool SupportScan::block_type_ok(const BlockType& bt) {
  switch (bt.kind) {
    case BlockType::Kind::Empty: return true;
    case BlockType::Kind::Value: return in_registers(bt.value);
    case BlockType::Kind::Index: return func_type_ok(m_.types[bt.index].func);
  }
  return false;
}

void SupportScan::begin_function(uint32_t, const FuncType& type, std::span<const ValType> locals) {
  reason_.clear();
  for (const ValType& t : locals)
    if (!in_registers(t)) return fail("a local or parameter of type " + to_string(t));
  if (!func_type_ok(type)) fail("a result of a reference type");
}

void SupportScan::instr(const Instr& in, bool, std::span<const ValType>,
                        std::span<const ValType> pushed) {
  if (!reason_.empty()) return;
  const Op op = in.op;
  for (const ValType& t : pushed)
    if (!in_registers(t) && t.kind != ValKind::Bot)
      return fail(std::string(op_info(op).name) + " of " + to_string(t));
  switch (op) {
    case Op::unreachable:
    case Op::nop:
    case Op::else_:
    case Op::end:
    case Op::br:
    case Op::br_if:
    case Op::br_table:
    case Op::return_:
    case Op::drop:
    case Op::select:
    case Op::select_t:
    case Op::local_get:
    case Op::local_set:
    case Op::local_tee:
    case Op::global_get:
    case Op::global_set: return;
    case Op::block:
    case Op::loop:
    case Op::if_:
      if (!block_type_ok(in.block)) fail("a block type with a reference value");
      return;
    case Op::call:
      if (!func_type_ok(m_.func_type(in.a))) fail("a call of a function with reference values");
      return;
    case Op::call_indirect:
      // Any table the validator accepts here holds function references (funcref or typed):
      // the runtime's call_indirect reads them all the same.
      if (!func_type_ok(m_.types[in.a].func)) fail("call_indirect of a type with reference values");
      return;
    case Op::memory_size:
    case Op::memory_grow:
    case Op::memory_fill:
      if (in.a != 0) fail("a memory other than memory 0");
      return;
    case Op::memory_init:
      if (in.b != 0) fail("a memory other than memory 0");
      return;
    case Op::data_drop: return;
    case Op::memory_copy:
      if (in.a != 0 || in.b != 0) fail("a memory other than memory 0");
      return;
    default: break;
  }
  if (in_range(op, Op::i32_load, Op::i64_store32)) {
    if (in.mem.memory != 0) fail("a memory other than memory 0");
    return;
  }
  if (in_range(op, Op::i32_const, Op::i64_extend32_s)) return;
  if (in_range(op, Op::i32_trunc_sat_f32_s, Op::i64_trunc_sat_f64_u)) return;
  // Fixed-width and relaxed SIMD (lower_simd.cc): all of it, on memory 0.
  if (in_range(op, Op::v128_load, Op::i32x4_relaxed_dot_i8x16_i7x16_add_s)) {
    const ImmKind imm = op_info(op).imm;
    if ((imm == ImmKind::Mem || imm == ImmKind::MemLane) && in.mem.memory != 0)
      fail("a memory other than memory 0");
    return;
  }
  fail(std::string(op_info(op).name) + " is not in the native tier yet");
}

}  // namespace hull::native
