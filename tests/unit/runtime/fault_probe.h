// Test helpers shared by the guarded-memory tests: touch an address as guest code of a store
// would (inside a pushed WasmEntry) and report whether the signal handler caught a fault.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "runtime/signals.h"
#include "runtime/store.h"

namespace hull::test {

inline constexpr uint64_t kPage = 65536;

inline MemoryType mem_type(uint64_t min, std::optional<uint64_t> max) {
  MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  return t;
}

// Returns the fault address the handler recorded, or nullptr if the access completed.
// `in_guest == false` models a host function the guest called: its faults are not the guest's.
inline void* probe(const Store& store, uintptr_t addr, bool write = false, bool in_guest = true) {
  WasmEntry entry;
  entry.store = &store;
  entry.in_guest = in_guest;
  entry.prev = t_wasm_entry;
  if (sigsetjmp(entry.jump, 0) == 0) {
    t_wasm_entry = &entry;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    volatile uint8_t* p = reinterpret_cast<volatile uint8_t*>(addr);
    if (write) {
      *p = 1;
    } else {
      (void)*p;
    }
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t_wasm_entry = entry.prev;
    return nullptr;
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_wasm_entry = entry.prev;
  return entry.fault_address;
}

inline uintptr_t addr_of(const uint8_t* p) { return reinterpret_cast<uintptr_t>(p); }

// For death-test children: a fault reading ADDR must reach the previously installed handler (which
// exits). A fault the handler swallowed as a guest trap exits 3; no fault at all exits 2.
[[noreturn]] inline void touch_expecting_chain(const Store& store, uintptr_t addr,
                                               bool in_guest = true) {
  if (probe(store, addr, /*write=*/false, in_guest) != nullptr) _exit(3);
  _exit(2);
}

// Caps this process's address space at its current size (sanitizer shadow included) plus
// HEADROOM, so that a 4 GiB guarded reservation no longer fits. For death-test children only.
inline bool cap_address_space(uint64_t headroom) {
  FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  const bool read = f && std::fscanf(f, "%lu", &pages) == 1;
  if (f) std::fclose(f);
  if (!read) return false;
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + headroom;
  return setrlimit(RLIMIT_AS, &rl) == 0;
}

}  // namespace hull::test
