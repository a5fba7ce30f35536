// What the native tier compiles today, decided per function before any IR is made: a sink of
// the validator (valid/instr.h) that records the first construct the tier lacks. Functions with
// one keep running interpreted; `hull inspect --tiers` prints the reason.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "binary/module.h"
#include "runtime/store.h"
#include "valid/instr.h"

namespace hull::native {

// Whether values of `t` live in machine registers in this tier (i32, i64, f32, f64, v128):
// everything but references.
inline bool in_registers(const ValType& t) { return t.is_num() || t.kind == ValKind::V128; }

// Module-wide reasons every function stays interpreted ("" if none).
std::string module_unsupported(const ModuleDesc& m, const CompileOptions& opts);

class SupportScan {
 public:
  explicit SupportScan(const ModuleDesc& m) : m_(m) {}
  void begin_function(uint32_t func_index, const FuncType& type, std::span<const ValType> locals);
  void instr(const Instr& in, bool reachable, std::span<const ValType> popped,
             std::span<const ValType> pushed);
  Status end_function() { return {}; }
  // "" when the function can be compiled, else the first reason it cannot.
  const std::string& reason() const { return reason_; }

 private:
  void fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
  }
  bool block_type_ok(const BlockType& bt);
  bool func_type_ok(const FuncType& ft);
  const ModuleDesc& m_;
  std::string reason_;
};

}  // namespace hull::native
