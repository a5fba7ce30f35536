// Memory reset in place: the pool's reset (runtime/reservation_pool.h) without giving the
// reservation back, then the accessible range trimmed to the size wanted; for big memories
// with an image, only the pages a use wrote, found in the kernel's page map.
#include "runtime/memory_reset.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/reservation_pool.h"

namespace hull {

namespace {

uint64_t os_page() {
  static const uint64_t p = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return p;
}

// /proc/self/pagemap, opened once (-1 when it cannot be read: no procfs, a sandbox).
int pagemap_fd() {
  static const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return fd;
}

// A page map entry's flags (Documentation/admin-guide/mm/pagemap.rst).
constexpr uint64_t kPresent = uint64_t(1) << 63;
constexpr uint64_t kSwapped = uint64_t(1) << 62;
constexpr uint64_t kFileOrSharedAnon = uint64_t(1) << 61;

// Whether a use may have written the page: it is present and not a page of the image's file
// (a private copy: written), or swapped out. An image page only read is still the file's page
// and a page never touched is not present: both are left. The shared zero page, mapped where
// an anonymous page was only read, is reported like a written page: zeroing it again costs a
// page fault, never a wrong byte.
bool written(uint64_t entry) {
  return (entry & kSwapped) || ((entry & kPresent) && !(entry & kFileOrSharedAnon));
}

// Reads the entries of the `pages` pages from `at`; false if the page map cannot be read.
bool read_pagemap(const uint8_t* at, uint64_t pages, std::vector<uint64_t>& out) {
  const int fd = pagemap_fd();
  if (fd < 0) return false;
  out.resize(pages);
  const uint64_t first = reinterpret_cast<uintptr_t>(at) / os_page();
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data());
  uint64_t want = pages * sizeof(uint64_t), done = 0;
  while (done < want) {
    ssize_t n = pread(fd, dst + done, want - done, static_cast<off_t>(first * 8 + done));
    if (n <= 0) return false;
    done += static_cast<uint64_t>(n);
  }
  return true;
}

// Page `offset` of the memory as the image makes it: zeros, then the image's writes over it
// (sorted and apart: the first one ending past the page's start is found by binary search).
void fill_image_page(uint8_t* base, uint64_t offset, uint64_t page,
                     std::span<const MemoryWrite> writes) {
  std::memset(base + offset, 0, page);
  const uint64_t page_end = offset + page;
  auto it = std::partition_point(writes.begin(), writes.end(), [&](const MemoryWrite& w) {
    return w.offset + w.length <= offset;
  });
  for (; it != writes.end() && it->offset < page_end; ++it) {
    const uint64_t lo = it->offset > offset ? it->offset : offset;
    const uint64_t end = it->offset + it->length;
    const uint64_t hi = end < page_end ? end : page_end;
    if (lo < hi) std::memcpy(base + lo, it->bytes + (lo - it->offset), hi - lo);
  }
}

// The reset of a guarded memory's [0, keep) from the page map: each written page rewritten,
// the others left. False if the page map could not be read (nothing was changed).
bool reset_written_pages(Memory& m, uint64_t keep, std::span<const MemoryWrite> image_writes) {
  const uint64_t page = os_page();
  static thread_local std::vector<uint64_t> entries;
  if (!read_pagemap(m.base, keep / page, entries)) return false;
  const uint64_t image_lo = m.image.offset, image_hi = m.image.offset + m.image.length;
  for (uint64_t p = 0; p < keep / page; ++p) {
    if (!written(entries[p])) continue;
    const uint64_t at = p * page;
    if (at >= image_lo && at < image_hi) {
      fill_image_page(m.base, at, page, image_writes);
    } else {
      std::memset(m.base + at, 0, page);
    }
  }
  return true;
}

}  // namespace

Status reset_memory(Memory& m, uint64_t size_bytes, std::span<const MemoryWrite> image_writes) {
  if (m.shared) return Error::make(ErrorKind::Usage, "a shared memory cannot be reset");
  if (size_bytes > m.size) {
    return Error::make(ErrorKind::Usage,
                       "a memory cannot be reset to a size above its current one");
  }
  const uint64_t page = os_page();
  const uint64_t need = (size_bytes + page - 1) / page * page;
  const bool by_pages = m.guarded && m.image.id != 0 && !image_writes.empty() &&
                        need >= kPagemapResetMinBytes && need <= m.committed &&
                        reset_written_pages(m, need, image_writes);
  // Below the new size: the memory as it was created (the image's range lies there).
  if (!by_pages && !reset_committed_bytes(m.base, need < m.committed ? need : m.committed, m.image,
                                          kMemsetResetMaxBytes)) {
    return Error::make(ErrorKind::Limit, "resetting a memory failed (madvise)");
  }
  // Past it, the pages a use grew into go (a fresh instance would not have them): discarded,
  // and for a guarded memory inaccessible again. An unguarded memory keeps them committed
  // (bytes past `size` are never reachable there: explicit bounds checks), reading as zero
  // when it grows again; it may also have moved while growing.
  if (m.committed > need) {
    if (madvise(m.base + need, m.committed - need, MADV_DONTNEED) != 0) {
      return Error::make(ErrorKind::Limit, "resetting a memory failed (madvise)");
    }
    if (m.guarded) {
      if (mprotect(m.base + need, m.committed - need, PROT_NONE) != 0) {
        return Error::make(ErrorKind::Limit, "resetting a memory failed (mprotect)");
      }
      m.committed = need;
    }
  }
  m.size = size_bytes;
  m.type.limits.min = size_bytes >> m.type.page_size_log2;
  return {};
}

}  // namespace hull
