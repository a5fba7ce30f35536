// Exact WebAssembly 128-bit SIMD semantics (incl. relaxed SIMD) as inline functions on V128.
#pragma once

// Conventions: see interp/numeric.h (naming = mnemonic with '.' -> '_', operands in stack
// order, scalar types i32 -> uint32_t, i64 -> uint64_t, f32 -> float, f64 -> double).
// Immediates come AFTER the operands:
//   i8x16_extract_lane_s(v, lane)      i32x4_replace_lane(v, x, lane)
//   i8x16_shuffle(a, b, lanes)         lanes = the 16 lane-index bytes (each < 32)
// Lane indices are masked to the lane count (validation guarantees they are in range; the
// mask only keeps a corrupt immediate from reading out of bounds).
// Memory-op helpers take the loaded VALUE, not an address: v128_load8x8_s(uint64_t bits),
// v128_load32_splat(uint32_t), v128_load64_zero(uint64_t), v128_load16_lane(v, x, lane),
// v128_store16_lane(v, lane) -> the value to store.
// Lanes are little-endian: lane i of an iNxM vector is bytes [i*N/8, (i+1)*N/8).
//
// Relaxed SIMD: Hull picks ONE deterministic behaviour for each instruction, allowed by the
// relaxed-SIMD spec and identical on every host:
//   i8x16.relaxed_swizzle              = i8x16.swizzle (index >= 16 -> 0)
//   i32x4.relaxed_trunc_f32x4_s/_u,
//   i32x4.relaxed_trunc_f64x2_s/u_zero = the matching trunc_sat (NaN -> 0, saturate)
//   f32x4/f64x2.relaxed_madd           = unfused: round(round(a*b) + c)
//   f32x4/f64x2.relaxed_nmadd          = unfused: round(round(-(a*b)) + c)
//   iNxM.relaxed_laneselect            = v128.bitselect (bitwise, every mask bit counts)
//   f32x4/f64x2.relaxed_min/max        = f32x4/f64x2.min/max (NaN propagates, -0 < +0)
//   i16x8.relaxed_q15mulr_s            = i16x8.q15mulr_sat_s (saturates -1*-1 to 0x7fff)
//   i16x8.relaxed_dot_i8x16_i7x16_s    = signed*signed products, pairwise sum saturated to i16
//   i32x4.relaxed_dot_i8x16_i7x16_add_s = signed*signed products, sum of 4 in i32, + c (wraps)

#include <cstdint>
#include <cstring>

#include "base/v128.h"
#include "interp/numeric.h"

// Optional x86 fast paths for ops the compiler does not vectorise well from lane loops
// (bitmask: SSE2, always on x86-64; swizzle and q15mulr: SSSE3, only when the build enables
// it, e.g. -mssse3 or -march=x86-64-v2). Each computes bit-identical results to the portable
// lane loop kept as the fallback; the unit tests pass with either.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSSE3__)
#include <tmmintrin.h>
#endif

namespace hull::num {

namespace detail {

#if defined(__SSE2__)
inline __m128i to_m(V128 v) { return _mm_load_si128(reinterpret_cast<const __m128i*>(v.bytes)); }
inline V128 from_m(__m128i m) {
  V128 r;
  _mm_store_si128(reinterpret_cast<__m128i*>(r.bytes), m);
  return r;
}
#endif

// A V128 viewed as an array of lanes; memcpy in and out compiles to plain vector moves.
template <class L>
struct Lanes {
  static constexpr unsigned kCount = 16 / sizeof(L);
  L v[kCount];
};

template <class L>
inline Lanes<L> split(V128 a) {
  Lanes<L> r;
  std::memcpy(r.v, a.bytes, 16);
  return r;
}

template <class L>
inline V128 join(const Lanes<L>& l) {
  V128 r;
  std::memcpy(r.bytes, l.v, 16);
  return r;
}

template <class L, class Fn>
inline V128 map1(V128 a, Fn f) {
  Lanes<L> x = split<L>(a), r;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r.v[i] = static_cast<L>(f(x.v[i]));
  return join(r);
}

template <class L, class Fn>
inline V128 map2(V128 a, V128 b, Fn f) {
  Lanes<L> x = split<L>(a), y = split<L>(b), r;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r.v[i] = static_cast<L>(f(x.v[i], y.v[i]));
  return join(r);
}

// Lane-wise comparison: the result lane is all ones when `f` holds, else zero. `U` is the
// unsigned integer type of the same width as `L`.
template <class L, class U, class Fn>
inline V128 cmp(V128 a, V128 b, Fn f) {
  Lanes<L> x = split<L>(a), y = split<L>(b);
  Lanes<U> r;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r.v[i] = f(x.v[i], y.v[i]) ? U(~U(0)) : U(0);
  return join(r);
}

template <class L, class Wide>
inline L sat(Wide x) {
  constexpr Wide kMin = Wide(std::numeric_limits<L>::min());
  constexpr Wide kMax = Wide(std::numeric_limits<L>::max());
  return static_cast<L>(x < kMin ? kMin : (x > kMax ? kMax : x));
}

template <class L>
inline V128 splat(L x) {
  Lanes<L> r;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r.v[i] = x;
  return join(r);
}

template <class L>
inline bool all_true(V128 a) {
  Lanes<L> x = split<L>(a);
  bool r = true;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r &= x.v[i] != 0;
  return r;
}

// Top bit of each lane (L signed), lane 0 -> bit 0.
template <class L>
inline uint32_t bitmask(V128 a) {
#if defined(__SSE2__)
  __m128i m = to_m(a);
  if constexpr (sizeof(L) == 1) {
    return uint32_t(_mm_movemask_epi8(m));
  } else if constexpr (sizeof(L) == 2) {
    return uint32_t(_mm_movemask_epi8(_mm_packs_epi16(m, _mm_setzero_si128())));
  } else if constexpr (sizeof(L) == 4) {
    return uint32_t(_mm_movemask_ps(_mm_castsi128_ps(m)));
  } else {
    return uint32_t(_mm_movemask_pd(_mm_castsi128_pd(m)));
  }
#else
  Lanes<L> x = split<L>(a);
  uint32_t r = 0;
  for (unsigned i = 0; i < Lanes<L>::kCount; ++i) r |= uint32_t(x.v[i] < 0) << i;
  return r;
#endif
}

// Shifts: the count is taken modulo the lane width.
template <class U>
inline V128 shl(V128 a, uint32_t s) {
  unsigned n = s & (sizeof(U) * 8 - 1);
  return map1<U>(a, [n](U x) { return U(x << n); });
}
template <class S>
inline V128 shr(V128 a, uint32_t s) {
  unsigned n = s & (sizeof(S) * 8 - 1);
  return map1<S>(a, [n](S x) { return S(x >> n); });
}

// Two's-complement negate/abs computed in the unsigned type (INT_MIN stays INT_MIN).
template <class U>
inline V128 neg(V128 a) {
  return map1<U>(a, [](U x) { return U(U(0) - x); });
}
template <class U>
inline V128 abs(V128 a) {
  return map1<U>(a, [](U x) {
    constexpr U kTop = U(U(1) << (sizeof(U) * 8 - 1));
    return (x & kTop) ? U(U(0) - x) : x;
  });
}

// Narrow a (low half) then b (high half), saturating each signed `From` lane into `To`.
template <class To, class From>
inline V128 narrow(V128 a, V128 b) {
  Lanes<From> x = split<From>(a), y = split<From>(b);
  Lanes<To> r;
  constexpr unsigned n = Lanes<From>::kCount;
  for (unsigned i = 0; i < n; ++i) r.v[i] = sat<To>(int32_t(x.v[i]));
  for (unsigned i = 0; i < n; ++i) r.v[n + i] = sat<To>(int32_t(y.v[i]));
  return join(r);
}

// Widen lanes [first, first + half) of `From` into `To` (sign or zero extension by type).
template <class To, class From>
inline V128 extend(V128 a, unsigned first) {
  Lanes<From> x = split<From>(a);
  Lanes<To> r;
  for (unsigned i = 0; i < Lanes<To>::kCount; ++i) r.v[i] = To(x.v[first + i]);
  return join(r);
}

template <class To, class From>
inline V128 extadd_pairwise(V128 a) {
  Lanes<From> x = split<From>(a);
  Lanes<To> r;
  for (unsigned i = 0; i < Lanes<To>::kCount; ++i) r.v[i] = To(To(x.v[2 * i]) + To(x.v[2 * i + 1]));
  return join(r);
}

// Widening multiply of lanes [first, first + half); `To` is wide enough for the exact product
// except i64x2 signed/unsigned, where the product of two 32-bit values fits 64 bits too.
template <class To, class From>
inline V128 extmul(V128 a, V128 b, unsigned first) {
  Lanes<From> x = split<From>(a), y = split<From>(b);
  Lanes<To> r;
  for (unsigned i = 0; i < Lanes<To>::kCount; ++i) {
    r.v[i] = To(To(x.v[first + i]) * To(y.v[first + i]));
  }
  return join(r);
}

template <class F>
inline F pmin(F a, F b) {
  return b < a ? b : a;
}
template <class F>
inline F pmax(F a, F b) {
  return a < b ? b : a;
}

}  // namespace detail

// ---- constants, shuffles, splats, lanes ----------------------------------------------------

inline V128 i8x16_shuffle(V128 a, V128 b, const uint8_t* lanes) {
  uint8_t both[32];
  std::memcpy(both, a.bytes, 16);
  std::memcpy(both + 16, b.bytes, 16);
  V128 r;
  for (unsigned i = 0; i < 16; ++i) r.bytes[i] = both[lanes[i] & 31];
  return r;
}
inline V128 i8x16_shuffle(V128 a, V128 b, V128 lanes) { return i8x16_shuffle(a, b, lanes.bytes); }

inline V128 i8x16_swizzle(V128 a, V128 s) {
#if defined(__SSSE3__)
  // pshufb zeroes a lane when the index byte has its top bit set; adding 0x70 with unsigned
  // saturation sets it for every index >= 16 and keeps the low 4 bits of indices 0..15.
  __m128i idx = _mm_adds_epu8(detail::to_m(s), _mm_set1_epi8(0x70));
  return detail::from_m(_mm_shuffle_epi8(detail::to_m(a), idx));
#else
  V128 r;
  for (unsigned i = 0; i < 16; ++i) r.bytes[i] = s.bytes[i] < 16 ? a.bytes[s.bytes[i]] : 0;
  return r;
#endif
}

inline V128 i8x16_splat(uint32_t x) { return detail::splat<uint8_t>(uint8_t(x)); }
inline V128 i16x8_splat(uint32_t x) { return detail::splat<uint16_t>(uint16_t(x)); }
inline V128 i32x4_splat(uint32_t x) { return detail::splat<uint32_t>(x); }
inline V128 i64x2_splat(uint64_t x) { return detail::splat<uint64_t>(x); }
inline V128 f32x4_splat(float x) { return detail::splat<float>(x); }
inline V128 f64x2_splat(double x) { return detail::splat<double>(x); }

inline uint32_t i8x16_extract_lane_s(V128 v, uint32_t lane) {
  return uint32_t(int32_t(v.lane<int8_t>(lane & 15)));
}
inline uint32_t i8x16_extract_lane_u(V128 v, uint32_t lane) { return v.lane<uint8_t>(lane & 15); }
inline uint32_t i16x8_extract_lane_s(V128 v, uint32_t lane) {
  return uint32_t(int32_t(v.lane<int16_t>(lane & 7)));
}
inline uint32_t i16x8_extract_lane_u(V128 v, uint32_t lane) { return v.lane<uint16_t>(lane & 7); }
inline uint32_t i32x4_extract_lane(V128 v, uint32_t lane) { return v.lane<uint32_t>(lane & 3); }
inline uint64_t i64x2_extract_lane(V128 v, uint32_t lane) { return v.lane<uint64_t>(lane & 1); }
inline float f32x4_extract_lane(V128 v, uint32_t lane) { return v.lane<float>(lane & 3); }
inline double f64x2_extract_lane(V128 v, uint32_t lane) { return v.lane<double>(lane & 1); }

inline V128 i8x16_replace_lane(V128 v, uint32_t x, uint32_t lane) {
  v.set_lane<uint8_t>(lane & 15, uint8_t(x));
  return v;
}
inline V128 i16x8_replace_lane(V128 v, uint32_t x, uint32_t lane) {
  v.set_lane<uint16_t>(lane & 7, uint16_t(x));
  return v;
}
inline V128 i32x4_replace_lane(V128 v, uint32_t x, uint32_t lane) {
  v.set_lane<uint32_t>(lane & 3, x);
  return v;
}
inline V128 i64x2_replace_lane(V128 v, uint64_t x, uint32_t lane) {
  v.set_lane<uint64_t>(lane & 1, x);
  return v;
}
inline V128 f32x4_replace_lane(V128 v, float x, uint32_t lane) {
  v.set_lane<float>(lane & 3, x);
  return v;
}
inline V128 f64x2_replace_lane(V128 v, double x, uint32_t lane) {
  v.set_lane<double>(lane & 1, x);
  return v;
}

// ---- memory-op value helpers ---------------------------------------------------------------

inline V128 v128_load8x8_s(uint64_t bits) {
  return detail::extend<int16_t, int8_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load8x8_u(uint64_t bits) {
  return detail::extend<uint16_t, uint8_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load16x4_s(uint64_t bits) {
  return detail::extend<int32_t, int16_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load16x4_u(uint64_t bits) {
  return detail::extend<uint32_t, uint16_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load32x2_s(uint64_t bits) {
  return detail::extend<int64_t, int32_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load32x2_u(uint64_t bits) {
  return detail::extend<uint64_t, uint32_t>(i64x2_splat(bits), 0);
}
inline V128 v128_load8_splat(uint32_t x) { return i8x16_splat(x); }
inline V128 v128_load16_splat(uint32_t x) { return i16x8_splat(x); }
inline V128 v128_load32_splat(uint32_t x) { return i32x4_splat(x); }
inline V128 v128_load64_splat(uint64_t x) { return i64x2_splat(x); }
inline V128 v128_load32_zero(uint32_t x) {
  V128 r{};
  r.set_lane<uint32_t>(0, x);
  return r;
}
inline V128 v128_load64_zero(uint64_t x) {
  V128 r{};
  r.set_lane<uint64_t>(0, x);
  return r;
}
inline V128 v128_load8_lane(V128 v, uint32_t x, uint32_t lane) {
  return i8x16_replace_lane(v, x, lane);
}
inline V128 v128_load16_lane(V128 v, uint32_t x, uint32_t lane) {
  return i16x8_replace_lane(v, x, lane);
}
inline V128 v128_load32_lane(V128 v, uint32_t x, uint32_t lane) {
  return i32x4_replace_lane(v, x, lane);
}
inline V128 v128_load64_lane(V128 v, uint64_t x, uint32_t lane) {
  return i64x2_replace_lane(v, x, lane);
}
inline uint32_t v128_store8_lane(V128 v, uint32_t lane) { return i8x16_extract_lane_u(v, lane); }
inline uint32_t v128_store16_lane(V128 v, uint32_t lane) { return i16x8_extract_lane_u(v, lane); }
inline uint32_t v128_store32_lane(V128 v, uint32_t lane) { return i32x4_extract_lane(v, lane); }
inline uint64_t v128_store64_lane(V128 v, uint32_t lane) { return i64x2_extract_lane(v, lane); }

// ---- integer comparisons -------------------------------------------------------------------

#define HULL_SIMD_ICMP(shape, S, U)                                  \
  inline V128 shape##_eq(V128 a, V128 b) {                           \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x == y; }); \
  }                                                                  \
  inline V128 shape##_ne(V128 a, V128 b) {                           \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x != y; }); \
  }                                                                  \
  inline V128 shape##_lt_s(V128 a, V128 b) {                         \
    return detail::cmp<S, U>(a, b, [](S x, S y) { return x < y; });  \
  }                                                                  \
  inline V128 shape##_gt_s(V128 a, V128 b) {                         \
    return detail::cmp<S, U>(a, b, [](S x, S y) { return x > y; });  \
  }                                                                  \
  inline V128 shape##_le_s(V128 a, V128 b) {                         \
    return detail::cmp<S, U>(a, b, [](S x, S y) { return x <= y; }); \
  }                                                                  \
  inline V128 shape##_ge_s(V128 a, V128 b) {                         \
    return detail::cmp<S, U>(a, b, [](S x, S y) { return x >= y; }); \
  }

#define HULL_SIMD_ICMP_U(shape, U)                                   \
  inline V128 shape##_lt_u(V128 a, V128 b) {                         \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x < y; });  \
  }                                                                  \
  inline V128 shape##_gt_u(V128 a, V128 b) {                         \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x > y; });  \
  }                                                                  \
  inline V128 shape##_le_u(V128 a, V128 b) {                         \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x <= y; }); \
  }                                                                  \
  inline V128 shape##_ge_u(V128 a, V128 b) {                         \
    return detail::cmp<U, U>(a, b, [](U x, U y) { return x >= y; }); \
  }

HULL_SIMD_ICMP(i8x16, int8_t, uint8_t)
HULL_SIMD_ICMP_U(i8x16, uint8_t)
HULL_SIMD_ICMP(i16x8, int16_t, uint16_t)
HULL_SIMD_ICMP_U(i16x8, uint16_t)
HULL_SIMD_ICMP(i32x4, int32_t, uint32_t)
HULL_SIMD_ICMP_U(i32x4, uint32_t)
HULL_SIMD_ICMP(i64x2, int64_t, uint64_t)  // i64x2 has no unsigned orderings
#undef HULL_SIMD_ICMP
#undef HULL_SIMD_ICMP_U

// ---- float comparisons ---------------------------------------------------------------------

#define HULL_SIMD_FCMP(shape, F, U)                                  \
  inline V128 shape##_eq(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x == y; }); \
  }                                                                  \
  inline V128 shape##_ne(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x != y; }); \
  }                                                                  \
  inline V128 shape##_lt(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x < y; });  \
  }                                                                  \
  inline V128 shape##_gt(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x > y; });  \
  }                                                                  \
  inline V128 shape##_le(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x <= y; }); \
  }                                                                  \
  inline V128 shape##_ge(V128 a, V128 b) {                           \
    return detail::cmp<F, U>(a, b, [](F x, F y) { return x >= y; }); \
  }

HULL_SIMD_FCMP(f32x4, float, uint32_t)
HULL_SIMD_FCMP(f64x2, double, uint64_t)
#undef HULL_SIMD_FCMP

// ---- v128 bitwise --------------------------------------------------------------------------

inline V128 v128_not(V128 a) {
  return detail::map1<uint64_t>(a, [](uint64_t x) { return ~x; });
}
inline V128 v128_and(V128 a, V128 b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x & y; });
}
inline V128 v128_andnot(V128 a, V128 b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x & ~y; });
}
inline V128 v128_or(V128 a, V128 b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x | y; });
}
inline V128 v128_xor(V128 a, V128 b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x ^ y; });
}
// Bits of a where the mask c is 1, bits of b where it is 0.
inline V128 v128_bitselect(V128 a, V128 b, V128 c) {
  auto x = detail::split<uint64_t>(a), y = detail::split<uint64_t>(b),
       m = detail::split<uint64_t>(c);
  detail::Lanes<uint64_t> r;
  for (unsigned i = 0; i < 2; ++i) r.v[i] = (x.v[i] & m.v[i]) | (y.v[i] & ~m.v[i]);
  return detail::join(r);
}
inline uint32_t v128_any_true(V128 a) {
  auto x = detail::split<uint64_t>(a);
  return (x.v[0] | x.v[1]) != 0;
}

// ---- integer lane arithmetic ---------------------------------------------------------------

#define HULL_SIMD_IARITH(shape, S, U)                                            \
  inline V128 shape##_add(V128 a, V128 b) {                                      \
    return detail::map2<U>(a, b, [](U x, U y) { return U(x + y); });             \
  }                                                                              \
  inline V128 shape##_sub(V128 a, V128 b) {                                      \
    return detail::map2<U>(a, b, [](U x, U y) { return U(x - y); });             \
  }                                                                              \
  inline V128 shape##_neg(V128 a) { return detail::neg<U>(a); }                  \
  inline V128 shape##_abs(V128 a) { return detail::abs<U>(a); }                  \
  inline uint32_t shape##_all_true(V128 a) { return detail::all_true<U>(a); }    \
  inline uint32_t shape##_bitmask(V128 a) { return detail::bitmask<S>(a); }      \
  inline V128 shape##_shl(V128 a, uint32_t s) { return detail::shl<U>(a, s); }   \
  inline V128 shape##_shr_s(V128 a, uint32_t s) { return detail::shr<S>(a, s); } \
  inline V128 shape##_shr_u(V128 a, uint32_t s) { return detail::shr<U>(a, s); }

HULL_SIMD_IARITH(i8x16, int8_t, uint8_t)
HULL_SIMD_IARITH(i16x8, int16_t, uint16_t)
HULL_SIMD_IARITH(i32x4, int32_t, uint32_t)
HULL_SIMD_IARITH(i64x2, int64_t, uint64_t)
#undef HULL_SIMD_IARITH

// min/max exist for i8x16, i16x8, i32x4 only.
#define HULL_SIMD_IMINMAX(shape, S, U)                                    \
  inline V128 shape##_min_s(V128 a, V128 b) {                             \
    return detail::map2<S>(a, b, [](S x, S y) { return x < y ? x : y; }); \
  }                                                                       \
  inline V128 shape##_min_u(V128 a, V128 b) {                             \
    return detail::map2<U>(a, b, [](U x, U y) { return x < y ? x : y; }); \
  }                                                                       \
  inline V128 shape##_max_s(V128 a, V128 b) {                             \
    return detail::map2<S>(a, b, [](S x, S y) { return x > y ? x : y; }); \
  }                                                                       \
  inline V128 shape##_max_u(V128 a, V128 b) {                             \
    return detail::map2<U>(a, b, [](U x, U y) { return x > y ? x : y; }); \
  }

HULL_SIMD_IMINMAX(i8x16, int8_t, uint8_t)
HULL_SIMD_IMINMAX(i16x8, int16_t, uint16_t)
HULL_SIMD_IMINMAX(i32x4, int32_t, uint32_t)
#undef HULL_SIMD_IMINMAX

// Saturating add/sub and rounding average exist for i8x16 and i16x8 only.
#define HULL_SIMD_ISAT(shape, S, U)                                                        \
  inline V128 shape##_add_sat_s(V128 a, V128 b) {                                          \
    return detail::map2<S>(a, b, [](S x, S y) { return detail::sat<S>(int32_t(x) + y); }); \
  }                                                                                        \
  inline V128 shape##_add_sat_u(V128 a, V128 b) {                                          \
    return detail::map2<U>(a, b, [](U x, U y) { return detail::sat<U>(int32_t(x) + y); }); \
  }                                                                                        \
  inline V128 shape##_sub_sat_s(V128 a, V128 b) {                                          \
    return detail::map2<S>(a, b, [](S x, S y) { return detail::sat<S>(int32_t(x) - y); }); \
  }                                                                                        \
  inline V128 shape##_sub_sat_u(V128 a, V128 b) {                                          \
    return detail::map2<U>(a, b, [](U x, U y) { return detail::sat<U>(int32_t(x) - y); }); \
  }                                                                                        \
  inline V128 shape##_avgr_u(V128 a, V128 b) {                                             \
    return detail::map2<U>(a, b, [](U x, U y) { return U((uint32_t(x) + y + 1) >> 1); });  \
  }

HULL_SIMD_ISAT(i8x16, int8_t, uint8_t)
HULL_SIMD_ISAT(i16x8, int16_t, uint16_t)
#undef HULL_SIMD_ISAT

inline V128 i16x8_mul(V128 a, V128 b) {
  // Promote to uint32_t: uint16_t * uint16_t would multiply as (signed) int and overflow.
  return detail::map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return uint32_t(x) * y; });
}
inline V128 i32x4_mul(V128 a, V128 b) {
  return detail::map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x * y; });
}
inline V128 i64x2_mul(V128 a, V128 b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x * y; });
}

inline V128 i8x16_popcnt(V128 a) {
  return detail::map1<uint8_t>(a, [](uint8_t x) { return std::popcount(x); });
}

inline V128 i16x8_q15mulr_sat_s(V128 a, V128 b) {
#if defined(__SSSE3__)
  // pmulhrsw computes (a*b + 0x4000) >> 15 but wraps the one overflowing case (-1 * -1 in
  // Q15, 0x8000 * 0x8000) to 0x8000; flip exactly those lanes to 0x7fff.
  __m128i r = _mm_mulhrs_epi16(detail::to_m(a), detail::to_m(b));
  __m128i over = _mm_cmpeq_epi16(r, _mm_set1_epi16(int16_t(0x8000)));
  return detail::from_m(_mm_xor_si128(r, over));
#else
  return detail::map2<int16_t>(a, b, [](int16_t x, int16_t y) {
    return detail::sat<int16_t>((int32_t(x) * y + 0x4000) >> 15);
  });
#endif
}

inline V128 i8x16_narrow_i16x8_s(V128 a, V128 b) { return detail::narrow<int8_t, int16_t>(a, b); }
inline V128 i8x16_narrow_i16x8_u(V128 a, V128 b) { return detail::narrow<uint8_t, int16_t>(a, b); }
inline V128 i16x8_narrow_i32x4_s(V128 a, V128 b) { return detail::narrow<int16_t, int32_t>(a, b); }
inline V128 i16x8_narrow_i32x4_u(V128 a, V128 b) { return detail::narrow<uint16_t, int32_t>(a, b); }

inline V128 i16x8_extend_low_i8x16_s(V128 a) { return detail::extend<int16_t, int8_t>(a, 0); }
inline V128 i16x8_extend_high_i8x16_s(V128 a) { return detail::extend<int16_t, int8_t>(a, 8); }
inline V128 i16x8_extend_low_i8x16_u(V128 a) { return detail::extend<uint16_t, uint8_t>(a, 0); }
inline V128 i16x8_extend_high_i8x16_u(V128 a) { return detail::extend<uint16_t, uint8_t>(a, 8); }
inline V128 i32x4_extend_low_i16x8_s(V128 a) { return detail::extend<int32_t, int16_t>(a, 0); }
inline V128 i32x4_extend_high_i16x8_s(V128 a) { return detail::extend<int32_t, int16_t>(a, 4); }
inline V128 i32x4_extend_low_i16x8_u(V128 a) { return detail::extend<uint32_t, uint16_t>(a, 0); }
inline V128 i32x4_extend_high_i16x8_u(V128 a) { return detail::extend<uint32_t, uint16_t>(a, 4); }
inline V128 i64x2_extend_low_i32x4_s(V128 a) { return detail::extend<int64_t, int32_t>(a, 0); }
inline V128 i64x2_extend_high_i32x4_s(V128 a) { return detail::extend<int64_t, int32_t>(a, 2); }
inline V128 i64x2_extend_low_i32x4_u(V128 a) { return detail::extend<uint64_t, uint32_t>(a, 0); }
inline V128 i64x2_extend_high_i32x4_u(V128 a) { return detail::extend<uint64_t, uint32_t>(a, 2); }

inline V128 i16x8_extadd_pairwise_i8x16_s(V128 a) {
  return detail::extadd_pairwise<int16_t, int8_t>(a);
}
inline V128 i16x8_extadd_pairwise_i8x16_u(V128 a) {
  return detail::extadd_pairwise<uint16_t, uint8_t>(a);
}
inline V128 i32x4_extadd_pairwise_i16x8_s(V128 a) {
  return detail::extadd_pairwise<int32_t, int16_t>(a);
}
inline V128 i32x4_extadd_pairwise_i16x8_u(V128 a) {
  return detail::extadd_pairwise<uint32_t, uint16_t>(a);
}

// extmul: products are computed in a type wide enough for the exact result (int32_t for the
// 8/16-bit sources, int64_t/uint64_t for 32-bit), then truncated to the lane.
inline V128 i16x8_extmul_low_i8x16_s(V128 a, V128 b) {
  return detail::extmul<int16_t, int8_t>(a, b, 0);
}
inline V128 i16x8_extmul_high_i8x16_s(V128 a, V128 b) {
  return detail::extmul<int16_t, int8_t>(a, b, 8);
}
inline V128 i16x8_extmul_low_i8x16_u(V128 a, V128 b) {
  return detail::extmul<uint16_t, uint8_t>(a, b, 0);
}
inline V128 i16x8_extmul_high_i8x16_u(V128 a, V128 b) {
  return detail::extmul<uint16_t, uint8_t>(a, b, 8);
}
inline V128 i32x4_extmul_low_i16x8_s(V128 a, V128 b) {
  return detail::extmul<int32_t, int16_t>(a, b, 0);
}
inline V128 i32x4_extmul_high_i16x8_s(V128 a, V128 b) {
  return detail::extmul<int32_t, int16_t>(a, b, 4);
}
inline V128 i32x4_extmul_low_i16x8_u(V128 a, V128 b) {
  return detail::extmul<uint32_t, uint16_t>(a, b, 0);
}
inline V128 i32x4_extmul_high_i16x8_u(V128 a, V128 b) {
  return detail::extmul<uint32_t, uint16_t>(a, b, 4);
}
inline V128 i64x2_extmul_low_i32x4_s(V128 a, V128 b) {
  return detail::extmul<int64_t, int32_t>(a, b, 0);
}
inline V128 i64x2_extmul_high_i32x4_s(V128 a, V128 b) {
  return detail::extmul<int64_t, int32_t>(a, b, 2);
}
inline V128 i64x2_extmul_low_i32x4_u(V128 a, V128 b) {
  return detail::extmul<uint64_t, uint32_t>(a, b, 0);
}
inline V128 i64x2_extmul_high_i32x4_u(V128 a, V128 b) {
  return detail::extmul<uint64_t, uint32_t>(a, b, 2);
}

inline V128 i32x4_dot_i16x8_s(V128 a, V128 b) {
  auto x = detail::split<int16_t>(a), y = detail::split<int16_t>(b);
  detail::Lanes<uint32_t> r;
  for (unsigned i = 0; i < 4; ++i) {
    // Each product fits int32; their sum can reach 2^31 and wraps, so add as unsigned.
    r.v[i] = uint32_t(int32_t(x.v[2 * i]) * y.v[2 * i]) +
             uint32_t(int32_t(x.v[2 * i + 1]) * y.v[2 * i + 1]);
  }
  return detail::join(r);
}

// ---- float lane arithmetic -----------------------------------------------------------------

#define HULL_SIMD_FARITH(shape, F, p)                                          \
  inline V128 shape##_abs(V128 a) {                                            \
    return detail::map1<F>(a, [](F x) { return p##_abs(x); });                 \
  }                                                                            \
  inline V128 shape##_neg(V128 a) {                                            \
    return detail::map1<F>(a, [](F x) { return p##_neg(x); });                 \
  }                                                                            \
  inline V128 shape##_sqrt(V128 a) {                                           \
    return detail::map1<F>(a, [](F x) { return p##_sqrt(x); });                \
  }                                                                            \
  inline V128 shape##_ceil(V128 a) {                                           \
    return detail::map1<F>(a, [](F x) { return p##_ceil(x); });                \
  }                                                                            \
  inline V128 shape##_floor(V128 a) {                                          \
    return detail::map1<F>(a, [](F x) { return p##_floor(x); });               \
  }                                                                            \
  inline V128 shape##_trunc(V128 a) {                                          \
    return detail::map1<F>(a, [](F x) { return p##_trunc(x); });               \
  }                                                                            \
  inline V128 shape##_nearest(V128 a) {                                        \
    return detail::map1<F>(a, [](F x) { return p##_nearest(x); });             \
  }                                                                            \
  inline V128 shape##_add(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return x + y; });              \
  }                                                                            \
  inline V128 shape##_sub(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return x - y; });              \
  }                                                                            \
  inline V128 shape##_mul(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return x * y; });              \
  }                                                                            \
  inline V128 shape##_div(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return x / y; });              \
  }                                                                            \
  inline V128 shape##_min(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return p##_min(x, y); });      \
  }                                                                            \
  inline V128 shape##_max(V128 a, V128 b) {                                    \
    return detail::map2<F>(a, b, [](F x, F y) { return p##_max(x, y); });      \
  }                                                                            \
  inline V128 shape##_pmin(V128 a, V128 b) {                                   \
    return detail::map2<F>(a, b, [](F x, F y) { return detail::pmin(x, y); }); \
  }                                                                            \
  inline V128 shape##_pmax(V128 a, V128 b) {                                   \
    return detail::map2<F>(a, b, [](F x, F y) { return detail::pmax(x, y); }); \
  }

HULL_SIMD_FARITH(f32x4, float, f32)
HULL_SIMD_FARITH(f64x2, double, f64)
#undef HULL_SIMD_FARITH

// ---- conversions ---------------------------------------------------------------------------

inline V128 i32x4_trunc_sat_f32x4_s(V128 a) {
  auto x = detail::split<float>(a);
  detail::Lanes<uint32_t> r;
  for (unsigned i = 0; i < 4; ++i) r.v[i] = i32_trunc_sat_f32_s(x.v[i]);
  return detail::join(r);
}
inline V128 i32x4_trunc_sat_f32x4_u(V128 a) {
  auto x = detail::split<float>(a);
  detail::Lanes<uint32_t> r;
  for (unsigned i = 0; i < 4; ++i) r.v[i] = i32_trunc_sat_f32_u(x.v[i]);
  return detail::join(r);
}
inline V128 i32x4_trunc_sat_f64x2_s_zero(V128 a) {
  auto x = detail::split<double>(a);
  detail::Lanes<uint32_t> r{};
  for (unsigned i = 0; i < 2; ++i) r.v[i] = i32_trunc_sat_f64_s(x.v[i]);
  return detail::join(r);
}
inline V128 i32x4_trunc_sat_f64x2_u_zero(V128 a) {
  auto x = detail::split<double>(a);
  detail::Lanes<uint32_t> r{};
  for (unsigned i = 0; i < 2; ++i) r.v[i] = i32_trunc_sat_f64_u(x.v[i]);
  return detail::join(r);
}
inline V128 f32x4_convert_i32x4_s(V128 a) {
  auto x = detail::split<int32_t>(a);
  detail::Lanes<float> r;
  for (unsigned i = 0; i < 4; ++i) r.v[i] = static_cast<float>(x.v[i]);
  return detail::join(r);
}
inline V128 f32x4_convert_i32x4_u(V128 a) {
  auto x = detail::split<uint32_t>(a);
  detail::Lanes<float> r;
  for (unsigned i = 0; i < 4; ++i) r.v[i] = static_cast<float>(x.v[i]);
  return detail::join(r);
}
inline V128 f64x2_convert_low_i32x4_s(V128 a) {
  auto x = detail::split<int32_t>(a);
  detail::Lanes<double> r;
  for (unsigned i = 0; i < 2; ++i) r.v[i] = static_cast<double>(x.v[i]);
  return detail::join(r);
}
inline V128 f64x2_convert_low_i32x4_u(V128 a) {
  auto x = detail::split<uint32_t>(a);
  detail::Lanes<double> r;
  for (unsigned i = 0; i < 2; ++i) r.v[i] = static_cast<double>(x.v[i]);
  return detail::join(r);
}
inline V128 f32x4_demote_f64x2_zero(V128 a) {
  auto x = detail::split<double>(a);
  detail::Lanes<float> r{};
  for (unsigned i = 0; i < 2; ++i) r.v[i] = f32_demote_f64(x.v[i]);
  return detail::join(r);
}
inline V128 f64x2_promote_low_f32x4(V128 a) {
  auto x = detail::split<float>(a);
  detail::Lanes<double> r;
  for (unsigned i = 0; i < 2; ++i) r.v[i] = f64_promote_f32(x.v[i]);
  return detail::join(r);
}

// ---- relaxed SIMD (deterministic choices listed at the top of this file) -------------------

inline V128 i8x16_relaxed_swizzle(V128 a, V128 s) { return i8x16_swizzle(a, s); }
inline V128 i32x4_relaxed_trunc_f32x4_s(V128 a) { return i32x4_trunc_sat_f32x4_s(a); }
inline V128 i32x4_relaxed_trunc_f32x4_u(V128 a) { return i32x4_trunc_sat_f32x4_u(a); }
inline V128 i32x4_relaxed_trunc_f64x2_s_zero(V128 a) { return i32x4_trunc_sat_f64x2_s_zero(a); }
inline V128 i32x4_relaxed_trunc_f64x2_u_zero(V128 a) { return i32x4_trunc_sat_f64x2_u_zero(a); }

namespace detail {

// Unfused multiply-add: two roundings. Contraction is disabled so -march=...+fma or
// -ffp-contract=fast cannot turn it into a (differently rounded) fma.
template <class F>
inline V128 madd(V128 a, V128 b, V128 c, bool negate) {
#ifdef __clang__
#pragma clang fp contract(off)
#endif
  Lanes<F> x = split<F>(a), y = split<F>(b), z = split<F>(c), r;
  for (unsigned i = 0; i < Lanes<F>::kCount; ++i) {
    F p = x.v[i] * y.v[i];
    if (negate) p = -p;
    r.v[i] = p + z.v[i];
  }
  return join(r);
}

}  // namespace detail

inline V128 f32x4_relaxed_madd(V128 a, V128 b, V128 c) {
  return detail::madd<float>(a, b, c, false);
}
inline V128 f32x4_relaxed_nmadd(V128 a, V128 b, V128 c) {
  return detail::madd<float>(a, b, c, true);
}
inline V128 f64x2_relaxed_madd(V128 a, V128 b, V128 c) {
  return detail::madd<double>(a, b, c, false);
}
inline V128 f64x2_relaxed_nmadd(V128 a, V128 b, V128 c) {
  return detail::madd<double>(a, b, c, true);
}

inline V128 i8x16_relaxed_laneselect(V128 a, V128 b, V128 m) { return v128_bitselect(a, b, m); }
inline V128 i16x8_relaxed_laneselect(V128 a, V128 b, V128 m) { return v128_bitselect(a, b, m); }
inline V128 i32x4_relaxed_laneselect(V128 a, V128 b, V128 m) { return v128_bitselect(a, b, m); }
inline V128 i64x2_relaxed_laneselect(V128 a, V128 b, V128 m) { return v128_bitselect(a, b, m); }

inline V128 f32x4_relaxed_min(V128 a, V128 b) { return f32x4_min(a, b); }
inline V128 f32x4_relaxed_max(V128 a, V128 b) { return f32x4_max(a, b); }
inline V128 f64x2_relaxed_min(V128 a, V128 b) { return f64x2_min(a, b); }
inline V128 f64x2_relaxed_max(V128 a, V128 b) { return f64x2_max(a, b); }

inline V128 i16x8_relaxed_q15mulr_s(V128 a, V128 b) { return i16x8_q15mulr_sat_s(a, b); }

inline V128 i16x8_relaxed_dot_i8x16_i7x16_s(V128 a, V128 b) {
  auto x = detail::split<int8_t>(a), y = detail::split<int8_t>(b);
  detail::Lanes<int16_t> r;
  for (unsigned i = 0; i < 8; ++i) {
    int32_t s = int32_t(x.v[2 * i]) * y.v[2 * i] + int32_t(x.v[2 * i + 1]) * y.v[2 * i + 1];
    r.v[i] = detail::sat<int16_t>(s);
  }
  return detail::join(r);
}

inline V128 i32x4_relaxed_dot_i8x16_i7x16_add_s(V128 a, V128 b, V128 c) {
  auto x = detail::split<int8_t>(a), y = detail::split<int8_t>(b);
  auto z = detail::split<uint32_t>(c);
  detail::Lanes<uint32_t> r;
  for (unsigned i = 0; i < 4; ++i) {
    int32_t s = 0;  // at most 4 * 128 * 128: no overflow
    for (unsigned j = 0; j < 4; ++j) s += int32_t(x.v[4 * i + j]) * y.v[4 * i + j];
    r.v[i] = uint32_t(s) + z.v[i];
  }
  return detail::join(r);
}

}  // namespace hull::num
