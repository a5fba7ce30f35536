// The tables stencil_gen writes (stencils.gen.h), as the compiler reads them. Private to
// src/baseline.
#pragma once

#include <cstdint>

namespace hull::baseline {

// What a relocation of a stencil refers to (stencil_abi.h) and how it is patched; the values
// are stencil_gen.cc's.
enum class RelocTarget : uint8_t {
  HoleU,       // operand word `arg`, a value below 2^31
  HoleV,       // the low 32 bits of operand word `arg`
  HoleW,       // operand word `arg`
  HolePc,      // the instruction's address in the lowered code
  HoleCallee,  // the interpreter's handler of the instruction
  Next,        // the next instruction's code
  Jump,        // the code of the instruction operand word `arg` points to
  Blob,        // support blob `arg` (placed once per process)
  Extern,      // hull_baseline_externs[arg]
  Entry,       // the entry stencil of the function FuncCode operand word `arg` points to
};
enum class RelocType : uint8_t { Abs32, Abs32S, Abs64, Rel32 };

struct StencilReloc {
  uint32_t offset;
  uint8_t type;    // RelocType
  uint8_t target;  // RelocTarget
  uint32_t arg;
  int64_t addend;
};

struct StencilBlob {
  uint32_t code;  // offset in kCode
  uint32_t size;
  uint32_t first_reloc;
  uint32_t num_relocs;
  uint32_t align;
  uint8_t stencil;        // a stencil (copied per instruction), else support (placed once)
  uint8_t falls_through;  // ends where the next instruction's code begins
};

struct StencilRow {
  uint32_t key;  // stencil_key
  uint32_t blob;
};

}  // namespace hull::baseline

// Where stencil_gen's OUT_SYMBOLS.cc puts the externs' addresses.
extern "C" const void* const hull_baseline_externs[];
