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

// Whether `t` is a number or a v128 (machine values in this tier). References of the func and
// extern hierarchies are in the tier too (an i64, the interpreter's slot word: ref_kind); the
// others (GC, exceptions) keep a function interpreted.
inline bool in_registers(const ValType& t) { return t.is_num() || t.kind == ValKind::V128; }

enum class RefKind : uint8_t { None, Func, Extern, Exn };
// Which of the tier's reference kinds `t` is (None: not a reference, or one the tier lacks).
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

 private:
  void fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
  }
  bool value_ok(const ValType& t);
  bool block_type_ok(const BlockType& bt);
  bool func_type_ok(const FuncType& ft);
  // Which operand stack entries hold exception references, by control frame (exceptions live
  // on the store's heap: see track_exceptions).
  void track_exceptions(const Instr& in, bool reachable, std::span<const ValType> popped,
                        std::span<const ValType> pushed);
  const ModuleDesc& m_;
  std::string reason_;
  // Extern references in registers, and calls: together they keep a function interpreted (see
  // end_function).
  bool holds_extern_ = false;
  bool calls_ = false;
  struct Frame {
    size_t height = 0;            // operand stack height at its start
    bool in_catch = false;        // a legacy try past its first catch
    bool calls_in_catch = false;  // ... whose catch blocks call
    bool rethrown = false;        // ... and rethrow its exception
  };
  std::vector<bool> exn_held_;  // per operand stack entry: an exception reference
  std::vector<Frame> frames_;
  bool exn_local_ = false;  // a local or parameter of an exception reference type
};

}  // namespace hull::native
