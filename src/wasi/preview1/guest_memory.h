// Bounds-checked access to the guest's linear memory for the preview 1 bindings: every pointer
// and length the guest passes is checked against the current size before use.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hull::wasi::p1 {

class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  // True when [ptr, ptr+len) lies inside memory (64-bit arithmetic: no wraparound).
  bool ok(uint32_t ptr, uint64_t len) const {
    return base_ != nullptr && static_cast<uint64_t>(ptr) + len <= size_;
  }
  // The host address of a checked range, or nullptr.
  uint8_t* span(uint32_t ptr, uint64_t len) const { return ok(ptr, len) ? base_ + ptr : nullptr; }

  template <class T>
  bool load(uint32_t ptr, T* out) const {
    if (!ok(ptr, sizeof(T))) return false;
    std::memcpy(out, base_ + ptr, sizeof(T));  // wasm is little-endian, like our hosts
    return true;
  }
  template <class T>
  bool store(uint32_t ptr, T v) const {
    if (!ok(ptr, sizeof(T))) return false;
    std::memcpy(base_ + ptr, &v, sizeof(T));
    return true;
  }
  // Copies a guest string (not NUL-terminated) out.
  bool string(uint32_t ptr, uint32_t len, std::string* out) const {
    if (!ok(ptr, len)) return false;
    out->assign(reinterpret_cast<const char*>(base_ + ptr), len);
    return true;
  }
  uint64_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace hull::wasi::p1
