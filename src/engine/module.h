// CompiledModule: a decoded, validated and lowered module, immutable and shareable across
// stores and threads; compile() produces it from a binary.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"

namespace hull {

namespace interp {
struct ModuleCode;
}

// Copy-on-write images of a module's defined memories (runtime/memory_image.h), built once, by
// the second instantiation: a module instantiated once gains nothing from an image.
struct ModuleMemoryImages {
  std::atomic<uint32_t> instantiations{0};
  std::once_flag built;
  // Per defined memory; nullptr where its contents are copied (engine/memory_images.h says
  // when an image is made).
  std::vector<std::shared_ptr<const MemoryImage>> images;
  // Per defined memory: its image holds its active segments among the first `covered` data
  // segments of the module.
  std::vector<size_t> covered;
};

struct CompiledModule {
  ModuleDesc desc;                 // the decoded module (owns the bytes)
  std::vector<uint32_t> type_ids;  // canonical type id of each type index (runtime/type_registry.h)
  std::shared_ptr<const interp::ModuleCode> code;  // lowered function bodies
  CompileOptions options;              // how `code` was compiled (instantiate checks guard_pages)
  std::vector<uint32_t> export_order;  // indices into desc.exports, sorted by name
  mutable ModuleMemoryImages memory_images;
  // The native tier's code for this module (options.native), kept alive as long as the module
  // (instances hold the module); opaque to the engine (engine/tiers.h). With
  // options.native_background it arrives later, from the compiling thread: read it with
  // native_code_now().
  std::shared_ptr<const void> native_code_now() const {
    std::lock_guard<std::mutex> lock(native_mu);
    return native_code;
  }
  void set_native_code(std::shared_ptr<const void> code) const {
    std::lock_guard<std::mutex> lock(native_mu);
    native_code = std::move(code);
  }

 private:
  mutable std::mutex native_mu;
  mutable std::shared_ptr<const void> native_code;
};

// decode -> validate -> canonicalize types -> lower. Errors: Malformed (decoder) or Invalid
// (validator), with the spec's messages.
// `opts` adds fuel / epoch check points (runtime/store.h).
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                      CompileOptions opts = {});

// The same from an already decoded module (validation and lowering still run).
Result<std::shared_ptr<const CompiledModule>> compile(ModuleDesc desc, CompileOptions opts = {});

}  // namespace hull
