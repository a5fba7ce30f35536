// The pool of guarded reservations: a reused reservation is indistinguishable from a fresh one
// (zeroed, inaccessible past the new size, faults still become traps), the cap and drain, and
// many threads creating and destroying memories at once.
#include "runtime/reservation_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "fault_probe.h"
#include "runtime/signals.h"
#include "runtime/store.h"

namespace hull {
namespace {

using test::addr_of;
using test::kPage;
using test::mem_type;
using test::probe;

bool all_zero(const uint8_t* p, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// Every test starts from an empty pool with the default cap (tests may run in one process).
class ReservationPool : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!guard_pages_supported()) GTEST_SKIP() << "no guarded memories on this platform";
    set_reservation_pool_cap(kDefaultReservationPoolCap);
    drain_reservation_pool();
  }
  void TearDown() override {
    set_reservation_pool_cap(kDefaultReservationPoolCap);
    drain_reservation_pool();
  }
};

TEST_F(ReservationPool, ReuseGivesAZeroedMemory) {
  uint8_t* old_base;
  {
    Store s;
    auto m = new_memory(s, mem_type(4, std::nullopt));
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->guarded);
    old_base = (*m)->base;
    std::memset(old_base, 0xAB, (*m)->size);
  }
  ReservationPoolStats before = reservation_pool_stats();
  EXPECT_EQ(before.pooled, 1u);
  Store s;
  auto m = new_memory(s, mem_type(4, std::nullopt));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->guarded);
  ReservationPoolStats after = reservation_pool_stats();
  EXPECT_EQ(after.reused, before.reused + 1);
  EXPECT_EQ(after.pooled, 0u);
  EXPECT_EQ((*m)->base, old_base);  // the same reservation, not a fresh one
  EXPECT_EQ((*m)->size, 4 * kPage);
  EXPECT_EQ((*m)->committed, 4 * kPage);
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
  EXPECT_EQ(probe(s, addr_of((*m)->base) + (*m)->size - 1, true), nullptr);
  const uintptr_t end = addr_of((*m)->base) + (*m)->size;
  EXPECT_EQ(probe(s, end), reinterpret_cast<void*>(end));
}

TEST_F(ReservationPool, SmallerTenantFaultsPastItsSize) {
  uint8_t* old_base;
  {
    Store s;
    auto m = new_memory(s, mem_type(1, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
    ASSERT_EQ((*m)->grow(15), 1u);  // 16 pages committed by growth
    old_base = (*m)->base;
    std::memset(old_base, 0x5A, (*m)->size);
  }
  Store s;
  auto m = new_memory(s, mem_type(2, std::nullopt));
  ASSERT_TRUE(m.ok() && (*m)->guarded);
  ASSERT_EQ((*m)->base, old_base);
  EXPECT_EQ((*m)->committed, 2 * kPage);
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
  // Every page the previous tenant had past the new size is inaccessible again.
  for (uint64_t off = 2 * kPage; off < 16 * kPage; off += 4096) {
    const uintptr_t a = addr_of(old_base) + off;
    ASSERT_EQ(probe(s, a), reinterpret_cast<void*>(a)) << off;
    ASSERT_EQ(probe(s, a + 4095, true), reinterpret_cast<void*>(a + 4095)) << off;
  }
  EXPECT_EQ(probe(s, addr_of(old_base) - 1), old_base - 1);  // guard before
  // Growing over the old tenant's pages shows zeros, and the new end faults.
  ASSERT_EQ((*m)->grow(14), 2u);
  EXPECT_EQ((*m)->base, old_base);
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
  const uintptr_t end = addr_of(old_base) + (*m)->size;
  EXPECT_EQ(probe(s, end, true), reinterpret_cast<void*>(end));
}

TEST_F(ReservationPool, LargerTenantGetsZeroedPagesAndFaultsPastItsSize) {
  uint8_t* old_base;
  {
    Store s;
    auto m = new_memory(s, mem_type(1, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
    old_base = (*m)->base;
    std::memset(old_base, 0xFF, (*m)->size);
  }
  Store s;
  auto m = new_memory(s, mem_type(5, 10));
  ASSERT_TRUE(m.ok() && (*m)->guarded);
  ASSERT_EQ((*m)->base, old_base);
  EXPECT_EQ((*m)->reserved, 10 * kPage);  // the layout follows the new type
  EXPECT_EQ((*m)->reserved + (*m)->guard, kGuardedReserveBytes);
  EXPECT_EQ((*m)->committed, 5 * kPage);
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
  const uintptr_t end = addr_of(old_base) + (*m)->size;
  EXPECT_EQ(probe(s, end), reinterpret_cast<void*>(end));
  EXPECT_EQ(probe(s, end - 1, true), nullptr);
}

// Small memories are zeroed with memset, larger ones (and those past the pool's resident
// budget) with MADV_DONTNEED: both must leave nothing of the previous tenant.
TEST_F(ReservationPool, LargeMemoriesAreZeroedToo) {
  for (uint64_t pages : {64u, 200u}) {
    uint8_t* old_base;
    {
      Store s;
      auto m = new_memory(s, mem_type(pages, std::nullopt));
      ASSERT_TRUE(m.ok() && (*m)->guarded);
      old_base = (*m)->base;
      std::memset(old_base, 0xC3, (*m)->size);
    }
    Store s;
    auto m = new_memory(s, mem_type(pages, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
    ASSERT_EQ((*m)->base, old_base);
    EXPECT_TRUE(all_zero((*m)->base, (*m)->size)) << pages;
  }
  // Beyond the resident budget: 40 memories of 1 MiB released at once, then all reused.
  set_reservation_pool_cap(40);
  std::set<uint8_t*> bases;
  {
    Store s;
    for (int i = 0; i < 40; ++i) {
      auto m = new_memory(s, mem_type(16, std::nullopt));
      ASSERT_TRUE(m.ok() && (*m)->guarded);
      std::memset((*m)->base, 0x77, (*m)->size);
      bases.insert((*m)->base);
    }
  }
  EXPECT_EQ(reservation_pool_stats().pooled, 40u);
  Store s;
  for (int i = 0; i < 40; ++i) {
    auto m = new_memory(s, mem_type(16, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
    EXPECT_EQ(bases.count((*m)->base), 1u);
    ASSERT_TRUE(all_zero((*m)->base, (*m)->size)) << i;
  }
}

TEST_F(ReservationPool, ZeroPageMemoryAfterReuse) {
  {
    Store s;
    auto m = new_memory(s, mem_type(3, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
    std::memset((*m)->base, 1, (*m)->size);
  }
  Store s;
  auto m = new_memory(s, mem_type(0, std::nullopt));
  ASSERT_TRUE(m.ok() && (*m)->guarded);
  EXPECT_EQ(reservation_pool_stats().pooled, 0u);
  EXPECT_EQ(probe(s, addr_of((*m)->base)), (*m)->base);  // size 0: byte 0 faults
  ASSERT_EQ((*m)->grow(3), 0u);
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
}

TEST_F(ReservationPool, CompactMemoriesAreNotPooled) {
  const ReservationPoolStats before = reservation_pool_stats();
  {
    Memory m;
    ASSERT_TRUE(m.init(mem_type(1, 4), UINT64_MAX, /*allow_guard=*/false).ok());
    ASSERT_FALSE(m.guarded);
  }
  const ReservationPoolStats after = reservation_pool_stats();
  EXPECT_EQ(after.pooled, 0u);
  EXPECT_EQ(after.returned, before.returned);
}

TEST_F(ReservationPool, CapIsRespected) {
  set_reservation_pool_cap(3);
  EXPECT_EQ(reservation_pool_cap(), 3u);
  ReservationPoolStats before = reservation_pool_stats();
  {
    Store s;
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(new_memory(s, mem_type(1, std::nullopt)).ok());
  }
  ReservationPoolStats after = reservation_pool_stats();
  EXPECT_EQ(after.pooled, 3u);
  EXPECT_EQ(after.returned - before.returned, 3u);
  EXPECT_EQ(after.unmapped - before.unmapped, 3u);
  // Lowering the cap unmaps the excess.
  set_reservation_pool_cap(1);
  EXPECT_EQ(reservation_pool_stats().pooled, 1u);
  // Cap 0 disables the pool: nothing is kept or reused.
  set_reservation_pool_cap(0);
  before = reservation_pool_stats();
  EXPECT_EQ(before.pooled, 0u);
  {
    Store s;
    auto m = new_memory(s, mem_type(1, std::nullopt));
    ASSERT_TRUE(m.ok() && (*m)->guarded);
  }
  after = reservation_pool_stats();
  EXPECT_EQ(after.pooled, 0u);
  EXPECT_EQ(after.reused, before.reused);
  EXPECT_EQ(after.returned, before.returned);
  EXPECT_EQ(after.unmapped, before.unmapped + 1);
}

TEST_F(ReservationPool, DrainUnmapsEverything) {
  {
    Store s;
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(new_memory(s, mem_type(2, std::nullopt)).ok());
  }
  EXPECT_EQ(reservation_pool_stats().pooled, 4u);
  EXPECT_EQ(drain_reservation_pool(), 4u);
  EXPECT_EQ(reservation_pool_stats().pooled, 0u);
  EXPECT_EQ(drain_reservation_pool(), 0u);
  const uint64_t reused = reservation_pool_stats().reused;
  Store s;
  auto m = new_memory(s, mem_type(2, std::nullopt));
  ASSERT_TRUE(m.ok() && (*m)->guarded);
  EXPECT_EQ(reservation_pool_stats().reused, reused);  // a fresh reservation
  EXPECT_TRUE(all_zero((*m)->base, (*m)->size));
}

// 8 threads create and destroy memories of varying sizes: every memory starts zeroed and
// bounded, no reservation is ever live twice, and the pool stays within its cap.
TEST_F(ReservationPool, ManyThreads) {
  set_reservation_pool_cap(4);  // smaller than the thread count: both paths are exercised
  constexpr int kThreads = 8;
  constexpr int kRounds = 150;
  std::mutex mu;
  std::set<uint8_t*> live;
  std::atomic<int> failures{0};
  const uint64_t reused_before = reservation_pool_stats().reused;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        Store s;
        const uint64_t pages = 1 + (t + r) % 4;
        auto m = new_memory(s, mem_type(pages, std::nullopt));
        if (!m.ok() || !(*m)->guarded) {
          failures++;
          continue;
        }
        Memory* mem = *m;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!live.insert(mem->base).second) failures++;  // in use twice
        }
        if (!all_zero(mem->base, mem->size)) failures++;
        const uintptr_t end = addr_of(mem->base) + mem->size;
        if (probe(s, end) != reinterpret_cast<void*>(end)) failures++;
        if (probe(s, end + 3 * kPage, true) != reinterpret_cast<void*>(end + 3 * kPage)) {
          failures++;
        }
        std::memset(mem->base, 0x40 + t, mem->size);
        if (r % 16 == 0 && mem->grow(1) != pages) failures++;
        {
          std::lock_guard<std::mutex> lock(mu);
          live.erase(mem->base);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const ReservationPoolStats st = reservation_pool_stats();
  EXPECT_LE(st.pooled, 4u);
  EXPECT_GT(st.reused, reused_before);
}

}  // namespace
}  // namespace hull
