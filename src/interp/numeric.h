// Exact WebAssembly scalar numeric semantics: one inline function per i32/i64/f32/f64 instruction.
#pragma once

// Conventions (shared with interp/simd.h)
// -------------------------------------------------------------------------------------------
// * Every function is named after the instruction's text mnemonic with '.' replaced by '_'
//   (i32.trunc_sat_f64_u -> i32_trunc_sat_f64_u), so handlers can be generated from the Name
//   column of spec/opcodes.def.
// * Value types: i32 -> uint32_t, i64 -> uint64_t, f32 -> float, f64 -> double, v128 -> V128.
//   Signed instructions reinterpret their operands internally. Comparisons return an i32 0/1.
// * Operands are passed in stack order (the first-pushed operand first).
// * TRAPS: an instruction that can trap (div_s/div_u/rem_s/rem_u, the trapping float->int
//   truncations) takes a trailing `NumTrap& trap`. On a trap it stores the reason in `trap` and
//   returns 0; on success it does NOT touch `trap`. So a caller initialises
//   `NumTrap trap = NumTrap::None` once and tests it after the call (or after several).
//   num_trap_message() gives the spec's wording.
// * NaNs: arithmetic relies on the IEEE hardware (SSE2 on x86-64, NEON on AArch64), which
//   returns a quiet NaN for NaN operands (an arithmetic NaN, canonical if every NaN operand was
//   canonical) and the default NaN (canonical) for invalid operations. abs/neg/copysign and the
//   reinterprets are pure bit operations and keep payloads. min/max/nearest/ceil/floor/trunc are
//   written so they never return a signalling NaN.
// * Floating point must not be contracted into FMAs: every function performs a single IEEE
//   operation per expression (nothing for the compiler to contract), and the one place that
//   multiplies then adds (relaxed_madd in simd.h) disables contraction locally. The code assumes
//   the default rounding mode (round to nearest even) and no -ffast-math.
// * Everything is inline, allocation-free and exception-free.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace hull::num {

enum class NumTrap : uint8_t {
  None,
  IntegerDivideByZero,         // "integer divide by zero"
  IntegerOverflow,             // "integer overflow"
  InvalidConversionToInteger,  // "invalid conversion to integer"
};

inline const char* num_trap_message(NumTrap t) {
  switch (t) {
    case NumTrap::None: return "";
    case NumTrap::IntegerDivideByZero: return "integer divide by zero";
    case NumTrap::IntegerOverflow: return "integer overflow";
    case NumTrap::InvalidConversionToInteger: return "invalid conversion to integer";
  }
  return "";
}

// ---- bit helpers ---------------------------------------------------------------------------

inline uint32_t f32_bits(float f) { return std::bit_cast<uint32_t>(f); }
inline uint64_t f64_bits(double d) { return std::bit_cast<uint64_t>(d); }
inline float bits_f32(uint32_t b) { return std::bit_cast<float>(b); }
inline double bits_f64(uint64_t b) { return std::bit_cast<double>(b); }

constexpr uint32_t kF32SignBit = 0x80000000u;
constexpr uint64_t kF64SignBit = 0x8000000000000000ull;
constexpr uint32_t kF32CanonicalNan = 0x7fc00000u;
constexpr uint64_t kF64CanonicalNan = 0x7ff8000000000000ull;

// ---- i32 -----------------------------------------------------------------------------------

inline uint32_t i32_eqz(uint32_t a) { return a == 0; }
inline uint32_t i32_eq(uint32_t a, uint32_t b) { return a == b; }
inline uint32_t i32_ne(uint32_t a, uint32_t b) { return a != b; }
inline uint32_t i32_lt_s(uint32_t a, uint32_t b) { return int32_t(a) < int32_t(b); }
inline uint32_t i32_lt_u(uint32_t a, uint32_t b) { return a < b; }
inline uint32_t i32_gt_s(uint32_t a, uint32_t b) { return int32_t(a) > int32_t(b); }
inline uint32_t i32_gt_u(uint32_t a, uint32_t b) { return a > b; }
inline uint32_t i32_le_s(uint32_t a, uint32_t b) { return int32_t(a) <= int32_t(b); }
inline uint32_t i32_le_u(uint32_t a, uint32_t b) { return a <= b; }
inline uint32_t i32_ge_s(uint32_t a, uint32_t b) { return int32_t(a) >= int32_t(b); }
inline uint32_t i32_ge_u(uint32_t a, uint32_t b) { return a >= b; }

inline uint32_t i32_clz(uint32_t a) { return uint32_t(std::countl_zero(a)); }
inline uint32_t i32_ctz(uint32_t a) { return uint32_t(std::countr_zero(a)); }
inline uint32_t i32_popcnt(uint32_t a) { return uint32_t(std::popcount(a)); }
inline uint32_t i32_add(uint32_t a, uint32_t b) { return a + b; }
inline uint32_t i32_sub(uint32_t a, uint32_t b) { return a - b; }
inline uint32_t i32_mul(uint32_t a, uint32_t b) { return a * b; }

inline uint32_t i32_div_s(uint32_t a, uint32_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  if (a == 0x80000000u && b == 0xffffffffu) {
    trap = NumTrap::IntegerOverflow;
    return 0;
  }
  return uint32_t(int32_t(a) / int32_t(b));
}
inline uint32_t i32_div_u(uint32_t a, uint32_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  return a / b;
}
inline uint32_t i32_rem_s(uint32_t a, uint32_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  if (b == 0xffffffffu) return 0;  // INT_MIN % -1 is 0 in wasm, UB in C++
  return uint32_t(int32_t(a) % int32_t(b));
}
inline uint32_t i32_rem_u(uint32_t a, uint32_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  return a % b;
}

inline uint32_t i32_and(uint32_t a, uint32_t b) { return a & b; }
inline uint32_t i32_or(uint32_t a, uint32_t b) { return a | b; }
inline uint32_t i32_xor(uint32_t a, uint32_t b) { return a ^ b; }
inline uint32_t i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
inline uint32_t i32_shr_s(uint32_t a, uint32_t b) { return uint32_t(int32_t(a) >> (b & 31)); }
inline uint32_t i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }
inline uint32_t i32_rotl(uint32_t a, uint32_t b) { return std::rotl(a, int(b & 31)); }
inline uint32_t i32_rotr(uint32_t a, uint32_t b) { return std::rotr(a, int(b & 31)); }

inline uint32_t i32_extend8_s(uint32_t a) { return uint32_t(int32_t(int8_t(uint8_t(a)))); }
inline uint32_t i32_extend16_s(uint32_t a) { return uint32_t(int32_t(int16_t(uint16_t(a)))); }
inline uint32_t i32_wrap_i64(uint64_t a) { return uint32_t(a); }

// ---- i64 -----------------------------------------------------------------------------------

inline uint32_t i64_eqz(uint64_t a) { return a == 0; }
inline uint32_t i64_eq(uint64_t a, uint64_t b) { return a == b; }
inline uint32_t i64_ne(uint64_t a, uint64_t b) { return a != b; }
inline uint32_t i64_lt_s(uint64_t a, uint64_t b) { return int64_t(a) < int64_t(b); }
inline uint32_t i64_lt_u(uint64_t a, uint64_t b) { return a < b; }
inline uint32_t i64_gt_s(uint64_t a, uint64_t b) { return int64_t(a) > int64_t(b); }
inline uint32_t i64_gt_u(uint64_t a, uint64_t b) { return a > b; }
inline uint32_t i64_le_s(uint64_t a, uint64_t b) { return int64_t(a) <= int64_t(b); }
inline uint32_t i64_le_u(uint64_t a, uint64_t b) { return a <= b; }
inline uint32_t i64_ge_s(uint64_t a, uint64_t b) { return int64_t(a) >= int64_t(b); }
inline uint32_t i64_ge_u(uint64_t a, uint64_t b) { return a >= b; }

inline uint64_t i64_clz(uint64_t a) { return uint64_t(std::countl_zero(a)); }
inline uint64_t i64_ctz(uint64_t a) { return uint64_t(std::countr_zero(a)); }
inline uint64_t i64_popcnt(uint64_t a) { return uint64_t(std::popcount(a)); }
inline uint64_t i64_add(uint64_t a, uint64_t b) { return a + b; }
inline uint64_t i64_sub(uint64_t a, uint64_t b) { return a - b; }
inline uint64_t i64_mul(uint64_t a, uint64_t b) { return a * b; }

inline uint64_t i64_div_s(uint64_t a, uint64_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  if (a == kF64SignBit && b == ~uint64_t(0)) {
    trap = NumTrap::IntegerOverflow;
    return 0;
  }
  return uint64_t(int64_t(a) / int64_t(b));
}
inline uint64_t i64_div_u(uint64_t a, uint64_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  return a / b;
}
inline uint64_t i64_rem_s(uint64_t a, uint64_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  if (b == ~uint64_t(0)) return 0;  // INT64_MIN % -1 is 0 in wasm, UB in C++
  return uint64_t(int64_t(a) % int64_t(b));
}
inline uint64_t i64_rem_u(uint64_t a, uint64_t b, NumTrap& trap) {
  if (b == 0) {
    trap = NumTrap::IntegerDivideByZero;
    return 0;
  }
  return a % b;
}

inline uint64_t i64_and(uint64_t a, uint64_t b) { return a & b; }
inline uint64_t i64_or(uint64_t a, uint64_t b) { return a | b; }
inline uint64_t i64_xor(uint64_t a, uint64_t b) { return a ^ b; }
inline uint64_t i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
inline uint64_t i64_shr_s(uint64_t a, uint64_t b) { return uint64_t(int64_t(a) >> (b & 63)); }
inline uint64_t i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }
inline uint64_t i64_rotl(uint64_t a, uint64_t b) { return std::rotl(a, int(b & 63)); }
inline uint64_t i64_rotr(uint64_t a, uint64_t b) { return std::rotr(a, int(b & 63)); }

inline uint64_t i64_extend8_s(uint64_t a) { return uint64_t(int64_t(int8_t(uint8_t(a)))); }
inline uint64_t i64_extend16_s(uint64_t a) { return uint64_t(int64_t(int16_t(uint16_t(a)))); }
inline uint64_t i64_extend32_s(uint64_t a) { return uint64_t(int64_t(int32_t(uint32_t(a)))); }

// ---- wide arithmetic (128-bit integers as (low, high) i64 halves) ------------------------------
// opcodes.def types these by hand (two results), so no handler is generated from them; the
// interpreter's wide_* handlers call them.

struct I64Pair {
  uint64_t lo, hi;
  friend bool operator==(const I64Pair&, const I64Pair&) = default;
};

inline I64Pair i64_add128(uint64_t a_lo, uint64_t a_hi, uint64_t b_lo, uint64_t b_hi) {
  const uint64_t lo = a_lo + b_lo;
  return {lo, a_hi + b_hi + (lo < a_lo ? 1 : 0)};  // carry out of the low half
}
inline I64Pair i64_sub128(uint64_t a_lo, uint64_t a_hi, uint64_t b_lo, uint64_t b_hi) {
  return {a_lo - b_lo, a_hi - b_hi - (a_lo < b_lo ? 1 : 0)};  // borrow from the high half
}
// The full 128-bit product. (__extension__: __int128 is a GNU type, clang and gcc have it.)
__extension__ typedef unsigned __int128 U128;
__extension__ typedef __int128 S128;
inline I64Pair i64_mul_wide_s(uint64_t a, uint64_t b) {
  const U128 p = U128(S128(int64_t(a)) * S128(int64_t(b)));
  return {uint64_t(p), uint64_t(p >> 64)};
}
inline I64Pair i64_mul_wide_u(uint64_t a, uint64_t b) {
  const U128 p = U128(a) * U128(b);
  return {uint64_t(p), uint64_t(p >> 64)};
}
inline uint64_t i64_extend_i32_s(uint32_t a) { return uint64_t(int64_t(int32_t(a))); }
inline uint64_t i64_extend_i32_u(uint32_t a) { return uint64_t(a); }

// ---- float helpers -------------------------------------------------------------------------

namespace detail {

// NaN in -> the quietened NaN (an arithmetic NaN keeping the payload; canonical stays
// canonical). Adding the value to itself is the portable way to quieten through the FPU.
template <class F>
inline F quiet(F a) {
  return a + a;
}

template <class F>
inline F fmin(F a, F b) {
  if (a != a || b != b) return a + b;  // either NaN: propagate a quiet NaN
  if (a == b) {
    // Equal, possibly +0/-0: the result is -0 if either is -0 (OR of the sign bits).
    if constexpr (sizeof(F) == 4)
      return bits_f32(f32_bits(a) | f32_bits(b));
    else
      return bits_f64(f64_bits(a) | f64_bits(b));
  }
  return a < b ? a : b;
}

template <class F>
inline F fmax(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) {
    if constexpr (sizeof(F) == 4)
      return bits_f32(f32_bits(a) & f32_bits(b));
    else
      return bits_f64(f64_bits(a) & f64_bits(b));
  }
  return a > b ? a : b;
}

// Rounding functions: libm (or roundss/roundsd) already quieten NaNs and keep -0; the NaN
// test stays explicit so a signalling NaN can never leak through a soft-float libm path.
template <class F>
inline F fceil(F a) {
  return a != a ? quiet(a) : std::ceil(a);
}
template <class F>
inline F ffloor(F a) {
  return a != a ? quiet(a) : std::floor(a);
}
template <class F>
inline F ftrunc(F a) {
  return a != a ? quiet(a) : std::trunc(a);
}
// Round half to even. Wasm code can never change the rounding mode, so the current mode is
// the default (to nearest, ties to even). With SSE4.1 std::nearbyint is one roundss/roundsd;
// without it, glibc's nearbyint saves and restores the FP environment, so use the classic
// add-and-subtract-2^p trick: for |a| < 2^p (p = mantissa bits) the addition rounds away the
// fraction exactly as ties-to-even; larger values are already integers.
template <class F>
inline F fnearest(F a) {
  if (a != a) return quiet(a);
#if defined(__SSE4_1__)
  return std::nearbyint(a);
#else
  constexpr F kTwoP = sizeof(F) == 4 ? F(8388608.0) : F(4503599627370496.0);
  F ax = std::fabs(a);
  if (!(ax < kTwoP)) return a;
  return std::copysign((ax + kTwoP) - kTwoP, a);  // copysign keeps -0 for -0.5 < a <= -0
#endif
}

}  // namespace detail

// ---- f32 -----------------------------------------------------------------------------------

inline uint32_t f32_eq(float a, float b) { return a == b; }
inline uint32_t f32_ne(float a, float b) { return a != b; }
inline uint32_t f32_lt(float a, float b) { return a < b; }
inline uint32_t f32_gt(float a, float b) { return a > b; }
inline uint32_t f32_le(float a, float b) { return a <= b; }
inline uint32_t f32_ge(float a, float b) { return a >= b; }

inline float f32_abs(float a) { return bits_f32(f32_bits(a) & ~kF32SignBit); }
inline float f32_neg(float a) { return bits_f32(f32_bits(a) ^ kF32SignBit); }
inline float f32_copysign(float a, float b) {
  return bits_f32((f32_bits(a) & ~kF32SignBit) | (f32_bits(b) & kF32SignBit));
}
inline float f32_ceil(float a) { return detail::fceil(a); }
inline float f32_floor(float a) { return detail::ffloor(a); }
inline float f32_trunc(float a) { return detail::ftrunc(a); }
inline float f32_nearest(float a) { return detail::fnearest(a); }
inline float f32_sqrt(float a) { return std::sqrt(a); }
inline float f32_add(float a, float b) { return a + b; }
inline float f32_sub(float a, float b) { return a - b; }
inline float f32_mul(float a, float b) { return a * b; }
inline float f32_div(float a, float b) { return a / b; }
inline float f32_min(float a, float b) { return detail::fmin(a, b); }
inline float f32_max(float a, float b) { return detail::fmax(a, b); }

// ---- f64 -----------------------------------------------------------------------------------

inline uint32_t f64_eq(double a, double b) { return a == b; }
inline uint32_t f64_ne(double a, double b) { return a != b; }
inline uint32_t f64_lt(double a, double b) { return a < b; }
inline uint32_t f64_gt(double a, double b) { return a > b; }
inline uint32_t f64_le(double a, double b) { return a <= b; }
inline uint32_t f64_ge(double a, double b) { return a >= b; }

inline double f64_abs(double a) { return bits_f64(f64_bits(a) & ~kF64SignBit); }
inline double f64_neg(double a) { return bits_f64(f64_bits(a) ^ kF64SignBit); }
inline double f64_copysign(double a, double b) {
  return bits_f64((f64_bits(a) & ~kF64SignBit) | (f64_bits(b) & kF64SignBit));
}
inline double f64_ceil(double a) { return detail::fceil(a); }
inline double f64_floor(double a) { return detail::ffloor(a); }
inline double f64_trunc(double a) { return detail::ftrunc(a); }
inline double f64_nearest(double a) { return detail::fnearest(a); }
inline double f64_sqrt(double a) { return std::sqrt(a); }
inline double f64_add(double a, double b) { return a + b; }
inline double f64_sub(double a, double b) { return a - b; }
inline double f64_mul(double a, double b) { return a * b; }
inline double f64_div(double a, double b) { return a / b; }
inline double f64_min(double a, double b) { return detail::fmin(a, b); }
inline double f64_max(double a, double b) { return detail::fmax(a, b); }

// ---- float -> int, trapping ----------------------------------------------------------------
// In-range tests are written with exactly representable bounds: the value truncates into the
// target range iff lo < x < hi (open bounds) where lo/hi are the first integers outside it, or
// lo <= x when -2^(N-1) itself is the lower bound and lo-1 is not representable.

namespace detail {

template <class I, class F>
inline I trunc_checked(F x, F lo_excl_or_incl, bool lo_inclusive, F hi_excl, NumTrap& trap) {
  if (x != x) {
    trap = NumTrap::InvalidConversionToInteger;
    return 0;
  }
  bool lo_ok = lo_inclusive ? x >= lo_excl_or_incl : x > lo_excl_or_incl;
  if (!lo_ok || !(x < hi_excl)) {
    trap = NumTrap::IntegerOverflow;
    return 0;
  }
  return static_cast<I>(x);
}

}  // namespace detail

inline uint32_t i32_trunc_f32_s(float x, NumTrap& trap) {
  return uint32_t(detail::trunc_checked<int32_t>(x, -2147483648.0f, true, 2147483648.0f, trap));
}
inline uint32_t i32_trunc_f32_u(float x, NumTrap& trap) {
  return detail::trunc_checked<uint32_t>(x, -1.0f, false, 4294967296.0f, trap);
}
inline uint32_t i32_trunc_f64_s(double x, NumTrap& trap) {
  return uint32_t(detail::trunc_checked<int32_t>(x, -2147483649.0, false, 2147483648.0, trap));
}
inline uint32_t i32_trunc_f64_u(double x, NumTrap& trap) {
  return detail::trunc_checked<uint32_t>(x, -1.0, false, 4294967296.0, trap);
}
inline uint64_t i64_trunc_f32_s(float x, NumTrap& trap) {
  return uint64_t(detail::trunc_checked<int64_t>(x, -0x1p63f, true, 0x1p63f, trap));
}
inline uint64_t i64_trunc_f32_u(float x, NumTrap& trap) {
  return detail::trunc_checked<uint64_t>(x, -1.0f, false, 0x1p64f, trap);
}
inline uint64_t i64_trunc_f64_s(double x, NumTrap& trap) {
  return uint64_t(detail::trunc_checked<int64_t>(x, -0x1p63, true, 0x1p63, trap));
}
inline uint64_t i64_trunc_f64_u(double x, NumTrap& trap) {
  return detail::trunc_checked<uint64_t>(x, -1.0, false, 0x1p64, trap);
}

// ---- float -> int, saturating --------------------------------------------------------------

namespace detail {

template <class I, class F>
inline I trunc_sat(F x) {
  constexpr I kMin = std::numeric_limits<I>::min();
  constexpr I kMax = std::numeric_limits<I>::max();
  // -2^(N-1) and 2^N / 2^(N-1) are exact in every float type used here.
  constexpr F kLo = static_cast<F>(kMin);         // 0 or -2^(N-1), exact
  constexpr F kHi = static_cast<F>(kMax) + F(1);  // 2^N or 2^(N-1); rounding makes it exact
  if (x != x) return 0;
  if (std::is_signed_v<I> ? x < kLo : x <= F(-1)) return kMin;
  if (x >= kHi) return kMax;
  if (!std::is_signed_v<I> && x < F(0)) return 0;  // (-1, 0) truncates to 0
  return static_cast<I>(x);
}

}  // namespace detail

inline uint32_t i32_trunc_sat_f32_s(float x) { return uint32_t(detail::trunc_sat<int32_t>(x)); }
inline uint32_t i32_trunc_sat_f32_u(float x) { return detail::trunc_sat<uint32_t>(x); }
inline uint32_t i32_trunc_sat_f64_s(double x) { return uint32_t(detail::trunc_sat<int32_t>(x)); }
inline uint32_t i32_trunc_sat_f64_u(double x) { return detail::trunc_sat<uint32_t>(x); }
inline uint64_t i64_trunc_sat_f32_s(float x) { return uint64_t(detail::trunc_sat<int64_t>(x)); }
inline uint64_t i64_trunc_sat_f32_u(float x) { return detail::trunc_sat<uint64_t>(x); }
inline uint64_t i64_trunc_sat_f64_s(double x) { return uint64_t(detail::trunc_sat<int64_t>(x)); }
inline uint64_t i64_trunc_sat_f64_u(double x) { return detail::trunc_sat<uint64_t>(x); }

// ---- int -> float --------------------------------------------------------------------------
// C++ integer->float conversions round once, to nearest even (cvtsi2ss with a 64-bit operand;
// clang's u64 sequence is also single-rounding), so i64 -> f32 never double-rounds via f64.

inline float f32_convert_i32_s(uint32_t a) { return static_cast<float>(int32_t(a)); }
inline float f32_convert_i32_u(uint32_t a) { return static_cast<float>(a); }
inline float f32_convert_i64_s(uint64_t a) { return static_cast<float>(int64_t(a)); }
inline float f32_convert_i64_u(uint64_t a) { return static_cast<float>(a); }
inline double f64_convert_i32_s(uint32_t a) { return static_cast<double>(int32_t(a)); }
inline double f64_convert_i32_u(uint32_t a) { return static_cast<double>(a); }
inline double f64_convert_i64_s(uint64_t a) { return static_cast<double>(int64_t(a)); }
inline double f64_convert_i64_u(uint64_t a) { return static_cast<double>(a); }

// ---- float <-> float, reinterpret ----------------------------------------------------------
// Hardware demote/promote quieten NaNs and keep the top payload bits: canonical stays canonical.

inline float f32_demote_f64(double a) { return static_cast<float>(a); }
inline double f64_promote_f32(float a) { return static_cast<double>(a); }

inline uint32_t i32_reinterpret_f32(float a) { return f32_bits(a); }
inline uint64_t i64_reinterpret_f64(double a) { return f64_bits(a); }
inline float f32_reinterpret_i32(uint32_t a) { return bits_f32(a); }
inline double f64_reinterpret_i64(uint64_t a) { return bits_f64(a); }

}  // namespace hull::num
