// Shared by the GC lowering and handlers (exec_gc.cc): how a field's storage is read.
#pragma once

#include <cstdint>

#include "runtime/gc_heap.h"
#include "spec/types.h"

namespace hull::interp {

// A field read: packed fields sign- or zero-extend, the others copy 4, 8 or 16 bytes.
enum class FieldMode : uint8_t { I8S, I8U, I16S, I16U, B32, B64, B128 };

// The read mode of `f` (stored in `size` bytes) for struct.get/array.get (signed: _s, else _u).
inline FieldMode field_mode(const GcField& f, bool is_signed) {
  switch (f.size) {
    case 1: return is_signed ? FieldMode::I8S : FieldMode::I8U;
    case 2: return is_signed ? FieldMode::I16S : FieldMode::I16U;
    case 4: return FieldMode::B32;
    case 16: return FieldMode::B128;
    default: return FieldMode::B64;
  }
}

}  // namespace hull::interp
