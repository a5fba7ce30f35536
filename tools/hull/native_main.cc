// `hull-native`: the same command line with the native tier (LLVM) registered, so that
// `--tier native` compiles to machine code. A separate executable because linking LLVM costs
// every start-up ~17 ms and 50 MB (docs/ARCHITECTURE.md, "Native tier").
#include "commands.h"
#include "hull/native.hh"

int main(int argc, char** argv) {
  hull::native::register_tier();
  return hull::cli::main(argc, argv);
}
