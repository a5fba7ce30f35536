// Tests of base/reader.h: exact LEB128 limits, fixed-width reads, names, counts, errors.
#include "base/reader.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace hull {
namespace {

struct Bytes {
  std::vector<uint8_t> v;
  Bytes(std::initializer_list<int> l) {
    for (int b : l) v.push_back(static_cast<uint8_t>(b));
  }
  Reader reader(size_t base = 0) const { return Reader(v.data(), v.size(), base); }
};

template <class T, class F>
std::string err_of(const Bytes& b, F read) {
  Reader r = b.reader();
  T out{};
  EXPECT_FALSE((r.*read)(&out));
  return r.error_message();
}

TEST(Reader, U32Basics) {
  uint32_t v;
  Reader r = Bytes{0x00}.reader();
  Bytes b1{0x00};
  r = b1.reader();
  ASSERT_TRUE(r.u32(&v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(r.at_end());

  Bytes b2{0xE5, 0x8E, 0x26};  // 624485
  r = b2.reader();
  ASSERT_TRUE(r.u32(&v));
  EXPECT_EQ(v, 624485u);

  Bytes b3{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};  // max u32
  r = b3.reader();
  ASSERT_TRUE(r.u32(&v));
  EXPECT_EQ(v, 0xFFFFFFFFu);

  Bytes b4{0x80, 0x80, 0x80, 0x80, 0x00};  // padded zero, 5 bytes allowed
  r = b4.reader();
  ASSERT_TRUE(r.u32(&v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(r.offset(), 5u);
}

TEST(Reader, U32Errors) {
  EXPECT_EQ((err_of<uint32_t>(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, &Reader::u32)),
            "integer too large");
  EXPECT_EQ((err_of<uint32_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x70}, &Reader::u32)),
            "integer too large");
  EXPECT_EQ((err_of<uint32_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &Reader::u32)),
            "integer representation too long");
  EXPECT_EQ((err_of<uint32_t>(Bytes{0x80, 0x80}, &Reader::u32)),
            "unexpected end of section or function");
  EXPECT_EQ((err_of<uint32_t>(Bytes{}, &Reader::u32)), "unexpected end of section or function");
}

TEST(Reader, U64) {
  uint64_t v;
  Bytes max{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  Reader r = max.reader();
  ASSERT_TRUE(r.u64(&v));
  EXPECT_EQ(v, ~uint64_t(0));
  EXPECT_EQ((err_of<uint64_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02},
                              &Reader::u64)),
            "integer too large");
  EXPECT_EQ((err_of<uint64_t>(
                Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
                &Reader::u64)),
            "integer representation too long");
}

TEST(Reader, S32) {
  int32_t v;
  Bytes m1{0x7F};
  Reader r = m1.reader();
  ASSERT_TRUE(r.s32(&v));
  EXPECT_EQ(v, -1);
  Bytes big{0xFF, 0xFF, 0xFF, 0xFF, 0x07};  // INT32_MAX
  r = big.reader();
  ASSERT_TRUE(r.s32(&v));
  EXPECT_EQ(v, INT32_MAX);
  Bytes small{0x80, 0x80, 0x80, 0x80, 0x78};  // INT32_MIN
  r = small.reader();
  ASSERT_TRUE(r.s32(&v));
  EXPECT_EQ(v, INT32_MIN);
  Bytes padm1{0xFF, 0xFF, 0xFF, 0xFF, 0x7F};  // -1 padded to 5 bytes
  r = padm1.reader();
  ASSERT_TRUE(r.s32(&v));
  EXPECT_EQ(v, -1);
  Bytes c{0xC0, 0xBB, 0x78};  // -123456
  r = c.reader();
  ASSERT_TRUE(r.s32(&v));
  EXPECT_EQ(v, -123456);
  // Unused bits must be sign copies.
  EXPECT_EQ((err_of<int32_t>(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &Reader::s32)),
            "integer too large");
  EXPECT_EQ((err_of<int32_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x70}, &Reader::s32)),
            "integer too large");
  EXPECT_EQ((err_of<int32_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &Reader::s32)),
            "integer representation too long");
}

TEST(Reader, S64AndS33) {
  int64_t v;
  Bytes min{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
  Reader r = min.reader();
  ASSERT_TRUE(r.s64(&v));
  EXPECT_EQ(v, INT64_MIN);
  Bytes max{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  r = max.reader();
  ASSERT_TRUE(r.s64(&v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ((err_of<int64_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
                             &Reader::s64)),
            "integer too large");
  EXPECT_EQ((err_of<int64_t>(
                Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F},
                &Reader::s64)),
            "integer representation too long");
  // s33: 2^32-1 is representable; 2^32 is not.
  Bytes u32max{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  r = u32max.reader();
  ASSERT_TRUE(r.s33(&v));
  EXPECT_EQ(v, 0xFFFFFFFFll);
  EXPECT_EQ((err_of<int64_t>(Bytes{0x80, 0x80, 0x80, 0x80, 0x10}, &Reader::s33)),
            "integer too large");
  Bytes neg{0x80, 0x80, 0x80, 0x80, 0x70};  // -2^32
  r = neg.reader();
  ASSERT_TRUE(r.s33(&v));
  EXPECT_EQ(v, -(int64_t(1) << 32));
}

TEST(Reader, U8Leb) {
  uint8_t v;
  Bytes a{0xFF, 0x01};
  Reader r = a.reader();
  ASSERT_TRUE(r.u8_leb(&v));
  EXPECT_EQ(v, 0xFF);
  Bytes b{0x80, 0x02};
  r = b.reader();
  EXPECT_FALSE(r.u8_leb(&v));
  EXPECT_STREQ(r.error_message(), "integer too large");
}

TEST(Reader, FixedWidth) {
  Bytes b{0x00, 0x00, 0x80, 0x3F, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  Reader r = b.reader();
  uint32_t f;
  uint64_t d;
  ASSERT_TRUE(r.f32_bits(&f));
  EXPECT_EQ(f, 0x3F800000u);
  ASSERT_TRUE(r.f64_bits(&d));
  EXPECT_EQ(d, 0x0807060504030201ull);
  EXPECT_FALSE(r.f32_bits(&f));
  EXPECT_STREQ(r.error_message(), "unexpected end of section or function");
}

TEST(Reader, CountsAreBoundedByRemainingBytes) {
  uint32_t n;
  Bytes ok{0x02, 0xAA, 0xBB};
  Reader r = ok.reader();
  ASSERT_TRUE(r.count(&n));
  EXPECT_EQ(n, 2u);
  // The length field itself counts toward the bound (as in the reference interpreter).
  Bytes edge{0x03, 0xAA, 0xBB};
  r = edge.reader();
  EXPECT_TRUE(r.count(&n));
  Bytes lie{0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00};
  r = lie.reader();
  EXPECT_FALSE(r.count(&n));
  EXPECT_STREQ(r.error_message(), "length out of bounds");
}

TEST(Reader, Names) {
  std::string_view s;
  Bytes ascii{0x03, 'a', 'b', 'c'};
  Reader r = ascii.reader();
  ASSERT_TRUE(r.name(&s));
  EXPECT_EQ(s, "abc");
  Bytes utf{0x04, 0xF0, 0x9F, 0x98, 0x80};  // U+1F600
  r = utf.reader();
  EXPECT_TRUE(r.name(&s));
  for (Bytes bad : {Bytes{0x02, 0xC0, 0x80},           // overlong
                    Bytes{0x03, 0xED, 0xA0, 0x80},     // surrogate
                    Bytes{0x04, 0xF4, 0x90, 0x80, 0x80},  // > U+10FFFF
                    Bytes{0x01, 0x80},                 // lone continuation
                    Bytes{0x02, 0xE2, 0x82},           // truncated sequence
                    Bytes{0x01, 0xFF}}) {
    r = bad.reader();
    EXPECT_FALSE(r.name(&s));
    EXPECT_STREQ(r.error_message(), "malformed UTF-8 encoding");
  }
  Bytes short_name{0x05, 'a'};
  r = short_name.reader();
  EXPECT_FALSE(r.name(&s));
  EXPECT_STREQ(r.error_message(), "length out of bounds");
}

TEST(Reader, OffsetsAndSubReaders) {
  Bytes b{0x01, 0x02, 0x03, 0x04};
  Reader r = b.reader(100);
  EXPECT_EQ(r.offset(), 100u);
  Reader sub;
  uint8_t x;
  ASSERT_TRUE(r.u8(&x));
  ASSERT_TRUE(r.sub(2, &sub));
  EXPECT_EQ(sub.offset(), 101u);
  EXPECT_EQ(sub.remaining(), 2u);
  EXPECT_EQ(r.offset(), 103u);
  ASSERT_TRUE(sub.u8(&x));
  ASSERT_TRUE(sub.u8(&x));
  EXPECT_FALSE(sub.u8(&x));
  EXPECT_EQ(sub.error_offset(), 103u);
  Error e = sub.error();
  EXPECT_EQ(e.kind, ErrorKind::Malformed);
  EXPECT_EQ(e.offset, 103u);
  // The first error wins.
  sub.fail("later");
  EXPECT_STREQ(sub.error_message(), "unexpected end of section or function");
}

TEST(Reader, DynamicErrorsSurviveCopies) {
  Bytes b{0x00};
  Reader r = b.reader();
  Reader copy;
  {
    Reader scratch = r;
    scratch.fail_dynamic("illegal opcode ff", 7);
    scratch.fail("later", 9);
    copy = scratch;
  }
  EXPECT_TRUE(copy.failed());
  EXPECT_STREQ(copy.error_message(), "illegal opcode ff");
  EXPECT_EQ(copy.error().message, "illegal opcode ff");
  EXPECT_EQ(copy.error_offset(), 7u);
  copy.clear_error();
  EXPECT_FALSE(copy.failed());
}

}  // namespace
}  // namespace hull
