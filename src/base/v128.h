// V128: the 128-bit SIMD value, stored little-endian as the spec defines lanes.
#pragma once

#include <cstdint>
#include <cstring>

namespace hull {

struct alignas(16) V128 {
  uint8_t bytes[16];

  template <class Lane>
  Lane lane(unsigned i) const {
    Lane v;
    std::memcpy(&v, bytes + i * sizeof(Lane), sizeof(Lane));
    return v;
  }
  template <class Lane>
  void set_lane(unsigned i, Lane v) {
    std::memcpy(bytes + i * sizeof(Lane), &v, sizeof(Lane));
  }
  static V128 zero() { return V128{}; }
  friend bool operator==(const V128& a, const V128& b) {
    return std::memcmp(a.bytes, b.bytes, 16) == 0;
  }
};

}  // namespace hull
