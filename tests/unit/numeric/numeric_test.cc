// Edge cases of the scalar numeric semantics in interp/numeric.h.
#include "interp/numeric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace {

using namespace hull::num;

// Non-constant copies so the compiler cannot fold the operations under test.
template <class T>
T opaque(T x) {
  volatile T v = x;
  return v;
}

uint32_t bits(float f) { return f32_bits(f); }
uint64_t bits(double d) { return f64_bits(d); }

bool is_arith_nan32(uint32_t b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
bool is_canon_nan32(uint32_t b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
bool is_arith_nan64(uint64_t b) { return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull; }
bool is_canon_nan64(uint64_t b) { return (b & ~kF64SignBit) == kF64CanonicalNan; }

TEST(Integer, DivisionTraps) {
  NumTrap t = NumTrap::None;
  EXPECT_EQ(i32_div_s(7, 2, t), 3u);
  EXPECT_EQ(i32_div_s(uint32_t(-7), 2, t), uint32_t(-3));  // truncates toward zero
  EXPECT_EQ(t, NumTrap::None);
  EXPECT_EQ(i32_div_s(1, 0, t), 0u);
  EXPECT_EQ(t, NumTrap::IntegerDivideByZero);
  t = NumTrap::None;
  i32_div_s(0x80000000u, 0xffffffffu, t);
  EXPECT_EQ(t, NumTrap::IntegerOverflow);
  t = NumTrap::None;
  EXPECT_EQ(i32_rem_s(0x80000000u, 0xffffffffu, t), 0u);   // no trap for rem
  EXPECT_EQ(i32_rem_s(uint32_t(-7), 2, t), uint32_t(-1));  // sign of the dividend
  EXPECT_EQ(t, NumTrap::None);
  i32_rem_u(5, 0, t);
  EXPECT_EQ(t, NumTrap::IntegerDivideByZero);
  t = NumTrap::None;
  i64_div_s(0x8000000000000000ull, ~0ull, t);
  EXPECT_EQ(t, NumTrap::IntegerOverflow);
  t = NumTrap::None;
  EXPECT_EQ(i64_rem_s(0x8000000000000000ull, ~0ull, t), 0u);
  EXPECT_EQ(i64_div_u(~0ull, 2, t), 0x7fffffffffffffffull);
  EXPECT_EQ(t, NumTrap::None);
  i64_div_u(1, 0, t);
  EXPECT_EQ(t, NumTrap::IntegerDivideByZero);
  EXPECT_STREQ(num_trap_message(NumTrap::IntegerDivideByZero), "integer divide by zero");
  EXPECT_STREQ(num_trap_message(NumTrap::IntegerOverflow), "integer overflow");
  EXPECT_STREQ(num_trap_message(NumTrap::InvalidConversionToInteger),
               "invalid conversion to integer");
}

TEST(Integer, ShiftsAndRotatesTakeCountModWidth) {
  EXPECT_EQ(i32_shl(1, 32), 1u);
  EXPECT_EQ(i32_shl(1, 33), 2u);
  EXPECT_EQ(i32_shr_s(0x80000000u, 31), 0xffffffffu);
  EXPECT_EQ(i32_shr_s(0x80000000u, 63), 0xffffffffu);
  EXPECT_EQ(i32_shr_u(0x80000000u, 63), 1u);
  EXPECT_EQ(i32_rotl(0x80000001u, 1), 3u);
  EXPECT_EQ(i32_rotr(0x80000001u, 33), 0xc0000000u);
  EXPECT_EQ(i32_rotl(0x12345678u, 0), 0x12345678u);
  EXPECT_EQ(i64_shl(1, 64), 1u);
  EXPECT_EQ(i64_shr_s(0x8000000000000000ull, 127), ~0ull);
  EXPECT_EQ(i64_rotl(0x8000000000000001ull, 65), 3u);
  EXPECT_EQ(i64_rotr(1, 0xffffffffffffffffull), 2u);  // -1 mod 64 = 63
}

// Wide arithmetic: (low, high) halves of 128-bit values, modulo 2^128.
TEST(Integer, WideArithmetic) {
  const uint64_t max = opaque(~0ull), min_s = opaque(1ull << 63);
  EXPECT_EQ(i64_add128(max, 0, 1, 0), (I64Pair{0, 1}));    // carry into the high half
  EXPECT_EQ(i64_add128(max, max, 1, 0), (I64Pair{0, 0}));  // 2^128 wraps to 0
  EXPECT_EQ(i64_add128(1, 2, 3, 4), (I64Pair{4, 6}));
  EXPECT_EQ(i64_sub128(0, 1, 1, 0), (I64Pair{max, 0}));    // borrow from the high half
  EXPECT_EQ(i64_sub128(0, 0, 1, 0), (I64Pair{max, max}));  // -1
  EXPECT_EQ(i64_sub128(5, 2, 5, 2), (I64Pair{0, 0}));
  EXPECT_EQ(i64_mul_wide_u(max, max), (I64Pair{1, max - 1}));  // (2^64-1)^2
  EXPECT_EQ(i64_mul_wide_u(min_s, 2), (I64Pair{0, 1}));
  EXPECT_EQ(i64_mul_wide_s(max, max), (I64Pair{1, 0}));  // -1 * -1
  EXPECT_EQ(i64_mul_wide_s(min_s, min_s), (I64Pair{0, 1ull << 62}));
  EXPECT_EQ(i64_mul_wide_s(min_s, 1), (I64Pair{min_s, max}));  // sign-extended
  EXPECT_EQ(i64_mul_wide_s(opaque(uint64_t(-3)), 5), (I64Pair{uint64_t(-15), max}));
}

TEST(Integer, BitCountsAndExtends) {
  EXPECT_EQ(i32_clz(0), 32u);
  EXPECT_EQ(i32_ctz(0), 32u);
  EXPECT_EQ(i64_clz(0), 64u);
  EXPECT_EQ(i64_ctz(0), 64u);
  EXPECT_EQ(i64_clz(1), 63u);
  EXPECT_EQ(i32_popcnt(0xffffffffu), 32u);
  EXPECT_EQ(i64_popcnt(0x8000000000000001ull), 2u);
  EXPECT_EQ(i32_extend8_s(0x80), 0xffffff80u);
  EXPECT_EQ(i32_extend8_s(0x17f), 0x7fu);
  EXPECT_EQ(i32_extend16_s(0x8000), 0xffff8000u);
  EXPECT_EQ(i64_extend32_s(0x80000000ull), 0xffffffff80000000ull);
  EXPECT_EQ(i64_extend8_s(0x123456789abcdef0ull), 0xfffffffffffffff0ull);
  EXPECT_EQ(i64_extend_i32_s(0xffffffffu), ~0ull);
  EXPECT_EQ(i64_extend_i32_u(0xffffffffu), 0xffffffffull);
  EXPECT_EQ(i32_wrap_i64(0x123456789ull), 0x23456789u);
  EXPECT_EQ(i32_lt_s(0x80000000u, 0), 1u);
  EXPECT_EQ(i32_lt_u(0x80000000u, 0), 0u);
  EXPECT_EQ(i64_ge_s(0, 0x8000000000000000ull), 1u);
  EXPECT_EQ(i64_eqz(0), 1u);
}

TEST(Float, SignOpsArePureBitOps) {
  const uint32_t snan = 0x7fa00001u;  // signalling NaN with a payload
  EXPECT_EQ(bits(f32_neg(bits_f32(snan))), 0xffa00001u);
  EXPECT_EQ(bits(f32_abs(bits_f32(0xffa00001u))), snan);
  EXPECT_EQ(bits(f32_copysign(bits_f32(snan), -1.0f)), 0xffa00001u);
  EXPECT_EQ(bits(f32_neg(0.0f)), 0x80000000u);
  const uint64_t snan64 = 0x7ff0000000000001ull;
  EXPECT_EQ(bits(f64_neg(bits_f64(snan64))), snan64 | kF64SignBit);
  EXPECT_EQ(bits(f64_copysign(1.0, bits_f64(snan64 | kF64SignBit))), bits(-1.0));
  EXPECT_EQ(bits(f64_abs(-0.0)), 0u);
}

TEST(Float, MinMaxZerosAndNaNs) {
  EXPECT_EQ(bits(f32_min(opaque(0.0f), opaque(-0.0f))), 0x80000000u);
  EXPECT_EQ(bits(f32_min(opaque(-0.0f), opaque(0.0f))), 0x80000000u);
  EXPECT_EQ(bits(f32_max(opaque(-0.0f), opaque(0.0f))), 0u);
  EXPECT_EQ(bits(f32_max(opaque(0.0f), opaque(-0.0f))), 0u);
  EXPECT_EQ(f32_min(opaque(1.0f), opaque(-INFINITY)), -INFINITY);
  EXPECT_EQ(f64_max(opaque(1.0), opaque(2.0)), 2.0);
  EXPECT_EQ(bits(f64_min(opaque(-0.0), opaque(0.0))), kF64SignBit);
  // NaN propagates as an arithmetic NaN, from either side, also for signalling inputs.
  float snan = bits_f32(0x7f800001u);
  EXPECT_TRUE(is_arith_nan32(bits(f32_min(opaque(1.0f), opaque(snan)))));
  EXPECT_TRUE(is_arith_nan32(bits(f32_max(opaque(snan), opaque(1.0f)))));
  float cnan = bits_f32(kF32CanonicalNan);
  EXPECT_TRUE(is_canon_nan32(bits(f32_min(opaque(cnan), opaque(-INFINITY)))));
  double dnan = bits_f64(0x7ff0000000000001ull);
  EXPECT_TRUE(is_arith_nan64(bits(f64_max(opaque(dnan), opaque(0.0)))));
  EXPECT_TRUE(is_canon_nan64(bits(f64_max(opaque(0.0), opaque(bits_f64(kF64CanonicalNan))))));
}

TEST(Float, ArithmeticNaNs) {
  // Invalid operations give a canonical NaN; NaN operands give an arithmetic NaN.
  EXPECT_TRUE(is_canon_nan32(bits(f32_sub(opaque(INFINITY), opaque(INFINITY)))));
  EXPECT_TRUE(is_canon_nan32(bits(f32_mul(opaque(0.0f), opaque(INFINITY)))));
  EXPECT_TRUE(is_canon_nan32(bits(f32_div(opaque(0.0f), opaque(0.0f)))));
  EXPECT_TRUE(is_canon_nan32(bits(f32_sqrt(opaque(-1.0f)))));
  EXPECT_TRUE(is_canon_nan64(bits(f64_sqrt(opaque(-1.0)))));
  EXPECT_TRUE(is_arith_nan32(bits(f32_add(opaque(bits_f32(0x7f800001u)), opaque(1.0f)))));
  EXPECT_TRUE(is_arith_nan64(bits(f64_mul(opaque(bits_f64(0x7ff0000000000001ull)), 2.0))));
  EXPECT_TRUE(is_arith_nan32(bits(f32_demote_f64(opaque(bits_f64(0x7ff0000000000001ull))))));
  EXPECT_TRUE(is_canon_nan32(bits(f32_demote_f64(opaque(bits_f64(kF64CanonicalNan))))));
  EXPECT_TRUE(is_canon_nan64(bits(f64_promote_f32(opaque(bits_f32(kF32CanonicalNan))))));
  EXPECT_TRUE(is_arith_nan64(bits(f64_promote_f32(opaque(bits_f32(0x7f800001u))))));
}

TEST(Float, Rounding) {
  EXPECT_EQ(f32_nearest(opaque(0.5f)), 0.0f);
  EXPECT_EQ(f32_nearest(opaque(1.5f)), 2.0f);
  EXPECT_EQ(f32_nearest(opaque(2.5f)), 2.0f);
  EXPECT_EQ(bits(f32_nearest(opaque(-0.5f))), 0x80000000u);
  EXPECT_EQ(f64_nearest(opaque(-3.5)), -4.0);
  EXPECT_EQ(f64_nearest(opaque(4503599627370497.0)), 4503599627370497.0);  // 2^52 + 1
  EXPECT_EQ(bits(f32_ceil(opaque(-0.5f))), 0x80000000u);
  EXPECT_EQ(bits(f64_floor(opaque(-0.0))), kF64SignBit);
  EXPECT_EQ(f64_floor(opaque(-0.5)), -1.0);
  EXPECT_EQ(bits(f32_trunc(opaque(-0.9f))), 0x80000000u);
  EXPECT_EQ(f32_ceil(opaque(8388607.5f)), 8388608.0f);
  for (float (*fn)(float) : {f32_ceil, f32_floor, f32_trunc, f32_nearest}) {
    EXPECT_TRUE(is_arith_nan32(bits(fn(opaque(bits_f32(0x7f800001u))))));
    EXPECT_TRUE(is_canon_nan32(bits(fn(opaque(bits_f32(0xffc00000u))))));
  }
  for (double (*fn)(double) : {f64_ceil, f64_floor, f64_trunc, f64_nearest}) {
    EXPECT_TRUE(is_arith_nan64(bits(fn(opaque(bits_f64(0x7ff0000000000001ull))))));
  }
}

TEST(Conversion, TrappingTruncBounds) {
  NumTrap t = NumTrap::None;
  EXPECT_EQ(i32_trunc_f32_s(opaque(-2147483648.0f), t), 0x80000000u);
  EXPECT_EQ(i32_trunc_f32_s(opaque(2147483520.0f), t), 2147483520u);  // largest f32 < 2^31
  EXPECT_EQ(i32_trunc_f64_s(opaque(-2147483648.9), t), 0x80000000u);
  EXPECT_EQ(i32_trunc_f64_s(opaque(2147483647.9), t), 0x7fffffffu);
  EXPECT_EQ(i32_trunc_f64_u(opaque(-0.9), t), 0u);
  EXPECT_EQ(i32_trunc_f64_u(opaque(4294967295.9), t), 0xffffffffu);
  EXPECT_EQ(i64_trunc_f64_s(opaque(-9223372036854775808.0), t), 0x8000000000000000ull);
  EXPECT_EQ(i64_trunc_f32_u(opaque(18446742974197923840.0f), t), 18446742974197923840ull);
  EXPECT_EQ(t, NumTrap::None);

  auto traps32 = [](float x, uint32_t (*fn)(float, NumTrap&)) {
    NumTrap tt = NumTrap::None;
    fn(opaque(x), tt);
    return tt;
  };
  auto traps64 = [](double x, uint64_t (*fn)(double, NumTrap&)) {
    NumTrap tt = NumTrap::None;
    fn(opaque(x), tt);
    return tt;
  };
  EXPECT_EQ(traps32(2147483648.0f, i32_trunc_f32_s), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps32(-2147483904.0f, i32_trunc_f32_s), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps32(-1.0f, i32_trunc_f32_u), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps32(4294967296.0f, i32_trunc_f32_u), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps32(INFINITY, i32_trunc_f32_u), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps32(NAN, i32_trunc_f32_s), NumTrap::InvalidConversionToInteger);
  EXPECT_EQ(traps32(-NAN, i32_trunc_f32_u), NumTrap::InvalidConversionToInteger);
  EXPECT_EQ(traps64(9223372036854775808.0, i64_trunc_f64_s), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps64(-9223372036854777856.0, i64_trunc_f64_s), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps64(18446744073709551616.0, i64_trunc_f64_u), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps64(-1.0, i64_trunc_f64_u), NumTrap::IntegerOverflow);
  EXPECT_EQ(traps64(NAN, i64_trunc_f64_u), NumTrap::InvalidConversionToInteger);
  NumTrap tt = NumTrap::None;
  i32_trunc_f64_s(opaque(-2147483649.0), tt);
  EXPECT_EQ(tt, NumTrap::IntegerOverflow);
  tt = NumTrap::None;
  i32_trunc_f64_u(opaque(4294967296.0), tt);
  EXPECT_EQ(tt, NumTrap::IntegerOverflow);
}

TEST(Conversion, SaturatingTrunc) {
  EXPECT_EQ(i32_trunc_sat_f32_s(opaque(NAN)), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_s(opaque(3e9f)), 0x7fffffffu);
  EXPECT_EQ(i32_trunc_sat_f32_s(opaque(-3e9f)), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f32_u(opaque(-3e9f)), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(opaque(-0.9f)), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(opaque(INFINITY)), 0xffffffffu);
  EXPECT_EQ(i32_trunc_sat_f64_s(opaque(-2147483648.5)), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f64_u(opaque(4294967295.5)), 0xffffffffu);
  EXPECT_EQ(i64_trunc_sat_f64_s(opaque(1e300)), 0x7fffffffffffffffull);
  EXPECT_EQ(i64_trunc_sat_f64_s(opaque(-INFINITY)), 0x8000000000000000ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(opaque(18446744073709549568.0)), 18446744073709549568ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(opaque(18446744073709551616.0)), ~0ull);
  EXPECT_EQ(i64_trunc_sat_f32_u(opaque(-NAN)), 0u);
  EXPECT_EQ(i64_trunc_sat_f32_s(opaque(-9223372036854775808.0f)), 0x8000000000000000ull);
}

TEST(Conversion, IntToFloatRoundsOnce) {
  // 2^53 + 2^29 + 1: via f64 it would round to 2^53 + 2^29 then tie-to-even to 2^53 in f32;
  // correct single rounding goes up (above the halfway point).
  const uint64_t v = (1ull << 53) + (1ull << 29) + 1;
  EXPECT_EQ(f32_convert_i64_u(opaque(v)), 9007200328482816.0f);
  EXPECT_EQ(f32_convert_i64_s(opaque(v)), 9007200328482816.0f);
  EXPECT_EQ(f32_convert_i64_s(opaque(uint64_t(0) - v)), -9007200328482816.0f);
  EXPECT_EQ(f32_convert_i64_u(opaque(~0ull)), 18446744073709551616.0f);
  EXPECT_EQ(f32_convert_i64_u(opaque(0x8000008000000001ull)), 9223373136366403584.0f);
  EXPECT_EQ(f32_convert_i32_u(opaque(0xffffffffu)), 4294967296.0f);
  EXPECT_EQ(f32_convert_i32_s(opaque(0x80000000u)), -2147483648.0f);
  EXPECT_EQ(f32_convert_i32_s(opaque(16777217u)), 16777216.0f);  // ties to even
  EXPECT_EQ(f64_convert_i64_u(opaque(~0ull)), 18446744073709551616.0);
  EXPECT_EQ(f64_convert_i64_s(opaque(9007199254740993ull)), 9007199254740992.0);
  EXPECT_EQ(f64_convert_i32_u(opaque(0xffffffffu)), 4294967295.0);
}

TEST(Conversion, Reinterpret) {
  EXPECT_EQ(i32_reinterpret_f32(bits_f32(0x7fa00001u)), 0x7fa00001u);
  EXPECT_EQ(f32_bits(f32_reinterpret_i32(0xffa00001u)), 0xffa00001u);
  EXPECT_EQ(i64_reinterpret_f64(-0.0), kF64SignBit);
  EXPECT_EQ(f64_bits(f64_reinterpret_i64(0x7ff0000000000001ull)), 0x7ff0000000000001ull);
}

}  // namespace
