// A process-wide pool of guarded memory reservations (runtime/signals.h): a destroyed guarded
// memory's reservation is reset and kept for the next guarded memory instead of being unmapped,
// which saves the multi-GiB mmap, the munmap (TLB shootdown) and the page-table rebuild.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/memory_image.h"
#include "runtime/signals.h"

namespace hull {

// Bytes of one guarded reservation: [guard before | reserved | guard after].
inline constexpr uint64_t kGuardedReservationBytes = kGuardBeforeBytes + kGuardedReserveBytes;

// Default cap on pooled reservations. The effective cap is also bounded by a quarter of
// RLIMIT_AS (when finite), so the pool never takes more than a share of the address space.
inline constexpr size_t kDefaultReservationPoolCap = 64;

// A reservation from the pool, reset for a new memory whose first `commit_bytes` bytes (from
// `start + kGuardBeforeBytes`, a multiple of the OS page) must be readable, writable and zero,
// and everything else of the reservation inaccessible: exactly what a fresh mmap + commit gives.
// Returns the reservation's start (the first byte of the guard before), or nullptr when the
// pool is empty, disabled, or a reset syscall failed (the caller then maps a fresh one).
// With `image` (whose range lies inside [0, commit_bytes)), the bytes of that range hold the
// image instead of zeros, mapped copy-on-write: a reservation that still has this image mapped
// is preferred (nothing to map), and *mapped says what is mapped now (id 0 if the image could
// not be mapped: the caller then copies the data itself).
uint8_t* reservation_pool_acquire(uint64_t commit_bytes, const MemoryImage* image = nullptr,
                                  MappedImage* mapped = nullptr);

// Gives back the reservation at `start` (kGuardedReservationBytes long) whose first
// `committed` bytes after the guard before are accessible, with `mapped` still mapped in it.
// Its committed bytes are reset: the image's range with MADV_DONTNEED (the image's bytes show
// through again), the rest zeroed (memset when small, else MADV_DONTNEED); it is kept if the
// pool has room, otherwise, or if a reset fails, it is unmapped. The caller must not touch it
// again.
void reservation_pool_release(uint8_t* start, uint64_t committed, MappedImage mapped = {});

// Up to this many bytes to zero, a reset zeroes with memset rather than MADV_DONTNEED.
inline constexpr uint64_t kMemsetResetMaxBytes = uint64_t(2) << 20;

// Resets the first `committed` bytes at `base` of a memory to what a fresh one holds: the
// image's range (when `mapped` is an image still mapped there) with MADV_DONTNEED, so that its
// bytes show through again, the rest zeroed -- with memset where `memset_max` bytes or fewer
// are to be zeroed (the pages stay resident: no page faults and no TLB flush for the next
// user), else with MADV_DONTNEED. False if a madvise failed (the contents are then undefined).
bool reset_committed_bytes(uint8_t* base, uint64_t committed, MappedImage mapped,
                           uint64_t memset_max);

// Sets the cap on pooled reservations (0 disables pooling); extra reservations are unmapped.
void set_reservation_pool_cap(size_t cap);
size_t reservation_pool_cap();

// Unmaps every pooled reservation; returns how many there were.
size_t drain_reservation_pool();

// Counters since process start (for tests and benchmarks).
struct ReservationPoolStats {
  size_t pooled = 0;          // reservations in the pool now
  uint64_t reused = 0;        // acquisitions served from the pool
  uint64_t returned = 0;      // releases kept in the pool
  uint64_t unmapped = 0;      // releases and drains that unmapped (pool full, disabled, or failure)
  uint64_t image_reused = 0;  // acquisitions that found their image already mapped
};
ReservationPoolStats reservation_pool_stats();

}  // namespace hull
