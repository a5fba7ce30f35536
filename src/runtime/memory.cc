// Linear memory: an address-space reservation committed page by page as the memory grows.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "runtime/store.h"

namespace hull {

namespace {

// Inaccessible bytes after every reservation: a stray access just past the end faults instead
// of touching a neighbour. (Tiers still bounds-check explicitly; a tier that elides checks
// needs a larger guard and must say so here.)
constexpr uint64_t kGuardBytes = uint64_t(64) << 10;
// Largest reservation made up front; 32-bit memories never exceed 4 GiB, memory64 beyond this
// moves to a larger reservation when it grows.
constexpr uint64_t kMaxUpfrontReserve = uint64_t(8) << 30;
// Hard cap on any memory's size: beyond what the address space can hold anyway.
constexpr uint64_t kHardMaxBytes = uint64_t(1) << 46;

uint64_t os_page() {
  static const uint64_t p = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return p;
}

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

// Map `bytes` of inaccessible address space; nullptr on failure.
uint8_t* reserve(uint64_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

bool commit(uint8_t* at, uint64_t bytes) {
  return bytes == 0 || mprotect(at, bytes, PROT_READ | PROT_WRITE) == 0;
}

}  // namespace

Memory::~Memory() {
  if (base) munmap(base, reserved + guard);
}

Status Memory::init(const MemoryType& t, uint64_t limit_bytes) {
  type = t;
  const unsigned log2 = t.page_size_log2;
  const uint64_t spec_max = t.limits.is64 ? kMaxPages64 : kMaxPages32;
  uint64_t max = t.limits.max ? *t.limits.max : spec_max;
  if (max > spec_max) max = spec_max;
  uint64_t cap_bytes = limit_bytes < kHardMaxBytes ? limit_bytes : kHardMaxBytes;
  // For 32-bit memories with 64 KiB pages, 65536 pages = 4 GiB is still representable.
  if (max > (cap_bytes >> log2)) max = cap_bytes >> log2;
  max_pages = max;
  if (t.limits.min > max_pages) {
    return Error::make(ErrorKind::Limit, "memory minimum size exceeds the allowed maximum");
  }
  size = t.limits.min << log2;

  uint64_t want = round_up(max_pages << log2, os_page());
  if (want > kMaxUpfrontReserve) want = kMaxUpfrontReserve;
  uint64_t need = round_up(size, os_page());
  if (want < need) want = need;
  guard = kGuardBytes;
  base = reserve(want + guard);
  if (!base && want > need) {
    // Short of address space: reserve just what is needed now; growth will move the memory.
    want = need;
    base = reserve(want + guard);
  }
  if (!base) {
    guard = 0;
    size = 0;
    return Error::make(ErrorKind::Limit, "cannot reserve address space for a memory");
  }
  reserved = want;
  if (!commit(base, need)) {
    return Error::make(ErrorKind::Limit, "cannot commit memory pages");
  }
  committed = need;
  type.limits.min = t.limits.min;
  return {};
}

uint64_t Memory::grow(uint64_t delta) {
  const unsigned log2 = type.page_size_log2;
  const uint64_t old_pages = pages();
  if (delta > max_pages - old_pages) return UINT64_MAX;
  if (delta == 0) return old_pages;
  const uint64_t new_size = (old_pages + delta) << log2;
  const uint64_t need = round_up(new_size, os_page());
  if (need > reserved) {
    // Move to a larger reservation (doubling, bounded by the maximum) and copy the contents.
    uint64_t want = reserved * 2 > need ? reserved * 2 : need;
    uint64_t max_bytes = round_up(max_pages << log2, os_page());
    if (want > max_bytes) want = max_bytes;
    if (want < need) want = need;
    uint8_t* nb = reserve(want + kGuardBytes);
    if (!nb && want > need) {
      want = need;
      nb = reserve(want + kGuardBytes);
    }
    if (!nb) return UINT64_MAX;
    if (!commit(nb, need)) {
      munmap(nb, want + kGuardBytes);
      return UINT64_MAX;
    }
    if (size) std::memcpy(nb, base, size);
    if (base) munmap(base, reserved + guard);
    base = nb;
    reserved = want;
    guard = kGuardBytes;
    committed = need;
  } else if (need > committed) {
    if (!commit(base + committed, need - committed)) return UINT64_MAX;
    committed = need;
  }
  // Bytes between `size` and `committed` were never reachable (bounds checks) and are still
  // zero, so the new pages read as zero.
  size = new_size;
  type.limits.min = old_pages + delta;
  return old_pages;
}

}  // namespace hull
