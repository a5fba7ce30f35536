// Execution tiers beside the interpreter. The engine knows a native tier only through this
// registry, so that hull_engine (and the `hull` executable) carries no compiler: a build that
// links one (hull_native, LLVM) registers it at start-up, and CompileOptions::native asks for it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace hull {

struct CompiledModule;

struct NativeTier {
  const char* name = "";
  // Compiles what it can of `m` (already lowered for the interpreter) and installs the machine
  // code (interp::install_native); returns what keeps that code alive (CompiledModule::
  // native_code). Functions it cannot compile keep running interpreted.
  Result<std::shared_ptr<const void>> (*compile)(const CompiledModule& m) = nullptr;
  // The same on a thread of its own, at low priority, while `m` runs interpreted; functions
  // switch to machine code at their next call once the module's code is installed
  // (CompileOptions::native_background). A failure leaves everything interpreted.
  void (*compile_in_background)(std::shared_ptr<const CompiledModule> m) = nullptr;
  // Why function `func_index` of `m` runs interpreted, or "" when it runs native code.
  std::string (*interpreted_because)(const CompiledModule& m, uint32_t func_index) = nullptr;
  // Ahead of time (engine/precompiled.h): compiles what it can of `m` for a later process and
  // returns it as the tier's own bytes (which functions, for what CPU, the object code),
  // installing nothing.
  Result<std::vector<uint8_t>> (*precompile)(const CompiledModule& m) = nullptr;
  // Installs the code of precompile's bytes in `m` (the same module, lowered for the
  // interpreter by this process) and returns what keeps it alive, as compile does. Bytes made
  // for a CPU this one does not match are refused (ErrorKind::Usage), damaged ones Malformed.
  Result<std::shared_ptr<const void>> (*load)(const CompiledModule& m,
                                              std::span<const uint8_t> code) = nullptr;
};

// Registers the tier (once, before compiling; the tier must outlive the process's modules).
void register_native_tier(const NativeTier* tier);
// The registered tier, or nullptr.
const NativeTier* native_tier();

}  // namespace hull
