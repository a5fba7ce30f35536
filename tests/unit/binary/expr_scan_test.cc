// Tests of the type readers (types_decode.h) and the instruction skipper (expr_scan.h).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "binary/expr_scan.h"
#include "binary/types_decode.h"

namespace hull {
namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> l) {
  std::vector<uint8_t> v;
  for (int b : l) v.push_back(static_cast<uint8_t>(b));
  return v;
}

// Skips a constant expression over `b`; returns "" on success (with *consumed set) or the error.
std::string scan(const std::vector<uint8_t>& b, size_t* consumed = nullptr) {
  Reader r(b.data(), b.size());
  if (!skip_const_expr(r)) return r.error_message();
  if (consumed) *consumed = r.offset();
  return "";
}

TEST(TypesDecode, HeapTypes) {
  HeapKind h;
  uint32_t idx = 0;
  auto b = bytes({0x3F});
  Reader r(b.data(), b.size());
  ASSERT_TRUE(read_heaptype(r, &h, &idx));
  EXPECT_EQ(h, HeapKind::Concrete);
  EXPECT_EQ(idx, 63u);
  b = bytes({0xC0, 0x00});  // 64 as a two-byte s33
  r = Reader(b.data(), b.size());
  ASSERT_TRUE(read_heaptype(r, &h, &idx));
  EXPECT_EQ(idx, 64u);
  b = bytes({0xF0, 0x7F});  // -16 in two bytes: not a shorthand
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_heaptype(r, &h, &idx));
  EXPECT_STREQ(r.error_message(), "integer representation too long");
  b = bytes({0x60});
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_heaptype(r, &h, &idx));
  EXPECT_STREQ(r.error_message(), "malformed heap type");
}

TEST(TypesDecode, ValTypes) {
  ValType t;
  auto b = bytes({0x80, 0x00});
  Reader r(b.data(), b.size());
  EXPECT_FALSE(read_valtype(r, &t));
  EXPECT_STREQ(r.error_message(), "integer representation too long");
  b = bytes({0x7A});
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_valtype(r, &t));
  EXPECT_STREQ(r.error_message(), "malformed reference type");
  b = bytes({0x63});
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_valtype(r, &t));
  EXPECT_STREQ(r.error_message(), "unexpected end of section or function");
}

TEST(TypesDecode, BlockTypes) {
  BlockTypeImm bt;
  auto b = bytes({0x40, 0x7F, 0x05, 0x80, 0x01, 0x63, 0x6E});
  Reader r(b.data(), b.size());
  ASSERT_TRUE(read_blocktype(r, &bt));
  EXPECT_EQ(bt.kind, BlockTypeImm::Kind::Empty);
  ASSERT_TRUE(read_blocktype(r, &bt));
  EXPECT_EQ(bt.kind, BlockTypeImm::Kind::Value);
  EXPECT_EQ(bt.value, ValType::i32());
  ASSERT_TRUE(read_blocktype(r, &bt));
  EXPECT_EQ(bt.kind, BlockTypeImm::Kind::Index);
  EXPECT_EQ(bt.index, 5u);
  ASSERT_TRUE(read_blocktype(r, &bt));
  EXPECT_EQ(bt.kind, BlockTypeImm::Kind::Index);
  EXPECT_EQ(bt.index, 128u);
  ASSERT_TRUE(read_blocktype(r, &bt));
  EXPECT_EQ(bt.kind, BlockTypeImm::Kind::Value);
  EXPECT_EQ(bt.value, ValType::ref(HeapKind::Any, true));
  EXPECT_TRUE(r.at_end());
}

TEST(ExprScan, Opcodes) {
  Op op;
  auto b = bytes({0x6A, 0xFC, 0x0A, 0xFB, 0x1E, 0xFD, 0x8C, 0x01});
  Reader r(b.data(), b.size());
  ASSERT_TRUE(read_opcode(r, &op));
  EXPECT_EQ(op, Op::i32_add);
  ASSERT_TRUE(read_opcode(r, &op));
  EXPECT_EQ(op, Op::memory_copy);
  ASSERT_TRUE(read_opcode(r, &op));
  EXPECT_EQ(op, Op::i31_get_u);
  ASSERT_TRUE(read_opcode(r, &op));
  EXPECT_EQ(op_info(op).code, 0x8Cu);
  b = bytes({0xFC, 0x7F});
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_opcode(r, &op));
  EXPECT_STREQ(r.error_message(), "illegal opcode fc 7f");
  b = bytes({0x06});  // legacy try
  r = Reader(b.data(), b.size());
  ASSERT_TRUE(read_opcode(r, &op));
  EXPECT_EQ(op, Op::try_);
  b = bytes({0x27});
  r = Reader(b.data(), b.size());
  EXPECT_FALSE(read_opcode(r, &op));
  EXPECT_STREQ(r.error_message(), "illegal opcode 27");
}

TEST(ExprScan, ConstExprExtents) {
  size_t n = 0;
  EXPECT_EQ(scan(bytes({0x41, 0x80, 0x01, 0x0B, 0xAA}), &n), "");
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(scan(bytes({0x42, 0x7F, 0x44, 1, 2, 3, 4, 5, 6, 7, 8, 0x0B}), &n), "");
  EXPECT_EQ(n, 12u);
  // if/else/end nesting, then the closing end.
  EXPECT_EQ(scan(bytes({0x04, 0x40, 0x01, 0x05, 0x01, 0x0B, 0x0B}), &n), "");
  EXPECT_EQ(n, 7u);
  // A second else in the same if.
  EXPECT_EQ(scan(bytes({0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B})), "END opcode expected");
  // else inside a block.
  EXPECT_EQ(scan(bytes({0x02, 0x40, 0x05, 0x0B, 0x0B})), "END opcode expected");
  // br_table with its labels; memarg with a memory index (flag bit 6).
  EXPECT_EQ(scan(bytes({0x0E, 0x02, 0x00, 0x01, 0x02, 0x28, 0x42, 0x01, 0x08, 0x0B}), &n), "");
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(scan(bytes({0x28, 0x80, 0x01, 0x00, 0x0B})), "malformed memop flags");
  // try_table with catch clauses; a bad clause kind.
  EXPECT_EQ(scan(bytes({0x1F, 0x40, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0B, 0x0B}), &n), "");
  EXPECT_EQ(scan(bytes({0x1F, 0x40, 0x01, 0x04, 0x00, 0x0B, 0x0B})), "malformed catch clause");
  // br_on_cast flags.
  EXPECT_EQ(scan(bytes({0xFB, 0x18, 0x03, 0x00, 0x6E, 0x6C, 0x0B}), &n), "");
  EXPECT_EQ(scan(bytes({0xFB, 0x18, 0x04, 0x00, 0x6E, 0x6C, 0x0B})), "malformed br_on_cast flags");
  // SIMD: v128.const, shuffle, lane ops.
  std::vector<uint8_t> simd = bytes({0xFD, 0x0C});
  for (int i = 0; i < 16; ++i) simd.push_back(static_cast<uint8_t>(i));
  simd.insert(simd.end(), {0xFD, 0x0D});
  for (int i = 0; i < 16; ++i) simd.push_back(static_cast<uint8_t>(i));
  simd.insert(simd.end(), {0xFD, 0x15, 0x03, 0xFD, 0x54, 0x00, 0x00, 0x01, 0x0B});
  EXPECT_EQ(scan(simd, &n), "");
  EXPECT_EQ(n, simd.size());
  // Truncation.
  EXPECT_EQ(scan(bytes({0x41})), "unexpected end of section or function");
  EXPECT_EQ(scan(bytes({0x02, 0x40, 0x0B})), "unexpected end of section or function");
}

}  // namespace
}  // namespace hull
