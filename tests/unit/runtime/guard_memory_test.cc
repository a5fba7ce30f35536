// Guarded linear memories and signal-based traps: reservation layout, growth in place, faults
// past the size turned into jumps to the innermost WasmEntry, chaining of faults that are not a
// guest's, many threads, nested entries, and the fallback when address space is short.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
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
using test::touch_expecting_chain;

constexpr uint64_t kGiB = uint64_t(1) << 30;

Memory* guarded_memory(Store& store, uint64_t min, std::optional<uint64_t> max) {
  auto m = new_memory(store, mem_type(min, max));
  if (!m.ok()) return nullptr;
  return *m;
}

TEST(GuardedMemory, SupportedOnThisPlatform) {
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
  EXPECT_TRUE(guard_pages_supported());
#else
  GTEST_SKIP() << "guard pages are not implemented on this platform";
#endif
}

TEST(GuardedMemory, LayoutOfTheReservation) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store s;
  Memory* m = guarded_memory(s, 2, std::nullopt);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->guarded);
  EXPECT_EQ(m->size, 2 * kPage);
  EXPECT_EQ(m->committed, 2 * kPage);
  EXPECT_EQ(m->max_pages, kMaxPages32);
  EXPECT_EQ(m->reserved, 4 * kGiB);  // the whole 32-bit range: growth never moves
  EXPECT_EQ(m->guard_before, kGuardBeforeBytes);
  EXPECT_EQ(m->reserved + m->guard, kGuardedReserveBytes);
  EXPECT_EQ(addr_of(m->base) % sysconf(_SC_PAGESIZE), 0u);
  // Accessible and zeroed inside, inaccessible on both sides.
  for (uint64_t i = 0; i < m->size; i += 4096) ASSERT_EQ(m->base[i], 0);
  EXPECT_EQ(probe(s, addr_of(m->base), true), nullptr);
  EXPECT_EQ(probe(s, addr_of(m->base) + m->size - 1, true), nullptr);
  const uintptr_t outside[] = {
      addr_of(m->base) + m->size,                              // first byte past the end
      addr_of(m->base) + m->size + 12345,
      addr_of(m->base) + 4 * kGiB,                             // past any 32-bit address
      addr_of(m->base) + 0xFFFFFFFFull + 0xFFFFFFFFull + 15,   // max address + offset + width
      addr_of(m->base) + kGuardedReserveBytes - 1,             // last byte of the guard
      addr_of(m->base) - 1,                                    // guard before
      addr_of(m->base) - kGuardBeforeBytes,                    // first byte of the reservation
  };
  for (uintptr_t a : outside) {
    EXPECT_EQ(probe(s, a), reinterpret_cast<void*>(a)) << std::hex << a - addr_of(m->base);
    EXPECT_EQ(probe(s, a, true), reinterpret_cast<void*>(a)) << std::hex << a - addr_of(m->base);
  }
}

TEST(GuardedMemory, GrowsInPlaceAndPastSizeStillFaults) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store s;
  Memory* m = guarded_memory(s, 1, std::nullopt);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->guarded);
  uint8_t* base = m->base;
  m->base[10] = 7;
  const uintptr_t old_end = addr_of(base) + m->size;
  EXPECT_EQ(probe(s, old_end), reinterpret_cast<void*>(old_end));
  EXPECT_EQ(m->grow(3), 1u);
  EXPECT_EQ(m->base, base);
  EXPECT_EQ(m->size, 4 * kPage);
  EXPECT_EQ(m->committed, 4 * kPage);
  EXPECT_EQ(m->base[10], 7);
  for (uint64_t i = kPage; i < m->size; i += 512) ASSERT_EQ(m->base[i], 0) << i;
  EXPECT_EQ(probe(s, old_end, true), nullptr);  // now inside
  const uintptr_t end = addr_of(base) + m->size;
  EXPECT_EQ(probe(s, end), reinterpret_cast<void*>(end));
}

TEST(GuardedMemory, GrowsToItsLimit) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store s;
  Memory* m = guarded_memory(s, 0, 256);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->guarded);
  EXPECT_EQ(m->size, 0u);
  EXPECT_EQ(m->reserved, 256 * kPage);
  EXPECT_EQ(m->reserved + m->guard, kGuardedReserveBytes);
  uint8_t* base = m->base;
  EXPECT_EQ(probe(s, addr_of(base)), base);  // size 0: even byte 0 faults
  EXPECT_EQ(m->grow(200), 0u);
  EXPECT_EQ(m->grow(56), 200u);
  EXPECT_EQ(m->grow(1), UINT64_MAX);
  EXPECT_EQ(m->base, base);
  EXPECT_EQ(m->size, 256 * kPage);
  EXPECT_EQ(probe(s, addr_of(base) + m->size - 1, true), nullptr);
  EXPECT_EQ(probe(s, addr_of(base) + m->size), base + m->size);
}

TEST(GuardedMemory, StoreLimitShrinksTheUsableRangeNotTheGuard) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store s;
  s.limits.max_memory_bytes = 3 * kPage;
  Memory* m = guarded_memory(s, 1, std::nullopt);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->guarded);
  EXPECT_EQ(m->max_pages, 3u);
  EXPECT_EQ(m->reserved, 3 * kPage);
  EXPECT_EQ(m->reserved + m->guard, kGuardedReserveBytes);
  EXPECT_EQ(m->grow(2), 1u);
  EXPECT_EQ(m->grow(1), UINT64_MAX);
}

TEST(GuardedMemory, ExplicitCheckMemoriesAreNotGuarded) {
  Store s;
  MemoryType t64 = mem_type(1, std::nullopt);
  t64.limits.is64 = true;
  auto m64 = new_memory(s, t64);
  ASSERT_TRUE(m64.ok());
  EXPECT_FALSE((*m64)->guarded);
  EXPECT_EQ((*m64)->guard_before, 0u);
  MemoryType small = mem_type(3, 100);
  small.page_size_log2 = 0;
  auto ms = new_memory(s, small);
  ASSERT_TRUE(ms.ok());
  EXPECT_FALSE((*ms)->guarded);
  EXPECT_FALSE(guardable(t64));
  EXPECT_FALSE(guardable(small));
  EXPECT_TRUE(guardable(mem_type(0, 1)));
  // A compact reservation on request.
  Memory compact;
  ASSERT_TRUE(compact.init(mem_type(1, 4), UINT64_MAX, /*allow_guard=*/false).ok());
  EXPECT_FALSE(compact.guarded);
  EXPECT_EQ(compact.reserved, 4 * kPage);
  EXPECT_EQ(compact.guard_before, 0u);
  EXPECT_EQ(compact.grow(3), 1u);
  // Faults in unguarded memories are not the guest's: see the death tests below.
}

TEST(GuardedMemory, NewMemoriesAreZeroed) {
  if (!guard_pages_supported()) GTEST_SKIP();
  // Fill a memory, free it, make many more: none may see old bytes (no reuse without zeroing).
  for (int round = 0; round < 20; ++round) {
    Store s;
    Memory* m = guarded_memory(s, 4, 4);
    ASSERT_NE(m, nullptr);
    for (uint64_t i = 0; i < m->size; i += 64) ASSERT_EQ(m->base[i], 0) << round << " " << i;
    std::memset(m->base, 0xAB, m->size);
  }
}

// Nested entries: a fault goes to the innermost entry; the outer one still works afterwards.
TEST(GuardedMemory, NestedEntriesJumpToTheInnermost) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store s;
  Memory* m = guarded_memory(s, 1, 1);
  ASSERT_NE(m, nullptr);
  const uintptr_t bad = addr_of(m->base) + m->size + 8;
  volatile int outer_jumps = 0;
  volatile int inner_jumps = 0;
  WasmEntry outer;
  outer.store = &s;
  if (sigsetjmp(outer.jump, 0) == 0) {
    t_wasm_entry = &outer;
    {
      WasmEntry inner;
      inner.store = &s;
      inner.prev = t_wasm_entry;
      if (sigsetjmp(inner.jump, 0) == 0) {
        t_wasm_entry = &inner;
        *reinterpret_cast<volatile uint8_t*>(bad) = 1;
        ADD_FAILURE() << "no fault";
      } else {
        inner_jumps = inner_jumps + 1;
        EXPECT_EQ(inner.fault_address, reinterpret_cast<void*>(bad));
      }
      t_wasm_entry = inner.prev;
    }
    EXPECT_EQ(t_wasm_entry, &outer);
    EXPECT_EQ(outer.fault_address, nullptr);
    // The outer entry still catches faults.
    (void)*reinterpret_cast<volatile uint8_t*>(bad + 1);
    ADD_FAILURE() << "no fault";
  } else {
    outer_jumps = outer_jumps + 1;
    EXPECT_EQ(outer.fault_address, reinterpret_cast<void*>(bad + 1));
  }
  t_wasm_entry = nullptr;
  EXPECT_EQ(inner_jumps, 1);
  EXPECT_EQ(outer_jumps, 1);
  // And a fresh entry after both are gone.
  EXPECT_EQ(probe(s, bad), reinterpret_cast<void*>(bad));
}

// An entry of another store does not claim this store's memory (and vice versa).
TEST(GuardedMemory, OnlyTheEntrysStoreCounts) {
  if (!guard_pages_supported()) GTEST_SKIP();
  Store a, b;
  Memory* ma = guarded_memory(a, 1, 1);
  Memory* mb = guarded_memory(b, 1, 1);
  ASSERT_NE(ma, nullptr);
  ASSERT_NE(mb, nullptr);
  EXPECT_EQ(probe(a, addr_of(ma->base) + kPage), ma->base + kPage);
  EXPECT_EQ(probe(b, addr_of(mb->base) + kPage), mb->base + kPage);
}

// 8 threads, each with its own store and memory, each faulting 10,000 times.
TEST(GuardedMemory, ManyThreadsFaultIndependently) {
  if (!guard_pages_supported()) GTEST_SKIP();
  constexpr int kThreads = 8;
  constexpr int kFaults = 10000;
  std::atomic<int> errors{0};
  std::atomic<int> recovered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store s;
      Memory* m = guarded_memory(s, 1, 2);
      if (!m || !m->guarded) {
        ++errors;
        return;
      }
      for (int i = 0; i < kFaults; ++i) {
        // Alternate the guard after, far past, and before the memory; reads and writes.
        const uint64_t k = static_cast<uint64_t>(i) * 7919 + t;
        uintptr_t a;
        switch (i % 3) {
          case 0: a = addr_of(m->base) + m->size + k % (4 * kPage); break;
          case 1: a = addr_of(m->base) + 4 * kGiB + k % kGiB; break;
          default: a = addr_of(m->base) - 1 - k % kGuardBeforeBytes; break;
        }
        void* got = probe(s, a, i & 1);
        if (got != reinterpret_cast<void*>(a)) {
          ++errors;
          return;
        }
        // The memory itself stays usable and private to this thread.
        m->base[i % m->size] = static_cast<uint8_t>(t);
        if (m->base[i % m->size] != t || t_wasm_entry != nullptr) {
          ++errors;
          return;
        }
        ++recovered;
      }
      for (uint64_t i = 0; i < kFaults && i < m->size; ++i) {
        if (m->base[i] != t) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(recovered.load(), kThreads * kFaults);
}

// ---- faults that are not a guest's reach the previous handler (separate processes) --------

// The previous handler: exits with a recognizable status.
void exit_42(int) { _exit(42); }
void exit_43_info(int, siginfo_t*, void*) { _exit(43); }

void install_previous(int sig, bool siginfo) {
  struct sigaction sa = {};
  sigemptyset(&sa.sa_mask);
  if (siginfo) {
    sa.sa_sigaction = exit_43_info;
    sa.sa_flags = SA_SIGINFO;
  } else {
    sa.sa_handler = exit_42;
  }
  sigaction(sig, &sa, nullptr);
}

class GuardedMemoryDeathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!guard_pages_supported()) GTEST_SKIP();
    // Re-execute the test binary for each death test: install_trap_handlers must run in the
    // child after the test's own handler, which a plain fork of this process would not allow.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// A one-page guarded memory of S; exits 1 when none can be made (the test then fails).
Memory* one_guarded_page(Store& s) {
  Memory* m = guarded_memory(s, 1, 1);
  if (!m || !m->guarded) _exit(1);
  return m;
}

uintptr_t just_past(const Memory* m) { return addr_of(m->base) + m->size; }

TEST_F(GuardedMemoryDeathTest, HostFaultWithoutEntryChains) {
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, false);
        Store s;
        Memory* m = one_guarded_page(s);
        *reinterpret_cast<volatile uint8_t*>(just_past(m)) = 1;  // no WasmEntry
        _exit(2);
      },
      ::testing::ExitedWithCode(42), "");
}

TEST_F(GuardedMemoryDeathTest, FaultDuringHostCallChains) {
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, true);
        Store s;
        Memory* m = one_guarded_page(s);
        // The guest called a host function, which faults: not the guest's fault.
        touch_expecting_chain(s, just_past(m), /*in_guest=*/false);
      },
      ::testing::ExitedWithCode(43), "");
}

TEST_F(GuardedMemoryDeathTest, GuestFaultOutsideAnyMemoryChains) {
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, false);
        Store s;
        one_guarded_page(s);
        void* other = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (other == MAP_FAILED) _exit(4);
        touch_expecting_chain(s, reinterpret_cast<uintptr_t>(other));
      },
      ::testing::ExitedWithCode(42), "");
}

TEST_F(GuardedMemoryDeathTest, GuestFaultInAnotherStoresMemoryChains) {
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, false);
        Store mine;
        Store other;
        Memory* m = one_guarded_page(other);
        touch_expecting_chain(mine, just_past(m));
      },
      ::testing::ExitedWithCode(42), "");
}

TEST_F(GuardedMemoryDeathTest, GuestFaultInUnguardedMemoryChains) {
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, false);
        Store s;
        one_guarded_page(s);  // installs the handlers
        Memory& m = s.memories.emplace_back();
        if (!m.init(mem_type(1, 1), UINT64_MAX, /*allow_guard=*/false).ok()) _exit(4);
        touch_expecting_chain(s, just_past(&m));  // its small guard
      },
      ::testing::ExitedWithCode(42), "");
}

TEST_F(GuardedMemoryDeathTest, SigbusChainsToo) {
  EXPECT_EXIT(
      {
        install_previous(SIGBUS, true);
        Store s;
        one_guarded_page(s);
        // A page of a file mapping beyond the end of the (empty) file raises SIGBUS.
        FILE* f = std::tmpfile();
        if (!f) _exit(4);
        void* p = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fileno(f), 0);
        if (p == MAP_FAILED) _exit(5);
        touch_expecting_chain(s, reinterpret_cast<uintptr_t>(p));
      },
      ::testing::ExitedWithCode(43), "");
}

TEST_F(GuardedMemoryDeathTest, DefaultActionStillKills) {
  EXPECT_EXIT(
      {
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(SIGSEGV, &dfl, nullptr);
        Store s;
        Memory* m = one_guarded_page(s);
        *reinterpret_cast<volatile uint8_t*>(just_past(m)) = 1;  // no entry: a host bug
        _exit(2);
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

TEST_F(GuardedMemoryDeathTest, GuestTrapsStillWorkAfterChainingSetUp) {
  // In the child, with a previous handler in place, a guest fault is still a trap.
  EXPECT_EXIT(
      {
        install_previous(SIGSEGV, false);
        Store s;
        Memory* m = one_guarded_page(s);
        if (probe(s, just_past(m)) != m->base + m->size) _exit(3);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// Under `ulimit -v` the guarded reservation does not fit: the memory falls back to a compact
// reservation (guarded == false) and still works.
TEST_F(GuardedMemoryDeathTest, FallsBackWhenAddressSpaceIsShort) {
  EXPECT_EXIT(
      {
        if (!test::cap_address_space(uint64_t(512) << 20)) _exit(5);
        Store s;
        Memory* bounded = guarded_memory(s, 1, 16);
        if (!bounded || bounded->guarded || bounded->guard_before != 0) _exit(6);
        if (bounded->grow(15) != 1 || bounded->base[16 * kPage - 1] != 0) _exit(7);
        Memory* unbounded = guarded_memory(s, 1, std::nullopt);  // would want 4 GiB
        if (!unbounded || unbounded->guarded) _exit(8);
        unbounded->base[kPage - 1] = 1;
        if (unbounded->grow(1) != 1 || unbounded->base[kPage - 1] != 1) _exit(9);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace hull
