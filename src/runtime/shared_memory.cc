// The parking lot of a shared memory: memory.atomic.wait / memory.atomic.notify.
#include "runtime/shared_memory.h"

#include <chrono>

namespace hull {

namespace {

uint64_t load_cell(const void* cell, unsigned size) {
  if (size == 4) return __atomic_load_n(static_cast<const uint32_t*>(cell), __ATOMIC_SEQ_CST);
  return __atomic_load_n(static_cast<const uint64_t*>(cell), __ATOMIC_SEQ_CST);
}

// Timeouts beyond this (about 292 years: what steady_clock's nanoseconds can still add to now)
// are waits without a timeout.
constexpr int64_t kMaxTimeoutNs = INT64_MAX / 2;

}  // namespace

ParkingLot::WaitResult ParkingLot::wait(uint64_t address, const void* cell, unsigned size,
                                        uint64_t expected, int64_t timeout_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return WaitResult::Interrupted;
  if (load_cell(cell, size) != expected) return WaitResult::NotEqual;
  if (timeout_ns == 0) return WaitResult::TimedOut;
  Waiter self;
  Queue& q = queues_[address];
  if (q.tail) {
    q.tail->next = &self;
  } else {
    q.head = &self;
  }
  q.tail = &self;
  if (timeout_ns < 0 || timeout_ns > kMaxTimeoutNs) {
    self.cv.wait(lock, [&] { return self.woken; });
    return self.interrupted ? WaitResult::Interrupted : WaitResult::Woken;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  if (self.cv.wait_until(lock, deadline, [&] { return self.woken; }))
    return self.interrupted ? WaitResult::Interrupted : WaitResult::Woken;
  // Timed out: notify has not dequeued us (it sets woken under the same lock), so we still
  // stand in the queue.
  unlink(address, &self);
  return WaitResult::TimedOut;
}

void ParkingLot::unlink(uint64_t address, Waiter* w) {
  auto it = queues_.find(address);
  if (it == queues_.end()) return;
  Queue& q = it->second;
  Waiter* prev = nullptr;
  for (Waiter* cur = q.head; cur; prev = cur, cur = cur->next) {
    if (cur != w) continue;
    (prev ? prev->next : q.head) = cur->next;
    if (q.tail == cur) q.tail = prev;
    break;
  }
  if (!q.head) queues_.erase(it);
}

uint32_t ParkingLot::notify(uint64_t address, uint32_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(address);
  if (it == queues_.end()) return 0;
  Queue& q = it->second;
  uint32_t woken = 0;
  while (woken < count && q.head) {
    Waiter* w = q.head;
    q.head = w->next;
    if (!q.head) q.tail = nullptr;
    w->woken = true;
    // Notified under the lock: the waiter's stack frame (and its cv) cannot go away before the
    // notification is delivered, since it needs the lock to return.
    w->cv.notify_one();
    ++woken;
  }
  if (!q.head) queues_.erase(it);
  return woken;
}

void ParkingLot::interrupt_all() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (auto& [address, q] : queues_) {
    for (Waiter* w = q.head; w;) {
      Waiter* next = w->next;
      w->woken = true;
      w->interrupted = true;
      w->cv.notify_one();  // under the lock: `w` cannot return (and vanish) before we unlock
      w = next;
    }
  }
  queues_.clear();
}

size_t ParkingLot::waiters(uint64_t address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(address);
  size_t n = 0;
  if (it != queues_.end())
    for (Waiter* w = it->second.head; w; w = w->next) ++n;
  return n;
}

}  // namespace hull
