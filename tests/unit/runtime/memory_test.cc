// Linear memory: reservation, zeroed growth, limits, base stability; shared memories (grown
// from several threads at once) and their parking lot.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "runtime/shared_memory.h"
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

// Shared memories: store co-ownership, concurrent growth in place, the parking lot.
MemoryType shared_type(uint64_t min, uint64_t max, bool is64 = false) {
  MemoryType t = mem_type(min, max, is64);
  t.limits.shared = true;
  return t;
}

TEST(SharedMemory, LivesInTheStoresThatShareIt) {
  auto m = new_shared_memory(shared_type(1, 4), UINT64_MAX);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_TRUE((*m)->shared != nullptr);
  {
    Store a, b;
    adopt_shared_memory(a, *m);
    adopt_shared_memory(a, *m);  // once per store
    adopt_shared_memory(b, *m);
    EXPECT_EQ(a.shared_memories.size(), 1u);
    EXPECT_EQ(shared_memory_of(b, m->get()), *m);
    EXPECT_EQ(m->use_count(), 3);
  }
  EXPECT_EQ(m->use_count(), 1);
  Store s;
  auto in_store = new_memory(s, shared_type(1, 2));
  ASSERT_TRUE(in_store.ok());
  EXPECT_TRUE(s.memories.empty());
  EXPECT_EQ(shared_memory_of(s, *in_store).get(), *in_store);
  EXPECT_FALSE(new_shared_memory(mem_type(1, 2), UINT64_MAX).ok());  // not shared
  MemoryType no_max = mem_type(1, std::nullopt);
  no_max.limits.shared = true;
  auto r = new_shared_memory(no_max, UINT64_MAX);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "shared memory must have maximum");
}

// Four threads grow one memory one page at a time, 16 pages each: every grow gets a distinct
// old size, the memory ends at exactly 1 + 64 pages and its base never moves (also unguarded
// memory64, which would move if it were not shared).
TEST(SharedMemory, ConcurrentGrowthIsSerializedAndInPlace) {
  for (bool is64 : {false, true}) {
    auto m = new_shared_memory(shared_type(1, 65, is64), UINT64_MAX);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    Memory& mem = **m;
    uint8_t* base = mem.base;
    std::vector<std::vector<uint64_t>> olds(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 16; ++i) olds[t].push_back(mem.grow(1));
      });
    for (auto& th : threads) th.join();
    std::vector<uint64_t> all;
    for (auto& v : olds) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);
    EXPECT_EQ(mem.size_acquire(), 65u * 65536);
    EXPECT_EQ(mem.base, base);
    EXPECT_EQ(mem.grow(1), UINT64_MAX);  // at the maximum
    mem.base[mem.size - 1] = 1;          // the last page is committed
  }
}

TEST(ParkingLot, NotEqualTimeoutAndNotify) {
  ParkingLot lot;
  alignas(8) uint64_t cell = 5;
  EXPECT_EQ(lot.wait(0, &cell, 8, 6, -1), ParkingLot::WaitResult::NotEqual);
  EXPECT_EQ(lot.wait(0, &cell, 8, 5, 0), ParkingLot::WaitResult::TimedOut);
  EXPECT_EQ(lot.wait(0, &cell, 8, 5, 1000000), ParkingLot::WaitResult::TimedOut);  // 1 ms
  EXPECT_EQ(lot.waiters(0), 0u);  // a timed-out waiter leaves the queue
  EXPECT_EQ(lot.notify(0, 10), 0u);

  // Three waiters on address 16, one on 24: notify(16, 2) wakes two, a second notify the third.
  alignas(4) uint32_t word = 0;
  std::vector<std::thread> threads;
  std::vector<ParkingLot::WaitResult> results(4, ParkingLot::WaitResult::NotEqual);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back(
        [&, i] { results[i] = lot.wait(i == 3 ? 24 : 16, &word, 4, 0, int64_t(10) * 1000000000); });
  while (lot.waiters(16) < 3 || lot.waiters(24) < 1) std::this_thread::yield();
  EXPECT_EQ(lot.notify(16, 2), 2u);
  EXPECT_EQ(lot.waiters(16), 1u);
  EXPECT_EQ(lot.notify(16, 5), 1u);
  EXPECT_EQ(lot.notify(24, 1), 1u);
  for (auto& th : threads) th.join();
  for (auto r : results) EXPECT_EQ(r, ParkingLot::WaitResult::Woken);
}

// interrupt_all (the end of a wasi-threads program): parked waiters, with and without a
// timeout, return Interrupted, and so does every wait after it, before comparing the value.
TEST(ParkingLot, InterruptAllWakesEveryWaiterAndClosesTheLot) {
  ParkingLot lot;
  alignas(4) uint32_t word = 0;
  std::vector<std::thread> threads;
  std::vector<ParkingLot::WaitResult> results(3, ParkingLot::WaitResult::NotEqual);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      results[i] = lot.wait(8 * i, &word, 4, 0, i == 0 ? -1 : int64_t(10) * 1000000000);
    });
  }
  while (lot.waiters(0) + lot.waiters(8) + lot.waiters(16) < 3) std::this_thread::yield();
  lot.interrupt_all();
  for (auto& th : threads) th.join();
  for (auto r : results) EXPECT_EQ(r, ParkingLot::WaitResult::Interrupted);
  EXPECT_EQ(lot.waiters(0), 0u);
  EXPECT_EQ(lot.wait(0, &word, 4, 0, -1), ParkingLot::WaitResult::Interrupted);
  EXPECT_EQ(lot.wait(0, &word, 4, 1, -1), ParkingLot::WaitResult::Interrupted);
}

}  // namespace
}  // namespace hull
