// Linear memory: an address-space reservation committed page by page as the memory grows;
// 32-bit memories get guard regions so that out-of-bounds accesses fault (runtime/signals.h).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "runtime/reservation_pool.h"
#include "runtime/shared_memory.h"
#include "runtime/signals.h"
#include "runtime/store.h"

namespace hull {

namespace {

// Inaccessible bytes after every compact reservation: a stray access just past the end faults
// instead of touching a neighbour. Code that elides bounds checks relies on guarded memories
// (kGuardedReserveBytes) instead.
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
uint8_t* reserve_once(uint64_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

// reserve_once, retried after unmapping the pooled guarded reservations when the address space
// is short (e.g. under `ulimit -v`): the pool must not cost a memory its reservation.
uint8_t* reserve(uint64_t bytes) {
  uint8_t* p = reserve_once(bytes);
  if (!p && drain_reservation_pool() != 0) p = reserve_once(bytes);
  return p;
}

bool commit(uint8_t* at, uint64_t bytes) {
  return bytes == 0 || mprotect(at, bytes, PROT_READ | PROT_WRITE) == 0;
}

// The guarded layout: [guard_before | reserved (<= 4 GiB) | guard] == kGuardBeforeBytes +
// kGuardedReserveBytes bytes, all PROT_NONE except the committed pages. `size` and the
// reservation are multiples of 64 KiB, so every byte past `size` faults. Returns false (and
// changes nothing) when the address space is short.
// A reservation from the pool (runtime/reservation_pool.h) is reset to exactly this state.
// With `initial`, its image is mapped over its range (Memory::image says whether it could be).
bool reserve_guarded(Memory& m, uint64_t need, const MemoryImage* initial) {
  if (kGuardBeforeBytes % os_page() != 0) return false;  // OS pages larger than 64 KiB
  uint8_t* start = reservation_pool_acquire(need, initial, &m.image);
  if (!start) {
    start = reserve_once(kGuardedReservationBytes);
    if (!start) return false;
    if (!commit(start + kGuardBeforeBytes, need)) {
      munmap(start, kGuardedReservationBytes);
      return false;
    }
    if (initial && initial->map_at(start + kGuardBeforeBytes)) {
      m.image = {initial->id(), initial->offset(), initial->length()};
    }
  }
  uint8_t* base = start + kGuardBeforeBytes;
  m.base = base;
  m.guard_before = kGuardBeforeBytes;
  // max_pages <= 65536, so the whole growth range (<= 4 GiB) fits and the memory never moves.
  m.reserved = round_up(m.max_pages << 16, os_page());
  m.guard = kGuardedReserveBytes - m.reserved;
  m.committed = need;
  m.guarded = true;
  return true;
}

}  // namespace

Memory::~Memory() {
  if (!base) return;
  if (guarded) {
    // Back to the pool (reset there: zeroed, trimmed to the next tenant's size) or unmapped.
    reservation_pool_release(base - guard_before, committed, image);
  } else {
    munmap(base - guard_before, guard_before + reserved + guard);
  }
}

Status Memory::init(const MemoryType& t, uint64_t limit_bytes, bool allow_guard,
                    const MemoryImage* initial) {
  type = t;
  const unsigned log2 = t.page_size_log2;
  const uint64_t spec_max = max_memory_pages(t);
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
  uint64_t need = round_up(size, os_page());
  if (t.limits.shared) shared = std::make_shared<SharedMemoryState>();

  if (allow_guard && guardable(t) && guard_pages_supported() &&
      reserve_guarded(*this, need, initial)) {
    // Before any code can touch this memory: its faults must find our handler.
    install_trap_handlers();
    type.limits.min = t.limits.min;
    return {};
  }

  uint64_t want = round_up(max_pages << log2, os_page());
  // A shared memory reserves its whole maximum: it must never move (other threads hold `base`).
  if (want > kMaxUpfrontReserve && !shared) want = kMaxUpfrontReserve;
  if (want < need) want = need;
  guard = kGuardBytes;
  base = reserve(want + guard);
  if (!base && shared) {
    guard = 0;
    size = 0;
    return Error::make(ErrorKind::Limit,
                       "cannot reserve address space for a shared memory's maximum size");
  }
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

uint64_t Memory::grow_shared(uint64_t delta) {
  std::lock_guard<std::mutex> lock(shared->grow_mutex);
  const unsigned log2 = type.page_size_log2;
  const uint64_t old_pages = size >> log2;  // only changes under this lock
  if (delta > max_pages - old_pages) return UINT64_MAX;
  if (delta == 0) return old_pages;
  const uint64_t new_size = (old_pages + delta) << log2;
  const uint64_t need = round_up(new_size, os_page());
  if (need > reserved) return UINT64_MAX;  // unreachable: init reserved max_pages
  if (need > committed) {
    if (!commit(base + committed, need - committed)) return UINT64_MAX;
    committed = need;
  }
  // The new pages are accessible before any thread can see the new size.
  __atomic_store_n(&size, new_size, __ATOMIC_RELEASE);
  type.limits.min = old_pages + delta;
  return old_pages;
}

uint64_t Memory::grow(uint64_t delta) {
  if (shared) [[unlikely]]
    return grow_shared(delta);
  const unsigned log2 = type.page_size_log2;
  const uint64_t old_pages = pages();
  if (delta > max_pages - old_pages) return UINT64_MAX;
  if (delta == 0) return old_pages;
  const uint64_t new_size = (old_pages + delta) << log2;
  const uint64_t need = round_up(new_size, os_page());
  if (need > reserved) {
    if (guarded) return UINT64_MAX;  // unreachable: a guarded reservation covers max_pages
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
  // Bytes between `size` and `committed` were never reachable (bounds checks; for guarded
  // memories they do not exist: size is a multiple of 64 KiB) and are still zero, so the new
  // pages read as zero. A reused guarded reservation was reset to the same state (its previous
  // tenant's pages discarded, runtime/reservation_pool.h).
  size = new_size;
  type.limits.min = old_pages + delta;
  return old_pages;
}

}  // namespace hull
