// Edge cases of the SIMD and relaxed-SIMD semantics in interp/simd.h.
#include "interp/simd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace {

using hull::V128;
using namespace hull::num;

template <class L>
V128 make(std::initializer_list<L> lanes) {
  V128 r{};
  unsigned i = 0;
  for (L x : lanes) r.set_lane<L>(i++, x);
  return r;
}

template <class L>
void expect_lanes(V128 v, std::initializer_list<L> lanes) {
  unsigned i = 0;
  for (L x : lanes) {
    EXPECT_EQ(v.lane<L>(i), x) << "lane " << i;
    ++i;
  }
}

V128 bytes(std::initializer_list<int> b) {
  V128 r{};
  unsigned i = 0;
  for (int x : b) r.bytes[i++] = uint8_t(x);
  return r;
}

TEST(Simd, LaneOrderIsLittleEndian) {
  V128 v = i32x4_splat(0);
  v = i32x4_replace_lane(v, 0x11223344u, 1);
  EXPECT_EQ(v.bytes[4], 0x44);
  EXPECT_EQ(v.bytes[7], 0x11);
  EXPECT_EQ(i8x16_extract_lane_u(v, 5), 0x33u);
  EXPECT_EQ(i16x8_extract_lane_u(v, 3), 0x1122u);
  EXPECT_EQ(i8x16_extract_lane_s(i8x16_splat(0x80), 3), 0xffffff80u);
  EXPECT_EQ(i16x8_extract_lane_s(i16x8_splat(0x18000), 7), 0xffff8000u);
  EXPECT_EQ(i64x2_extract_lane(i64x2_replace_lane(v, 7, 1), 1), 7u);
  EXPECT_EQ(f64x2_extract_lane(f64x2_replace_lane(v, -2.5, 0), 0), -2.5);
  EXPECT_EQ(f32x4_extract_lane(f32x4_splat(1.5f), 2), 1.5f);
}

TEST(Simd, ShuffleAndSwizzle) {
  V128 a = bytes({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  V128 b = bytes({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
  V128 idx = bytes({31, 0, 16, 15, 1, 17, 30, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  V128 r = i8x16_shuffle(a, b, idx);
  EXPECT_EQ(r, idx);  // a and b hold their own lane numbers
  V128 s = bytes({15, 16, 255, 0, 128, 1, 17, 2, 3, 4, 5, 6, 7, 8, 9, 14});
  V128 sw = i8x16_swizzle(b, s);
  EXPECT_EQ(sw, bytes({31, 0, 0, 16, 0, 17, 0, 18, 19, 20, 21, 22, 23, 24, 25, 30}));
  EXPECT_EQ(i8x16_relaxed_swizzle(b, s), sw);
}

TEST(Simd, ShiftCountIsModLaneWidth) {
  expect_lanes<uint8_t>(i8x16_shl(i8x16_splat(1), 9), {2, 2});
  expect_lanes<uint8_t>(i8x16_shr_s(i8x16_splat(0x80), 7 + 8), {0xff});
  expect_lanes<uint8_t>(i8x16_shr_u(i8x16_splat(0x80), 7 + 16), {1});
  expect_lanes<uint16_t>(i16x8_shl(i16x8_splat(1), 17), {2});
  expect_lanes<uint16_t>(i16x8_shr_s(i16x8_splat(0x8000), 0xffffffffu), {0xffff});
  expect_lanes<uint32_t>(i32x4_shr_u(i32x4_splat(0x80000000u), 32), {0x80000000u});
  expect_lanes<uint64_t>(i64x2_shl(i64x2_splat(1), 65), {2, 2});
  expect_lanes<uint64_t>(i64x2_shr_s(i64x2_splat(1ull << 63), 127), {~0ull, ~0ull});
}

TEST(Simd, SaturatingArithmetic) {
  expect_lanes<int8_t>(i8x16_add_sat_s(i8x16_splat(100), i8x16_splat(100)), {127});
  expect_lanes<int8_t>(i8x16_sub_sat_s(i8x16_splat(0x80), i8x16_splat(1)), {-128});
  expect_lanes<uint8_t>(i8x16_add_sat_u(i8x16_splat(200), i8x16_splat(100)), {255});
  expect_lanes<uint8_t>(i8x16_sub_sat_u(i8x16_splat(10), i8x16_splat(100)), {0});
  expect_lanes<int16_t>(i16x8_add_sat_s(i16x8_splat(0x8000), i16x8_splat(0x8000)), {-32768});
  expect_lanes<uint16_t>(i16x8_add_sat_u(i16x8_splat(0xffff), i16x8_splat(1)), {0xffff});
  expect_lanes<uint8_t>(i8x16_avgr_u(i8x16_splat(255), i8x16_splat(254)), {255});
  expect_lanes<uint16_t>(i16x8_avgr_u(i16x8_splat(0xffff), i16x8_splat(0)), {0x8000});
  expect_lanes<int16_t>(i16x8_q15mulr_sat_s(i16x8_splat(0x8000), i16x8_splat(0x8000)), {32767});
  expect_lanes<int16_t>(i16x8_q15mulr_sat_s(i16x8_splat(0x4000), i16x8_splat(0x8000)), {-16384});
  expect_lanes<int16_t>(i16x8_relaxed_q15mulr_s(i16x8_splat(0x8000), i16x8_splat(0x8000)), {32767});
}

TEST(Simd, AbsNegMinMaxWrap) {
  expect_lanes<uint8_t>(i8x16_abs(i8x16_splat(0x80)), {0x80});
  expect_lanes<uint8_t>(i8x16_neg(i8x16_splat(0x80)), {0x80});
  expect_lanes<int32_t>(i32x4_abs(make<int32_t>({-5, 5, INT32_MIN, 0})), {5, 5, INT32_MIN, 0});
  expect_lanes<int64_t>(i64x2_abs(make<int64_t>({-5, INT64_MIN})), {5, INT64_MIN});
  expect_lanes<int8_t>(i8x16_min_s(i8x16_splat(0x80), i8x16_splat(1)), {-128});
  expect_lanes<uint8_t>(i8x16_min_u(i8x16_splat(0x80), i8x16_splat(1)), {1});
  expect_lanes<uint32_t>(i32x4_max_u(i32x4_splat(0x80000000u), i32x4_splat(1)), {0x80000000u});
  expect_lanes<uint16_t>(i16x8_mul(i16x8_splat(0xffff), i16x8_splat(0xffff)), {1});
  expect_lanes<uint64_t>(i64x2_mul(i64x2_splat(1ull << 63), i64x2_splat(3)), {1ull << 63});
  expect_lanes<uint8_t>(i8x16_popcnt(bytes({0, 1, 0xff, 0x80})), {0, 1, 8, 1});
}

TEST(Simd, Comparisons) {
  V128 r = i8x16_lt_s(i8x16_splat(0x80), i8x16_splat(0));
  expect_lanes<uint8_t>(r, {0xff, 0xff});
  expect_lanes<uint8_t>(i8x16_lt_u(i8x16_splat(0x80), i8x16_splat(0)), {0});
  expect_lanes<uint64_t>(i64x2_lt_s(i64x2_splat(1ull << 63), i64x2_splat(0)), {~0ull});
  V128 f = f32x4_eq(make<float>({NAN, 0.0f, -0.0f, 1.0f}), make<float>({NAN, -0.0f, 0.0f, 2.0f}));
  expect_lanes<uint32_t>(f, {0u, ~0u, ~0u, 0u});
  V128 n = f64x2_ne(make<double>({NAN, 1.0}), make<double>({NAN, 1.0}));
  expect_lanes<uint64_t>(n, {~0ull, 0ull});
}

TEST(Simd, BooleanReductions) {
  EXPECT_EQ(v128_any_true(V128{}), 0u);
  EXPECT_EQ(v128_any_true(bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), 1u);
  EXPECT_EQ(i8x16_all_true(i8x16_splat(1)), 1u);
  EXPECT_EQ(i16x8_all_true(i8x16_replace_lane(i16x8_splat(0x100), 0, 14)), 1u);
  EXPECT_EQ(i16x8_all_true(i16x8_replace_lane(i16x8_splat(1), 0, 7)), 0u);
  EXPECT_EQ(i64x2_all_true(make<uint64_t>({1, 1ull << 63})), 1u);
  EXPECT_EQ(i8x16_bitmask(bytes({0x80, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff})),
            0x8005u);
  EXPECT_EQ(i16x8_bitmask(make<int16_t>({-1, 0, 0, 0, 0, 0, 0, -32768})), 0x81u);
  EXPECT_EQ(i32x4_bitmask(make<int32_t>({0, -1, 0, -1})), 0xau);
  EXPECT_EQ(i64x2_bitmask(make<int64_t>({-1, 0})), 1u);
}

TEST(Simd, Bitwise) {
  V128 a = i64x2_splat(0xff00ff00ff00ff00ull), b = i64x2_splat(0x0ff00ff00ff00ff0ull);
  V128 m = make<uint64_t>({0xffffffff00000000ull, 0x00000000ffffffffull});
  expect_lanes<uint64_t>(v128_andnot(a, b), {0xf000f000f000f000ull});
  expect_lanes<uint64_t>(v128_bitselect(a, b, m), {0xff00ff000ff00ff0ull, 0x0ff00ff0ff00ff00ull});
  EXPECT_EQ(i32x4_relaxed_laneselect(a, b, m), v128_bitselect(a, b, m));
  EXPECT_EQ(i8x16_relaxed_laneselect(a, b, m), v128_bitselect(a, b, m));
  EXPECT_EQ(v128_not(v128_xor(a, a)), i8x16_splat(0xff));
}

TEST(Simd, NarrowExtendPairwiseExtmulDot) {
  V128 a = make<int16_t>({-200, -128, 127, 300, 0, -1, 255, 256});
  V128 b = make<int16_t>({1, 2, 3, 4, 5, 6, 7, 8});
  expect_lanes<int8_t>(i8x16_narrow_i16x8_s(a, b), {-128, -128, 127, 127, 0, -1, 127, 127, 1, 2});
  expect_lanes<uint8_t>(i8x16_narrow_i16x8_u(a, b), {0, 0, 127, 255, 0, 0, 255, 255, 1, 2});
  expect_lanes<uint16_t>(i16x8_narrow_i32x4_u(make<int32_t>({-1, 70000, 65535, 5}), V128{}),
                         {0, 65535, 65535, 5, 0});
  V128 by = bytes({0x80, 1, 2, 3, 4, 5, 6, 7, 0xff, 9, 10, 11, 12, 13, 14, 15});
  expect_lanes<int16_t>(i16x8_extend_low_i8x16_s(by), {-128, 1, 2});
  expect_lanes<int16_t>(i16x8_extend_high_i8x16_s(by), {-1, 9});
  expect_lanes<uint16_t>(i16x8_extend_high_i8x16_u(by), {255, 9});
  expect_lanes<int64_t>(i64x2_extend_high_i32x4_s(make<int32_t>({1, 2, -3, 4})), {-3, 4});
  expect_lanes<uint64_t>(i64x2_extend_low_i32x4_u(make<int32_t>({-1, 2, 3, 4})),
                         {0xffffffffull, 2});
  expect_lanes<int16_t>(i16x8_extadd_pairwise_i8x16_s(i8x16_splat(0x80)), {-256});
  expect_lanes<uint16_t>(i16x8_extadd_pairwise_i8x16_u(i8x16_splat(0xff)), {510});
  expect_lanes<int32_t>(i32x4_extadd_pairwise_i16x8_s(i16x8_splat(0x8000)), {-65536});
  expect_lanes<uint32_t>(i32x4_extadd_pairwise_i16x8_u(i16x8_splat(0xffff)), {131070});
  expect_lanes<int16_t>(i16x8_extmul_low_i8x16_s(i8x16_splat(0x80), i8x16_splat(0x80)), {16384});
  expect_lanes<uint16_t>(i16x8_extmul_high_i8x16_u(i8x16_splat(0xff), i8x16_splat(0xff)), {65025});
  expect_lanes<int64_t>(
      i64x2_extmul_high_i32x4_s(make<int32_t>({0, 0, INT32_MIN, 3}), i32x4_splat(0x80000000u)),
      {int64_t(1) << 62, int64_t(3) * INT32_MIN});
  expect_lanes<uint64_t>(i64x2_extmul_low_i32x4_u(i32x4_splat(~0u), i32x4_splat(~0u)),
                         {0xfffffffe00000001ull});
  // dot: (-32768)^2 * 2 = 2^31 wraps to INT32_MIN.
  expect_lanes<int32_t>(i32x4_dot_i16x8_s(i16x8_splat(0x8000), i16x8_splat(0x8000)), {INT32_MIN});
  expect_lanes<int32_t>(i32x4_dot_i16x8_s(make<int16_t>({1, 2, 3, 4}), make<int16_t>({5, 6, 7, 8})),
                        {17, 53, 0, 0});
}

TEST(Simd, FloatLanes) {
  V128 r = f32x4_min(make<float>({0.0f, -0.0f, NAN, 1.0f}), make<float>({-0.0f, 0.0f, 1.0f, NAN}));
  EXPECT_EQ(r.lane<uint32_t>(0), 0x80000000u);
  EXPECT_EQ(r.lane<uint32_t>(1), 0x80000000u);
  EXPECT_TRUE(std::isnan(r.lane<float>(2)));
  EXPECT_TRUE(std::isnan(r.lane<float>(3)));
  V128 p = f32x4_pmin(make<float>({0.0f, -0.0f, NAN, 1.0f}), make<float>({-0.0f, 0.0f, 1.0f, NAN}));
  EXPECT_EQ(p.lane<uint32_t>(0), 0u);           // pmin(+0, -0) = first operand
  EXPECT_EQ(p.lane<uint32_t>(1), 0x80000000u);  // pmin(-0, +0) = first operand
  EXPECT_TRUE(std::isnan(p.lane<float>(2)));    // b < a is false: a
  EXPECT_EQ(p.lane<float>(3), 1.0f);
  V128 q = f64x2_pmax(make<double>({1.0, NAN}), make<double>({NAN, 2.0}));
  EXPECT_EQ(q.lane<double>(0), 1.0);
  EXPECT_TRUE(std::isnan(q.lane<double>(1)));
  expect_lanes<float>(f32x4_nearest(make<float>({0.5f, 1.5f, 2.5f, -2.5f})),
                      {0.0f, 2.0f, 2.0f, -2.0f});
  expect_lanes<double>(f64x2_floor(make<double>({-0.5, 1.5})), {-1.0, 1.0});
  expect_lanes<uint32_t>(f32x4_neg(make<uint32_t>({0x7fa00001u, 0})), {0xffa00001u, 0x80000000u});
  expect_lanes<uint64_t>(f64x2_abs(make<uint64_t>({0xfff0000000000001ull, 0})),
                         {0x7ff0000000000001ull, 0});
}

TEST(Simd, Conversions) {
  expect_lanes<uint32_t>(i32x4_trunc_sat_f32x4_s(make<float>({NAN, 3e9f, -3e9f, -1.9f})),
                         {0u, 0x7fffffffu, 0x80000000u, uint32_t(-1)});
  expect_lanes<uint32_t>(i32x4_trunc_sat_f32x4_u(make<float>({NAN, 5e9f, -3e9f, 1.9f})),
                         {0u, 0xffffffffu, 0u, 1u});
  expect_lanes<uint32_t>(i32x4_trunc_sat_f64x2_s_zero(make<double>({-1e10, 2.5})),
                         {0x80000000u, 2u, 0u, 0u});
  expect_lanes<uint32_t>(i32x4_trunc_sat_f64x2_u_zero(make<double>({4294967296.0, -0.5})),
                         {0xffffffffu, 0u, 0u, 0u});
  EXPECT_EQ(i32x4_relaxed_trunc_f32x4_s(make<float>({NAN, 3e9f, -3e9f, -1.9f})),
            i32x4_trunc_sat_f32x4_s(make<float>({NAN, 3e9f, -3e9f, -1.9f})));
  expect_lanes<float>(f32x4_convert_i32x4_u(i32x4_splat(0xffffffffu)), {4294967296.0f});
  expect_lanes<float>(f32x4_convert_i32x4_s(i32x4_splat(0x80000000u)), {-2147483648.0f});
  expect_lanes<double>(f64x2_convert_low_i32x4_u(make<uint32_t>({0xffffffffu, 1, 7, 7})),
                       {4294967295.0, 1.0});
  expect_lanes<double>(f64x2_convert_low_i32x4_s(make<uint32_t>({0xffffffffu, 1, 7, 7})),
                       {-1.0, 1.0});
  expect_lanes<float>(f32x4_demote_f64x2_zero(make<double>({1e300, 0.1})),
                      {INFINITY, 0.1f, 0.0f, 0.0f});
  expect_lanes<double>(f64x2_promote_low_f32x4(make<float>({0.1f, -2.0f, 9.0f, 9.0f})),
                       {double(0.1f), -2.0});
}

TEST(Simd, MemoryValueHelpers) {
  const uint64_t m = 0x8877665544332281ull;
  expect_lanes<int16_t>(v128_load8x8_s(m),
                        {int16_t(0xff81), 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, int16_t(0xff88)});
  expect_lanes<uint16_t>(v128_load8x8_u(m), {0x81, 0x22});
  expect_lanes<int32_t>(v128_load16x4_s(m), {0x2281, 0x4433, 0x6655, int32_t(0xffff8877)});
  expect_lanes<uint64_t>(v128_load32x2_u(m), {0x44332281ull, 0x88776655ull});
  expect_lanes<int64_t>(v128_load32x2_s(m), {0x44332281ll, int64_t(0xffffffff88776655ull)});
  expect_lanes<uint64_t>(v128_load64_zero(m), {m, 0});
  expect_lanes<uint32_t>(v128_load32_zero(7), {7u, 0u, 0u, 0u});
  expect_lanes<uint8_t>(v128_load8_splat(0x1ab), {0xab, 0xab});
  V128 v = v128_load16_lane(V128{}, 0xbeef, 3);
  EXPECT_EQ(v128_store16_lane(v, 3), 0xbeefu);
  EXPECT_EQ(v128_store8_lane(v, 6), 0xefu);
}

TEST(RelaxedSimd, DeterministicChoices) {
  // madd is unfused: FLT_MAX * 2 overflows to inf before adding -FLT_MAX.
  float fmax = 0x1.fffffep+127f;
  expect_lanes<float>(f32x4_relaxed_madd(f32x4_splat(fmax), f32x4_splat(2.0f), f32x4_splat(-fmax)),
                      {INFINITY});
  expect_lanes<float>(f32x4_relaxed_nmadd(f32x4_splat(fmax), f32x4_splat(2.0f), f32x4_splat(fmax)),
                      {-INFINITY});
  // (1 + 2^-52)(1 - 2^-52) = 1 - 2^-104: rounds to 1 unfused, so madd(...,-1) = 0 (fma: -2^-104).
  double e = 0x1p-52;
  expect_lanes<double>(
      f64x2_relaxed_madd(f64x2_splat(1.0 + e), f64x2_splat(1.0 - e), f64x2_splat(-1.0)), {0.0});
  expect_lanes<double>(
      f64x2_relaxed_nmadd(f64x2_splat(1.0 + e), f64x2_splat(1.0 - e), f64x2_splat(1.0)), {0.0});
  V128 mm = f32x4_relaxed_min(make<float>({0.0f, NAN}), make<float>({-0.0f, 1.0f}));
  EXPECT_EQ(mm.lane<uint32_t>(0), 0x80000000u);
  EXPECT_TRUE(std::isnan(mm.lane<float>(1)));
  V128 mx = f64x2_relaxed_max(make<double>({-0.0, 1.0}), make<double>({0.0, NAN}));
  EXPECT_EQ(mx.lane<uint64_t>(0), 0u);
  EXPECT_TRUE(std::isnan(mx.lane<double>(1)));
  // dot: signed x signed; i16 pair sums saturate.
  expect_lanes<int16_t>(i16x8_relaxed_dot_i8x16_i7x16_s(i8x16_splat(0x80), i8x16_splat(0x80)),
                        {32767});
  expect_lanes<int16_t>(
      i16x8_relaxed_dot_i8x16_i7x16_s(bytes({0x80, 0x80, 3, 4}), bytes({0x81, 0x81, 5, 6})),
      {32512, 39, 0});
  expect_lanes<int32_t>(i32x4_relaxed_dot_i8x16_i7x16_add_s(i8x16_splat(0x80), i8x16_splat(0x80),
                                                            i32x4_splat(0x7fffffffu)),
                        {int32_t(0x7fffffffu + 65536u)});
}

}  // namespace
