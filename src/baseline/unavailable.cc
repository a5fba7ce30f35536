// The baseline tier where it is not built (other than x86-64 Linux with clang): never available.
#include "baseline/baseline.h"

namespace hull::baseline {

bool available() { return false; }

size_t code_space() { return 0; }

Result<CompileStats> compile_module(interp::ModuleCode&) {
  return Error(ErrorKind::Usage, "the baseline tier is only built for x86-64 Linux");
}

}  // namespace hull::baseline
