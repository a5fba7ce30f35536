// hull-native's native tier, loaded when first needed: the LLVM tier lives in a plugin,
// libhull_native_tier.so beside the executable (native/plugin.h), so that a run which compiles
// nothing never maps libLLVM (17-20 ms of dynamic loading, docs/ARCHITECTURE.md "Native tier").
#pragma once

namespace hull::cli::native_plugin {

// Registers a tier that loads the plugin on its first use and forwards to it. --tier auto's
// first use is its background thread, so the program starts without waiting for LLVM;
// --tier native, compile, inspect --tiers and .hullc files load it before anything runs. A
// plugin that cannot be loaded is an error naming its path (never a crash).
void register_lazy_tier();

// hull::native::set_cache for when the plugin is loaded (dir nullptr: its default directory).
void set_cache(const char* dir);

// Background compilations still running: those waiting for the plugin, and the plugin's own
// (asked only when it is loaded).
int background_compiles_in_flight();

}  // namespace hull::cli::native_plugin
