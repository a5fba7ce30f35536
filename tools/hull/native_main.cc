// `hull-native`: the same command line with the native tier (LLVM) registered, so that
// `--tier native` compiles to machine code. A separate executable because LLVM costs every
// start-up ~17 ms and 50 MB (docs/ARCHITECTURE.md, "Native tier"); and even here the tier is a
// plugin loaded on first use (native_loader.h), so that runs which compile nothing (--tier
// interp, or --tier auto ending before its background compile) start as fast as `hull`.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands.h"
#include "native_loader.h"

int main(int argc, char** argv) {
  namespace plugin = hull::cli::native_plugin;
  plugin::register_lazy_tier();
  // `run` and `serve` keep compiled code on disk for the next start with the same module (as
  // Wasmtime's CLI does); HULL_NATIVE_CACHE=0 turns that off, HULL_CACHE_DIR moves it. Applied
  // when the plugin loads (nullptr: its default directory).
  const char* cache = std::getenv("HULL_NATIVE_CACHE");
  const bool caching_command =
      argc > 1 && (std::strcmp(argv[1], "run") == 0 || std::strcmp(argv[1], "serve") == 0);
  if (caching_command && !(cache && std::strcmp(cache, "0") == 0)) {
    const char* dir = std::getenv("HULL_CACHE_DIR");
    plugin::set_cache(dir && *dir ? dir : nullptr);
  }
  const int status = hull::cli::main(argc, argv);
  if (plugin::background_compiles_in_flight() > 0) {
    // `--tier auto` ended before its background compilation (or before the plugin it needs had
    // loaded): leave without running static destructors (LLVM's among them) under the
    // compiling thread. Output is flushed first.
    std::fflush(nullptr);
    _exit(status);
  }
  return status;
}
