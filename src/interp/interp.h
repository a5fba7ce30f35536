// The interpreter tier's interface to the engine: lower a module's validated code once, and
// call functions (wasm or host) on a store. Everything else in src/interp is private to it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"

namespace hull::interp {

// Lowered code for every defined function of one module. Immutable after compile_module and
// shareable across threads and instances.
struct ModuleCode;

// Validates every function body (driving the validator with the lowering sink, one pass) and
// lowers it. `type_ids[i]` is the canonical id of type index i (see runtime/type_registry.h);
// the code embeds them for call_indirect checks. `opts` adds fuel / epoch check points at each
// function entry and loop header. Errors are the validator's.
Result<std::shared_ptr<const ModuleCode>> compile_module(const ModuleDesc& m,
                                                         const std::vector<uint32_t>& type_ids,
                                                         CompileOptions opts = {});

// The value to store in Function::code for defined function `defined_index` (0-based among the
// module's defined functions, i.e. function index - number of imported functions).
const void* function_code(const ModuleCode& code, uint32_t defined_index);

// Call `f` (a wasm function of an instance in `store`, or a host function) with its params in
// `slots` (8-byte slots, v128 = 2); on success the results are in `slots` from slot 0. `slots`
// must hold max(param slots, result slots). Re-entrant: host functions may call back in.
// Deep recursion traps with "call stack exhausted"; never overflows the native stack.
std::optional<Trap> call(Store& store, Function* f, uint64_t* slots);

}  // namespace hull::interp
