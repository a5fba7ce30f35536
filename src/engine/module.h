// CompiledModule: a decoded, validated and lowered module, immutable and shareable across
// stores and threads; compile() produces it from a binary.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"

namespace hull {

namespace interp {
struct ModuleCode;
}

struct CompiledModule {
  ModuleDesc desc;                // the decoded module (owns the bytes)
  std::vector<uint32_t> type_ids;  // canonical type id of each type index (runtime/type_registry.h)
  std::shared_ptr<const interp::ModuleCode> code;  // lowered function bodies
  CompileOptions options;  // how `code` was compiled (instantiate checks guard_pages)
};

// decode -> validate -> canonicalize types -> lower. Errors: Malformed (decoder) or Invalid
// (validator), with the spec's messages.
// `opts` adds fuel / epoch check points (runtime/store.h).
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                      CompileOptions opts = {});

// The same from an already decoded module (validation and lowering still run).
Result<std::shared_ptr<const CompiledModule>> compile(ModuleDesc desc, CompileOptions opts = {});

}  // namespace hull
