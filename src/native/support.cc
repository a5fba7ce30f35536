#include "native/support.h"

#include <algorithm>

namespace hull::native {

namespace {

bool in_range(Op op, Op first, Op last) {
  return static_cast<unsigned>(op) >= static_cast<unsigned>(first) &&
         static_cast<unsigned>(op) <= static_cast<unsigned>(last);
}

}  // namespace

// None today (shared memories were one until the tier had atomics).
std::string module_unsupported(const ModuleDesc&, const CompileOptions&) { return ""; }

RefKind ref_kind(const ModuleDesc& m, const ValType& t) {
  if (!t.is_ref()) return RefKind::None;
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return RefKind::Func;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return RefKind::Extern;
    case HeapKind::Exn:
    case HeapKind::NoExn: return RefKind::Exn;
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
    case RefKind::Exn: return true;  // held across a call: see track_exceptions
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

void SupportScan::begin_function(uint32_t, const FuncType& type, std::span<const ValType> locals) {
  reason_.clear();
  holds_extern_ = calls_ = exn_local_ = false;
  exn_held_.clear();
  frames_.assign(1, Frame{});  // the function's own frame
  for (const ValType& t : locals) {
    if (!value_ok(t)) return fail("a local or parameter of type " + to_string(t));
    if (ref_kind(m_, t) == RefKind::Exn) exn_local_ = true;
  }
  if (!func_type_ok(type)) fail("a result of a reference type");
}

namespace {

bool is_call(Op op) {
  switch (op) {
    case Op::call:
    case Op::call_indirect:
    case Op::call_ref:
    case Op::return_call:
    case Op::return_call_indirect:
    case Op::return_call_ref: return true;
    default: return false;
  }
}

}  // namespace

// Exceptions live on the store's heap, which a callee may collect (an interpreted catch_ref,
// a GC allocation) from roots it finds in the interpreter's frames, never in machine
// registers. So a function stays interpreted when an exception reference is live across one
// of its calls: in a local (any local of such a type), on the operand stack below the call's
// arguments, or kept by a legacy catch block that rethrows and calls. (Unlike the coarser rule
// for extern references, this follows the operand stack: a catch_ref whose body only calls
// holds no exnref during the call.) A landing pad's own exposure of an exception, which may
// collect too, gives the collector what the function holds (lower_exceptions.cc).
void SupportScan::track_exceptions(const Instr& in, bool reachable, std::span<const ValType> popped,
                                   std::span<const ValType> pushed) {
  auto held = [&](const ValType& t) {
    return t.kind == ValKind::Ref && (t.heap == HeapKind::Exn || t.heap == HeapKind::NoExn);
  };
  auto pop_n = [&](size_t n) {
    // Never below the frame's start (dead code pops from the polymorphic bottom).
    const size_t floor = frames_.back().height;
    n = std::min(n, exn_held_.size() - floor);
    exn_held_.resize(exn_held_.size() - n);
  };
  auto push_all = [&] {
    for (const ValType& t : pushed) exn_held_.push_back(held(t));
  };
  switch (in.op) {
    case Op::block:
    case Op::loop:
    case Op::if_:
    case Op::try_table:
    case Op::try_:
      if (reachable) pop_n(popped.size());
      frames_.push_back({exn_held_.size(), false, false, false});
      push_all();
      return;
    case Op::else_:
      exn_held_.resize(frames_.back().height);
      push_all();
      return;
    case Op::catch_:
    case Op::catch_all:
      exn_held_.resize(frames_.back().height);
      frames_.back().in_catch = true;
      push_all();
      return;
    case Op::end:
    case Op::delegate: {
      const Frame f = frames_.back();
      if (f.calls_in_catch && f.rethrown)
        return fail(
            "an exception kept for rethrow across a call (the collector sees no "
            "machine registers)");
      if (frames_.size() > 1) frames_.pop_back();
      exn_held_.resize(f.height);
      push_all();
      return;
    }
    case Op::rethrow:
      if (in.a < frames_.size()) frames_[frames_.size() - 1 - in.a].rethrown = true;
      break;
    default: break;
  }
  pop_n(popped.size());
  if (is_call(in.op) && reachable) {
    bool live = exn_local_;
    for (bool h : exn_held_) live = live || h;
    if (live)
      return fail(
          "exception references held across calls (the collector sees no machine "
          "registers)");
    for (Frame& f : frames_)
      if (f.in_catch) f.calls_in_catch = true;
  }
  push_all();
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

void SupportScan::instr(const Instr& in, bool reachable, std::span<const ValType> popped,
                        std::span<const ValType> pushed) {
  if (!reason_.empty()) return;
  track_exceptions(in, reachable, popped, pushed);
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
    case Op::global_set:
    case Op::catch_:
    case Op::catch_all:
    case Op::delegate:
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow:
    case Op::atomic_fence: return;
    case Op::block:
    case Op::loop:
    case Op::if_:
    case Op::try_table:
    case Op::try_:
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
  if (in_range(op, Op::i32_trunc_sat_f32_s, Op::i64_trunc_sat_f64_u)) return;
  if (in_range(op, Op::i64_add128, Op::i64_mul_wide_u)) return;  // wide arithmetic
  // Fixed-width and relaxed SIMD (lower_simd.cc): all of it.
  if (in_range(op, Op::v128_load, Op::i32x4_relaxed_dot_i8x16_i7x16_add_s)) return;
  fail(std::string(op_info(op).name) + " is not in the native tier yet");
}

}  // namespace hull::native
