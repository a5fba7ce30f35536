// Values at the runtime's edges (API, host calls, globals): a tagged union. Inside the
// interpreter values are untagged 8-byte slots (v128 takes two).
#pragma once

#include <cstdint>
#include <cstring>

#include "base/v128.h"
#include "spec/types.h"

namespace hull {

struct Function;

// A reference is a pointer-sized word; null is 0. funcref points to a Function; the other
// kinds are described in runtime/gc_heap.h.
using RefBits = uintptr_t;

// What a reference word of the any/extern hierarchies points at (runtime/gc_heap.h): the
// first byte of every such object, so that casts tell a host object from a struct or array.
enum class RefObjectKind : uint8_t { Host = 1, Struct = 2, Array = 3 };

// Host data wrapped as an externref (Store::new_externref, the wast script's `(ref.extern N)`).
// Allocated in the store's GC heap (GcHeap::allocate_host) and freed by its collector once
// nothing refers to it -- then, or when the store is destroyed, `finalizer` (if any) is called
// with the value, so the host can release what the value stands for.
struct ExternObject {
  RefObjectKind kind = RefObjectKind::Host;
  bool marked = false;  // at GcObject::marked's offset: the collector marks both alike
  uint64_t host_value = 0;
  void (*finalizer)(uint64_t host_value) = nullptr;
};

struct Val {
  ValType type = ValType::i32();
  union {
    uint32_t i32;
    uint64_t i64;
    float f32;
    double f64;
    V128 v128;
    RefBits ref;
  };

  Val() : v128{} {}
  static Val from_i32(uint32_t v) { Val x; x.type = ValType::i32(); x.i32 = v; return x; }
  static Val from_i64(uint64_t v) { Val x; x.type = ValType::i64(); x.i64 = v; return x; }
  static Val from_f32_bits(uint32_t b) { Val x; x.type = ValType::f32(); std::memcpy(&x.f32, &b, 4); return x; }
  static Val from_f64_bits(uint64_t b) { Val x; x.type = ValType::f64(); std::memcpy(&x.f64, &b, 8); return x; }
  static Val from_v128(V128 v) { Val x; x.type = ValType::v128(); x.v128 = v; return x; }
  static Val from_ref(ValType t, RefBits r) { Val x; x.type = t; x.ref = r; return x; }

  // Slot encoding: how this value is stored in the interpreter's 8-byte slots.
  void store_slots(uint64_t* slots) const;
  static Val load_slots(ValType t, const uint64_t* slots);
};

}  // namespace hull
