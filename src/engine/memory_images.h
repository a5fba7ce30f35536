// When a module's memories start from a copy-on-write image (runtime/memory_image.h) and how
// the image is made from its data segments.
#pragma once

#include "engine/module.h"

namespace hull {

// Counts one more instantiation of `module` and returns the image of its defined memory
// `memory_index` (an index in the memory index space, past the imported ones) when the
// memory's contents should be mapped from one, else nullptr. Images are built once, by the
// second instantiation (thread-safe), for memories that
//   - are 32-bit with 64 KiB pages and not shared (the guarded memories the pool recycles),
//   - get at least kMinMemoryImageBytes of data from active segments at constant offsets
//     (`i32.const`) inside their minimum size, before any segment whose offset is computed per
//     instance (below that, copying the bytes is cheaper than the page faults and the madvise
//     of an image; a segment out of bounds traps, which the copying path reports).
// The image holds the memory's active segments among the module's first `*covered` data
// segments; the others are copied per instance, in order, after it.
// Call memory_images_begin once per instantiation (false: use no image this time) before
// asking memory_image_for.
bool memory_images_begin(const CompiledModule& module);
const MemoryImage* memory_image_for(const CompiledModule& module, uint32_t memory_index,
                                    size_t* covered);

// The same, the images built now if they are not yet (whatever the count of instantiations):
// for a memory that is reset again and again (api/snapshot.cc), where an image saves copying
// the segments at every reset. Also allowed without memory_images_begin.
const MemoryImage* memory_image_now(const CompiledModule& module, uint32_t memory_index,
                                    size_t* covered);

inline constexpr uint64_t kMinMemoryImageBytes = uint64_t(64) << 10;

}  // namespace hull
