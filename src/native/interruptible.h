// The JIT's executable sections registered as interruptible machine code (runtime/interrupt.h):
// the code of loops that call nothing checks no deadline, so the handler must know it.
#pragma once

#include <llvm/ExecutionEngine/Orc/LLJIT.h>

#include "base/result.h"

namespace hull::native {

// Registers every executable section `jit` links from now on, and removes it before its
// memory is released. An error where machine code must be interruptible (Linux on x86-64 and
// aarch64) and the JIT does not link with JITLink.
Result<void> register_interruptible_code(llvm::orc::LLJIT& jit);

}  // namespace hull::native
