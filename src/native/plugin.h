// The native tier as a plugin: hull-native does not link LLVM (17-20 ms of dynamic loading at
// every start, docs/ARCHITECTURE.md "Native tier"); it dlopens libhull_native_tier.so, built
// from this directory's objects plus LLVM, the first time a module needs the tier. The plugin
// carries no engine of its own: its references to the engine resolve to the executable's
// (hull-native is linked with ENABLE_EXPORTS), so there is one set of the engine's globals.
// Everything hull-native needs of the plugin comes through the one entry point below.
#pragma once

#include <cstdint>

#include "engine/tiers.h"

namespace hull::native {

// Bumped whenever PluginApi's layout or meaning changes.
constexpr uint32_t kPluginAbi = 1;

struct PluginApi {
  uint32_t abi = kPluginAbi;
  const NativeTier* tier = nullptr;  // the LLVM tier (jit.cc)
  // hull::native::set_cache; dir nullptr: default_cache_dir().
  void (*set_cache)(const char* dir, uint64_t cap_bytes) = nullptr;
  // hull::native::background_compiles_in_flight.
  int (*background_compiles_in_flight)() = nullptr;
};

// The LLVM tier itself (jit.cc), for the plugin's entry point.
const NativeTier* llvm_tier();

}  // namespace hull::native

// The plugin's entry point (dlsym name "hull_native_plugin").
extern "C" const hull::native::PluginApi* hull_native_plugin();
