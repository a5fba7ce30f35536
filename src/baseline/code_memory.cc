// The baseline tier's code reservation (code_memory.h).
#include "baseline/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "interp/exec_util.h"

namespace hull::baseline {
namespace {

// 1 GiB of address space (only what modules use is ever committed): a dozen componentize-js
// components at 36 MiB of code each, with room to spare.
constexpr size_t kReservation = size_t{1} << 30;
constexpr size_t kPage = 4096;

struct Reservation {
  uint8_t* base = nullptr;
  size_t size = 0;
  std::mutex mu;
  std::map<size_t, size_t> free;  // page runs: offset -> bytes, coalesced
  bool failed = false;
};

Reservation& reservation() {
  static Reservation* r = [] {
    auto* res = new Reservation;  // never freed: code may run until the process exits
    // Near Hull's code: its far end within 2 GiB of set_trap, trying 64 MiB steps outwards.
    const auto anchor = reinterpret_cast<uintptr_t>(&interp::set_trap);
    void* got = MAP_FAILED;
    constexpr uintptr_t kStep = uintptr_t{64} << 20;
    for (uintptr_t d = kStep; d <= (uintptr_t{768} << 20) && got == MAP_FAILED; d += kStep) {
      for (int sign : {-1, 1}) {
        const uintptr_t hint =
            ((sign < 0 ? anchor - d - kReservation : anchor + d) + kStep - 1) & ~(kStep - 1);
        void* p = mmap(reinterpret_cast<void*>(hint), kReservation, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (p != MAP_FAILED) {
          got = p;
          break;
        }
      }
    }
    // Anywhere: calls then go through veneers, and stencils that read Hull's data directly
    // fall back to the interpreter's handlers (compiler.cc).
    if (got == MAP_FAILED)
      got = mmap(nullptr, kReservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                 0);
    if (got == MAP_FAILED) {
      res->failed = true;
      return res;
    }
    res->base = static_cast<uint8_t*>(got);
    res->size = kReservation;
    res->free[0] = kReservation;
    return res;
  }();
  return *r;
}

}  // namespace

CodeRegion::~CodeRegion() {
  Reservation& r = reservation();
  // Gone from the address space's point of view first: nothing may run it any more.
  mmap(base_, size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  std::lock_guard lock(r.mu);
  size_t off = static_cast<size_t>(base_ - r.base);
  size_t len = size_;
  auto next = r.free.lower_bound(off);
  if (next != r.free.end() && off + len == next->first) {
    len += next->second;
    next = r.free.erase(next);
  }
  if (next != r.free.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == off) {
      prev->second += len;
      return;
    }
  }
  r.free[off] = len;
}

bool CodeRegion::seal() { return mprotect(base_, size_, PROT_READ | PROT_EXEC) == 0; }

Result<std::unique_ptr<CodeRegion>> allocate_code(size_t bytes) {
  Reservation& r = reservation();
  if (r.failed)
    return Error(ErrorKind::Limit, "baseline tier: cannot reserve address space for code");
  const size_t len = (bytes + kPage - 1) & ~(kPage - 1);
  size_t off = 0;
  {
    std::lock_guard lock(r.mu);
    auto it = r.free.begin();
    while (it != r.free.end() && it->second < len) ++it;
    if (it == r.free.end())
      return Error(ErrorKind::Limit,
                   "baseline tier: its 1 GiB of machine code is used up (by the modules alive; "
                   "run the rest with --tier interp)");
    off = it->first;
    const size_t rest = it->second - len;
    r.free.erase(it);
    if (rest) r.free[off + len] = rest;
  }
  uint8_t* p = r.base + off;
  if (mprotect(p, len, PROT_READ | PROT_WRITE) != 0) {
    auto region = std::make_unique<CodeRegion>(p, len);  // gives the pages back
    return Error(ErrorKind::Limit, "baseline tier: cannot map code memory");
  }
  return std::make_unique<CodeRegion>(p, len);
}

size_t code_reservation() { return kReservation; }

bool reachable_from_code(uintptr_t target) {
  Reservation& r = reservation();
  if (r.failed) return false;
  const auto lo = reinterpret_cast<uintptr_t>(r.base);
  const uintptr_t hi = lo + r.size;
  constexpr intptr_t kMax = INT32_MAX;
  const intptr_t d1 = static_cast<intptr_t>(target - lo);
  const intptr_t d2 = static_cast<intptr_t>(target - hi);
  return d1 < kMax && d1 > -kMax && d2 < kMax && d2 > -kMax;
}

}  // namespace hull::baseline
