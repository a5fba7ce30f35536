// Linear memory: reservation, zeroed growth, limits, base stability.
#include <gtest/gtest.h>

#include "runtime/store.h"

namespace hull {
namespace {

MemoryType mem_type(uint64_t min, std::optional<uint64_t> max, bool is64 = false) {
  MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  t.limits.is64 = is64;
  return t;
}

TEST(Memory, InitCommitsZeroedPages) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(2, 10), UINT64_MAX).ok());
  EXPECT_EQ(m.pages(), 2u);
  EXPECT_EQ(m.size, 2u * 65536);
  EXPECT_EQ(m.max_pages, 10u);
  for (uint64_t i = 0; i < m.size; i += 4096) EXPECT_EQ(m.base[i], 0);
  m.base[m.size - 1] = 7;
  EXPECT_EQ(m.base[m.size - 1], 7);
}

TEST(Memory, GrowKeepsBaseAndZeroes) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(1, std::nullopt), UINT64_MAX).ok());
  uint8_t* base = m.base;
  m.base[100] = 42;
  EXPECT_EQ(m.grow(3), 1u);
  EXPECT_EQ(m.pages(), 4u);
  EXPECT_EQ(m.type.limits.min, 4u);
  EXPECT_EQ(m.base, base);
  EXPECT_EQ(m.base[100], 42);
  for (uint64_t i = 65536; i < m.size; ++i) ASSERT_EQ(m.base[i], 0) << i;
  m.base[m.size - 1] = 1;
  EXPECT_EQ(m.grow(0), 4u);
}

TEST(Memory, GrowRespectsDeclaredMax) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(0, 10), UINT64_MAX).ok());
  EXPECT_EQ(m.size, 0u);
  EXPECT_NE(m.base, nullptr);
  EXPECT_EQ(m.grow(1), 0u);
  EXPECT_EQ(m.grow(9), 1u);
  EXPECT_EQ(m.grow(1), UINT64_MAX);
  EXPECT_EQ(m.grow(0x10000), UINT64_MAX);
  EXPECT_EQ(m.pages(), 10u);
}

TEST(Memory, SpecMaximumFor32BitMemories) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(0, std::nullopt), UINT64_MAX).ok());
  EXPECT_EQ(m.max_pages, kMaxPages32);
  EXPECT_EQ(m.grow(kMaxPages32 + 1), UINT64_MAX);
  EXPECT_EQ(m.pages(), 0u);
}

TEST(Memory, StoreLimitCapsGrowth) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(1, std::nullopt), 3 * 65536).ok());
  EXPECT_EQ(m.max_pages, 3u);
  EXPECT_EQ(m.grow(2), 1u);
  EXPECT_EQ(m.grow(1), UINT64_MAX);
}

TEST(Memory, MinimumAboveLimitFails) {
  Memory m;
  Status s = m.init(mem_type(4, std::nullopt), 3 * 65536);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::Limit);
}

TEST(Memory, Memory64GrowsAndKeepsContents) {
  Memory m;
  ASSERT_TRUE(m.init(mem_type(1, std::nullopt, true), UINT64_MAX).ok());
  EXPECT_GT(m.max_pages, kMaxPages32);
  m.base[5] = 9;
  EXPECT_EQ(m.grow(800), 1u);
  EXPECT_EQ(m.base[5], 9);
  EXPECT_EQ(m.base[m.size - 1], 0);
  // Far beyond any address space: fails cleanly.
  EXPECT_EQ(m.grow(uint64_t(1) << 47), UINT64_MAX);
}

TEST(Memory, CustomPageSizeOne) {
  MemoryType t = mem_type(3, 100);
  t.page_size_log2 = 0;
  Memory m;
  ASSERT_TRUE(m.init(t, UINT64_MAX).ok());
  EXPECT_EQ(m.size, 3u);
  EXPECT_EQ(m.grow(5), 3u);
  EXPECT_EQ(m.size, 8u);
  EXPECT_EQ(m.base[7], 0);
  EXPECT_EQ(m.grow(93), UINT64_MAX);
}

// Without a declared maximum, 1-byte pages may grow past 65536 pages (the 64 KiB page limit),
// up to 2^32-1 pages for a 32-bit memory; such a memory is never guarded (bounds are checked
// in code), and a 64 KiB-page memory still is.
TEST(Memory, CustomPageSizeOneSpecMaximum) {
  MemoryType t = mem_type(0, std::nullopt);
  t.page_size_log2 = 0;
  Memory m;
  ASSERT_TRUE(m.init(t, UINT64_MAX).ok());
  EXPECT_EQ(m.max_pages, 0xFFFFFFFFu);
  EXPECT_FALSE(guardable(m.type));
  EXPECT_FALSE(m.guarded);
  EXPECT_EQ(m.grow(65537), 0u);
  EXPECT_EQ(m.pages(), 65537u);
  EXPECT_EQ(m.size, 65537u);
  EXPECT_EQ(m.base[65536], 0);
  EXPECT_EQ(m.grow(0xFFFFFFFFu - 65537 + 1), UINT64_MAX);  // one page past 2^32-1
  EXPECT_EQ(m.pages(), 65537u);
  EXPECT_TRUE(guardable(mem_type(0, std::nullopt)));
}

TEST(Memory, NewMemoryInStoreHonoursLimits) {
  Store s;
  s.limits.max_memory_bytes = 65536;
  auto ok = new_memory(s, mem_type(1, std::nullopt));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->max_pages, 1u);
  auto bad = new_memory(s, mem_type(2, std::nullopt));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Limit);
  EXPECT_EQ(s.memories.size(), 1u);
}

}  // namespace
}  // namespace hull
