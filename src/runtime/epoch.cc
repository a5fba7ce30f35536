// The process-wide epoch counter and the timer thread that advances it (deadlines).
#include <chrono>
#include <mutex>
#include <thread>

#include "runtime/store.h"

namespace hull {

std::atomic<uint64_t> g_epoch{0};

void ensure_epoch_timer() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Detached: it only touches g_epoch, which outlives it (static storage).
    std::thread([] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(kEpochTickNs));
        g_epoch.fetch_add(1, std::memory_order_relaxed);
      }
    }).detach();
  });
}

}  // namespace hull
