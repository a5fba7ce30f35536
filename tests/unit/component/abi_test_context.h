// A LiftLowerContext over a plain byte vector for the canonical ABI tests: a configurable
// realloc (bump allocator, or one that misbehaves) that records every call, and a trivial
// handle table.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "component/abi/canon_abi.h"

namespace hull::component::testing {

namespace ac = hull::api::component;

struct ReallocCall {
  uint32_t old_ptr, old_size, align, new_size;
  bool operator==(const ReallocCall&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const ReallocCall& c) {
  return os << "realloc(" << c.old_ptr << ", " << c.old_size << ", " << c.align << ", "
            << c.new_size << ")";
}

class TestContext : public LiftLowerContext {
 public:
  enum class Realloc {
    Bump,         // fresh aligned block; shrinking keeps the block; growing copies the contents
    OutOfBounds,  // returns a pointer with the block running one byte past the end of memory
    Misaligned,   // the bump result plus one
    Trap,         // the guest traps
  };

  explicit TestContext(size_t memory_bytes = 65536, StringEncoding enc = StringEncoding::Utf8)
      : mem(memory_bytes, 0) {
    encoding = enc;
  }

  std::vector<uint8_t> mem;
  Realloc mode = Realloc::Bump;
  uint32_t next = 64;  // bump pointer; below it is scratch space for the tests
  std::vector<ReallocCall> calls;
  // When set, decides realloc's result (after the call is recorded).
  std::function<api::Result<uint32_t>(const ReallocCall&)> custom;

  uint8_t* memory_data() override { return mem.empty() ? nullptr : mem.data(); }
  uint64_t memory_size() override { return mem.size(); }

  api::Result<uint32_t> realloc(uint32_t old_ptr, uint32_t old_size, uint32_t align,
                                uint32_t new_size) override {
    ReallocCall c{old_ptr, old_size, align, new_size};
    calls.push_back(c);
    if (custom) return custom(c);
    switch (mode) {
      case Realloc::Trap: return api::Trap{api::TrapCode::Unreachable, "unreachable", {}, {}};
      case Realloc::OutOfBounds: {
        uint64_t p = mem.size() - new_size + 1;
        return static_cast<uint32_t>((p + align - 1) / align * align);
      }
      default: break;
    }
    uint32_t r;
    if (old_ptr != 0 && new_size <= old_size) {
      r = old_ptr;
    } else {
      r = bump(align, new_size);
      if (old_ptr != 0 && old_size != 0)
        std::memmove(mem.data() + r, mem.data() + old_ptr, old_size);
    }
    return mode == Realloc::Misaligned ? r + 1 : r;
  }

  uint32_t bump(uint32_t align, uint32_t size) {
    next = (next + align - 1) / align * align;
    uint32_t r = next;
    next += size;
    return r;
  }

  // Handles: index i (from 1) holds table[i - 1].
  std::vector<std::optional<ac::ResourceAny>> table;
  api::Result<uint32_t> lower_own(const ac::ResourceAny& r, const ac::ResourceRef&) override {
    table.push_back(r);
    return static_cast<uint32_t>(table.size());
  }
  api::Result<uint32_t> lower_borrow(const ac::ResourceAny& r, const ac::ResourceRef&) override {
    ac::ResourceAny b = r;
    b.own = false;
    table.push_back(b);
    return static_cast<uint32_t>(table.size());
  }
  api::Result<ac::ResourceAny> lift_own(uint32_t index, const ac::ResourceRef&) override {
    if (index == 0 || index > table.size() || !table[index - 1] || !table[index - 1]->own)
      return abi_trap("unknown handle index " + std::to_string(index));
    ac::ResourceAny r = *table[index - 1];
    table[index - 1].reset();
    return r;
  }
  api::Result<ac::ResourceAny> lift_borrow(uint32_t index, const ac::ResourceRef&) override {
    if (index == 0 || index > table.size() || !table[index - 1])
      return abi_trap("unknown handle index " + std::to_string(index));
    ac::ResourceAny r = *table[index - 1];
    r.own = false;
    return r;
  }

  void put(uint32_t at, const std::vector<uint8_t>& bytes) {
    if (!bytes.empty()) std::memcpy(mem.data() + at, bytes.data(), bytes.size());
  }
  void put32(uint32_t at, uint32_t v) { std::memcpy(mem.data() + at, &v, 4); }
  uint32_t get32(uint32_t at) const {
    uint32_t v;
    std::memcpy(&v, mem.data() + at, 4);
    return v;
  }
  std::vector<uint8_t> bytes(uint32_t at, size_t n) const {
    return std::vector<uint8_t>(mem.begin() + at, mem.begin() + at + n);
  }
};

// The trap message of a failed result (or a note that it did not trap).
template <class R>
std::string trap_message(const R& r) {
  if (r.ok()) return "<no error>";
  if (!r.error().is_trap()) return "<not a trap: " + r.error().message + ">";
  if (r.error().trap->code != api::TrapCode::Component &&
      r.error().trap->code != api::TrapCode::Unreachable)
    return "<wrong trap code: " + r.error().message + ">";
  return r.error().trap->message;
}

inline ac::Type prim(ac::TypeKind k) { return ac::Type::prim(k); }

}  // namespace hull::component::testing
