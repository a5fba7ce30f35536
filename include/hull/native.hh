// Hull's native tier (LLVM): link hull_native (or use the hull-native executable) and call
// register_tier() once at start-up; then Config::tier = Tier::Native compiles modules'
// functions to machine code (Tier::Auto: in the background, while they start interpreted).
// Functions using what the tier does not compile yet run interpreted (`hull-native inspect
// --tiers` says which and why).
#pragma once

#include <cstdint>
#include <string>

namespace hull::native {

void register_tier();

// An on-disk cache of compiled code in `dir` (created when needed), at most `cap_bytes`
// (least recently used files go first): a module compiled before loads its object code
// instead of being optimized and compiled again. Keyed by the module, the compile options, the
// CPU and the executable, so a stale entry is never loaded. dir "" (the default): no cache.
void set_cache(const std::string& dir, uint64_t cap_bytes = 512ull << 20);
// $XDG_CACHE_HOME/hull/native, else $HOME/.cache/hull/native ("" when neither is set).
std::string default_cache_dir();

// Tier::Auto compiles on a background thread while modules run interpreted: the functions the
// interpreter reports hot (tier-up). A process that ends while it still compiles must not run
// static destructors under it: wait for it, or leave with _exit (as hull-native does).
// wait_for_background_compiles() returns once everything reported so far is compiled (or
// refused); wasm that runs after it may report more, so call it after the last call into wasm.
int background_compiles_in_flight();
void wait_for_background_compiles();

}  // namespace hull::native
