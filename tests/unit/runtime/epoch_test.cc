// The epoch timer thread (runtime/epoch.cc): it ticks while a deadline is pending, sleeps once
// the furthest one has passed (an idle process is not woken every tick), and wakes for the next
// deadline or interrupt. Each test runs in a process of its own (gtest_discover_tests), so the
// timer starts fresh in each. Bounds on waiting only catch a timer that never sleeps or never
// wakes; no speed is asserted.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "runtime/store.h"

namespace hull {
namespace {

using namespace std::chrono_literals;

// Waits (at most 5 s) until `done()` holds; whether it did.
template <class F>
bool eventually(F done) {
  for (auto until = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < until;) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

TEST(EpochTimer, SleepsOnceTheLastDeadlinePassed) {
  Store store;
  store.set_deadline_ns(10'000'000);  // 10 ms: 5 ticks
  const uint64_t deadline = store.epoch_deadline.load();
  ASSERT_TRUE(eventually([] { return epoch_timer_asleep(); }))
      << "the timer still ticks 5 s after the only deadline (epoch " << g_epoch.load()
      << ", deadline " << deadline << ")";
  // It reached the deadline before it slept, and adds nothing while asleep.
  const uint64_t at_sleep = g_epoch.load();
  EXPECT_GE(at_sleep, deadline);
  std::this_thread::sleep_for(50ms);  // 25 ticks, if it ticked
  EXPECT_EQ(g_epoch.load(), at_sleep);
  EXPECT_TRUE(epoch_timer_asleep());
}

TEST(EpochTimer, ANewDeadlineWakesIt) {
  Store first;
  first.set_deadline_ns(4'000'000);
  ASSERT_TRUE(eventually([] { return epoch_timer_asleep(); }));
  Store second;
  second.set_deadline_ns(20'000'000);
  const uint64_t deadline = second.epoch_deadline.load();
  EXPECT_GT(deadline, g_epoch.load());
  // Awake and ticking: the epoch reaches the new deadline, then the timer sleeps again.
  EXPECT_TRUE(eventually([&] { return g_epoch.load() >= deadline; }))
      << "epoch " << g_epoch.load() << ", deadline " << deadline;
  EXPECT_TRUE(eventually([] { return epoch_timer_asleep(); }));
}

TEST(EpochTimer, AnInterruptWakesIt) {
  Store store;
  store.set_deadline_ns(2'000'000);
  ASSERT_TRUE(eventually([] { return epoch_timer_asleep(); }));
  const uint64_t before = g_epoch.load();
  store.interrupt();  // machine code that checks nothing hears of it through the ticks
  EXPECT_EQ(store.epoch_deadline.load(), 0u);
  EXPECT_TRUE(eventually([&] { return g_epoch.load() >= before + 2; }))
      << "epoch " << g_epoch.load() << ", before the interrupt " << before;
  EXPECT_TRUE(eventually([] { return epoch_timer_asleep(); }));
}

TEST(EpochTimer, NoDeadlineNoThread) {
  // Stores without a deadline start nothing: the epoch stays where it is.
  Store store;
  const uint64_t before = g_epoch.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(g_epoch.load(), before);
  EXPECT_FALSE(epoch_timer_asleep());
}

}  // namespace
}  // namespace hull
