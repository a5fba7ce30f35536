// Unit tests for text-format numeric literals: integers, floats (rounding, hex, nan payloads).
#include <gtest/gtest.h>

#include <cstring>

#include "text/literals.h"

using namespace hull::text;

namespace {

uint32_t f32(std::string_view s) {
  uint32_t v = 0xDEADBEEF;
  EXPECT_EQ(parse_f32(s, &v), LitStatus::Ok) << s;
  return v;
}
uint64_t f64(std::string_view s) {
  uint64_t v = 0xDEADBEEF;
  EXPECT_EQ(parse_f64(s, &v), LitStatus::Ok) << s;
  return v;
}
uint64_t i(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  EXPECT_EQ(parse_int(s, bits, &v), LitStatus::Ok) << s;
  return v;
}

}  // namespace

TEST(TextLiterals, Integers) {
  EXPECT_EQ(i("0", 32), 0u);
  EXPECT_EQ(i("-1", 32), 0xFFFFFFFFu);
  EXPECT_EQ(i("4294967295", 32), 0xFFFFFFFFu);
  EXPECT_EQ(i("-2147483648", 32), 0x80000000u);
  EXPECT_EQ(i("0x7fff_ffff", 32), 0x7FFFFFFFu);
  EXPECT_EQ(i("+0x1_0", 32), 16u);
  EXPECT_EQ(i("1_000_000", 32), 1000000u);
  EXPECT_EQ(i("-9223372036854775808", 64), 0x8000000000000000ull);
  EXPECT_EQ(i("0xffffffffffffffff", 64), ~0ull);
  EXPECT_EQ(i("-128", 8), 0x80u);
  EXPECT_EQ(i("255", 8), 0xFFu);
  uint64_t v;
  EXPECT_EQ(parse_int("4294967296", 32, &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_int("-2147483649", 32, &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_int("18446744073709551616", 64, &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_int("256", 8, &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_int("-129", 8, &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_int("1__0", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("_1", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("1_", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("0x", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("0x_1", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("--1", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_int("1.0", 32, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_nat("-1", 100, &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_nat("101", 100, &v), LitStatus::OutOfRange);
}

TEST(TextLiterals, F32Decimal) {
  EXPECT_EQ(f32("0"), 0u);
  EXPECT_EQ(f32("-0"), 0x80000000u);
  EXPECT_EQ(f32("1"), 0x3F800000u);
  EXPECT_EQ(f32("0.1"), 0x3DCCCCCDu);
  EXPECT_EQ(f32("1e10"), 0x501502F9u);
  EXPECT_EQ(f32("1_000.000_1"), f32("1000.0001"));
  EXPECT_EQ(f32("1."), 0x3F800000u);
  EXPECT_EQ(f32("1.e1"), 0x41200000u);
  // Smallest denormal and max float.
  EXPECT_EQ(f32("1.4012984643e-45"), 1u);
  EXPECT_EQ(f32("3.4028234e+38"), 0x7F7FFFFFu);
  // Double rounding trap: this decimal lies just above the midpoint between two floats
  // and must round up; rounding through double would round down.
  EXPECT_EQ(f32("1.00000005960464477550"), 0x3F800001u);
  EXPECT_EQ(f32("1.000000059604644775"), 0x3F800000u);  // exactly the midpoint: to even
  uint32_t v;
  EXPECT_EQ(parse_f32("1e39", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f32("3.4028236e+38", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f32(".5", &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_f32("1e", &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_f32("1._5", &v), LitStatus::NotANumber);
}

TEST(TextLiterals, F32Hex) {
  EXPECT_EQ(f32("0x1p0"), 0x3F800000u);
  EXPECT_EQ(f32("0x1.8p1"), 0x40400000u);
  EXPECT_EQ(f32("-0x1p-149"), 0x80000001u);
  EXPECT_EQ(f32("0x1.fffffep127"), 0x7F7FFFFFu);
  // Ties to even in hex: 0x1.000001p0 is halfway between 1 and next -> 1.
  EXPECT_EQ(f32("0x1.000001p0"), 0x3F800000u);
  EXPECT_EQ(f32("0x1.000003p0"), 0x3F800002u);
  EXPECT_EQ(f32("0x1.0000010000000000000001p0"), 0x3F800001u);
  EXPECT_EQ(f32("0x1.fffffefffffffp127"), 0x7F7FFFFFu);
  uint32_t v;
  EXPECT_EQ(parse_f32("0x1.ffffffp127", &v), LitStatus::OutOfRange);
  EXPECT_EQ(f32("0x1p-1000000000000"), 0u);
}

TEST(TextLiterals, SpecialFloats) {
  EXPECT_EQ(f32("inf"), 0x7F800000u);
  EXPECT_EQ(f32("-inf"), 0xFF800000u);
  EXPECT_EQ(f32("nan"), 0x7FC00000u);
  EXPECT_EQ(f32("-nan"), 0xFFC00000u);
  EXPECT_EQ(f32("nan:0x1"), 0x7F800001u);
  EXPECT_EQ(f32("+nan:0x7f_ffff"), 0x7FFFFFFFu);
  EXPECT_EQ(f64("nan:0x8_0000_0000_0000"), 0x7FF8000000000000ull);
  EXPECT_EQ(f64("-inf"), 0xFFF0000000000000ull);
  uint32_t v;
  EXPECT_EQ(parse_f32("nan:0x0", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f32("nan:0x80_0000", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f32("nan:1", &v), LitStatus::NotANumber);
  EXPECT_EQ(parse_f32("infinity", &v), LitStatus::NotANumber);
}

TEST(TextLiterals, F64) {
  EXPECT_EQ(f64("0.1"), 0x3FB999999999999Aull);
  EXPECT_EQ(f64("0x1.fffffffffffffp1023"), 0x7FEFFFFFFFFFFFFFull);
  EXPECT_EQ(f64("4.9406564584124654e-324"), 1ull);
  EXPECT_EQ(f64("0x1p-1074"), 1ull);
  EXPECT_EQ(f64("1e-400"), 0ull);
  EXPECT_EQ(f64("1_2.3_4e1_0"), f64("12.34e10"));
  uint64_t v;
  EXPECT_EQ(parse_f64("1e309", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f64("0x1p1024", &v), LitStatus::OutOfRange);
  EXPECT_EQ(parse_f64("nan:0x10_0000_0000_0000", &v), LitStatus::OutOfRange);
}
