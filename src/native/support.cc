#include "native/support.h"

#include <cstdlib>
#include <string_view>

namespace hull::native {

namespace {

bool in_range(Op op, Op first, Op last) {
  return static_cast<unsigned>(op) >= static_cast<unsigned>(first) &&
         static_cast<unsigned>(op) <= static_cast<unsigned>(last);
}

}  // namespace

bool interpret_by_request(const ModuleDesc& m, uint32_t func_index) {
  const char* env = std::getenv(kInterpretEnv);
  if (!env || !*env) return false;
  auto name = m.func_names.find(func_index);
  if (name == m.func_names.end()) return false;
  std::string_view prefixes(env);
  while (!prefixes.empty()) {
    const size_t comma = prefixes.find(',');
    const std::string_view prefix = prefixes.substr(0, comma);
    if (!prefix.empty() && std::string_view(name->second).starts_with(prefix)) return true;
    if (comma == std::string_view::npos) break;
    prefixes.remove_prefix(comma + 1);
  }
  return false;
}

// None today (shared memories were one until the tier had atomics).
std::string module_unsupported(const ModuleDesc&, const CompileOptions&) { return ""; }

RefKind ref_kind(const ModuleDesc& m, const ValType& t) {
  if (!t.is_ref()) return RefKind::None;
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return RefKind::Func;
    case HeapKind::Concrete:
      return t.index < m.types.size() && m.types[t.index].kind == CompositeKind::Func
                 ? RefKind::Func
                 : RefKind::Collected;
    default: return RefKind::Collected;
  }
}

bool SupportScan::value_ok(const ValType& t) {
  if (in_registers(t)) return true;
  if (!t.is_ref()) return false;
  if (ref_kind(m_, t) == RefKind::Collected) needs_roots_ = true;
  return true;
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

void SupportScan::begin_function(uint32_t, const FuncType& type, std::span<const ValType> locals) {
  reason_.clear();
  needs_roots_ = tail_calls_ = false;
  tail_callees_.clear();
  for (const ValType& t : locals)
    if (!value_ok(t)) return fail("a local or parameter of type " + to_string(t));
  if (!func_type_ok(type)) fail("a function type with a value the tier lacks");
}

Status SupportScan::end_function() { return {}; }

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
  if (is_reference_or_table_op(op)) return;  // on any reference type
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
    case Op::global_set:
    case Op::catch_:
    case Op::catch_all:
    case Op::delegate:
    case Op::throw_:
    case Op::throw_ref:
    case Op::atomic_fence:
    case Op::ref_eq: return;
    case Op::rethrow:
      needs_roots_ = true;  // the exception its catch block keeps, across the block's calls
      return;
    case Op::block:
    case Op::loop:
    case Op::if_:
    case Op::try_table:
    case Op::try_:
      if (!block_type_ok(in.block)) fail("a block type with a reference value");
      return;
    case Op::call:
      if (!func_type_ok(m_.func_type(in.a))) fail("a call of a function with reference values");
      return;
    case Op::return_call:
      tail_calls_ = true;
      tail_callees_.push_back(in.a);
      if (!func_type_ok(m_.func_type(in.a)))
        fail("a tail call of a function with reference values");
      return;
    case Op::return_call_indirect:
      tail_calls_ = true;
      if (!func_type_ok(m_.types[in.a].func))
        fail("return_call_indirect of a type with reference values");
      return;
    case Op::call_ref:
    case Op::return_call_ref:
      tail_calls_ = tail_calls_ || op == Op::return_call_ref;
      if (!func_type_ok(m_.types[in.a].func)) fail("call_ref of a type with reference values");
      return;
    case Op::call_indirect:
      // Any table the validator accepts here holds function references (funcref or typed):
      // the runtime's call_indirect reads them all the same.
      if (!func_type_ok(m_.types[in.a].func)) fail("call_indirect of a type with reference values");
      return;
    // Every memory, shared ones included (their size is read with acquire: lower_memory.cc).
    case Op::memory_size:
    case Op::memory_grow:
    case Op::memory_fill:
    case Op::memory_init:
    case Op::data_drop:
    case Op::memory_copy: return;
    default: break;
  }
  if (in_range(op, Op::i32_load, Op::i64_store32)) return;
  // The threads proposal's atomics (lower_atomic.cc): all of them.
  if (in_range(op, Op::memory_atomic_notify, Op::i64_atomic_rmw32_cmpxchg_u)) return;
  if (in_range(op, Op::i32_const, Op::i64_extend32_s)) return;
  // Wasm GC's struct, array, i31 and cast instructions (lower_gc.cc): all of them.
  if (in_range(op, Op::struct_new, Op::i31_get_u)) return;
  if (in_range(op, Op::i32_trunc_sat_f32_s, Op::i64_trunc_sat_f64_u)) return;
  if (in_range(op, Op::i64_add128, Op::i64_mul_wide_u)) return;  // wide arithmetic
  // Fixed-width and relaxed SIMD (lower_simd.cc): all of it.
  if (in_range(op, Op::v128_load, Op::i32x4_relaxed_dot_i8x16_i7x16_add_s)) return;
  fail(std::string(op_info(op).name) + " is not in the native tier yet");
}

}  // namespace hull::native
