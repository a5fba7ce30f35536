// The process-wide epoch counter and the timer thread that advances it (deadlines).
#include <chrono>
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

}  // namespace

void ensure_epoch_timer() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Detached: it only touches g_epoch and the watched set, which outlive it.
    std::thread([] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(kEpochTickNs));
        const uint64_t now = g_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
        Watched& w = watched();
        std::lock_guard<std::mutex> lock(w.mu);
        // Again at every tick while the deadline stays passed: an entry into machine code
        // that reset the word just before the deadline moved is caught one tick later.
        for (Store* s : w.stores) {
          const uint64_t deadline = s->epoch_deadline.load(std::memory_order_relaxed);
          if (now < deadline) continue;
          // From the tick after the one that marked the word, a thread still in the store's
          // guest code is interrupted: the code that checks has trapped by then, so what
          // remains is a loop that checks nothing (runtime/interrupt.h). Again every tick.
          if (now > deadline)
            if (const int tid = s->guest_tid.load(std::memory_order_relaxed)) send_interrupt(tid);
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
