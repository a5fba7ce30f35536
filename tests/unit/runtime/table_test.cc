// Tables: initial contents, growth and limits.
#include <gtest/gtest.h>

#include "runtime/store.h"

namespace hull {
namespace {

TableType table_type(uint64_t min, std::optional<uint64_t> max, bool is64 = false) {
  TableType t;
  t.limits.min = min;
  t.limits.max = max;
  t.limits.is64 = is64;
  return t;
}

TEST(Table, InitFillsWithInit) {
  Table t;
  ASSERT_TRUE(t.init(table_type(3, 5), 0x1234, UINT64_MAX).ok());
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.max, 5u);
  for (RefBits r : t.elems) EXPECT_EQ(r, 0x1234u);
}

TEST(Table, GrowRespectsMax) {
  Table t;
  ASSERT_TRUE(t.init(table_type(0, 10), 0, UINT64_MAX).ok());
  EXPECT_EQ(t.grow(1, 0), 0u);
  EXPECT_EQ(t.grow(1, 5), 1u);
  EXPECT_EQ(t.elems[1], 5u);
  EXPECT_EQ(t.grow(2, 0), 2u);
  EXPECT_EQ(t.grow(6, 0), 4u);
  EXPECT_EQ(t.grow(0, 0), 10u);
  EXPECT_EQ(t.grow(1, 0), UINT64_MAX);
  EXPECT_EQ(t.type.limits.min, 10u);
}

TEST(Table, GrowBeyond32BitIndexFails) {
  Table t;
  ASSERT_TRUE(t.init(table_type(0x10, std::nullopt), 0, UINT64_MAX).ok());
  EXPECT_EQ(t.grow(0xfffffff0u, 0), UINT64_MAX);
  EXPECT_EQ(t.size(), 0x10u);
}

TEST(Table, StoreLimit) {
  Store s;
  s.limits.max_table_elements = 4;
  auto t = new_table(s, table_type(2, std::nullopt), 0);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->grow(2, 0), 2u);
  EXPECT_EQ((*t)->grow(1, 0), UINT64_MAX);
  auto bad = new_table(s, table_type(5, std::nullopt), 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Limit);
}

}  // namespace
}  // namespace hull
