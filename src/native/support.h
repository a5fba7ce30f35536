// What the native tier compiles today, decided per function before any IR is made: a sink of
// the validator (valid/instr.h) that records the first construct the tier lacks. Functions with
// one keep running interpreted; `hull inspect --tiers` prints the reason.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "binary/module.h"
#include "runtime/store.h"
#include "valid/instr.h"

namespace hull::native {

// Whether `t` is a number or a v128 (machine values in this tier; references are i64 words,
// the interpreter's slot words).
inline bool in_registers(const ValType& t) { return t.is_num() || t.kind == ValKind::V128; }

// What a reference of type `t` points at, for the collector: functions (never collected) or
// objects of the store's heaps (GC objects, host objects, exceptions), which native code holding
// them must show to collections (interp::NativeRootFrame). None: not a reference.
enum class RefKind : uint8_t { None, Func, Collected };
RefKind ref_kind(const ModuleDesc& m, const ValType& t);

// The reference and table instructions (lower_table.cc lowers them all).
inline bool is_reference_or_table_op(Op op) {
  switch (op) {
    case Op::ref_null:
    case Op::ref_is_null:
    case Op::ref_func:
    case Op::ref_as_non_null:
    case Op::br_on_null:
    case Op::br_on_non_null:
    case Op::table_get:
    case Op::table_set:
    case Op::table_size:
    case Op::table_grow:
    case Op::table_fill:
    case Op::table_copy:
    case Op::table_init:
    case Op::elem_drop: return true;
    default: return false;
  }
}

// For tests and diagnosis, as V8's --wasm-tier-mask-for-testing: functions whose names (the
// name section's) start with one of the comma-separated prefixes in this environment variable
// stay interpreted, so that a test can mix the tiers on one stack. Part of the cache key.
constexpr const char* kInterpretEnv = "HULL_NATIVE_INTERPRET";
bool interpret_by_request(const ModuleDesc& m, uint32_t func_index);

// Module-wide reasons every function stays interpreted ("" if none).
std::string module_unsupported(const ModuleDesc& m, const CompileOptions& opts);

class SupportScan {
 public:
  explicit SupportScan(const ModuleDesc& m) : m_(m) {}
  void begin_function(uint32_t func_index, const FuncType& type, std::span<const ValType> locals);
  void instr(const Instr& in, bool reachable, std::span<const ValType> popped,
             std::span<const ValType> pushed);
  Status end_function();
  // "" when the function can be compiled, else the first reason it cannot.
  const std::string& reason() const { return reason_; }
  // Whether the function holds collected references (a local, a parameter, a result or an
  // operand of such a type, or an exception a legacy catch keeps for rethrow): its machine
  // frame then carries a root frame (lower.cc).
  bool needs_roots() const { return needs_roots_; }
  // Whether the function has a tail call (return_call, return_call_indirect, return_call_ref).
  bool tail_calls() const { return tail_calls_; }
  // The function indices its return_call instructions name (tier-up compiles them together:
  // tail calls between functions compiled apart would each cost a machine frame).
  const std::vector<uint32_t>& tail_callees() const { return tail_callees_; }

 private:
  void fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
  }
  bool value_ok(const ValType& t);
  bool block_type_ok(const BlockType& bt);
  bool func_type_ok(const FuncType& ft);
  const ModuleDesc& m_;
  std::string reason_;
  bool needs_roots_ = false;
  bool tail_calls_ = false;
  std::vector<uint32_t> tail_callees_;
};

}  // namespace hull::native
