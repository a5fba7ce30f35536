// The baseline tier: machine code in one pass over the interpreter's lowered code, copied from
// stencils of the interpreter's own handlers (copy-and-patch, Xu & Kjolstad 2021).
//
// Each instruction of a function's lowered code becomes the machine code of its handler with
// the operand words patched in as constants and the dispatch gone (the code of one instruction
// falls through to the next; branches jump). An instruction without a stencil (calls, returns,
// tables, GC, exceptions, ...) becomes a jump to the interpreter's handler with `pc` pointing at
// its words; the handler goes on through the next handler word, and every handler word of a
// compiled function holds the machine code of its instruction instead of the handler. So the
// frame layout, the calls, traps, fuel and backtraces are the interpreter's, and the tiers
// switch at any instruction. docs/ARCHITECTURE.md, "The baseline tier".
#pragma once

#include <cstddef>

#include "base/result.h"
#include "interp/interp.h"

namespace hull::baseline {

// Whether this build and platform have the tier (x86-64 Linux builds with the stencils).
bool available();

struct CompileStats {
  size_t functions = 0;
  size_t instructions = 0;
  size_t stencilled = 0;  // instructions with a stencil of their own; the rest run handlers
  size_t code_bytes = 0;
};

// Compiles every function of `code` and points its handler words at the machine code. `code`
// must have been lowered with CompileOptions::baseline and must not run yet on any thread. On
// an error (the process's 1 GiB of code space used up) nothing of the code it runs has changed:
// it runs interpreted (only the instructions' start offsets lowering kept for the compiler,
// FuncCode::starts, are let go).
Result<CompileStats> compile_module(interp::ModuleCode& code);

// The address space all modules' machine code shares (for tests).
size_t code_space();

}  // namespace hull::baseline
