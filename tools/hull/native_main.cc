// `hull-native`: the same command line with the native tier (LLVM) registered, so that
// `--tier native` compiles to machine code. A separate executable because linking LLVM costs
// every start-up ~17 ms and 50 MB (docs/ARCHITECTURE.md, "Native tier").
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands.h"
#include "hull/native.hh"

int main(int argc, char** argv) {
  hull::native::register_tier();
  // `run` keeps compiled code on disk for the next run of the same module (as Wasmtime's CLI
  // does); HULL_NATIVE_CACHE=0 turns that off, HULL_CACHE_DIR moves it.
  const char* cache = std::getenv("HULL_NATIVE_CACHE");
  if (argc > 1 && std::strcmp(argv[1], "run") == 0 && !(cache && std::strcmp(cache, "0") == 0)) {
    const char* dir = std::getenv("HULL_CACHE_DIR");
    hull::native::set_cache(dir && *dir ? dir : hull::native::default_cache_dir());
  }
  const int status = hull::cli::main(argc, argv);
  if (hull::native::background_compiles_in_flight() > 0) {
    // `--tier auto` ended before its background compilation: leave without running static
    // destructors (LLVM's among them) under the compiling thread. Output is flushed first.
    std::fflush(nullptr);
    _exit(status);
  }
  return status;
}
