// Building a module's memory images from its active data segments.
#include "engine/memory_images.h"

#include <unistd.h>

#include <algorithm>
#include <optional>

namespace hull {

namespace {

// The offset of a segment whose offset expression is `i32.const N` (what toolchains emit), or
// nothing for any other expression (global.get, extended-const): those are left to the copying
// path, which evaluates them per instance.
std::optional<uint64_t> constant_offset(const ModuleDesc& m, ByteRange expr) {
  const uint8_t* p = m.bytes.data() + expr.begin;
  const uint8_t* end = m.bytes.data() + expr.end;
  if (end - p < 3 || *p++ != 0x41) return std::nullopt;  // i32.const
  uint32_t value = 0;
  unsigned shift = 0;
  uint8_t b = 0;
  do {
    if (p == end || shift > 28) return std::nullopt;
    b = *p++;
    value |= uint32_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  // Sign-extend, then read as the unsigned address the spec uses.
  if (shift < 32 && (b & 0x40)) value |= ~uint32_t(0) << shift;
  if (p == end || *p++ != 0x0b || p != end) return std::nullopt;  // end
  return uint64_t(value);
}

// The image of the active segments of memory `memory_index` before `*covered` (set here: the
// first segment of the memory with a non-constant offset, or the end), which all lie inside
// the memory's minimum size; nullptr when no image pays.
std::shared_ptr<const MemoryImage> build_image(const ModuleDesc& m, uint32_t memory_index,
                                               size_t* covered) {
  *covered = 0;
  const MemoryType& mt = m.memories[memory_index];
  if (!guardable(mt) || mt.limits.shared) return nullptr;
  const uint64_t min_bytes = mt.limits.min << mt.page_size_log2;
  uint64_t lo = UINT64_MAX, hi = 0, total = 0;
  size_t end = m.datas.size();
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataDesc& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active || seg.memory != memory_index) continue;
    std::optional<uint64_t> off = constant_offset(m, seg.offset);
    if (!off) {
      // This one and the later ones are copied per instance, in order, after the image.
      end = i;
      break;
    }
    if (*off > min_bytes || seg.init.size() > min_bytes - *off) return nullptr;  // traps
    if (seg.init.size() == 0) continue;
    lo = std::min(lo, *off);
    hi = std::max(hi, *off + seg.init.size());
    total += seg.init.size();
  }
  if (total < kMinMemoryImageBytes) return nullptr;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t start = lo / page * page;
  const uint64_t stop = (hi + page - 1) / page * page;  // <= min_bytes: a multiple of 64 KiB
  std::shared_ptr<MemoryImage> image = MemoryImage::create(start, stop - start);
  if (!image) return nullptr;
  // In segment order, so that overlapping segments end as the copies would leave them.
  for (size_t i = 0; i < end; ++i) {
    const DataDesc& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active || seg.memory != memory_index || seg.init.size() == 0) {
      continue;
    }
    std::span<const uint8_t> bytes(m.bytes.data() + seg.init.begin, seg.init.size());
    if (!image->write(*constant_offset(m, seg.offset), bytes)) return nullptr;
  }
  *covered = end;
  return image;
}

}  // namespace

namespace {

// Builds every image of `module` (once; thread-safe).
void build_images(const CompiledModule& module) {
  ModuleMemoryImages& mi = module.memory_images;
  std::call_once(mi.built, [&] {
    const ModuleDesc& m = module.desc;
    const size_t n = m.memories.size() - m.num_imported_memories;
    mi.images.resize(n);
    mi.covered.resize(n);
    for (uint32_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
      const size_t d = i - m.num_imported_memories;
      mi.images[d] = build_image(m, i, &mi.covered[d]);
    }
  });
}

}  // namespace

bool memory_images_begin(const CompiledModule& module) {
  if (!module.options.memory_images || module.desc.datas.empty()) return false;
  ModuleMemoryImages& mi = module.memory_images;
  if (mi.instantiations.fetch_add(1, std::memory_order_relaxed) == 0) return false;
  build_images(module);
  return true;
}

const MemoryImage* memory_image_now(const CompiledModule& module, uint32_t memory_index,
                                    size_t* covered) {
  *covered = 0;
  if (!module.options.memory_images || module.desc.datas.empty()) return nullptr;
  build_images(module);
  return memory_image_for(module, memory_index, covered);
}

const MemoryImage* memory_image_for(const CompiledModule& module, uint32_t memory_index,
                                    size_t* covered) {
  const ModuleMemoryImages& mi = module.memory_images;
  const uint32_t first = module.desc.num_imported_memories;
  *covered = 0;
  if (memory_index < first || memory_index - first >= mi.images.size()) return nullptr;
  *covered = mi.covered[memory_index - first];
  return mi.images[memory_index - first].get();
}

}  // namespace hull
