// The process-wide epoch counter and the timer thread that advances it (deadlines). The
// thread ticks only while a deadline can still be reached or a guest past one must still be
// interrupted; otherwise it sleeps until the next set_deadline_ns, so that an idle process (a
// server between requests) is not woken 500 times a second.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/interrupt.h"
#include "runtime/store.h"

namespace hull {

std::atomic<uint64_t> g_epoch{0};

namespace {

// The watched stores. Never destroyed: the detached timer thread may use it while static
// destructors run at exit.
struct Watched {
  std::mutex mu;
  std::vector<Store*> stores;
};
Watched& watched() {
  static auto* w = new Watched;
  return *w;
}

// The furthest deadline (an epoch) set so far: the timer may sleep once the epoch passed it.
std::atomic<uint64_t> g_needed_until{0};
// Set by the timer thread while it sleeps (under Idle::mu): set_deadline_ns then wakes it.
std::atomic<bool> g_timer_asleep{false};
struct Idle {
  std::mutex mu;
  std::condition_variable wake;
};
Idle& idle() {  // never destroyed, as watched()
  static auto* i = new Idle;
  return *i;
}

// Whether another tick can matter: a deadline not yet reached, or (`interrupting`) a watched
// store's thread still in guest code past its deadline, which is interrupted again every tick.
// One tick past the furthest deadline: the tick after the one that marks a passed deadline is
// the one that interrupts.
bool ticks_needed(uint64_t now, bool interrupting) {
  const uint64_t until = g_needed_until.load();
  return interrupting || now <= until || now - until <= 1;  // no overflow at UINT64_MAX
}

}  // namespace

void note_deadline(uint64_t deadline) {
  uint64_t seen = g_needed_until.load();
  while (seen < deadline && !g_needed_until.compare_exchange_weak(seen, deadline)) {
  }
  // Sequentially consistent, as the timer's own store of g_timer_asleep before it reads
  // g_needed_until: either it sees the new deadline or this sees it asleep and wakes it
  // (after taking the lock, so not before it waits).
  if (g_timer_asleep.load()) {
    Idle& i = idle();
    {
      std::lock_guard<std::mutex> lock(i.mu);
    }
    i.wake.notify_one();
  }
}

bool epoch_timer_asleep() { return g_timer_asleep.load(); }

void ensure_epoch_timer() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Detached: it only touches g_epoch, the watched set and the idle state, which outlive it.
    std::thread([] {
      bool interrupting = false;
      for (;;) {
        if (!ticks_needed(g_epoch.load(std::memory_order_relaxed), interrupting)) {
          Idle& i = idle();
          std::unique_lock<std::mutex> lock(i.mu);
          g_timer_asleep.store(true);
          i.wake.wait(lock, [&] { return ticks_needed(g_epoch.load(), false); });
          g_timer_asleep.store(false);
        }
        std::this_thread::sleep_for(std::chrono::nanoseconds(kEpochTickNs));
        const uint64_t now = g_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
        Watched& w = watched();
        std::lock_guard<std::mutex> lock(w.mu);
        interrupting = false;
        // Again at every tick while the deadline stays passed: an entry into machine code
        // that reset the word just before the deadline moved is caught one tick later.
        for (Store* s : w.stores) {
          const uint64_t deadline = s->epoch_deadline.load(std::memory_order_relaxed);
          if (now < deadline) continue;
          // From the tick after the one that marked the word, a thread still in the store's
          // guest code is interrupted: the code that checks has trapped by then, so what
          // remains is a loop that checks nothing (runtime/interrupt.h). Again every tick.
          if (now > deadline)
            if (const int tid = s->guest_tid.load(std::memory_order_relaxed)) {
              send_interrupt(tid);
              interrupting = true;
            }
          const uintptr_t before = s->native_limit.exchange(UINTPTR_MAX);
          // A new deadline set meanwhile (a store used again: set_deadline, then an entry
          // into machine code that reset the word) must not be cut short by the old one: if
          // the deadline moved past `now` and nothing has written the word since, put back
          // what was there.
          if (now < s->epoch_deadline.load()) {
            uintptr_t expected = UINTPTR_MAX;
            s->native_limit.compare_exchange_strong(expected, before);
          }
        }
      }
    }).detach();
  });
}

void watch_deadline(Store& store) {
  Watched& w = watched();
  {
    std::lock_guard<std::mutex> lock(w.mu);
    if (store.deadline_watched) return;
    store.deadline_watched = true;
    w.stores.push_back(&store);
  }
  install_interrupt_handler();
  ensure_epoch_timer();
}

void unwatch_deadline(Store& store) {
  Watched& w = watched();
  std::lock_guard<std::mutex> lock(w.mu);
  std::erase(w.stores, &store);
  store.deadline_watched = false;
}

}  // namespace hull
