// The pool of guarded memory reservations: reset on release (committed pages discarded, so they
// read as zero), trimmed to the next memory's size on acquire.
#include "runtime/reservation_pool.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

namespace hull {

namespace {

// Reservations whose memory grew beyond this are unmapped rather than pooled: MADV_DONTNEED
// frees their pages but not their page tables (2 MiB per GiB committed).
constexpr uint64_t kMaxPooledCommitted = uint64_t(256) << 20;

// Small memories are zeroed with memset (up to kMemsetResetMaxBytes) instead of MADV_DONTNEED:
// their pages stay resident, so the next tenant takes no page faults, and no TLB flush is
// needed (measured: 1 page touched, 3 us instead of 63 us per create + destroy; 16 pages all
// written, 15 us instead of 74 us). Bounded for the whole pool too (resident memory nobody uses).
constexpr uint64_t kResidentBudgetBytes = uint64_t(32) << 20;

struct Entry {
  uint8_t* start;
  uint64_t committed;  // accessible bytes after the guard before: zero, or the image's bytes
  uint64_t resident;   // of which kept resident (zeroed by memset): counted in Pool::resident
  MappedImage image;   // still mapped in [image.offset, image.offset + image.length)
};

struct Pool {
  std::mutex mu;
  std::vector<Entry> entries;  // guarded by mu
  uint64_t resident = 0;       // guarded by mu: sum of entries' resident, plus zeroing in flight
  std::atomic<size_t> cap{kDefaultReservationPoolCap};
  std::atomic<uint64_t> reused{0}, returned{0}, unmapped{0}, image_reused{0};
};

// Never destroyed: memories may be released during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

void unmap(uint8_t* start) {
  munmap(start, kGuardedReservationBytes);
  pool().unmapped.fetch_add(1, std::memory_order_relaxed);
}

// How many reservations a quarter of the address-space limit holds; SIZE_MAX when unlimited.
size_t read_address_space_share() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<size_t>(static_cast<uint64_t>(rl.rlim_cur) / 4 / kGuardedReservationBytes);
}

// The limit can change at run time, but reading it on every acquire and release cost two
// system calls per request in `hull serve` (each instance acquires and releases a memory): it is
// re-read when kShareMaxAgeNs have passed (a coarse clock read is a vDSO call, not a system
// call) and in a forked child (death tests cap their own address space and then allocate).
constexpr uint64_t kShareMaxAgeNs = 50'000'000;
std::atomic<size_t> cached_share{SIZE_MAX};
std::atomic<uint64_t> cached_share_at{0};  // coarse-clock ns of the read; 0: none yet

uint64_t coarse_now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec) + 1;
}

size_t address_space_share() {
  static const bool fork_hook = [] {
    pthread_atfork(nullptr, nullptr, [] { cached_share_at.store(0, std::memory_order_relaxed); });
    return true;
  }();
  (void)fork_hook;
  const uint64_t now = coarse_now_ns();
  const uint64_t at = cached_share_at.load(std::memory_order_relaxed);
  if (at != 0 && now - at < kShareMaxAgeNs) return cached_share.load(std::memory_order_relaxed);
  const size_t share = read_address_space_share();
  cached_share.store(share, std::memory_order_relaxed);
  cached_share_at.store(now, std::memory_order_relaxed);
  return share;
}

// The cap in effect; call with mu held.
size_t effective_cap(const Pool& p, size_t share) {
  size_t cap = p.cap.load(std::memory_order_relaxed);
  return cap < share ? cap : share;
}

}  // namespace

bool reset_committed_bytes(uint8_t* base, uint64_t committed, MappedImage mapped,
                           uint64_t memset_max) {
  // [0, image.offset) and [image end, committed) are zeroed; the image's range is discarded.
  const uint64_t image_end = mapped.id ? mapped.offset + mapped.length : 0;
  const uint64_t zero_bytes = committed - (mapped.id ? mapped.length : 0);
  const bool by_memset = zero_bytes <= memset_max;
  auto zero = [&](uint64_t from, uint64_t to) {
    if (from >= to) return true;
    if (by_memset) {
      std::memset(base + from, 0, to - from);
      return true;
    }
    return madvise(base + from, to - from, MADV_DONTNEED) == 0;
  };
  if (mapped.id == 0) return zero(0, committed);
  return zero(0, mapped.offset) &&
         madvise(base + mapped.offset, mapped.length, MADV_DONTNEED) == 0 &&
         zero(image_end, committed);
}

uint8_t* reservation_pool_acquire(uint64_t commit_bytes, const MemoryImage* image,
                                  MappedImage* mapped) {
  Pool& p = pool();
  if (mapped) *mapped = {};
  if (p.cap.load(std::memory_order_relaxed) == 0) return nullptr;
  const size_t share = address_space_share();
  const uint64_t want_image = image ? image->id() : 0;
  Entry e;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    const size_t cap = effective_cap(p, share);
    // Under a tightened address-space limit the pool stops handing out reservations (the caller
    // then falls back as it would without a pool); it does not drain here.
    if (p.entries.empty() || cap == 0) return nullptr;
    // Prefer the wanted image already mapped with exactly the committed size wanted (no syscall
    // at all), then the image at another size, then no image at the size wanted, else the most
    // recently released one.
    size_t pick = p.entries.size() - 1;
    int best = -1;
    for (size_t i = 0; i < p.entries.size() && best < 3; ++i) {
      const Entry& c = p.entries[i];
      int score = c.image.id == want_image ? (c.committed == commit_bytes ? 3 : 2)
                                           : (c.image.id == 0 && c.committed == commit_bytes);
      if (score > best) {
        best = score;
        pick = i;
      }
    }
    e = p.entries[pick];
    p.entries[pick] = p.entries.back();
    p.entries.pop_back();
    p.resident -= e.resident;
  }
  // From here the reservation belongs to the caller only. Its committed pages are already
  // reset (on release); make exactly [0, commit_bytes) accessible and map the wanted image.
  uint8_t* base = e.start + kGuardBeforeBytes;
  if (e.image.id != 0 && e.image.id != want_image) {
    // Another module's image: back to anonymous zero pages over its range.
    if (mmap(base + e.image.offset, e.image.length, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
      unmap(e.start);
      return nullptr;
    }
    e.image = {};
  }
  if (e.committed > commit_bytes) {
    if (mprotect(base + commit_bytes, e.committed - commit_bytes, PROT_NONE) != 0) {
      unmap(e.start);
      return nullptr;
    }
  } else if (e.committed < commit_bytes) {
    if (mprotect(base + e.committed, commit_bytes - e.committed, PROT_READ | PROT_WRITE) != 0) {
      unmap(e.start);
      return nullptr;
    }
  }
  if (image && e.image.id == 0 && image->map_at(base)) {
    e.image = {image->id(), image->offset(), image->length()};
  } else if (image && e.image.id == want_image) {
    p.image_reused.fetch_add(1, std::memory_order_relaxed);
  }
  if (mapped) *mapped = e.image;
  p.reused.fetch_add(1, std::memory_order_relaxed);
  return e.start;
}

void reservation_pool_release(uint8_t* start, uint64_t committed, MappedImage mapped) {
  Pool& p = pool();
  if (p.cap.load(std::memory_order_relaxed) == 0 || committed > kMaxPooledCommitted) {
    unmap(start);
    return;
  }
  const size_t share = address_space_share();
  // Zero the previous tenant's pages. Small ones with memset, within the resident budget
  // (reserved here, before zeroing, so concurrent releases cannot exceed it); others are
  // discarded: for a private anonymous mapping the next access gets a fresh zero page, while
  // the mapping, its protection and its page tables stay. Either way the range stays
  // accessible while pooled (nobody can reach it) and acquire trims it to the next size.
  // The image's range is reset apart (MADV_DONTNEED brings its bytes back); the zero parts are
  // [0, image.offset) and [image end, committed).
  const uint64_t zero_bytes = committed - (mapped.id ? mapped.length : 0);
  uint64_t resident = 0;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    if (p.entries.size() >= effective_cap(p, share)) {
      resident = UINT64_MAX;  // full: unmap below, without zeroing
    } else if (zero_bytes <= kMemsetResetMaxBytes &&
               p.resident + zero_bytes <= kResidentBudgetBytes) {
      resident = zero_bytes;
      p.resident += resident;
    }
  }
  if (resident == UINT64_MAX) {
    unmap(start);
    return;
  }
  const bool reset = reset_committed_bytes(start + kGuardBeforeBytes, committed, mapped,
                                           resident ? UINT64_MAX : 0);
  if (!reset) {
    if (resident != 0) {
      std::lock_guard<std::mutex> lock(p.mu);
      p.resident -= resident;
    }
    unmap(start);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(p.mu);
    if (p.entries.size() < effective_cap(p, share)) {
      p.entries.push_back({start, committed, resident, mapped});
      p.returned.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    p.resident -= resident;  // filled up meanwhile
  }
  unmap(start);
}

void set_reservation_pool_cap(size_t cap) {
  Pool& p = pool();
  std::vector<Entry> extra;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.cap.store(cap, std::memory_order_relaxed);
    while (p.entries.size() > cap) {
      extra.push_back(p.entries.back());
      p.resident -= p.entries.back().resident;
      p.entries.pop_back();
    }
  }
  for (const Entry& e : extra) unmap(e.start);
}

size_t reservation_pool_cap() { return pool().cap.load(std::memory_order_relaxed); }

size_t drain_reservation_pool() {
  Pool& p = pool();
  std::vector<Entry> all;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    all.swap(p.entries);
    for (const Entry& e : all) p.resident -= e.resident;
  }
  for (const Entry& e : all) unmap(e.start);
  return all.size();
}

ReservationPoolStats reservation_pool_stats() {
  Pool& p = pool();
  ReservationPoolStats s;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    s.pooled = p.entries.size();
  }
  s.reused = p.reused.load(std::memory_order_relaxed);
  s.returned = p.returned.load(std::memory_order_relaxed);
  s.unmapped = p.unmapped.load(std::memory_order_relaxed);
  s.image_reused = p.image_reused.load(std::memory_order_relaxed);
  return s;
}

}  // namespace hull
