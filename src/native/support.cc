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

RefKind ref_kind(const ModuleDesc& m, const ValType& t) {
  if (!t.is_ref()) return RefKind::None;
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return RefKind::Func;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return RefKind::Extern;
    case HeapKind::Concrete:
      return t.index < m.types.size() && m.types[t.index].kind == CompositeKind::Func
                 ? RefKind::Func
                 : RefKind::None;
    default: return RefKind::None;
  }
}

bool SupportScan::value_ok(const ValType& t) {
  if (in_registers(t)) return true;
  switch (ref_kind(m_, t)) {
    case RefKind::Func: return true;
    case RefKind::Extern: holds_extern_ = true; return true;
    case RefKind::None: return false;
  }
  return false;
}

bool SupportScan::func_type_ok(const FuncType& ft) {
  for (const ValType& t : ft.params)
    if (!value_ok(t)) return false;
  for (const ValType& t : ft.results)
    if (!value_ok(t)) return false;
  return true;
}

bool SupportScan::block_type_ok(const BlockType& bt) {
  switch (bt.kind) {
    case BlockType::Kind::Empty: return true;
    case BlockType::Kind::Value: return value_ok(bt.value);
    case BlockType::Kind::Index: return func_type_ok(m_.types[bt.index].func);
  }
  return false;
}

// Any memory but a shared one (threads are not in the native tier: another thread's growth
// would leave the size this code reads stale).
void SupportScan::memory_ok(uint32_t index) {
  if (m_.memories[index].limits.shared)
    fail("a shared memory (threads are not in the native tier)");
}

void SupportScan::begin_function(uint32_t, const FuncType& type, std::span<const ValType> locals) {
  reason_.clear();
  holds_extern_ = calls_ = false;
  for (const ValType& t : locals)
    if (!value_ok(t)) return fail("a local or parameter of type " + to_string(t));
  if (!func_type_ok(type)) fail("a result of a reference type");
}

// Host objects behind extern references live in the store's GC heap, which collects from the
// roots it can see: the interpreter's frames, never machine registers. A collection happens
// only in a callee (an allocation, or a host function making an externref), so code holding
// extern references in registers is native only when it calls nothing.
Status SupportScan::end_function() {
  if (holds_extern_ && calls_)
    fail("extern references held across calls (the collector sees no machine registers)");
  return {};
}

void SupportScan::instr(const Instr& in, bool, std::span<const ValType> popped,
                        std::span<const ValType> pushed) {
  if (!reason_.empty()) return;
  const Op op = in.op;
  for (const ValType& t : pushed)
    if (t.kind != ValKind::Bot && t.heap != HeapKind::Bot && !value_ok(t))
      return fail(std::string(op_info(op).name) + " of " + to_string(t));
  for (const ValType& t : popped)
    if (t.kind != ValKind::Bot && t.heap != HeapKind::Bot && !value_ok(t))
      return fail(std::string(op_info(op).name) + " of " + to_string(t));
  if (is_reference_or_table_op(op)) return;  // on the func and extern references checked above
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
      calls_ = true;
      if (!func_type_ok(m_.func_type(in.a))) fail("a call of a function with reference values");
      return;
    case Op::return_call:
      calls_ = true;
      if (!func_type_ok(m_.func_type(in.a)))
        fail("a tail call of a function with reference values");
      return;
    case Op::return_call_indirect:
      calls_ = true;
      if (!func_type_ok(m_.types[in.a].func))
        fail("return_call_indirect of a type with reference values");
      return;
    case Op::call_ref:
    case Op::return_call_ref:
      calls_ = true;
      if (!func_type_ok(m_.types[in.a].func)) fail("call_ref of a type with reference values");
      return;
    case Op::call_indirect:
      calls_ = true;
      // Any table the validator accepts here holds function references (funcref or typed):
      // the runtime's call_indirect reads them all the same.
      if (!func_type_ok(m_.types[in.a].func)) fail("call_indirect of a type with reference values");
      return;
    case Op::memory_size:
    case Op::memory_grow:
    case Op::memory_fill: return memory_ok(in.a);
    case Op::memory_init: return memory_ok(in.b);
    case Op::data_drop: return;
    case Op::memory_copy: memory_ok(in.a); return memory_ok(in.b);
    default: break;
  }
  if (in_range(op, Op::i32_load, Op::i64_store32)) {
    return memory_ok(in.mem.memory);
  }
  if (in_range(op, Op::i32_const, Op::i64_extend32_s)) return;
  if (in_range(op, Op::i32_trunc_sat_f32_s, Op::i64_trunc_sat_f64_u)) return;
  if (in_range(op, Op::i64_add128, Op::i64_mul_wide_u)) return;  // wide arithmetic
  // Fixed-width and relaxed SIMD (lower_simd.cc): all of it.
  if (in_range(op, Op::v128_load, Op::i32x4_relaxed_dot_i8x16_i7x16_add_s)) {
    const ImmKind imm = op_info(op).imm;
    if (imm == ImmKind::Mem || imm == ImmKind::MemLane) memory_ok(in.mem.memory);
    return;
  }
  fail(std::string(op_info(op).name) + " is not in the native tier yet");
}

}  // namespace hull::native
