// The validator's public API: module-level validation, per-function validation driving a sink
// (valid/instr.h), constant expressions, and the subtype relation.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "binary/module.h"
#include "spec/types.h"
#include "valid/function_validator.h"
#include "valid/instr.h"
#include "valid/subtyping.h"

namespace hull {

// Module-level validation plus every function body (with NullSink). Constructs of features
// that `features` switches off are invalid (spec/features.h); the default allows all.
Status validate_module(const ModuleDesc& m, const FeatureSet& features = {});

// Everything except function bodies: the type section, imports, tables, memories, globals and
// their initializers, tags, element and data segments, exports, start. Fills `info` (canonical
// types, declared function references, `features`), which body validation needs. Call once
// per module.
Status validate_module_level(const ModuleDesc& m, ModuleInfo* info,
                             const FeatureSet& features = {});

// Decode and type-check one defined function body (func_index in the function index space,
// imports first), driving `sink`. Lowering many functions: call validate_module_level once and
// reuse one FunctionValidator (this convenience form recomputes the module facts each call).
template <class Sink>
Status validate_function(const ModuleDesc& m, uint32_t func_index, Sink& sink) {
  ModuleInfo info;
  HULL_TRY(validate_module_level(m, &info));
  FunctionValidator v(m, info);
  return v.validate_function(func_index, sink);
}

// The same with precomputed module facts.
template <class Sink>
Status validate_function(const ModuleDesc& m, const ModuleInfo& info, uint32_t func_index,
                         Sink& sink) {
  FunctionValidator v(m, info);
  return v.validate_function(func_index, sink);
}

// Validates a constant expression (`range` includes its final `end`) of type `expected`, in
// which global.get may name only globals below `visible_globals` (immutable ones).
Status validate_const_expr(const ModuleDesc& m, const ModuleInfo& info, ByteRange range,
                           const ValType& expected, uint32_t visible_globals);

}  // namespace hull
