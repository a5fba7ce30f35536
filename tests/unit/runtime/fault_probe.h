// Test helpers shared by the guarded-memory tests: touch an address as guest code of a store
// would (inside a pushed WasmEntry) and report whether the signal handler caught a fault.
#pragma once

#include <atomic>
#include <csetjmp>
#include <cstdint>
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
inline void* probe(const Store& store, uintptr_t addr, bool write = false) {
  WasmEntry entry;
  entry.store = &store;
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

}  // namespace hull::test
