// Putting a linear memory back to the size it was created with, reading as it did then: what
// reusing an instance instead of instantiating again needs (api/snapshot.cc).
#pragma once

#include <cstdint>

#include "runtime/store.h"

namespace hull {

// Resets `m` (not shared) to `size_bytes` (at most its current size, a multiple of its page
// size): every byte reads as zero again, except the range of the copy-on-write image mapped at
// creation, whose bytes show through again; a guarded memory faults past the new size again.
// The caller then writes what instantiation copied (data segments outside the image). Error
// (kind Usage) for a shared memory or a size above the current one; (kind Limit) if a system
// call failed, after which the memory must not be used.
Status reset_memory(Memory& m, uint64_t size_bytes);

}  // namespace hull
