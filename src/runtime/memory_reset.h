// Putting a linear memory back to the size it was created with, reading as it did then: what
// reusing an instance instead of instantiating again needs (api/snapshot.cc).
#pragma once

#include <cstdint>
#include <span>

#include "runtime/store.h"

namespace hull {

// Bytes instantiation put in a memory: `length` bytes from `bytes` at `offset`.
struct MemoryWrite {
  uint64_t offset;
  const uint8_t* bytes;
  uint64_t length;
};

// Resets `m` (not shared) to `size_bytes` (at most its current size, a multiple of its page
// size): every byte reads as zero again, except the range of the copy-on-write image mapped at
// creation, whose bytes show through again; a guarded memory faults past the new size again.
// The caller then writes what instantiation copied (data segments outside the image). Error
// (kind Usage) for a shared memory or a size above the current one; (kind Limit) if a system
// call failed, after which the memory must not be used.
//
// `image_writes`, when given, are what the mapped image holds on zeros (its segments), sorted
// by offset and not overlapping. A big guarded memory is then reset page by page from
// /proc/self/pagemap: only the pages a use may have written (present and not the image file's:
// private copies of image pages, anonymous pages) are rewritten -- from `image_writes` or with
// zeros -- and stay resident, so that the next use takes no page fault on them; image pages
// only read, and pages never touched, are left as they are. Without them (or where the
// pagemap cannot be read) the image's range is discarded and refaults on the next touch.
Status reset_memory(Memory& m, uint64_t size_bytes, std::span<const MemoryWrite> image_writes = {});

// Big memories only: below this many committed bytes reading the pagemap costs more than
// zeroing everything with memset.
inline constexpr uint64_t kPagemapResetMinBytes = uint64_t(256) << 10;

}  // namespace hull
